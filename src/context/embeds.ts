/**
 * Expands the embeds of an attached note (`![[Note]]`, `![[Note#Heading]]`, `![[Note^block]]`, `![](Note.md)`) the way
 * Obsidian shows them, depth-limited and cycle-safe, and makes sure nothing excluded comes along: an embed of an
 * excluded or missing note becomes one placeholder that names nothing (so a model cannot tell "private" from "not
 * there"), and a plain link to an excluded note loses its name too. The output is neutralised note text.
 */
import type { ExclusionGate } from './exclusions';
import { neutralise } from './bundle';
import { isHiddenLink, redactHiddenLinks } from './hidden-links';
import { subpathText } from './sections';
import { codeSpans, markdownReference, wikilinkReference } from '../vault/links';
import { wikilinks } from '../vault/link-spans';
import { RangeCursor } from '../vault/range-cursor';
import { isMarkdownPath, type LinkReference, type VaultPort } from '../kernel/vault-port';

/** What stands where an excluded or missing note was embedded. Deliberately the same for both. */
export const EMBED_UNAVAILABLE = '[embedded note not available]';
/** What stands where a link to an excluded note was. */
export const LINK_UNAVAILABLE = '[link to a note that is not available]';
/** Default nesting depth: a note, what it embeds, and what those embed. */
export const DEFAULT_EMBED_DEPTH = 3;
/** Default number of embeds expanded for one attached note, so a hub note cannot pull in the whole vault. */
export const DEFAULT_MAX_EMBEDS = 50;

