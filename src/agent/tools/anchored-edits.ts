/**
 * Anchored replacements for `edit_note` (docs/DESIGN.md, "Edits"). Every anchor is located in the same base text (the
 * note as it is now), must occur there exactly once, and must not overlap another; then all replacements are applied
 * together. Text outside the anchors is carried over byte for byte (docs/RELIABILITY.md rows 2 and 7).
 */

/** One replacement: `old` must occur exactly once in the note. */
export interface AnchoredEdit {
    /** The exact text to replace. */
    old: string;
    /** The text to put in its place. */
    new: string;
}

/** The edited text, or a sentence for the model saying which edit failed and why. */
export type AnchoredEditResult = { ok: true; text: string } | { ok: false; problem: string };

/** Stop counting matches here; "1,000 or more" says enough. */
const MAX_COUNTED_MATCHES = 1_000;

/** Applies `edits` to `base`; `path` only names the note in messages. */
export function applyAnchoredEdits(base: string, edits: AnchoredEdit[], path: string): AnchoredEditResult {
    const located = locateAnchoredEdits(base, edits, path);
    if (!located.ok) return located;
    return spliceEdits(base, located.spans, path);
}

/** Where one edit goes: `[start, end)` of the text it was located in is replaced by `text`. */
export interface LocatedEdit {
    /** Start of the matched `old`. */
    start: number;
    /** End (exclusive) of the matched `old`. */
    end: number;
    /** The replacement, in the note's line endings. */
    text: string;
    /** 1-based position of the edit in the call, for messages. */
    index: number;
}

/** The located edits, sorted and not overlapping, or a sentence for the model saying which edit failed and why. */
export type LocatedEdits = { ok: true; spans: LocatedEdit[] } | { ok: false; problem: string };

/**
 * Locates every edit's `old` in `base` (exactly once each, no two overlapping) without applying anything, so that a
 * caller can locate the anchors in the text the model was shown and apply them to another (see `edit-tools.ts`).
 */
export function locateAnchoredEdits(base: string, edits: AnchoredEdit[], path: string): LocatedEdits {
    const crlf = base.includes('\r\n');
    const spans: LocatedEdit[] = [];
    for (let i = 0; i < edits.length; i++) {
        const edit = edits[i];
        if (edit === undefined) continue;
        const { old, replacement } = matchLineEndings(edit, crlf);
        const which = edits.length === 1 ? 'The edit' : `Edit ${i + 1} of ${edits.length}`;
        if (old === '') return fail(`${which} has an empty "old"; give the exact text to replace.`);
        const positions = occurrences(base, old);
        if (positions.length !== 1) {
            const count = positions.length >= MAX_COUNTED_MATCHES ? `${MAX_COUNTED_MATCHES} or more` : positions.length;
            const hint =
                positions.length === 0
                    ? 'Copy it exactly as read_note shows it (without the line number and tab), with the same spaces ' +
                      'and line breaks, or read the note again: it may have changed.'
                    : 'Include more of the surrounding text so that it matches one place only.';
            return fail(
                `${which}: its "old" text matches ${count} times in "${path}"; it must match exactly once. ${hint}`,
            );
        }
        const start = positions[0] ?? 0;
        spans.push({ start, end: start + old.length, text: replacement, index: i + 1 });
    }
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
        const span = spans[i] as LocatedEdit;
        const previous = spans[i - 1] as LocatedEdit;
        if (span.start < previous.end) {
            const pair = [previous.index, span.index].sort((a, b) => a - b);
            return fail(`Edits ${pair[0]} and ${pair[1]} overlap in "${path}"; combine them into one edit.`);
        }
    }
    return { ok: true, spans };
}

/** `base` with the sorted, non-overlapping `spans` replaced; refused when nothing would change. */
export function spliceEdits(base: string, spans: readonly LocatedEdit[], path: string): AnchoredEditResult {
    let text = '';
    let at = 0;
    for (const span of spans) {
        text += base.slice(at, span.start) + span.text;
        at = span.end;
    }
    text += base.slice(at);
    if (text === base) return fail(`The edits would leave "${path}" exactly as it is.`);
    return { ok: true, text };
}

/**
 * In a CRLF note, text typed with bare `\n` line breaks (as read_note shows lines) means `\r\n`: the anchor is
 * matched, and the replacement written, with the note's own line endings, so the file never ends up with mixed ones.
 */
function matchLineEndings(edit: AnchoredEdit, crlf: boolean): { old: string; replacement: string } {
    if (!crlf) return { old: edit.old, replacement: edit.new };
    return { old: toCrlf(edit.old), replacement: toCrlf(edit.new) };
}

function toCrlf(text: string): string {
    return hasBareLineFeed(text) ? text.replace(/\r?\n/gu, '\r\n') : text;
}

/** A line feed at the start or after anything but a carriage return (no lookbehind: iOS before 16.4 cannot load it). */
const BARE_LF = /(?:^|[^\r])\n/u;

/** Whether `text` has a line feed not preceded by a carriage return. */
export function hasBareLineFeed(text: string): boolean {
    return BARE_LF.test(text);
}

/** Start of every occurrence of `needle`, overlapping ones included (an anchor matching twice overlapped is ambiguous).
 */
function occurrences(haystack: string, needle: string): number[] {
    const found: number[] = [];
    let from = 0;
    while (found.length < MAX_COUNTED_MATCHES) {
        const at = haystack.indexOf(needle, from);
        if (at < 0) break;
        found.push(at);
        from = at + 1;
    }
    return found;
}

function fail(problem: string): { ok: false; problem: string } {
    return { ok: false, problem: `${problem} Nothing was changed.` };
}
