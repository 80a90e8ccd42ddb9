/**
 * Counting the terms of a text for the index build, without the garbage: the same terms `indexTerms` gives (words of
 * letters and digits, normalised by `normaliseWord`), but counted per distinct term in one scan. Each word is hashed
 * from its characters while it is scanned and looked up in the counter's own table of words met before, compared in
 * place: a word seen before (nearly every word of a vault: words repeat) costs no new string, no regular expression
 * match and no `Map` lookup. `tests/search/term-counter.test.ts` checks it against `indexTerms` on many scripts.
 */
import { normaliseWord } from './tokens';

/** A letter or digit beyond ASCII (one code point, at the regex's position). */
const WIDE_WORD_CHAR = /[\p{L}\p{N}]/uy;

/** Distinct words held before the table starts over (a bound on memory for vaults of many one-off words). */
const MAX_WORDS = 1 << 20;
const FIRST_CAPACITY = 1 << 14;

/** Counts of one text: its distinct terms and how often each occurred, in the order first met. */
export class TermCounter {
    /** The distinct terms of the last text counted. */
    readonly terms: string[] = [];
    /** How often each of `terms` occurred. */
    readonly counts: number[] = [];

    // The table of words met: open addressing, the word, its hash and its term's number (−1: no term).
    private words: (string | undefined)[] = new Array<string | undefined>(FIRST_CAPACITY);
    private hashes = new Int32Array(FIRST_CAPACITY);
    private termIds = new Int32Array(FIRST_CAPACITY);
    private used = 0;
    // Every term met, by number, and the count of each in the text being counted.
    private termOf: string[] = [];
    private readonly idOf = new Map<string, number>();
    private tally = new Int32Array(1 << 12);
    private readonly touched: number[] = [];

    /** `maxWords`: distinct words held before the table starts over. */
    constructor(private readonly maxWords = MAX_WORDS) {}

    /** Counts the terms of `text` into `terms` and `counts`. */
    count(text: string): void {
        const touched = this.touched;
        touched.length = 0;
        if (this.used >= this.maxWords) this.restart();
        const n = text.length;
        let i = 0;
        while (i < n) {
            // Skip to the next word.
            let c = text.charCodeAt(i);
            let width = wordCharWidth(text, i, c);
            if (width === 0) {
                // A character outside the words; a surrogate pair (an emoji) is stepped over whole.
                i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && isTrail(text.charCodeAt(i + 1)) ? 2 : 1;
                continue;
            }
            const start = i;
            let hash = -2128831035;
            while (width > 0) {
                hash = Math.imul(hash ^ c, 16777619);
                if (width === 2) hash = Math.imul(hash ^ text.charCodeAt(i + 1), 16777619);
                i += width;
                if (i >= n) break;
                c = text.charCodeAt(i);
                width = wordCharWidth(text, i, c);
            }
            const id = this.termIdOf(text, start, i, hash);
            if (id < 0) continue;
            if (this.tally[id] === 0) touched.push(id);
            (this.tally[id] as number)++;
        }
        const terms = this.terms;
        const counts = this.counts;
        terms.length = touched.length;
        counts.length = touched.length;
        for (let k = 0; k < touched.length; k++) {
            const id = touched[k] as number;
            terms[k] = this.termOf[id] as string;
            counts[k] = this.tally[id] as number;
            this.tally[id] = 0;
        }
    }

    /** The term number of the word `text[start, end)` with `hash`; −1 when it makes no term (a stop word). */
    private termIdOf(text: string, start: number, end: number, hash: number): number {
        const length = end - start;
        let mask = this.hashes.length - 1;
        let slot = hash & mask;
        for (let word = this.words[slot]; word !== undefined; word = this.words[slot]) {
            if (this.hashes[slot] === hash && word.length === length && text.startsWith(word, start)) {
                return this.termIds[slot] as number;
            }
            slot = (slot + 1) & mask;
        }
        // A word not met before: normalised once, and remembered.
        const word = text.slice(start, end);
        const term = normaliseWord(word);
        let id = -1;
        if (term !== null) {
            id = this.idOf.get(term) ?? -1;
            if (id < 0) id = this.newTerm(term);
        }
        if ((this.used + 1) * 2 > this.hashes.length) {
            this.grow();
            mask = this.hashes.length - 1;
        }
        slot = hash & mask;
        while (this.words[slot] !== undefined) slot = (slot + 1) & mask;
        this.words[slot] = word;
        this.hashes[slot] = hash;
        this.termIds[slot] = id;
        this.used += 1;
        return id;
    }

    private newTerm(term: string): number {
        const id = this.termOf.length;
        this.termOf.push(term);
        this.idOf.set(term, id);
        if (id >= this.tally.length) {
            const tally = new Int32Array(this.tally.length * 2);
            tally.set(this.tally);
            this.tally = tally;
        }
        return id;
    }

    /** Doubles the table, placing every word again. */
    private grow(): void {
        const words = this.words;
        const hashes = this.hashes;
        const termIds = this.termIds;
        const capacity = hashes.length * 2;
        const mask = capacity - 1;
        this.words = new Array<string | undefined>(capacity);
        this.hashes = new Int32Array(capacity);
        this.termIds = new Int32Array(capacity);
        for (let from = 0; from < words.length; from++) {
            const word = words[from];
            if (word === undefined) continue;
            let slot = (hashes[from] as number) & mask;
            while (this.words[slot] !== undefined) slot = (slot + 1) & mask;
            this.words[slot] = word;
            this.hashes[slot] = hashes[from] as number;
            this.termIds[slot] = termIds[from] as number;
        }
    }

    /** Forgets every word and term (between texts: the tally is all zeros then). */
    private restart(): void {
        this.words = new Array<string | undefined>(FIRST_CAPACITY);
        this.hashes = new Int32Array(FIRST_CAPACITY);
        this.termIds = new Int32Array(FIRST_CAPACITY);
        this.used = 0;
        this.termOf = [];
        this.idOf.clear();
    }
}

function isTrail(unit: number): boolean {
    return unit >= 0xdc00 && unit <= 0xdfff;
}

/** How many UTF-16 units the letter or digit at `i` takes (0: not one). `c` is the unit at `i`. */
function wordCharWidth(text: string, i: number, c: number): number {
    if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? 1 : 0;
    WIDE_WORD_CHAR.lastIndex = i;
    if (!WIDE_WORD_CHAR.test(text)) return 0;
    return WIDE_WORD_CHAR.lastIndex - i;
}
