/**
 * Matching a plain `search_notes` query line by line: case-insensitively, as `read_note` numbers and shows the lines,
 * with hidden links redacted before a line is matched (see `search-tools.ts`).
 */
import { MAX_SNIPPET_CHARS, snippetAround } from './bounded';

/** Finds a match in one line (its start and length), or `null`. */
export type LineMatcher = (line: string) => [number, number] | null;

/** The line matcher of a plain (case-insensitive) query. */
export function plainMatcher(query: string): LineMatcher {
    const needle = query.toLowerCase();
    return (line) => {
        const lower = line.toLowerCase();
        const at = lower.indexOf(needle);
        if (at < 0) return null;
        if (lower.length === line.length) return [at, needle.length];
        // Some letters lower-case to two ("İ"): map the match back onto the line as written.
        const start = offsetBeforeLowering(line, at);
        return [start, offsetBeforeLowering(line, at + needle.length) - start];
    };
}

/** The offset in `line` of offset `lowered` in `line.toLowerCase()` (the end of the character it falls in). */
function offsetBeforeLowering(line: string, lowered: number): number {
    let at = 0;
    let inLower = 0;
    for (const char of line) {
        if (inLower >= lowered) return at;
        inLower += char.toLowerCase().length;
        at += char.length;
    }
    return at;
}

/** What a matching line is reported with: its 1-based number and its snippet, made only when it is shown. */
export type OnMatch = (line: number, snippet: () => string) => void;

/** Calls `onMatch` for every matching line of `text` (1-based), with a bounded snippet; stops at the deadline. */
export function matchLines(
    text: string,
    matcher: LineMatcher,
    deadline: number,
    onMatch: OnMatch,
): { matches: number; stopped: boolean } {
    const lines = text.replace(/^\uFEFF/u, '').split(/\r?\n/u);
    let matches = 0;
    for (let i = 0; i < lines.length; i++) {
        // Checking the clock on every line costs more than the matching; every 256 lines bounds the overrun.
        if ((i & 255) === 255 && Date.now() > deadline) return { matches, stopped: true };
        const line = lines[i] ?? '';
        const hit = matcher(line);
        if (hit === null) continue;
        matches++;
        onMatch(i + 1, () => snippetAround(line, hit[0], hit[1], MAX_SNIPPET_CHARS));
    }
    return { matches, stopped: false };
}

/**
 * `matchLines` for a plain query, visiting only the lines whose lower-cased text holds `needle`: each is redacted
 * (`redact`) and matched as `matchLines` would. When lower-casing changed the text's length (a few letters, such as
 * "İ", lower-case to two), offsets no longer line up and every line is matched instead.
 */
export function matchCandidateLines(
    text: string,
    lower: string,
    needle: string,
    redact: (line: string) => string,
    matcher: LineMatcher,
    deadline: number,
    onMatch: OnMatch,
): { matches: number; stopped: boolean } {
    if (lower.length !== text.length) return matchLines(redact(text), matcher, deadline, onMatch);
    let matches = 0;
    let visited = 0;
    let lineNumber = 1;
    let lineStart = 0;
    for (let at = lower.indexOf(needle); at !== -1;) {
        // As in `matchLines`: the clock is read every 256 lines.
        if ((++visited & 255) === 0 && Date.now() > deadline) return { matches, stopped: true };
        for (let nl = lower.indexOf('\n', lineStart); nl !== -1 && nl < at; nl = lower.indexOf('\n', lineStart)) {
            lineNumber++;
            lineStart = nl + 1;
        }
        const newline = lower.indexOf('\n', at);
        const lineEnd = newline === -1 ? text.length : newline;
        let line = text.slice(lineStart, text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd);
        if (lineStart === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
        const shown = redact(line);
        const hit = matcher(shown);
        if (hit !== null) {
            matches++;
            onMatch(lineNumber, () => snippetAround(shown, hit[0], hit[1], MAX_SNIPPET_CHARS));
        }
        if (newline === -1) break;
        lineNumber++;
        lineStart = newline + 1;
        at = lower.indexOf(needle, lineStart);
    }
    return { matches, stopped: false };
}
