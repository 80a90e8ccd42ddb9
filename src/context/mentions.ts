/**
 * Turns the mentions in a prompt into context items, through the exclusion gate. A mention of an excluded target is
 * not sent, and its text is taken out of the message too (a name alone can leak); the person is told why.
 */
import { ExclusionGate } from './exclusions';
import { AttachmentAllowance, loadAttachment, type PdfTextReader } from './attachments';
import { attachmentKindOf } from './attachment-files';
import type { ContextItem } from './bundle';
import type { EmbedExpander } from './embeds';
import { parseMentions, type FolderMention, type Mention, type NoteMention, type TagMention } from './mention-parser';
import { normaliseSubpath, subpathText } from './sections';
import { tagMatches } from '../vault/tags';
import { isMarkdownPath, type VaultPort } from '../kernel/vault-port';

/** What stands in the message where the person mentioned something excluded. */
export const EXCLUDED_MENTION = '[excluded mention]';
/** Default number of notes a folder or tag mention attaches. */
export const DEFAULT_LIST_LIMIT = 20;

/** What the resolver needs. */
export interface MentionResolverOptions {
    /** The vault mentions resolve in. */
    vault: VaultPort;
    /** Asked for every target at the moment of resolving. */
    gate: ExclusionGate;
    /** Expands embeds in mentioned notes. */
    embeds: EmbedExpander;
    /** How many notes a folder or tag mention attaches at most. */
    listLimit?: number;
    /** How PDFs and images are read and sent; without it an attachment is named, not sent. */
    attachments?: AttachmentReading & {
        /** Tokens one attachment may take. */
        maxTokens: number;
    };
}

/** How attachments are read and sent: the host's PDF reader, and whether the endpoint reads `document` blocks. */
export interface AttachmentReading {
    /** The host's PDF text reader (PDF.js in the plugin, `unpdf` in the CLI). */
    pdf?: PdfTextReader | undefined;
    /** Whether the endpoint reads PDF `document` blocks now (the setting, and what its errors taught). */
    documents: () => boolean;
}

/** The items for a prompt's mentions, and the message with excluded mentions taken out. */
export interface ResolvedMentions {
    /** One or more items per mention, in prompt order (unsized: the packer counts tokens). */
    items: ContextItem[];
    /** The prompt with each excluded mention replaced by `EXCLUDED_MENTION`. */
    message: string;
}

/** Resolves mentions like Obsidian resolves links, with aliases, folders and tags. */
export class MentionResolver {
    private readonly vault: VaultPort;
    private readonly gate: ExclusionGate;
    private readonly embeds: EmbedExpander;
    private readonly listLimit: number;
    private readonly attachments: MentionResolverOptions['attachments'];
    /** What the request being built may still carry by the API's limits (pages, bytes, images). */
    private allowance = new AttachmentAllowance();

    constructor(options: MentionResolverOptions) {
        this.vault = options.vault;
        this.attachments = options.attachments;
        this.gate = options.gate;
        this.embeds = options.embeds;
        this.listLimit = options.listLimit ?? DEFAULT_LIST_LIMIT;
    }

    /** Resolves every mention in `prompt`; links resolve from `sourcePath` (the focused note) when there is one. */
    async resolve(prompt: string, sourcePath: string | null): Promise<ResolvedMentions> {
        const items: ContextItem[] = [];
        const redact: Mention[] = [];
        const attached = new Set<string>();
        this.allowance = new AttachmentAllowance();
        for (const mention of parseMentions(prompt)) {
            const found = await this.resolveOne(mention, sourcePath ?? '', attached);
            items.push(...found);
            if (found.some((item) => item.kind === 'excluded') && !found.some((item) => item.kind === 'mention')) {
                redact.push(mention);
            }
        }
        return { items, message: redactMentions(prompt, redact) };
    }

    private resolveOne(mention: Mention, source: string, attached: Set<string>): Promise<ContextItem[]> {
        switch (mention.kind) {
            case 'note':
                return this.note(mention, source, attached);
            case 'folder':
                return this.folder(mention, attached);
            case 'tag':
                return this.tag(mention, attached);
        }
    }

    private async note(mention: NoteMention, source: string, attached: Set<string>): Promise<ContextItem[]> {
        const target = this.vault.resolveLink(mention.link, source) ?? (await this.byAlias(mention.link));
        if (target === null)
            return [{ kind: 'missing', label: mention.raw, text: '', tokens: 0, remark: 'no such note' }];
        const verdict = this.gate.check(target);
        if (verdict.excluded) return [excludedItem(mention.raw, target, ExclusionGate.describe(verdict.reason))];
        const key = `${target}${normaliseSubpath(mention.subpath)}`;
        if (attached.has(key)) return [];
        attached.add(key);
        return [await this.noteItem(target, mention.subpath, mention.raw)];
    }

    /** A visible note (or the named part of it) as a mention item. */
    private async noteItem(path: string, subpath: string, label: string, remark?: string): Promise<ContextItem> {
        if (!isMarkdownPath(path)) return this.attachmentItem(path, label);
        let raw: string;
        try {
            raw = await this.vault.read(path);
        } catch {
            return { kind: 'missing', label, text: '', tokens: 0, remark: 'could not be read' };
        }
        // The text read is judged itself: the note may have turned private since the gate last looked.
        const now = this.gate.checkText(path, raw);
        if (now.excluded) return excludedItem(label, path, ExclusionGate.describe(now.reason));
        const section = normaliseSubpath(subpath);
        const part = subpathText(raw, section);
        const item: ContextItem = { kind: 'mention', path, label, text: '', tokens: 0 };
        if (part.found) {
            item.text = await this.embeds.expand(part.text, path);
            if (section !== '') item.attributes = { section, lines: `${part.fromLine + 1}-${part.toLine + 1}` };
        } else {
            item.text = await this.embeds.expand(raw, path);
            item.remark = `section ${section} not found, the whole note was attached`;
        }
        if (remark !== undefined) item.remark = remark;
        return item;
    }

