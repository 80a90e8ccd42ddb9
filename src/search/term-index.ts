/**
 * MiniSearch with a faster `add` (decision 0020). MiniSearch's own `add` walks its radix tree once for every word of a
 * document, repeats included; this one counts each field's terms first and walks the tree once per distinct term,
 * setting the term's frequency in one step. While a build adds many notes in a row (`beginBulk`…`endBulk`) it also
 * remembers where each term's postings live, so a term met again in a later note costs one map lookup.
 *
 * The index it builds is the one MiniSearch's `add` builds (the same postings, frequencies, field lengths and
 * averages): `tests/search/term-index.test.ts` compares the two, so a MiniSearch upgrade that changes the layout is
 * caught there. Everything else (search, discard, vacuum, serialisation) is MiniSearch's own.
 */
import MiniSearch from 'minisearch';
import { Postings } from './postings';

/** A term's postings: field id to (short document id to term frequency). */
type TermPostings = Map<number, Map<number, number>>;

const newPostings = (): TermPostings => new Map();

/** What counts a field's terms during a bulk build (`TermCounter`); must agree with the index's `tokenize`. */
export interface FieldCounter {
    /** Counts `text` into `terms` and `counts`. */
    count(text: string): void;
    /** The distinct terms of the last text counted. */
    readonly terms: readonly string[];
    /** How often each of `terms` occurred. */
    readonly counts: readonly number[];
}

/** MiniSearch whose `add` counts terms per field before touching the index. */
export class TermIndex<T> extends MiniSearch<T> {
    /** Where each term's postings live, kept during a bulk build only (a discard or vacuum drops it). */
    private known: Map<string, TermPostings> | null = null;
    /** The counter of the bulk build in progress. */
    private counter: FieldCounter | null = null;
    /** Terms and counts of one field outside a bulk build, reused from field to field. */
    private readonly counts = new Map<string, number>();
    private readonly terms: string[] = [];
    private readonly termCounts: number[] = [];

    /**
     * `bulkCounter` makes the counter a bulk build uses; it must give, for any text, the distinct terms (and their
     * counts) of `tokenize` followed by `processTerm`, with `processTerm` leaving `tokenize`'s terms as they are.
     */
    constructor(
        options: ConstructorParameters<typeof MiniSearch<T>>[0],
        private readonly bulkCounter?: () => FieldCounter,
    ) {
        super(options);
    }

    /** Starts a run of adds to a fresh index (the build): terms are remembered until `endBulk`. */
    beginBulk(): void {
        this.known = new Map();
        this.counter = this.bulkCounter?.() ?? null;
    }

    /** Ends the run begun by `beginBulk`, and gives back the room the postings kept for growing. */
    endBulk(): void {
        const known = this.known;
        this.known = null;
        this.counter = null;
        if (known === null) return;
        for (const postings of known.values()) {
            for (const docs of postings.values()) if (docs instanceof Postings) docs.compact();
        }
    }

    override add(document: T): void {
        const { extractField, stringifyField, fields, idField, storeFields } = this._options;
        const id: unknown = extractField(document, idField);
        if (id === null || id === undefined) {
            throw new Error(`MiniSearch: document does not have ID field "${idField}"`);
        }
        if (this._idToShortId.has(id)) throw new Error(`MiniSearch: duplicate ID ${JSON.stringify(id)}`);
        // Stored fields are not kept by this subclass: it is only used without them.
        if (storeFields.length > 0) throw new Error('TermIndex: storeFields are not supported');
        const shortId = this._nextId++;
        this._idToShortId.set(id, shortId);
        this._documentIds.set(shortId, id);
        this._documentCount += 1;
        let lengths: number[] | undefined;
        let lastFieldId = -1;
        const known = this.known;
        for (const field of fields) {
            const value: unknown = extractField(document, field);
            if (value === null || value === undefined) continue;
            const fieldId = this._fieldIds[field] as number;
            const text = stringifyField(value, field);
            let terms: readonly string[];
            let counts: readonly number[];
            let length: number;
            if (this.counter !== null) {
                this.counter.count(text);
                ({ terms, counts } = this.counter);
                length = terms.length;
            } else {
                length = this.countTerms(text, field);
                terms = this.terms;
                counts = this.termCounts;
            }
            // MiniSearch's field length (the distinct tokens), and the field's running average over the documents.
            // Sized once (a growing array would keep room for a dozen more), trimmed below if fields were left out.
            if (lengths === undefined) this._fieldLength.set(shortId, (lengths = new Array<number>(fields.length)));
            lengths[fieldId] = length;
            lastFieldId = Math.max(lastFieldId, fieldId);
            const before = this._documentCount - 1;
            this._avgFieldLength[fieldId] = ((this._avgFieldLength[fieldId] ?? 0) * before + length) / (before + 1);
            for (let k = 0; k < terms.length; k++) {
                const term = terms[k] as string;
                let postings = known?.get(term);
                if (postings === undefined) {
                    postings = this._index.fetch(term, newPostings);
                    known?.set(term, postings);
                }
                let docs = postings.get(fieldId);
                if (docs === undefined) postings.set(fieldId, (docs = new Postings()));
                docs.set(shortId, counts[k] as number);
            }
        }
        if (lengths !== undefined && lengths.length !== lastFieldId + 1) lengths.length = lastFieldId + 1;
    }

    /**
     * The most notes that hold `term` in any one field (0 when none does); notes discarded but not yet vacuumed still
     * count.
     */
    documentFrequency(term: string): number {
        let most = 0;
        const fields = this._index.get(term);
        if (fields !== undefined) for (const docs of fields.values()) most = Math.max(most, docs.size);
        return most;
    }

    override discard(id: unknown): void {
        this.known = null;
        super.discard(id);
    }

    override vacuum(options?: Parameters<MiniSearch<T>['vacuum']>[0]): Promise<void> {
        this.known = null;
        return super.vacuum(options);
    }
    /** Counts `text`'s terms through `tokenize` and `processTerm` into `terms`; returns MiniSearch's field length. */
    private countTerms(text: string, field: string): number {
        const { tokenize, processTerm } = this._options;
        const counts = this.counts;
        counts.clear();
        const tokens = tokenize(text, field);
        for (const token of tokens) {
            const processed = processTerm(token, field);
            if (Array.isArray(processed)) {
                for (const term of processed) counts.set(term, (counts.get(term) ?? 0) + 1);
            } else if (typeof processed === 'string' && processed !== '') {
                counts.set(processed, (counts.get(processed) ?? 0) + 1);
            }
        }
        this.terms.length = 0;
        this.termCounts.length = 0;
        for (const [term, count] of counts) {
            this.terms.push(term);
            this.termCounts.push(count);
        }
        return new Set(tokens).size;
    }
}
