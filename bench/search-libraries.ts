/**
 * The measurement behind decision 0020: MiniSearch, Orama and FlexSearch indexing the same notes of the generated
 * vault (the same six fields, the same weights where the library has them) and answering the labelled queries of
 * `search-topics.ts`. Reports per library: recall@10 and nDCG@10, build time, query p95, heap held by the index, and
 * the minified size it adds to a bundle. Not a row of `npm run bench` (only MiniSearch ships); run it by hand:
 *
 *     node --expose-gc --import tsx bench/search-libraries.ts [--notes 20000] [--seed 1]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import { Charset, Document } from 'flexsearch';
import MiniSearch from 'minisearch';
import { ExclusionGate } from '../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import { FIELD_BOOSTS, NOTE_FIELDS, noteDocument, type NoteDocument } from '../src/search/note-document';
import { NoteSearch } from '../src/search/note-search';
import { FsVault } from '../src/vault/fs-vault-node';
import { BENCH_CONFIG_DIR, cachedVault, TOPICS_FILE } from './generate-vault';
import { qualityOf } from './retrieval-quality';
import type { LabelledQuery } from './search-topics';

interface Candidate {
    name: string;
    /** Builds the index over `docs`; returns the query function. */
    build(docs: NoteDocument[]): Promise<(query: string) => string[]> | ((query: string) => string[]);
    /** An entry that imports what the candidate uses, for the bundle size. */
    entry: string;
}

const CANDIDATES: Candidate[] = [
    {
        name: 'minisearch (as shipped: src/search)',
        entry: `import MiniSearch from 'minisearch'; globalThis.x = MiniSearch;`,
        build: () => {
            throw new Error('built through NoteSearch');
        },
    },
    {
        name: 'minisearch (library defaults + boosts)',
        entry: `import MiniSearch from 'minisearch'; globalThis.x = MiniSearch;`,
        build(docs) {
            const index = new MiniSearch<NoteDocument>({
                fields: [...NOTE_FIELDS],
                searchOptions: { boost: { ...FIELD_BOOSTS }, prefix: true, fuzzy: 0.2 },
            });
            index.addAll(docs);
            return (query) =>
                index
                    .search(query)
                    .slice(0, 10)
                    .map((r) => r.id as string);
        },
    },
    {
        name: 'orama',
        entry: `import { create, insertMultiple, search } from '@orama/orama'; globalThis.x = [create, insertMultiple, search];`,
        async build(docs) {
            const schema = Object.fromEntries(NOTE_FIELDS.map((field) => [field, 'string'])) as Record<
                (typeof NOTE_FIELDS)[number],
                'string'
            >;
            const db = create({ schema: { ...schema, path: 'string' }, components: { tokenizer: { stemming: true } } });
            await insertMultiple(
                db,
                docs.map(({ id, ...fields }) => ({ ...fields, path: id })),
                1000,
            );
            return (query) => {
                const found = oramaSearch(db, {
                    term: query,
                    properties: [...NOTE_FIELDS],
                    boost: { ...FIELD_BOOSTS },
                    tolerance: 1,
                    limit: 10,
                });
                if (found instanceof Promise) throw new Error('orama answered asynchronously');
                return found.hits.map((hit) => hit.document.path);
            };
        },
    },
    {
        name: 'flexsearch',
        entry: `import { Document, Charset } from 'flexsearch'; globalThis.x = [Document, Charset];`,
        build(docs) {
            const index = new Document({
                document: { id: 'id', index: [...NOTE_FIELDS] },
                tokenize: 'forward',
                encoder: Charset.LatinBalance,
            });
            for (const doc of docs) index.add(doc as unknown as Record<string, string>);
            return (query) => {
                // No BM25: each field's ranked ids, merged by field weight over rank.
                const scores = new Map<string, number>();
                const perField = index.search({ query, suggest: true, limit: 50 }) as unknown as {
                    field: (typeof NOTE_FIELDS)[number];
                    result: string[];
                }[];
                for (const { field, result } of perField) {
                    result.forEach((id, rank) =>
                        scores.set(id, (scores.get(id) ?? 0) + FIELD_BOOSTS[field] / (1 + rank)),
                    );
                }
                return [...scores]
                    .sort((a, b) => b[1] - a[1])
                    .slice(0, 10)
                    .map(([id]) => id);
            };
        },
    },
];

function arg(name: string): string | undefined {
    const at = process.argv.indexOf(name);
    return at === -1 ? undefined : process.argv[at + 1];
}

function heapMb(): number {
    (global as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed / 1e6;
}

async function bundleKb(entry: string): Promise<number> {
    const out = await build({
        stdin: { contents: entry, resolveDir: process.cwd() },
        bundle: true,
        minify: true,
        write: false,
        format: 'cjs',
        platform: 'browser',
        logLevel: 'silent',
    });
    return (out.outputFiles[0]?.contents.byteLength ?? 0) / 1024;
}

async function main(): Promise<void> {
    const generated = cachedVault({ notes: Number(arg('--notes') ?? 20_000), seed: Number(arg('--seed') ?? 1) });
    const labelled = JSON.parse(await readFile(join(generated.root, TOPICS_FILE), 'utf8')) as LabelledQuery[];
    const vault = await FsVault.open(generated.root, { configDir: BENCH_CONFIG_DIR });
    const gate = new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
    const docs: NoteDocument[] = [];
    for (const entry of await vault.list()) {
        if (!entry.path.endsWith('.md') || gate.isExcluded(entry.path)) continue;
        docs.push(noteDocument(entry.path, await vault.read(entry.path), vault.metadata(entry.path)));
    }
    process.stdout.write(`${docs.length} notes, ${labelled.length} queries\n`);
    process.stdout.write('| library | recall@10 | nDCG@10 | build | query p95 | heap | bundle (min) |\n');
    for (const candidate of CANDIDATES) {
        const before = heapMb();
        const started = performance.now();
        let query: (text: string) => string[];
        let held: unknown;
        if (candidate.name.includes('as shipped')) {
            const search = new NoteSearch({ vault, gate: () => gate });
            await search.ready();
            query = (text) =>
                search
                    .rank(text)
                    .slice(0, 10)
                    .map((r) => r.path);
            held = search;
        } else {
            query = await candidate.build(docs);
            held = query;
        }
        const buildMs = performance.now() - started;
        const heap = heapMb() - before;
        const times: number[] = [];
        const answers: string[][] = [];
        for (let round = 0; round < 3; round++) {
            for (const { query: text } of labelled) {
                const t = performance.now();
                const top = query(text);
                times.push(performance.now() - t);
                if (round === 0) answers.push(top);
            }
        }
        times.sort((a, b) => a - b);
        const quality = qualityOf(labelled, answers);
        const size = await bundleKb(candidate.entry);
        process.stdout.write(
            `| ${candidate.name} | ${quality.recall.toFixed(3)} | ${quality.ndcg.toFixed(3)} | ${buildMs.toFixed(0)} ms | ` +
                `${(times[Math.floor(times.length * 0.95)] ?? 0).toFixed(2)} ms | ${heap.toFixed(0)} MB | ${size.toFixed(1)} KB |\n`,
        );
        if (held === null) process.stdout.write('');
    }
}

await main();
