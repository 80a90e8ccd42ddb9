/**
 * Regular expressions from the model, run over a whole vault without ever freezing the process. JavaScript's own
 * engine backtracks and cannot be interrupted, and no guard on a pattern's shape catches every slow pattern (a
 * bounded repeat such as `(a?){25}a{25}b` took minutes on a 60-character line). Patterns therefore run on RE2JS, a
 * port of RE2 whose matching time grows linearly with the text and the compiled pattern. JavaScript syntax is
 * translated to RE2's; what RE2 cannot express in linear time (backreferences, lookahead, lookbehind) is refused with
 * a sentence for the model. The compiled program's size is capped, and long lines are tested in slices, so one call
 * of the engine does a bounded amount of work and the clock is read between calls. See decision 0013.
 */
import { RE2JS } from 're2js';
import { refusal, refusedBeforeCompiling } from './regex-rules';

export { MAX_PATTERN_CHARS } from './regex-rules';

/**
 * Most instructions in a compiled pattern. The engine's work on a line is proportional to the line's length times
 * this size; ordinary patterns compile to tens of instructions, `\pL{1000}` to about a thousand.
 */
export const MAX_PROGRAM_SIZE = 5_000;

/** Work allowed in one call of the engine, in instructions × characters (about 30 ms at the measured speed). */
const WORK_PER_CALL = 3_000_000;

/** Slice lengths: never shorter than this, never longer than that. */
const MIN_SLICE_CHARS = 1_000;
const MAX_SLICE_CHARS = 100_000;

/** How far consecutive slices overlap, so a match shorter than this is never lost at a cut. */
export const SLICE_OVERLAP = 200;

/** JavaScript flag letters and what they become in RE2JS. `u` is always on in RE2; `g`, `y` and `d` do not apply. */
const FLAG_BITS: Readonly<Record<string, number>> = {
    i: RE2JS.CASE_INSENSITIVE,
    m: RE2JS.MULTILINE,
    s: RE2JS.DOTALL,
    u: 0,
    g: 0,
    y: 0,
    d: 0,
};

/** A compiled pattern, with the slice length long lines are tested in. */
export interface CompiledRegex {
    /** The pattern as RE2 reads it. */
    source: string;
    /** The RE2JS flag bits it was compiled with. */
    flags: number;
    regex: RE2JS;
    sliceChars: number;
}

/** A compiled pattern, or why it was refused (a sentence for the model). */
export type SafeRegex = ({ ok: true } & CompiledRegex) | { ok: false; problem: string };

/** What `findInLine` found: the match's start and length, nothing, or that time ran out first. */
export type LineSearch = [number, number] | null | 'out-of-time';

/** RE2JS flag bits for JavaScript flag letters (`"iu"`), or the letter that has no meaning here. */
export function translateFlags(flags: string): number | { unknown: string } {
    let bits = 0;
    for (const letter of flags) {
        const bit = FLAG_BITS[letter];
        if (bit === undefined) return { unknown: letter };
        bits |= bit;
    }
    return bits;
}

/**
 * Compiles a JavaScript-syntax `pattern` for the linear-time engine, case-insensitively unless `flags` say otherwise.
 * Refuses patterns that are too long, need backtracking, are invalid, or compile too large.
 */
export function compileSafeRegex(pattern: string, flags = 'i'): SafeRegex {
    const refused = refusedBeforeCompiling(pattern);
    if (refused !== null) return { ok: false, problem: refused };
    const bits = translateFlags(flags);
    if (typeof bits !== 'number') return refuse(`the flag "${bits.unknown}" is not supported`);
    const source = RE2JS.translateRegExp(pattern);
    let regex: RE2JS;
    try {
        regex = RE2JS.compile(source, bits);
    } catch (error) {
        const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /u, '') : 'invalid';
        return refuse(`it is not a valid regular expression (${detail})`);
    }
    const size = regex.programSize();
    if (size > MAX_PROGRAM_SIZE) {
        return refuse(
            `it compiles to ${size} steps, more than the ${MAX_PROGRAM_SIZE} allowed; use smaller repeat counts`,
        );
    }
    const sliceChars = Math.min(MAX_SLICE_CHARS, Math.max(MIN_SLICE_CHARS, Math.floor(WORK_PER_CALL / size)));
    return { ok: true, source, flags: bits, regex, sliceChars };
}

/**
 * Where `compiled` first matches `line`. A line longer than the slice length is tested in overlapping slices, and the
 * clock is read before each, so even the largest pattern on a megabyte-long line stops soon after `deadline`. A match
 * touching a cut between slices is not trusted (an anchor or word boundary may have matched the cut itself); any match
 * shorter than the overlap is found whole in the neighbouring slice.
 */
export function findInLine(compiled: CompiledRegex, line: string, deadline = Number.POSITIVE_INFINITY): LineSearch {
    const { regex, sliceChars } = compiled;
    if (line.length <= sliceChars) {
        if (Date.now() > deadline) return 'out-of-time';
        return firstMatch(regex, line, false, false);
    }
    for (let from = 0; ; from += sliceChars - SLICE_OVERLAP) {
        if (Date.now() > deadline) return 'out-of-time';
        const last = from + sliceChars >= line.length;
        const hit = firstMatch(regex, line.slice(from, from + sliceChars), from > 0, !last);
        if (hit !== null) return [from + hit[0], hit[1]];
        if (last) return null;
    }
}

/** The first match in `text` that touches neither a cut start (`cutStart`) nor a cut end (`cutEnd`). */
function firstMatch(regex: RE2JS, text: string, cutStart: boolean, cutEnd: boolean): [number, number] | null {
    // `test` runs without capture groups, far faster than finding positions; most lines stop here.
    if (!regex.test(text)) return null;
    const matcher = regex.matcher(text);
    for (let at = 0; at <= text.length && matcher.find(at);) {
        const start = matcher.start();
        const end = matcher.end();
        if (!(cutStart && start === 0) && !(cutEnd && end === text.length)) return [start, end - start];
        at = start + 1;
    }
    return null;
}

function refuse(problem: string): SafeRegex {
    return { ok: false, problem: refusal(problem) };
}
