/**
 * The relevance index's own `add` and compact postings against MiniSearch's (its `add` reading the same terms: the
 * words, normalised): the same notes, added, discarded, searched and vacuumed on both, must give the same index
 * (postings, frequencies, field lengths and averages, as MiniSearch serialises them) and the same results for every
 * query. A MiniSearch upgrade that changes its layout fails here.
 */
import MiniSearch, { type SearchOptions } from 'minisearch';
import { describe, expect, it } from 'vitest';
import { noteDocument, type NoteDocument } from '../../src/search/note-document';
import { newNoteIndex, noteIndexOptions } from '../../src/search/note-search';
import { Postings } from '../../src/search/postings';
import { queryTerms } from '../../src/search/tokens';
import { referenceTerms } from './reference-terms';
import { seededRandom } from '../support/seeded-random';

const WORDS = (
    'pricing objections enterprise customers price priced buyer buyers planning planned garden tomato tomatoes ' +
    'café cafe résumé naïve über Straße 2024 v2 the and of to a notes meeting meetings quarterly roadmap roadmaps ' +
    'analyses analysis focus focuses running runner 東京 日本語 données réunion status done todo project/client-work'
).split(' ');

function noteText(random: () => number, i: number): string {
    const pick = (): string => WORDS[Math.floor(random() * WORDS.length)] as string;
    const sentence = (n: number): string => Array.from({ length: n }, pick).join(' ');
    const parts: string[] = [];
    if (random() < 0.5) {
        parts.push(
            '---',
            `aliases: [${sentence(2)}]`,
            `tags: [${pick().replace(/[^\p{L}\p{N}/]/gu, '')}, topic${i % 7}]`,
            `status: ${pick()}`,
            `score: ${i}`,
            '---',
        );
    }
    if (random() < 0.6) parts.push(`# ${sentence(3)}`);
    const paragraphs = 1 + Math.floor(random() * 4);
    for (let p = 0; p < paragraphs; p++) parts.push(sentence(5 + Math.floor(random() * 60)));
    if (random() < 0.3) parts.push(`## ${sentence(2)}`, `${pick()} ${pick()} ${pick()} #${pick().replace(/\W/gu, '')}`);
    return parts.join('\n\n');
}

function documents(count: number, seed: number): NoteDocument[] {
    const random = seededRandom(seed);
    return Array.from({ length: count }, (_, i) => noteDocument(`Folder ${i % 5}/Note ${i}.md`, noteText(random, i)));
}

const QUERIES = [
    'pricing objections from enterprise customers',
    'cafe',
    'résumé naive',
    'tomato garden planning',
    'analyses focus',
    '2024 roadmap',
    '東京',
    'strasse données',
    'projet clientwork',
    'meetngs quartrly',
];

const SEARCHES: SearchOptions[] = [
    { processTerm: (term: string) => term },
    { processTerm: (term: string) => term, prefix: true },
    { processTerm: (term: string) => term, fuzzy: (term: string) => (term.length >= 6 ? 1 : false) },
    { processTerm: (term: string) => term, fields: ['title', 'aliases', 'headings', 'tags'] },
    { processTerm: (term: string) => term, combineWith: 'AND' },
];

/** Every query under every search option on both indexes, as comparable lists. */
function resultsOf(index: MiniSearch<NoteDocument>): unknown[] {
    return QUERIES.flatMap((query) =>
        SEARCHES.map((options) =>
            index.search(queryTerms(query).join(' '), options).map((result) => ({
                id: result.id as string,
                score: result.score,
                terms: result.terms,
                queryTerms: result.queryTerms,
                match: result.match,
            })),
        ),
    );
}

function serialised(index: MiniSearch<NoteDocument>): string {
    return JSON.stringify(index);
}

