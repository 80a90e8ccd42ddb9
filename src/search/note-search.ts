/**
 * The relevance index of every visible note (MiniSearch: BM25 ranking, field boosts, prefix and typo-tolerant
 * matching; decision 0020). Built once on first use, then kept current from the vault's change events, which the
 * plugin gets from Obsidian and the CLI from its file watcher (`FsVault.syncPaths` emits them).
 *
 * Privacy: a note the gate excludes is never added. A change is applied before the next query (`ready`): the changed
 * note is read and judged on that very text (`isTextExcluded`), so a note made private leaves the index before anyone
 * can search again. When the exclusion rules themselves change (`ExclusionGate.rulesKey`), every indexed note is
 * judged again and newly visible ones are added. Callers still judge what they show at read time.
 */
import type { Options, SearchResult } from 'minisearch';
import type { ExclusionGate } from '../context/exclusions';
import { isMarkdownPath, VaultError, type VaultChange, type VaultPort } from '../kernel/vault-port';
import { FIELD_BOOSTS, NOTE_FIELDS, noteDocument, type NoteDocument, type NoteField } from './note-document';
import { TermIndex } from './term-index';
import { queryTerms } from './tokens';

/** Notes read at once while building. */
const READ_BATCH = 64;

/** A query word held by more than this share of the notes is left out of a query that has other words. */
const COMMON_SHARE = 0.4;
/** The same while typing a mention: a word in more notes than this cannot single out the note meant. */
const TYPING_SHARE = 0.05;

/** What the index needs. */
export interface NoteSearchOptions {
    /** The vault. */
    vault: VaultPort;
    /** The gate as it is now (rebuilt when settings change). */
    gate: () => ExclusionGate;
}

/** One ranked note. */
export interface RankedNote {
    /** The vault path. */
    path: string;
    /** Relevance (higher is better); comparable within one query only. */
    score: number;
    /** The fields that matched, in `NOTE_FIELDS` order. */
    fields: NoteField[];
    /** The index terms that matched (after prefix and typo expansion), for finding the best passage. */
    terms: string[];
    /** How many of the query's own terms matched. */
    matchedQueryTerms: number;
}

/** How a query is run. */
export interface RankOptions {
    /** Only notes this admits are ranked (the caller's gate and filters). */
    admits?: (path: string) => boolean;
    /** Title, aliases, headings and tags only (mentions ask this way per keystroke). */
    namesOnly?: boolean;
    /**
     * Per keystroke (mentions): whole words only, no typo tolerance, and words held by more than one note in twenty
     * left out, so a lookup stays within a keystroke's budget; a query of only such words matches nothing.
     */
    typing?: boolean;
}

/** The tags of a note without any (one shared array rather than one per note). */
const NO_TAGS: readonly string[] = Object.freeze([]);

/** The relevance index; one per vault, shared by every surface. */
export class NoteSearch {
    private readonly vault: VaultPort;
    private readonly gateOf: () => ExclusionGate;
    private index: TermIndex<NoteDocument> = newNoteIndex();
    /** Every indexed note, with its tags as Obsidian shows them (lower-case, without `#`). */
    private readonly known = new Map<string, readonly string[]>();
    private readonly byTag = new Map<string, Set<string>>();
    private readonly pending = new Set<string>();
    private built = false;
    private rulesKey: string | null = null;
    private tail: Promise<unknown> = Promise.resolve();
    private readonly unsubscribe: () => void;
    private buildMs = 0;

    constructor(options: NoteSearchOptions) {
        this.vault = options.vault;
        this.gateOf = options.gate;
        const changes = this.vault.onChange((event) => this.onChange(event));
        // A note the gate excluded only because its tags were not known yet is judged again once they are.
        const known = this.vault.onTagsKnown?.((path) => this.pending.add(path));
        this.unsubscribe = () => {
            changes();
            known?.();
        };
    }

    /** Notes in the index now. */
    get size(): number {
        return this.known.size;
    }

    /** How long the first build took (ms); 0 before it ran. */
    get lastBuildMs(): number {
        return this.buildMs;
    }

    /**
     * Makes the index current: builds it the first time, judges every note again when the exclusion rules changed,
     * and applies every change reported since the last call. Calls queue behind each other.
     */
    ready(): Promise<void> {
        const run = this.tail.then(() => this.update());
        this.tail = run.catch(() => undefined);
        return run;
    }

