/**
 * One term's postings in one field — which notes hold it, and how often — stored compactly for the relevance index
 * (decision 0020). MiniSearch keeps these as a `Map` from document id to frequency; a vault's index holds well over a
 * million of them, and a `Map` entry costs about 55 bytes of heap where this keeps two small integers in one array
 * (16 bytes, trimmed after a build). It has the members of that `Map` MiniSearch uses (`size`, `get`, `set`,
 * `delete`, `keys` and iteration), with one difference: entries are in ascending id order rather than insertion
 * order. MiniSearch gives each added document a larger id than any before, so the two orders agree for all it does.
 *
 * Iterating stays correct while entries are deleted or added (MiniSearch drops postings of discarded notes while it
 * walks them), as a `Map`'s iteration does.
 */
export class Postings {
    /** `[id, frequency, id, frequency, …]`, ids ascending. */
    #pairs: number[] = [];
    /** The pair last found or visited: lookups in the order of a walk cost one comparison. */
    #hint = 0;

    /** The number of notes holding the term. */
    get size(): number {
        return this.#pairs.length >> 1;
    }

    /** The frequency for note `id`, if it holds the term. */
    get(id: number): number | undefined {
        const at = this.#find(id);
        return at < 0 ? undefined : this.#pairs[2 * at + 1];
    }

    /** Sets the frequency for note `id` (appending when `id` is the largest yet, the usual case). */
    set(id: number, frequency: number): this {
        const pairs = this.#pairs;
        const n = pairs.length;
        if (n === 0 || (pairs[n - 2] as number) < id) {
            pairs.push(id, frequency);
        } else {
            const at = this.#find(id);
            if (at >= 0) pairs[2 * at + 1] = frequency;
            else pairs.splice(2 * (-at - 1), 0, id, frequency);
        }
        return this;
    }

    /** Removes note `id`; whether it was there. */
    delete(id: number): boolean {
        const at = this.#find(id);
        if (at >= 0) this.#pairs.splice(2 * at, 2);
        return at >= 0;
    }

    /** Gives back the room kept for growth (after a build: most postings are final). */
    compact(): void {
        this.#pairs = this.#pairs.slice();
    }

    /** `[id, frequency]` pairs, ascending by id. */
    *[Symbol.iterator](): IterableIterator<[number, number]> {
        for (let at = this.#next(-1); at >= 0;) {
            const id = this.#pairs[2 * at] as number;
            yield [id, this.#pairs[2 * at + 1] as number];
            at = this.#next(id);
        }
    }

    /** The ids, ascending. */
    *keys(): IterableIterator<number> {
        for (let at = this.#next(-1); at >= 0;) {
            const id = this.#pairs[2 * at] as number;
            yield id;
            at = this.#next(id);
        }
    }

    /**
     * The pair after id `after` (−1 for the first), or −1 past the end; the walk resumes by id, so entries deleted or
     * added meanwhile are skipped or seen as a `Map`'s iteration would. Remembered as the hint for `get`.
     */
    #next(after: number): number {
        const pairs = this.#pairs;
        let at = this.#hint;
        // The usual step: the hint is the pair just visited, unchanged, and the next one follows it.
        if (pairs[2 * at] === after) at += 1;
        else {
            at = this.#find(after);
            at = at < 0 ? -at - 1 : at + 1;
        }
        if (2 * at >= pairs.length) return -1;
        return (this.#hint = at);
    }

    /** The pair of `id`, or `-(where it would go) - 1`. */
    #find(id: number): number {
        const pairs = this.#pairs;
        if (pairs[2 * this.#hint] === id) return this.#hint;
        let low = 0;
        let high = (pairs.length >> 1) - 1;
        while (low <= high) {
            const mid = (low + high) >>> 1;
            const value = pairs[2 * mid] as number;
            if (value < id) low = mid + 1;
            else if (value > id) high = mid - 1;
            else return (this.#hint = mid);
        }
        return -low - 1;
    }
}