describe('TermIndex builds the index MiniSearch builds', () => {
    it('holds the same postings, frequencies and field lengths after adds, discards, searches and a vacuum', async () => {
        const docs = documents(300, 7);
        const theirs = new MiniSearch<NoteDocument>({ ...noteIndexOptions(), tokenize: referenceTerms });
        const ours = newNoteIndex();
        ours.beginBulk();
        for (const doc of docs) {
            theirs.add(doc);
            ours.add(doc);
        }
        ours.endBulk();
        expect(serialised(ours)).toBe(serialised(theirs));
        // Discarded notes' postings are dropped while a search walks them, then by a vacuum; both must agree.
        for (const doc of docs.filter((_, i) => i % 3 === 0)) {
            theirs.discard(doc.id);
            ours.discard(doc.id);
        }
        expect(resultsOf(ours)).toEqual(resultsOf(theirs));
        await Promise.all([theirs.vacuum(), ours.vacuum()]);
        expect(serialised(ours)).toBe(serialised(theirs));
        // Notes added again (the way a changed note comes back) and new ones, without a bulk run.
        const again = [
            ...docs.filter((_, i) => i % 6 === 0),
            ...documents(40, 8).map((d) => ({ ...d, id: `New/${d.id}` })),
        ];
        for (const doc of again) {
            theirs.add(doc);
            ours.add(doc);
        }
        expect(serialised(ours)).toBe(serialised(theirs));
        expect(resultsOf(ours)).toEqual(resultsOf(theirs));
    });

    it('ranks every query exactly as MiniSearch does, and counts document frequency from the same postings', () => {
        const docs = documents(500, 11);
        const theirs = new MiniSearch<NoteDocument>({ ...noteIndexOptions(), tokenize: referenceTerms });
        const ours = newNoteIndex();
        theirs.addAll(docs);
        ours.beginBulk();
        ours.addAll(docs);
        ours.endBulk();
        const results = resultsOf(ours);
        expect(results).toEqual(resultsOf(theirs));
        expect(results.some((list) => (list as unknown[]).length > 0)).toBe(true);
        const withPricing = docs.filter((doc) => queryTerms(doc.body).includes('pric')).length;
        expect(ours.documentFrequency('pric')).toBeGreaterThanOrEqual(withPricing);
        expect(ours.documentFrequency('nosuchterm')).toBe(0);
    });
});

/** What the walks below use of a `Map`, and of `Postings`. */
interface Walked extends Iterable<[number, number]> {
    keys(): Iterable<number>;
    get(id: number): number | undefined;
    set(id: number, frequency: number): unknown;
    delete(id: number): boolean;
}

describe('Postings behave as the Map they stand in for', () => {
    it('answers get, set, delete, size and the walks as a Map does over random operations', () => {
        const random = seededRandom(3);
        const postings = new Postings();
        const map = new Map<number, number>();
        let next = 0;
        for (let step = 0; step < 5_000; step++) {
            const roll = random();
            const id = Math.floor(random() * (next + 5));
            if (roll < 0.5) {
                // Mostly appends of a new, larger id, as MiniSearch adds documents.
                const fresh = next++;
                postings.set(fresh, step);
                map.set(fresh, step);
            } else if (roll < 0.65) {
                // An id anywhere: an update, or an insert between others.
                postings.set(id, step);
                map.set(id, step);
            } else if (roll < 0.85) {
                expect(postings.delete(id)).toBe(map.delete(id));
            } else {
                expect(postings.get(id)).toBe(map.get(id));
            }
            expect(postings.size).toBe(map.size);
        }
        const sorted = [...map].sort((a, b) => a[0] - b[0]);
        expect([...postings]).toEqual(sorted);
        expect([...postings.keys()]).toEqual(sorted.map(([id]) => id));
        // Trimmed after a build, it holds and does the same.
        postings.compact();
        expect([...postings]).toEqual(sorted);
        postings.set(next, 1);
        expect(postings.get(next)).toBe(1);
        expect(postings.size).toBe(map.size + 1);
    });

    it('walks on as a Map does while entries are deleted or appended during the walk', () => {
        const postings = new Postings();
        const map = new Map<number, number>();
        for (let id = 0; id < 50; id++) {
            postings.set(id * 2, id);
            map.set(id * 2, id);
        }
        const walk = (target: Walked): number[] => {
            const visited: number[] = [];
            for (const id of target.keys()) {
                visited.push(id);
                // The entry just visited goes (MiniSearch drops a discarded note's posting while it walks), and so
                // do one ahead and one behind; every tenth visit appends a larger id, which the walk must reach.
                if (id % 6 === 0) target.delete(id);
                if (id % 10 === 0) target.delete(id + 4);
                if (id % 14 === 0) target.delete(id - 2);
                if (id % 20 === 0 && id < 100) target.set(1_000 + id, id);
                // Looking up the entry being visited (MiniSearch does) keeps the walk in place.
                void target.get(id);
            }
            return visited;
        };
        expect(walk(postings)).toEqual(walk(map));
        expect([...postings]).toEqual([...map].sort((a, b) => a[0] - b[0]));
        // The same through `for…of` over the pairs, as MiniSearch's vacuum walks them.
        const pairs = (target: Walked): number[] => {
            const visited: number[] = [];
            for (const [id] of target) {
                visited.push(id);
                if (id % 4 === 0) target.delete(id);
                if (id % 8 === 0) target.delete(id + 2);
            }
            return visited;
        };
        expect(pairs(postings)).toEqual(pairs(map));
        expect([...postings]).toEqual([...map].sort((a, b) => a[0] - b[0]));
    });
});