    /** A PDF or an image as a mention item: its block beside the context, or its text, and what was left out. */
    private async attachmentItem(path: string, label: string): Promise<ContextItem> {
        const reading = this.attachments;
        if (reading === undefined || attachmentKindOf(path) === null) {
            const text = `[attachment: ${path.slice(path.lastIndexOf('/') + 1)} — its content is not attached]`;
            return { kind: 'mention', path, label, text, tokens: 0 };
        }
        const loaded = await loadAttachment(path, {
            vault: this.vault,
            pdf: reading.pdf,
            documents: reading.documents(),
            maxTokens: reading.maxTokens,
            allowance: this.allowance,
        });
        const notices = loaded.notices.map((notice) => `[${notice}.]`);
        const sentAs =
            loaded.block === undefined
                ? []
                : loaded.block.type === 'document'
                  ? [`[Sent as the document titled "${path}", before this context.]`]
                  : [`[Sent as an image block, before this context, in the order mentioned.]`];
        const item: ContextItem = {
            kind: 'mention',
            path,
            label,
            text: [...sentAs, ...notices, ...(loaded.text === '' ? [] : [loaded.text])].join('\n'),
            tokens: 0,
            attributes: { attachment: loaded.kind, ...loaded.attributes },
        };
        if (loaded.block !== undefined) item.attachment = { block: loaded.block, tokens: loaded.tokens };
        if (loaded.notices.length > 0) item.remark = loaded.notices.join('; ');
        return item;
    }

    private async folder(mention: FolderMention, attached: Set<string>): Promise<ContextItem[]> {
        const prefix = mention.folder === '' ? '' : `${mention.folder.toLowerCase()}/`;
        const inFolder = (await this.vault.list())
            .map((file) => file.path)
            .filter((path) => isMarkdownPath(path) && path.toLowerCase().startsWith(prefix))
            .sort(byFolderThenName);
        return this.listed(mention.raw, inFolder, attached, 'in this folder');
    }

    private async tag(mention: TagMention, attached: Set<string>): Promise<ContextItem[]> {
        const tagged: string[] = [];
        for (const file of await this.vault.list()) {
            if (!isMarkdownPath(file.path)) continue;
            const metadata = this.vault.metadata(file.path);
            const tags = metadata?.shownTags ?? metadata?.tags;
            if (tags?.some((tag) => tagMatches(tag, mention.tag)) === true) tagged.push(file.path);
        }
        return this.listed(mention.raw, tagged.sort(byFolderThenName), attached, 'with this tag');
    }

    /** Attaches the visible notes of a listing, bounded, and one person-only item for the excluded ones. */
    private async listed(label: string, paths: string[], attached: Set<string>, where: string): Promise<ContextItem[]> {
        if (paths.length === 0) return [{ kind: 'missing', label, text: '', tokens: 0, remark: `no notes ${where}` }];
        const visible: string[] = [];
        const reasons = new Set<string>();
        for (const path of paths) {
            const verdict = this.gate.check(path);
            if (verdict.excluded) reasons.add(ExclusionGate.describe(verdict.reason));
            else visible.push(path);
        }
        const items: ContextItem[] = [];
        const shown = visible.slice(0, this.listLimit);
        for (const [index, path] of shown.entries()) {
            if (attached.has(path)) continue;
            attached.add(path);
            const more = visible.length - shown.length;
            const remark =
                index === shown.length - 1 && more > 0 ? `${more} more notes ${where} were not attached` : undefined;
            items.push(await this.noteItem(path, '', label, remark));
        }
        const excluded = paths.length - visible.length;
        if (excluded > 0) {
            const count = `${excluded} note${excluded === 1 ? '' : 's'} ${where}`;
            items.push(excludedItem(label, undefined, `${count}: ${[...reasons].join('; ')}`));
        }
        return items;
    }

    /** The note whose frontmatter lists `alias` (case-insensitive), like Obsidian's alias suggestions. */
    private async byAlias(alias: string): Promise<string | null> {
        const wanted = alias.trim().toLowerCase();
        if (wanted === '') return null;
        const matches: string[] = [];
        for (const file of await this.vault.list()) {
            if (!isMarkdownPath(file.path)) continue;
            const aliases = this.vault.metadata(file.path)?.aliases ?? [];
            if (aliases.some((a) => a.trim().toLowerCase() === wanted)) matches.push(file.path);
        }
        return matches.sort(byFolderThenName)[0] ?? null;
    }
}

function excludedItem(label: string, path: string | undefined, reason: string): ContextItem {
    const item: ContextItem = { kind: 'excluded', label, text: '', tokens: 0, excludedReason: reason };
    if (path !== undefined) item.path = path;
    return item;
}

/** Shallower paths first, then by code-unit order: deterministic, and a folder's own notes before its subfolders'. */
function byFolderThenName(a: string, b: string): number {
    const depth = a.split('/').length - b.split('/').length;
    return depth !== 0 ? depth : a < b ? -1 : a > b ? 1 : 0;
}

/** `prompt` with each mention's text replaced by `EXCLUDED_MENTION`. */
function redactMentions(prompt: string, mentions: readonly Mention[]): string {
    let out = prompt;
    for (const mention of [...mentions].sort((a, b) => b.range.start - a.range.start)) {
        out = out.slice(0, mention.range.start) + EXCLUDED_MENTION + out.slice(mention.range.end);
    }
    return out;
}