// After the destination, `)` or whitespace, maybe a title and whitespace, then `)`: linear however a line fails.
const MARKDOWN_LINK = /(!?)\[([^[\]\n]*)\]\(\s*(<[^<>\n]*>|[^\s()]+)(?:\s+(?:(?:"[^"]*"|'[^']*')\s*)?)?\)/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** What the expander needs. */
export interface EmbedExpanderOptions {
    /** The vault to read embedded notes from. */
    vault: VaultPort;
    /** The gate every embedded or linked target passes. */
    gate: ExclusionGate;
    /** How deep embeds nest before they are left unexpanded. */
    maxDepth?: number;
    /** How many embeds one attached note may expand in all. */
    maxEmbeds?: number;
}

/** One link or embed found in a line. */
interface Found {
    start: number;
    end: number;
    embed: boolean;
    ref: LinkReference;
}

/** State of one top-level expansion. */
interface Run {
    expanded: number;
}

/** Expands embeds inside attached notes. Stateless between calls: the gate is asked at every call. */
export class EmbedExpander {
    private readonly vault: VaultPort;
    private readonly gate: ExclusionGate;
    private readonly maxDepth: number;
    private readonly maxEmbeds: number;

    constructor(options: EmbedExpanderOptions) {
        this.vault = options.vault;
        this.gate = options.gate;
        this.maxDepth = options.maxDepth ?? DEFAULT_EMBED_DEPTH;
        this.maxEmbeds = options.maxEmbeds ?? DEFAULT_MAX_EMBEDS;
    }

    /** `text` (from the visible note `sourcePath`) with embeds expanded and excluded names removed, neutralised. */
    async expand(text: string, sourcePath: string): Promise<string> {
        return this.expandAt(text, sourcePath, 1, [sourcePath], { expanded: 0 });
    }

    private async expandAt(text: string, source: string, depth: number, chain: string[], run: Run): Promise<string> {
        const lines = text.split('\n');
        const out: string[] = [];
        let fence: string | null = null;
        for (const line of lines) {
            const marker = FENCE.exec(line)?.[1];
            if (fence !== null) {
                if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
                out.push(this.plain(line, source));
                continue;
            }
            if (marker !== undefined) {
                fence = marker;
                out.push(this.plain(line, source));
                continue;
            }
            out.push(await this.expandLine(line, source, depth, chain, run));
        }
        return out.join('\n');
    }

    private async expandLine(line: string, source: string, depth: number, chain: string[], run: Run): Promise<string> {
        const found = findLinks(line);
        if (found.length === 0) return this.plain(line, source);
        let result = '';
        let at = 0;
        for (const link of found) {
            result += this.plain(line.slice(at, link.start), source);
            const original = line.slice(link.start, link.end);
            result += link.embed
                ? await this.embed(link.ref, source, depth, chain, run)
                : this.link(link.ref, source, original);
            at = link.end;
        }
        return result + this.plain(line.slice(at), source);
    }

    /**
     * Text that is not expanded (code, inline code, prose between links) still loses links that name hidden notes:
     * the same rule the read tools apply (`hidden-links.ts`), so no route shows what another hides.
     */
    private plain(text: string, source: string): string {
        return neutralise(redactHiddenLinks(text, source, { vault: this.vault, gate: this.gate }).text);
    }

    /** A plain link keeps its text unless it names a hidden note. */
    private link(ref: LinkReference, source: string, original: string): string {
        if (ref.link === '') return neutralise(original);
        if (isHiddenLink(ref, source, { vault: this.vault, gate: this.gate })) return LINK_UNAVAILABLE;
        return neutralise(original);
    }

    private async embed(
        found: LinkReference,
        source: string,
        depth: number,
        chain: string[],
        run: Run,
    ): Promise<string> {
        const ref = withBlockSubpath(found);
        if (isHiddenLink(found, source, { vault: this.vault, gate: this.gate })) return EMBED_UNAVAILABLE;
        const target = ref.link === '' ? source : this.vault.resolveLink(ref.link, source);
        if (target === null || this.gate.isExcluded(target)) return EMBED_UNAVAILABLE;
        if (!isMarkdownPath(target)) return `[attachment: ${neutralise(baseName(target))}]`;
        const label = neutralise(`${baseName(target).replace(/\.md$/i, '')}${ref.subpath}`);
        if (chain.includes(target) && ref.subpath === '')
            return `[embedded note not expanded: it embeds itself: ${label}]`;
        if (depth >= this.maxDepth) return `[embedded note not expanded: nested too deep: ${label}]`;
        if (run.expanded >= this.maxEmbeds) return `[embedded note not expanded: too many embeds: ${label}]`;
        run.expanded++;
        let text: string;
        try {
            text = await this.vault.read(target);
        } catch {
            return EMBED_UNAVAILABLE;
        }
        // The text read is judged itself: the note may have turned private since the gate last looked.
        if (this.gate.isTextExcluded(target, text)) return EMBED_UNAVAILABLE;
        const part = subpathText(text, ref.subpath);
        if (!part.found) return `[embedded section not found: ${label}]`;
        // A section may embed its own note's other sections; only the same note at the same place is a cycle.
        const key = ref.subpath === '' ? target : `${target}${ref.subpath}`;
        if (chain.includes(key)) return `[embedded note not expanded: it embeds itself: ${label}]`;
        const inner = await this.expandAt(part.text, target, depth + 1, [...chain, key], run);
        return `\n<embed source="${label.replace(/"/g, '&quot;')}">\n${inner}\n</embed>\n`;
    }
}

/** Wikilinks and Markdown links of `line`, in order, outside inline code. */
function findLinks(line: string): Found[] {
    if (line.indexOf('[') === -1) return [];
    const spans = codeSpans(line);
    // Each pass below asks left to right, with its own cursor over the code spans.
    const code = new RangeCursor(spans);
    const found: Found[] = [];
    for (const link of wikilinks(line)) {
        if (code.covers(link.start)) continue;
        const ref = wikilinkReference(link.inner, line.slice(link.start, link.end), 0);
        found.push({ start: link.start, end: link.end, embed: link.embed, ref });
    }
    // Markdown links come left to right too: one cursor over the wikilinks found says whether one overlaps.
    const wiki = new RangeCursor(found.map((f) => [f.start, f.end] as const));
    const codeAgain = new RangeCursor(spans);
    MARKDOWN_LINK.lastIndex = 0;
    for (let m = MARKDOWN_LINK.exec(line); m !== null; m = MARKDOWN_LINK.exec(line)) {
        const start = m.index;
        const end = start + m[0].length;
        if (codeAgain.covers(start) || wiki.meets(start, end)) continue;
        const ref = markdownReference(m[3] ?? '', m[2] ?? '', m[0], 0);
        if (ref !== null) found.push({ start, end, embed: m[1] === '!', ref });
    }
    return found.sort((a, b) => a.start - b.start);
}

/** `Note^block` as people type it, read as Obsidian's `Note#^block`. */
function withBlockSubpath(ref: LinkReference): LinkReference {
    const caret = ref.link.indexOf('^');
    if (ref.subpath !== '' || caret <= 0) return ref;
    return { ...ref, link: ref.link.slice(0, caret).trim(), subpath: `#${ref.link.slice(caret)}` };
}

function baseName(path: string): string {
    return path.slice(path.lastIndexOf('/') + 1);
}
