/**
 * `ContextBuilder`: the one place that decides what a request sends. The turn loop calls `build` for EVERY request
 * (never caches a bundle across requests) with the person's message and the focus captured when they sent it, so
 * the gate is asked again at that moment: a note made private mid-chat is not sent again (docs/RELIABILITY.md row 13).
 */
import { ExclusionGate } from './exclusions';
import type { ContextBundle, ContextItem, TokenCounter } from './bundle';
import { EmbedExpander } from './embeds';
import type { FocusSnapshot } from './focus';
import { InstructionFinder } from './instructions';
import { MentionResolver, type AttachmentReading } from './mentions';
import { ATTACHMENT_SHARE, defaultBudget, pack } from './packer';
import type { ContextSettings } from '../kernel/settings';
import { VaultError, type VaultPort } from '../kernel/vault-port';

/** Ports and options of the builder. */
export interface ContextBuilderOptions {
    /** The vault. */
    vault: VaultPort;
    /** The current gate; a function so that a gate rebuilt after a settings change is used from the next request. */
    gate: ExclusionGate | (() => ExclusionGate);
    /** Token budget of the whole bundle; 25% of a 200k window when absent. */
    budgetTokens?: number;
    /** Token counter; characters / 4 when absent. */
    countTokens?: TokenCounter;
    /** A note chosen in settings as the vault's instructions, instead of `AGENTS.md`/`CLAUDE.md`. */
    instructionsNote?: string;
    /** Embed nesting depth. */
    embedDepth?: number;
    /** Notes a folder or tag mention attaches at most. */
    mentionListLimit?: number;
    /** How mentioned PDFs and images are read and sent; without it they are named, not sent. */
    attachments?: AttachmentReading;
}

/**
 * The context builder of `settings.context`, the one place those settings are applied, for the chat, `vault-agent ask`
 * and jobs alike: the bundle gets `budgetShare` of the model's window, the chosen instructions note, the embed depth
 * and the mention list limit.
 */
export function contextBuilderFor(options: {
    vault: VaultPort;
    gate: ExclusionGate | (() => ExclusionGate);
    settings: ContextSettings;
    /** The model's context window, tokens. */
    windowTokens: number;
    /** How mentioned PDFs and images are read and sent. */
    attachments?: AttachmentReading;
}): ContextBuilder {
    const { settings } = options;
    return new ContextBuilder({
        ...(options.attachments !== undefined ? { attachments: options.attachments } : {}),
        vault: options.vault,
        gate: options.gate,
        budgetTokens: Math.floor(options.windowTokens * settings.budgetShare),
        instructionsNote: settings.instructionsNote,
        embedDepth: settings.embedDepth,
        mentionListLimit: settings.mentionListLimit,
    });
}

/** One message's worth of context to build. */
export interface ContextRequest {
    /** What the person typed, mentions included. */
    message: string;
    /** The focus when the person sent it (`captureFocus`); absent for none (jobs, CLI). */
    focus?: FocusSnapshot;
    /** Whether to attach the focused note and its selection (per chat; default from settings); true when absent. */
    attachFocusedNote?: boolean;
}

/** What the turn loop needs: a fresh bundle per request. */
export interface ContextProvider {
    /** Builds the context for `request` now, through the gate as it is now. */
    build(request: ContextRequest): Promise<ContextBundle>;
}

/** Builds context bundles. Holds no state between calls. */
export class ContextBuilder implements ContextProvider {
    private readonly options: ContextBuilderOptions;

    constructor(options: ContextBuilderOptions) {
        this.options = options;
    }

    /** Builds the bundle for `request`: focus, selection, mentions, instructions, packed into the budget. */
    async build(request: ContextRequest): Promise<ContextBundle> {
        const { vault } = this.options;
        const gate = typeof this.options.gate === 'function' ? this.options.gate() : this.options.gate;
        const embeds = new EmbedExpander({ vault, gate, maxDepth: this.options.embedDepth });
        const focusItems = await this.focusItems(request, gate, embeds);
        const budget = this.options.budgetTokens ?? defaultBudget();
        const reading = this.options.attachments;
        const attachments =
            reading === undefined ? undefined : { ...reading, maxTokens: Math.floor(budget * ATTACHMENT_SHARE) };
        const resolver = new MentionResolver({
            vault,
            gate,
            embeds,
            listLimit: this.options.mentionListLimit,
            ...(attachments !== undefined ? { attachments } : {}),
        });
        const mentions = await resolver.resolve(request.message, request.focus?.note ?? null);
        const sentPaths = [...focusItems, ...mentions.items]
            .filter((item) => item.kind !== 'excluded' && item.kind !== 'missing' && item.path !== undefined)
            .map((item) => item.path as string);
        const finder = new InstructionFinder({ vault, gate, embeds, chosenNote: this.options.instructionsNote });
        const instructions = await finder.find(sentPaths);
        return pack([...instructions, ...focusItems, ...mentions.items], mentions.message, {
            budgetTokens: budget,
            count: this.options.countTokens,
        });
    }

    /** The focused note and the selection, or one excluded item when the focused note is excluded. */
    private async focusItems(
        request: ContextRequest,
        gate: ExclusionGate,
        embeds: EmbedExpander,
    ): Promise<ContextItem[]> {
        const focus = request.focus;
        const path = focus?.note ?? null;
        if (focus === undefined || path === null) return [];
        if (request.attachFocusedNote === false) return [];
        const verdict = gate.check(path);
        if (verdict.excluded) {
            const reason = ExclusionGate.describe(verdict.reason);
            return [{ kind: 'excluded', path, label: 'focused note', text: '', tokens: 0, excludedReason: reason }];
        }
        const items: ContextItem[] = [];
        try {
            const text = await this.options.vault.read(path);
            // The text read is judged itself: the note may have turned private since the gate last looked.
            const now = gate.checkText(path, text);
            if (now.excluded) {
                const reason = ExclusionGate.describe(now.reason);
                return [{ kind: 'excluded', path, label: 'focused note', text: '', tokens: 0, excludedReason: reason }];
            }
            const item: ContextItem = { kind: 'focus', path, label: 'focused note', text: '', tokens: 0 };
            item.text = await embeds.expand(text, path);
            if (focus.cursorLine !== null) item.attributes = { 'cursor-line': String(focus.cursorLine + 1) };
            items.push(item);
        } catch (e) {
            if (!(e instanceof VaultError)) throw e;
            items.push({ kind: 'missing', path, label: 'focused note', text: '', tokens: 0, remark: e.message });
        }
        if (focus.selection !== null && focus.selection.text !== '') {
            const { fromLine, toLine } = focus.selection;
            items.push({
                kind: 'selection',
                path,
                label: `selection, lines ${fromLine + 1}–${toLine + 1}`,
                text: await embeds.expand(focus.selection.text, path),
                tokens: 0,
                attributes: { lines: `${fromLine + 1}-${toLine + 1}` },
            });
        }
        return items;
    }
}
