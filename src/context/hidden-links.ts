/**
 * Links in visible notes that point at excluded ones (docs/RELIABILITY.md row 12). A public note's text goes to the
 * model verbatim through `read_note` and `search_notes`, so `![[Private]]`, `[[Private#H|alias]]` or `[x](Private.md)`
 * inside it would name a note that must not exist for the model. Each such link or embed is replaced, whole (alias
 * included, since it may describe the hidden note), by one fixed placeholder that names nothing.
 *
 * What counts as a hidden link, failing closed:
 * - any wikilink or Markdown link whose target resolves (`VaultPort.resolveLink`) to a path the gate excludes, even
 *   inside code: the parser does not read links in code, but the text still names the note;
 * - `[[Note^block]]`, which people type for `[[Note#^block]]`, is tried both ways;
 * - an unresolved link whose literal path falls under an excluded folder or glob (the index may lag behind a note that
 *   was just created there). Any other unresolved link names nothing that exists, so it stays.
 *
 * Not covered, by design: a private note's name written as plain prose in a public note. Nothing marks it as a
 * reference, and redacting every word that happens to equal a note name would garble ordinary text.
 *
 * Redaction never spans or removes a line break, so line numbers of the redacted text are those of the note.
 */
import { markdownReference, wikilinkReference } from '../vault/links';
import { MARKDOWN_LINK, markdownDestinations, wikilinks } from '../vault/link-spans';
import { isMarkdownPath, type LinkReference, type VaultPort } from '../kernel/vault-port';
import type { ExclusionGate } from './exclusions';

/** What stands where a link to a hidden note was. The same for every such link, so it tells nothing apart. */
export const HIDDEN_LINK = '[[hidden note]]';
/** What stands where an embed of a hidden note was. */
export const HIDDEN_EMBED = `!${HIDDEN_LINK}`;

/** What deciding whether a link is hidden needs. */
export interface HiddenLinkPorts {
    /** Resolves link targets. */
    vault: VaultPort;
    /** Decides which targets are excluded. */
    gate: ExclusionGate;
    /**
     * Verdicts already reached, by source folder and link, shared across calls while neither the vault nor the gate
     * changes (within one search): a link resolves the same way from every note of a folder.
     */
    verdicts?: Map<string, boolean>;
}

/** One replaced link: where it was in the note, and where its placeholder is in the redacted text. */
export interface RedactedSpan {
    /** Start of the original link in the note's text. */
    start: number;
    /** End (exclusive) of the original link in the note's text. */
    end: number;
    /** Start of the placeholder in the redacted text. */
    shownStart: number;
    /** End (exclusive) of the placeholder in the redacted text. */
    shownEnd: number;
}

/** A note's text as the model may see it. */
export interface RedactedText {
    /** The text with every hidden link replaced by a placeholder. */
    text: string;
    /** How many links were replaced (0 = `text` is the note's text unchanged). */
    redactions: number;
    /** The replaced links, in order. */
    spans: RedactedSpan[];
}

/** `text` (of the visible note `sourcePath`) with every link or embed of an excluded note replaced by a placeholder. */
export function redactHiddenLinks(text: string, sourcePath: string, ports: HiddenLinkPorts): RedactedText {
    // Both link forms need a `[`; most lines and many notes have none.
    if (text.indexOf('[') === -1) return { text, redactions: 0, spans: [] };
    const hidden = mergeOverlapping(hiddenLinkSpans(text, sourcePath, ports));
    if (hidden.length === 0) return { text, redactions: 0, spans: [] };
    let out = '';
    let at = 0;
    const spans: RedactedSpan[] = [];
    for (const link of hidden) {
        out += text.slice(at, link.start);
        const placeholder = link.embed ? HIDDEN_EMBED : HIDDEN_LINK;
        spans.push({
            start: link.start,
            end: link.end,
            shownStart: out.length,
            shownEnd: out.length + placeholder.length,
        });
        out += placeholder;
        at = link.end;
    }
    out += text.slice(at);
    return { text: out, redactions: spans.length, spans };
}

/** Whether the link `ref`, written in `sourcePath`, points at (or literally names a path under) an excluded location.
 */