    /** Stops following the vault. */
    dispose(): void {
        this.unsubscribe();
    }

    /** Whether `path` is in the index. */
    has(path: string): boolean {
        return this.known.has(path);
    }

    /** The tags the index holds for `path` (lower-case, no `#`). */
    tagsOf(path: string): readonly string[] {
        return this.known.get(path) ?? NO_TAGS;
    }

    /** The indexed notes carrying `tag` (lower-case, no `#`), nested tags beneath it included. */
    notesTagged(tag: string): Set<string> {
        const out = new Set<string>();
        for (const [name, paths] of this.byTag) {
            if (name === tag || name.startsWith(`${tag}/`)) for (const path of paths) out.add(path);
        }
        return out;
    }

    /**
     * The notes matching `query`, best first. Synchronous: call `ready` first for an index that includes the latest
     * changes. A query of stop words only matches nothing.
     */
    rank(query: string, options: RankOptions = {}): RankedNote[] {
        const all = queryTerms(query);
        const typing = options.typing === true;
        // A word most notes hold says nothing about which note is meant (its BM25 weight is near zero) but costs a
        // pass over most of the index: it is left out while the query has other words (always, when typing).
        const most = typing ? TYPING_SHARE : COMMON_SHARE;
        const common = this.known.size >= 50 ? all.filter((term) => this.documentShare(term) > most) : [];
        const terms = typing || common.length < all.length ? all.filter((term) => !common.includes(term)) : all;
        if (terms.length === 0) return [];
        const admits = options.admits;
        const results = this.index.search(terms.join(' '), {
            ...(options.namesOnly === true ? { fields: ['title', 'aliases', 'headings', 'tags'] } : {}),
            // The query's words are normalised already (stemmed, stop words out); only the index's own rule remains.
            processTerm: (term: string) => term,
            // Whole words (the stemmer meets the inflections), with one typo allowed in words of six letters or more
            // except while typing.
            prefix: false,
            fuzzy: typing ? false : (term: string) => (term.length >= 6 ? 1 : false),
            ...(admits !== undefined ? { filter: (result: SearchResult) => admits(result.id as string) } : {}),
        });
        return results
            .map((result) => ranked(result, terms.length))
            .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }

    /**
     * The share of indexed notes that hold `term` in their body (0 when unknown).
     */
    documentShare(term: string): number {
        return this.index.documentFrequency(term) / Math.max(1, this.known.size);
    }

    /** Drops `path` now (a reader found it hidden at read time); the next update may bring it back if visible. */
    forget(path: string): void {
        this.remove(path, true);
    }

    private async update(): Promise<void> {
        const gate = this.gateOf();
        if (!this.built) {
            const started = performance.now();
            this.pending.clear();
            await this.build(gate);
            this.built = true;
            this.rulesKey = gate.rulesKey;
            this.buildMs = performance.now() - started;
        } else if (gate.rulesKey !== this.rulesKey) {
            this.rulesKey = gate.rulesKey;
            await this.rejudge(gate);
        }
        if (this.pending.size === 0) return;
        const paths = [...this.pending];
        this.pending.clear();
        for (let first = 0; first < paths.length; first += READ_BATCH) {
            await this.refresh(paths.slice(first, first + READ_BATCH), gate);
        }
    }

    private async build(gate: ExclusionGate): Promise<void> {
        const index = (this.index = newNoteIndex());
        this.known.clear();
        this.byTag.clear();
        const paths = (await this.vault.list())
            .map((entry) => entry.path)
            .filter((path) => isMarkdownPath(path) && !gate.isExcluded(path));
        index.beginBulk();
        try {
            for (let first = 0; first < paths.length; first += READ_BATCH) {
                const batch = paths.slice(first, first + READ_BATCH);
                const texts = await Promise.all(batch.map((path) => this.readOrNull(path)));
                batch.forEach((path, i) => {
                    const text = texts[i] ?? null;
                    if (text === null || gate.isTextExcluded(path, text)) return;
                    this.add(path, text, true);
                });
            }
        } finally {
            index.endBulk();
        }
    }

