/**
 * What every regex engine of `search_notes` agrees on, whichever runs the pattern: the CLI and the MCP server run it on
 * RE2 (`regex-engine.ts`, linear time), the plugin runs JavaScript's own engine in a Web Worker it stops at the
 * deadline (`src/obsidian/regex-worker-engine.ts`, decision 0023). Both refuse the same patterns before running them
 * (too long, or needing backtracking: backreferences, lookahead, lookbehind), split a note into lines the same way,
 * and report the same hits, so the model meets one tool in both places.
 */

/** Longest pattern accepted. */
export const MAX_PATTERN_CHARS = 200;

/** One matching line of a note: its 1-based number, and the first match's start and length in it. */
export type LineHit = [line: number, start: number, length: number];

/** What a search over some texts found: the hits of each text searched (in order), and whether time ran out first. */
export interface TextsSearched {
    /** One entry per text searched, `hits[i]` for `texts[i]`; shorter than the texts when the search stopped. */
    hits: LineHit[][];
    /** The deadline passed (or the search was cancelled) before every text was searched. */
    stopped: boolean;
}

/** A pattern ready to run over notes. */
export interface RegexSearch {
    /**
     * The matching lines of each text (split as `noteLines` splits them), until `deadline` (epoch ms): never blocks the
     * caller's thread for longer than a few tens of milliseconds, whatever the pattern.
     */
    searchTexts(texts: readonly string[], deadline: number, signal?: AbortSignal): Promise<TextsSearched>;
    /** Frees what the search holds (a worker); the search is not used again. */
    close(): void;
}

/** A regex engine for `search_notes`: a pattern in JavaScript syntax, matched case-insensitively. */
export interface RegexEngine {
    /** The pattern ready to run, or why it is refused (a sentence for the model). */
    prepare(pattern: string): { ok: true; search: RegexSearch } | { ok: false; problem: string };
}

/** A note's lines as `read_note` numbers them: a leading byte-order mark dropped, split at `\n` or `\r\n`. */
export function noteLines(text: string): string[] {
    return text.replace(/^\uFEFF/u, '').split(/\r?\n/u);
}

/** The refusal every engine gives, as a sentence for the model. */
export function refusal(problem: string): string {
    return `Regex refused: ${problem}. Use a plain substring search, or a simpler pattern.`;
}

/**
 * Why `pattern` is refused before any engine sees it (too long, or a construct that needs backtracking), or `null`.
 * One left-to-right scan; escapes are skipped, and so are character classes, where these constructs mean nothing.
 */
export function refusedBeforeCompiling(pattern: string): string | null {
    if (pattern.length > MAX_PATTERN_CHARS) {
        return refusal(`the pattern is ${pattern.length} characters long; the most allowed is ${MAX_PATTERN_CHARS}`);
    }
    const why = 'search patterns must run without backtracking, which rules out';
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === '\\') {
            const next = pattern[i + 1] ?? '';
            if (/[1-9]/u.test(next)) return refusal(`${why} backreferences such as \\${next}`);
            if (next === 'k' && pattern[i + 2] === '<') return refusal(`${why} named backreferences such as \\k<name>`);
            i++;
        } else if (c === '[') {
            i = endOfClass(pattern, i);
        } else if (c === '(' && pattern[i + 1] === '?') {
            const kind = pattern[i + 2];
            if (kind === '=' || kind === '!') return refusal(`${why} lookahead such as (?${kind}…)`);
            const behind = pattern[i + 3];
            if (kind === '<' && (behind === '=' || behind === '!')) {
                return refusal(`${why} lookbehind such as (?<${behind}…)`);
            }
        }
    }
    return null;
}

/** Index of the `]` closing the class that opens at `start` (or the end of the pattern), as JavaScript reads it. */
function endOfClass(pattern: string, start: number): number {
    let i = start + 1;
    if (pattern[i] === '^') i++;
    for (; i < pattern.length; i++) {
        if (pattern[i] === '\\') i++;
        else if (pattern[i] === ']') return i;
    }
    return pattern.length;
}