export function isHiddenLink(ref: LinkReference, sourcePath: string, ports: HiddenLinkPorts): boolean {
    const candidates = [ref.link];
    // `Note^block` as people type it; `^` cannot be part of a note's name in Obsidian.
    const caret = ref.link.indexOf('^');
    if (caret > 0) candidates.push(ref.link.slice(0, caret).trim());
    for (const link of candidates) {
        if (link === '') continue;
        const target = ports.vault.resolveLink(link, sourcePath);
        if (target !== null ? ports.gate.isExcluded(target) : namesExcludedLocation(link, sourcePath, ports.gate)) {
            return true;
        }
    }
    return false;
}

/** Whether `text` holds the placeholder, which can never be matched against, or written into, a note's real text. */
export function containsHiddenPlaceholder(text: string): boolean {
    return text.includes(HIDDEN_LINK);
}

/** Whether `[start, end)` of the redacted text touches a placeholder (adjacent is fine). */
export function touchesRedaction(redacted: RedactedText, start: number, end: number): boolean {
    return redacted.spans.some((span) => start < span.shownEnd && end > span.shownStart);
}

/**
 * The offset in the note's real text of `offset` in the redacted text. Defined for offsets outside placeholders
 * (an offset at a placeholder's start maps to the start of the link it replaced; at its end, to the link's end).
 */
export function originalOffset(redacted: RedactedText, offset: number): number {
    let shift = 0;
    for (const span of redacted.spans) {
        if (span.shownEnd > offset) break;
        shift = span.end - span.shownEnd;
    }
    return offset + shift;
}

/** A candidate link in the text. */
interface LinkSpan {
    start: number;
    end: number;
    embed: boolean;
}

function hiddenLinkSpans(text: string, sourcePath: string, ports: HiddenLinkPorts): LinkSpan[] {
    const found: LinkSpan[] = [];
    // One answer per target and source folder: a hub note may link the same note many times.
    const verdicts = ports.verdicts ?? new Map<string, boolean>();
    const folder = sourcePath.slice(0, Math.max(0, sourcePath.lastIndexOf('/')));
    const hidden = (ref: LinkReference): boolean => {
        const key = `${folder}\u0000${ref.link}`;
        let verdict = verdicts.get(key);
        if (verdict === undefined) {
            verdict = isHiddenLink(ref, sourcePath, ports);
            verdicts.set(key, verdict);
        }
        return verdict;
    };
    if (text.indexOf('[[') !== -1) {
        for (const link of wikilinks(text)) {
            const ref = wikilinkReference(link.inner, text.slice(link.start, link.end), 0);
            if (hidden(ref)) found.push({ start: link.start, end: link.end, embed: link.embed });
        }
    }
    if (text.indexOf('](') !== -1) {
        MARKDOWN_LINK.lastIndex = 0;
        for (let m = MARKDOWN_LINK.exec(text); m !== null; m = MARKDOWN_LINK.exec(text)) {
            const refs = markdownDestinations(m[3] ?? '').map((to) => markdownReference(to, m[2] ?? '', m[0], 0));
            if (refs.some((ref) => ref !== null && hidden(ref))) {
                found.push({ start: m.index, end: m.index + m[0].length, embed: m[1] === '!' });
            }
        }
    }
    return found;
}

/** Sorted, with overlapping spans (`[[x]](Private.md)`) joined into one that keeps the first one's kind. */
function mergeOverlapping(spans: LinkSpan[]): LinkSpan[] {
    const sorted = [...spans].sort((a, b) => a.start - b.start);
    const out: LinkSpan[] = [];
    for (const span of sorted) {
        const last = out[out.length - 1];
        if (last !== undefined && span.start < last.end) last.end = Math.max(last.end, span.end);
        else out.push({ ...span });
    }
    return out;
}

/**
 * Whether an unresolved link's literal path (as a vault path, or relative to the source's folder) lies under an
 * excluded folder or glob. "Not indexed" does not count: every path that does not exist is unindexed.
 */
function namesExcludedLocation(link: string, sourcePath: string, gate: ExclusionGate): boolean {
    const path = link.replace(/^\/+/u, '');
    const slash = sourcePath.lastIndexOf('/');
    const paths = slash === -1 ? [path] : [path, `${sourcePath.slice(0, slash)}/${path}`];
    for (const candidate of paths) {
        for (const file of isMarkdownPath(candidate) ? [candidate] : [candidate, `${candidate}.md`]) {
            const verdict = gate.check(file);
            if (verdict.excluded && verdict.reason.kind !== 'unindexed') return true;
        }
    }
    return false;
}