    /** After the rules changed: drop what is hidden now, add what became visible. */
    private async rejudge(gate: ExclusionGate): Promise<void> {
        let dropped = false;
        for (const path of [...this.known.keys()]) {
            if (!gate.isExcluded(path)) continue;
            this.remove(path, false);
            dropped = true;
        }
        if (dropped) this.vacuum();
        for (const entry of await this.vault.list()) {
            if (isMarkdownPath(entry.path) && !this.known.has(entry.path) && !gate.isExcluded(entry.path)) {
                this.pending.add(entry.path);
            }
        }
    }

    /** Reads `paths` again and puts each in or out of the index by what the gate says of its text now. */
    private async refresh(paths: string[], gate: ExclusionGate): Promise<void> {
        const texts = await Promise.all(
            paths.map((path) =>
                !isMarkdownPath(path) || gate.isExcluded(path) ? Promise.resolve(null) : this.readOrNull(path),
            ),
        );
        let dropped = false;
        paths.forEach((path, i) => {
            const text = texts[i] ?? null;
            if (text === null || gate.isTextExcluded(path, text)) {
                if (this.known.has(path)) dropped = true;
                this.remove(path, false);
                return;
            }
            // Obsidian's metadata may lag the event; the text just read is parsed itself.
            this.add(path, text, false);
        });
        // Terms of a note that left are cleaned out of the index now, not at some later threshold.
        if (dropped) this.vacuum();
    }

    private add(path: string, text: string, building: boolean): void {
        const doc = noteDocument(path, text, building ? this.vault.metadata(path) : undefined);
        if (this.known.has(path)) this.remove(path, false);
        this.index.add(doc);
        const tags = doc.tags === '' ? NO_TAGS : doc.tags.split('\n');
        this.known.set(path, tags);
        for (const tag of tags) {
            let set = this.byTag.get(tag);
            if (set === undefined) this.byTag.set(tag, (set = new Set()));
            set.add(path);
        }
    }

    private remove(path: string, vacuum: boolean): void {
        const tags = this.known.get(path);
        if (tags === undefined) return;
        this.index.discard(path);
        this.known.delete(path);
        for (const tag of tags) {
            const set = this.byTag.get(tag);
            set?.delete(path);
            if (set?.size === 0) this.byTag.delete(tag);
        }
        if (vacuum) this.vacuum();
    }

    private vacuum(): void {
        void this.index.vacuum({ batchSize: 5_000, batchWait: 0 }).catch(() => undefined);
    }

    private onChange(event: VaultChange): void {
        if (event.type === 'rename') this.pending.add(event.oldPath);
        this.pending.add(event.path);
    }

    private async readOrNull(path: string): Promise<string | null> {
        try {
            return await this.vault.read(path);
        } catch (error) {
            if (error instanceof VaultError) return null;
            throw error;
        }
    }
}

/** A fresh index with the fields, boosts and term rules of this module. */
export function newNoteIndex(): TermIndex<NoteDocument> {
    return new TermIndex<NoteDocument>(noteIndexOptions());
}

/** The index's fields, boosts and term rules (exported for the test that compares `TermIndex` with MiniSearch). */
export function noteIndexOptions(): Options<NoteDocument> {
    return {
        fields: [...NOTE_FIELDS],
        idField: 'id',
        storeFields: [],
        // `TermIndex` counts a note's terms itself (`TermCounter`: the words, normalised); a query's words are
        // normalised before they reach the index (`queryTerms`), so a search only splits them again.
        processTerm: (term: string) => term,
        autoVacuum: { minDirtCount: 200, minDirtFactor: 0.05, batchSize: 5_000, batchWait: 0 },
        searchOptions: {
            boost: { ...FIELD_BOOSTS },
            combineWith: 'OR',
            tokenize: (query: string) => query.split(' '),
            maxFuzzy: 1,
            weights: { fuzzy: 0.4, prefix: 0.6 },
        },
    };
}

/** A MiniSearch result as a ranked note; notes that match more of the query's terms rank higher. */
function ranked(result: SearchResult, queryTermCount: number): RankedNote {
    const fields = new Set<string>();
    for (const matched of Object.values(result.match)) for (const field of matched) fields.add(field);
    const matchedQueryTerms = new Set(result.queryTerms).size;
    const coverage = matchedQueryTerms / queryTermCount;
    return {
        path: result.id as string,
        score: result.score * (0.25 + coverage * coverage),
        fields: NOTE_FIELDS.filter((field) => fields.has(field)),
        terms: result.terms,
        matchedQueryTerms,
    };
}
