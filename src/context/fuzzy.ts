/**
 * Fuzzy matching for mention suggestions: is the query a subsequence of the key, and how well does it match? Runs for
 * thousands of keys per keystroke, so it allocates nothing and works on char codes of pre-lowercased strings.
 *
 * Bonuses: the query as one contiguous run (more when it starts a word, most when it starts the key), each matched
 * character at a word start, each character right after the previous match. Gaps and longer keys cost a little.
 */

/** Score at or below which nothing matched. */
export const NO_MATCH = -1;

const BONUS_PREFIX = 60;
const BONUS_SUBSTRING = 30;
const BONUS_SUBSTRING_AT_WORD = 20;
const BONUS_WORD_START = 8;
const BONUS_CONTIGUOUS = 5;
const BONUS_CHAR = 1;
const GAP_PENALTY = 0.3;
const MAX_GAP_PENALTY = 3;
const LENGTH_PENALTY = 0.05;
/** How many starting positions of the first query character are tried; more barely changes rankings. */
const START_TRIES = 4;

/** True when the character before `index` separates words (or `index` is 0). */
export function isWordStart(key: string, index: number): boolean {
    if (index === 0) return true;
    const before = key.charCodeAt(index - 1);
    // space / - _ . ( [ and digits-to-letters boundaries are not worth the cost; these cover note names.
    return before === 32 || before === 47 || before === 45 || before === 95 || before === 46 || before === 40;
}

/** A bitmask of the ASCII letters and digits in `text` (one bit per letter, one shared by digits), for fast rejects. */
export function charMask(text: string): number {
    let mask = 0;
    for (let i = 0; i < text.length; i++) mask |= charBit(text.charCodeAt(i));
    return mask;
}

function charBit(code: number): number {
    if (code >= 97 && code <= 122) return 1 << (code - 97);
    if (code >= 48 && code <= 57) return 1 << 26;
    return 0;
}

/** Scores lowercased `query` against lowercased `key`; `NO_MATCH` when the query is not a subsequence of the key. */
export function fuzzyScore(key: string, query: string): number {
    const m = query.length;
    if (m === 0) return 0;
    if (m > key.length) return NO_MATCH;
    const first = query[0] as string;
    let best = NO_MATCH;
    let start = key.indexOf(first);
    // Later starts are only worth trying at word starts: elsewhere they cannot beat the first.
    for (let tries = 0; start !== -1 && tries < START_TRIES; tries++) {
        const score = greedyFrom(key, query, start);
        if (score === NO_MATCH) break;
        if (score > best) best = score;
        start = key.indexOf(first, start + 1);
        while (start !== -1 && !isWordStart(key, start)) start = key.indexOf(first, start + 1);
    }
    if (best === NO_MATCH) return NO_MATCH;
    const at = key.indexOf(query);
    if (at === 0) best += BONUS_PREFIX;
    else if (at > 0) best += isWordStart(key, at) ? BONUS_SUBSTRING + BONUS_SUBSTRING_AT_WORD : BONUS_SUBSTRING;
    return best - key.length * LENGTH_PENALTY;
}

/** Matches `query` greedily from `start` (where its first character is); `NO_MATCH` when it runs out of key. */
function greedyFrom(key: string, query: string, start: number): number {
    let score = 0;
    let previous = start - 1;
    let position = start;
    for (let i = 0; i < query.length; i++) {
        if (i > 0) {
            position = key.indexOf(query[i] as string, previous + 1);
            if (position === -1) return NO_MATCH;
        }
        score += BONUS_CHAR;
        if (isWordStart(key, position)) score += BONUS_WORD_START;
        if (i > 0) {
            if (position === previous + 1) score += BONUS_CONTIGUOUS;
            else score -= Math.min(MAX_GAP_PENALTY, (position - previous - 1) * GAP_PENALTY);
        }
        previous = position;
    }
    return score;
}
