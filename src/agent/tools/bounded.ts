/**
 * Size bounds for what tools send back. A tool result lands in the model's context window on every later request of
 * the conversation, so each result is capped, and a cut result always says that it was cut and how to get the rest.
 */

/** The most characters one tool result may carry. */
export const MAX_RESULT_CHARS = 16_000;

/** The most entries a listing (notes, tags, links) returns. */
export const MAX_LIST_ENTRIES = 500;

/** How many lines `read_note` returns when no range is given, or when a range is wider. */
export const READ_WINDOW_LINES = 400;

/** The most characters of one line `read_note` shows; longer lines are cut with a marker. */
export const MAX_LINE_CHARS = 2_000;

/** The most characters of one search snippet. */
export const MAX_SNIPPET_CHARS = 200;

/** Search results returned by default, and at most. */
export const DEFAULT_SEARCH_LIMIT = 50;
/** The largest `limit` search accepts. */
export const MAX_SEARCH_LIMIT = 200;

/**
 * Joins `lines` under `header` until `maxChars` would be exceeded; the rest is summarised by `cutNote(remaining)`,
 * a sentence in brackets such as "[… 312 more matches; narrow the query or use folder]".
 */
export function joinBounded(
    header: string,
    lines: string[],
    cutNote: (remaining: number) => string,
    maxChars = MAX_RESULT_CHARS,
): string {
    const out: string[] = header === '' ? [] : [header];
    // Reserve room for the marker so a cut result still fits the bound.
    let used = header.length + 120;
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? '';
        if (used + line.length + 1 > maxChars) {
            out.push(cutNote(lines.length - i));
            return out.join('\n');
        }
        out.push(line);
        used += line.length + 1;
    }
    return out.join('\n');
}

/**
 * Like `joinBounded`, and also at most `maxEntries` lines. `omitted` counts results dropped before `lines` was built
 * (e.g. matches past a search limit); `cutNote` gets the count of everything left out.
 */
export function boundedList(
    header: string,
    lines: string[],
    cutNote: (remaining: number) => string,
    options: { maxEntries?: number; omitted?: number } = {},
): string {
    const maxEntries = options.maxEntries ?? MAX_LIST_ENTRIES;
    const shown = lines.length > maxEntries ? lines.slice(0, maxEntries) : lines;
    const beyond = lines.length - shown.length + (options.omitted ?? 0);
    let cut = false;
    const text = joinBounded(header, shown, (rest) => {
        cut = true;
        return cutNote(rest + beyond);
    });
    return beyond > 0 && !cut ? `${text}\n${cutNote(beyond)}` : text;
}

/** `text` cut to `maxChars` characters (never inside a surrogate pair), with `…` when cut. */
export function clip(text: string, maxChars: number): string {
    if (text.length <= maxChars) return text;
    let end = maxChars - 1;
    if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    return `${text.slice(0, end)}…`;
}

/** A snippet of `line` of at most `maxChars`, centred on the match at `[start, start + length)`. */
export function snippetAround(line: string, start: number, length: number, maxChars = MAX_SNIPPET_CHARS): string {
    const trimmed = line.trim();
    if (line.length <= maxChars) return trimmed;
    const context = Math.max(0, Math.floor((maxChars - Math.min(length, maxChars)) / 2));
    let from = Math.max(0, start - context);
    let to = Math.min(line.length, from + maxChars);
    from = Math.max(0, to - maxChars);
    if (isLowSurrogate(line.charCodeAt(from))) from++;
    if (isHighSurrogate(line.charCodeAt(to - 1))) to--;
    return `${from > 0 ? '…' : ''}${line.slice(from, to).trim()}${to < line.length ? '…' : ''}`;
}

/** `1 note`, `2 notes`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
    return `${count.toLocaleString('en-US')} ${count === 1 ? noun : nouns}`;
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
    return code >= 0xdc00 && code <= 0xdfff;
}
