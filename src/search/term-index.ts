/**
 * MiniSearch with a faster, leaner `add` (decision 0020). MiniSearch's own `add` walks its radix tree once for every
 * word of a document, repeats included, into a `Map` per term and field; this one counts each field's terms first
 * (`TermCounter`), walks the tree once per distinct term, and keeps the postings compactly (`Postings`). While a build
 * adds many notes in a row (`beginBulk`…`endBulk`) it also remembers where each term's postings live, so a term met
 * again in a later note costs one map lookup.
 *
 * The index it builds is the one MiniSearch's `add` builds from the same options (the same postings, frequencies,
 * field lengths and averages): `tests/search/term-index.test.ts` compares the two, so a MiniSearch upgrade that
 * changes its layout is caught there. Everything else (search, discard, vacuum, serialisation) is MiniSearch's own.
 * Only for indexes whose `tokenize` gives the terms `TermCounter` counts, with `processTerm` leaving them as they are
 * and no stored fields.
 */
import MiniSearch from 'minisearch';
import { Postings } from './postings';
import { TermCounter } from './term-counter';

/** A term's postings: field id to postings (MiniSearch's `Map` from short document id to term frequency). */
type TermPostings = Map<number, Map<number, number>>;

const newPostings = (): TermPostings => new Map();

/** MiniSearch whose `add` counts terms per field before touching the index. */
export class TermIndex<T> extends MiniSearch<T> {
    /** Where each term's postings live, during a bulk build only (a discard or vacuum drops it). */
    #known: Map<string, TermPostings> | null = null;
    /** The counter of a bulk build; a small one for notes added one at a time. */
    #bulk: TermCounter | null = null;
    readonly #single = new TermCounter(1 << 12, 1 << 8);

    /** Starts a run of adds to a fresh index (the build): terms are remembered until `endBulk`. */
    beginBulk(): void {
        this.#known = new Map();
        this.#bulk = new TermCounter();
    }

    /** Ends the run begun by `beginBulk`, and gives back the room the postings kept for growing. */
    endBulk(): void {
        for (const postings of this.#known?.values() ?? []) {
            for (const docs of postings.values()) if (docs instanceof Postings) docs.compact();
        }
        this.#known = this.#bulk = null;
    }

    override add(document: T): void {
        const { extractField, stringifyField, fields, idField } = this._options;
        const id: unknown = extractField(document, idField);
        if (id == null || this._idToShortId.has(id)) throw new Error('TermIndex: missing or duplicate id');
        const shortId = this._nextId++;
        this._idToShortId.set(id, shortId);
        this._documentIds.set(shortId, id);
        const before = this._documentCount++;
        const counter = this.#bulk ?? this.#single;
        const known = this.#known;
        let lengths: number[] | undefined;
        let last = -1;
        for (const field of fields) {
            const value: unknown = extractField(document, field);
            if (value == null) continue;
            const fieldId = this._fieldIds[field] as number;
            counter.count(stringifyField(value, field));
            const { terms, counts } = counter;
            // MiniSearch's field length (the distinct terms), and the field's running average over the documents.
            // Sized once (a growing array would keep room for a dozen more), trimmed below if fields were left out.
            if (lengths === undefined) this._fieldLength.set(shortId, (lengths = new Array<number>(fields.length)));
            lengths[fieldId] = terms.length;
            last = fieldId;
            this._avgFieldLength[fieldId] =
                ((this._avgFieldLength[fieldId] ?? 0) * before + terms.length) / (before + 1);
            terms.forEach((term, k) => {
                let postings = known?.get(term);
                if (postings === undefined) {
                    postings = this._index.fetch(term, newPostings);
                    known?.set(term, postings);
                }
                let docs = postings.get(fieldId);
                // `Postings` has every member of the `Map` MiniSearch uses (the test above compares the two).
                if (docs === undefined)
                    postings.set(fieldId, (docs = new Postings() as unknown as Map<number, number>));
                docs.set(shortId, counts[k] as number);
            });
        }
        if (lengths !== undefined) lengths.length = last + 1;
    }

    /**
     * The most notes that hold `term` in any one field (0 when none does); notes discarded but not yet vacuumed still
     * count.
     */
    documentFrequency(term: string): number {
        let most = 0;
        for (const docs of this._index.get(term)?.values() ?? []) most = Math.max(most, docs.size);
        return most;
    }

    override discard(id: unknown): void {
        this.#known = null;
        super.discard(id);
    }

    override vacuum(options?: Parameters<MiniSearch<T>['vacuum']>[0]): Promise<void> {
        this.#known = null;
        return super.vacuum(options);
    }
}
