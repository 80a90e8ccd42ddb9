/**
 * Regular expressions from the model, made safe to run over a whole vault. JavaScript regexes backtrack and cannot be
 * interrupted, so one pattern such as `(a+)+$` could freeze Obsidian on a long line. Patterns are therefore refused
 * when they have the shapes that backtrack without bound (a repeated group that itself repeats or alternates, a
 * backreference, more than a few open-ended repeats), and every line is tested in bounded slices.
 */

/** Longest pattern accepted. */
export const MAX_PATTERN_CHARS = 200;

/**
 * Most open-ended repeats (`*`, `+`, `{n,}`, `{n,m}` with a large `m`) in one pattern. Each one multiplies the work
 * on a line that fails to match: measured on 1,000 characters, one repeat costs ~10 ms, two ~700 ms, three minutes.
 */
export const MAX_UNBOUNDED_REPEATS = 2;

/** A `{n,m}` repeat with `m` above this counts as open-ended. */
const LARGE_REPEAT = 10;

/** Slice length for patterns with at most one open-ended repeat, and for patterns with two (~30 ms worst case). */
const SLICE_CHARS = [2_000, 300] as const;

/** A compiled pattern with the slice length its lines are tested in, or why it was refused (a sentence for the model). */
export type SafeRegex = { ok: true; regex: RegExp; sliceChars: number } | { ok: false; problem: string };

/** How far consecutive slices overlap, so a match shorter than this is never split between two slices. */
export const SLICE_OVERLAP = 100;

/** What `findInLine` found: the match's start and length, nothing, or that time ran out first. */
export type LineSearch = [number, number] | null | 'out-of-time';

/**
 * Where `regex` first matches `line`, testing long lines in overlapping slices of `sliceChars`. The clock is checked
 * between slices, so even a pattern at its worst on a megabyte-long line stops soon after `deadline`.
 */
export function findInLine(
    compiled: { regex: RegExp; sliceChars: number },
    line: string,
    deadline = Number.POSITIVE_INFINITY,
): LineSearch {
    const { regex, sliceChars } = compiled;
    for (let from = 0; ; from += sliceChars - SLICE_OVERLAP) {
        const match = regex.exec(line.slice(from, from + sliceChars));
        if (match !== null) return [from + match.index, match[0].length];
        if (from + sliceChars >= line.length) return null;
        if (Date.now() > deadline) return 'out-of-time';
    }
}

/** Compiles `pattern` case-insensitively after the safety checks. */
export function compileSafeRegex(pattern: string): SafeRegex {
    if (pattern.length > MAX_PATTERN_CHARS) {
        return refuse(`the pattern is ${pattern.length} characters long; the most allowed is ${MAX_PATTERN_CHARS}`);
    }
    const shape = riskyShape(pattern);
    if (typeof shape === 'string') return refuse(shape);
    const sliceChars = SLICE_CHARS[shape.unbounded > 1 ? 1 : 0];
    // Unicode mode first (so `.` is a whole emoji); its stricter escapes reject `\:`, so retry without it.
    for (const flags of ['iu', 'i']) {
        try {
            return { ok: true, regex: new RegExp(pattern, flags), sliceChars };
        } catch (error) {
            if (flags === 'i') {
                const detail = error instanceof Error ? error.message : 'invalid pattern';
                return refuse(`it is not a valid regular expression (${detail})`);
            }
        }
    }
    return refuse('it is not a valid regular expression');
}

function refuse(problem: string): SafeRegex {
    return { ok: false, problem: `Regex refused: ${problem}. Use a plain substring search, or a simpler pattern.` };
}

/** One open group while scanning: whether it holds a repeat or an alternation so far. */
interface GroupState {
    /** A quantifier appears inside. */
    repeats: boolean;
    /** A `|` appears directly or nested inside. */
    alternates: boolean;
}

/**
 * A single left-to-right scan (escapes and character classes skipped) that finds the backtracking shapes. It errs
 * towards refusing: a harmless pattern that looks risky is refused, never the other way round.
 */
function riskyShape(pattern: string): string | { unbounded: number } {
    const stack: GroupState[] = [{ repeats: false, alternates: false }];
    let unbounded = 0;
    let closed: GroupState | null = null;
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        let justClosed: GroupState | null = null;
        if (c === '\\') {
            const next = pattern[i + 1] ?? '';
            if (/[1-9k]/u.test(next)) return 'backreferences are not supported';
            i++;
        } else if (c === '[') {
            i = endOfClass(pattern, i);
        } else if (c === '(') {
            stack.push({ repeats: false, alternates: false });
            // Skip a group prefix (`?:`, `?=`, `?!`, `?<=`, `?<!`, `?<name>`) so its `?` is not read as a repeat.
            const prefix = /^\?(?::|=|!|<=|<!|<[^>]*>)/u.exec(pattern.slice(i + 1));
            if (prefix !== null) i += prefix[0].length;
        } else if (c === ')') {
            const group = stack.pop();
            const parent = stack[stack.length - 1];
            if (group === undefined || parent === undefined) return 'its parentheses do not balance';
            parent.repeats ||= group.repeats;
            parent.alternates ||= group.alternates;
            justClosed = group;
        } else if (c === '|') {
            const top = stack[stack.length - 1];
            if (top !== undefined) top.alternates = true;
        } else if (c === '*' || c === '+' || c === '{' || c === '?') {
            const quantifier = c === '{' ? /^\{(\d*)(,?)(\d*)\}/u.exec(pattern.slice(i)) : null;
            if (c === '{' && quantifier === null) continue;
            const open =
                c === '*' ||
                c === '+' ||
                (quantifier !== null &&
                    quantifier[2] === ',' &&
                    (quantifier[3] === '' || Number(quantifier[3]) > LARGE_REPEAT));
            const many = c !== '?' && !(quantifier !== null && quantifier[2] === '' && Number(quantifier[1]) <= 1);
            if (open) unbounded++;
            if (unbounded > MAX_UNBOUNDED_REPEATS) {
                return `it has more than ${MAX_UNBOUNDED_REPEATS} open-ended repeats (*, +, {n,})`;
            }
            if (many && closed !== null && (closed.repeats || closed.alternates)) {
                return 'a repeated group contains a repeat or an alternation, which can take forever to fail';
            }
            const top = stack[stack.length - 1];
            if (top !== undefined && many) top.repeats = true;
            if (quantifier !== null) i += quantifier[0].length - 1;
            // A lazy or possessive-looking suffix (`*?`) belongs to this quantifier.
            if (pattern[i + 1] === '?') i++;
        }
        closed = justClosed;
    }
    return stack.length === 1 ? { unbounded } : 'its parentheses do not balance';
}

/** Index of the `]` closing the class that opens at `start` (or the end of the pattern). */
function endOfClass(pattern: string, start: number): number {
    let i = start + 1;
    if (pattern[i] === '^') i++;
    if (pattern[i] === ']') i++;
    for (; i < pattern.length; i++) {
        if (pattern[i] === '\\') i++;
        else if (pattern[i] === ']') return i;
    }
    return pattern.length;
}
