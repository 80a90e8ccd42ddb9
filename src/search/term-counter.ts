/**
 * Counting the terms of a text for the index, without the garbage: its words (`words`: runs of letters and digits),
 * each normalised as `normaliseTerm` does, stop words and overlong runs left out, counted per distinct term in one scan. Each word is hashed from its
 * characters while it is scanned and looked up in the counter's own table of words met before, compared in place: a
 * word seen before (nearly every word of a vault: words repeat) costs no new string, no regular expression match and
 * no `Map` lookup. `tests/search/term-counter.test.ts` checks it against `words` and `normaliseTerm` on many scripts.
 */
import { normaliseWord } from './tokens';

/** A letter or digit beyond ASCII (one code point, at the regex's position). */
const WIDE_WORD_CHAR = /[\p{L}\p{N}]/uy;

/** Counts of one text: its distinct terms and how often each occurred, in the order first met. */
export class TermCounter {
    /** The distinct terms of the last text counted. */
    readonly terms: string[] = [];
    /** How often each of `terms` occurred. */
    readonly counts: number[] = [];

    // The table of words met (open addressing): the word, its hash and its term's number (−1: none, a stop word).
    #words: (string | undefined)[] = [];
    #hashes = new Int32Array(0);
    #termIds = new Int32Array(0);
    #used = 0;
    // Every term met, by number; the count of each in the text being counted, and which were met in it.
    #termOf: string[] = [];
    #idOf = new Map<string, number>();
    #tally = new Int32Array(1024);
    readonly #touched: number[] = [];

    /**
     * `maxWords`: distinct words held before the table starts over (a bound on memory for a vault of many one-off
     * words); `capacity`: the table's first size (a power of two).
     */
    constructor(
        private readonly maxWords = 1 << 20,
        private readonly capacity = 1 << 14,
    ) {
        this.#reset(capacity);
    }

    /** Counts the terms of `text` into `terms` and `counts`. */
    count(text: string): void {
        const touched = this.#touched;
        touched.length = 0;
        if (this.#used >= this.maxWords) {
            this.#reset(this.capacity);
            this.#termOf = [];
            this.#idOf = new Map();
        }
        const n = text.length;
        let i = 0;
        while (i < n) {
            let c = text.charCodeAt(i);
            let width = wordCharWidth(text, i, c);
            if (width === 0) {
                i += 1;
                continue;
            }
            const start = i;
            let hash = -2128831035;
            while (width > 0) {
                hash = Math.imul(hash ^ c, 16777619);
                if (width === 2) hash = Math.imul(hash ^ text.charCodeAt(i + 1), 16777619);
                i += width;
                c = text.charCodeAt(i);
                width = i < n ? wordCharWidth(text, i, c) : 0;
            }
            const id = this.#termIdOf(text, start, i, hash);
            if (id < 0) continue;
            if (this.#tally[id] === 0) touched.push(id);
            (this.#tally[id] as number)++;
        }
        this.terms.length = this.counts.length = touched.length;
        touched.forEach((id, k) => {
            this.terms[k] = this.#termOf[id] as string;
            this.counts[k] = this.#tally[id] as number;
            this.#tally[id] = 0;
        });
    }

    /** The term number of the word `text[start, end)` with `hash`; −1 when it makes no term (a stop word). */
    #termIdOf(text: string, start: number, end: number, hash: number): number {
        const words = this.#words;
        const mask = words.length - 1;
        let slot = hash & mask;
        for (let word = words[slot]; word !== undefined; word = words[(slot = (slot + 1) & mask)]) {
            if (this.#hashes[slot] === hash && word.length === end - start && text.startsWith(word, start)) {
                return this.#termIds[slot] as number;
            }
        }
        // A word not met before: normalised once, and remembered.
        const word = text.slice(start, end);
        const term = normaliseWord(word);
        let id = term === null ? -1 : (this.#idOf.get(term) ?? -1);
        if (term !== null && id < 0) {
            id = this.#termOf.push(term) - 1;
            this.#idOf.set(term, id);
            if (id >= this.#tally.length) {
                const tally = new Int32Array(this.#tally.length * 2);
                tally.set(this.#tally);
                this.#tally = tally;
            }
        }
        if ((this.#used + 1) * 2 > words.length) this.#reset(words.length * 2);
        this.#place(word, hash, id);
        return id;
    }

    /** A table of `capacity` slots, holding again every word of the table before. */
    #reset(capacity: number): void {
        const words = this.#words;
        const hashes = this.#hashes;
        const termIds = this.#termIds;
        this.#words = new Array<string | undefined>(capacity);
        this.#hashes = new Int32Array(capacity);
        this.#termIds = new Int32Array(capacity);
        this.#used = 0;
        if (capacity > words.length) {
            words.forEach((word, from) => {
                if (word !== undefined) this.#place(word, hashes[from] as number, termIds[from] as number);
            });
        }
    }

    #place(word: string, hash: number, id: number): void {
        const mask = this.#words.length - 1;
        let slot = hash & mask;
        while (this.#words[slot] !== undefined) slot = (slot + 1) & mask;
        this.#words[slot] = word;
        this.#hashes[slot] = hash;
        this.#termIds[slot] = id;
        this.#used += 1;
    }
}

/** How many UTF-16 units the letter or digit at `i` takes (0: not one). `c` is the unit at `i`. */
function wordCharWidth(text: string, i: number, c: number): number {
    if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ? 1 : 0;
    WIDE_WORD_CHAR.lastIndex = i;
    return WIDE_WORD_CHAR.test(text) ? WIDE_WORD_CHAR.lastIndex - i : 0;
}
