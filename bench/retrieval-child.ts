/**
 * Runs in a fresh `node --expose-gc` process for the retrieval rows: opens the generated vault, builds the relevance
 * index cold (timed; heap after a forced GC before and after), then asks every labelled query (`search-topics.ts`)
 * through the real `find_notes` tool, and through `search_notes` with the same words for the substring baseline.
 * Prints one JSON line: build ms, index heap bytes, find_notes p50/p95 (3 rounds), recall@10 and nDCG@10 of both.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNotesTool } from '../src/agent/tools/find-tools';
import { ReadLedger } from '../src/agent/tools/read-ledger';
import { searchNotesTool } from '../src/agent/tools/search-tools';
import type { ToolContext } from '../src/agent/tools/tool';
import { ExclusionGate } from '../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import { NoteSearch } from '../src/search/note-search';
import { FsVault } from '../src/vault/fs-vault-node';
import { TOPICS_FILE } from './generate-vault';
import { qualityOf } from './retrieval-quality';
import type { LabelledQuery } from './search-topics';

const [root, configDir] = process.argv.slice(2);
if (root === undefined || configDir === undefined) throw new Error('usage: retrieval-child <vault root> <configDir>');
const gc = (global as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const settle = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
};

const labelled = JSON.parse(await readFile(join(root, TOPICS_FILE), 'utf8')) as LabelledQuery[];
const vault = await FsVault.open(root, { configDir });
// The vault reads and parses every note first, as it does in the background after opening (decision 0025): the row
// times the index's own build, as it did when the open did that reading itself.
await vault.settle(undefined, undefined, Number.POSITIVE_INFINITY);
const gate = new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
const before = settle();
const search = new NoteSearch({ vault, gate: () => gate });
const started = performance.now();
await search.ready();
const buildMs = performance.now() - started;
const heap = settle() - before;

const context: ToolContext = { vault, gate, reads: new ReadLedger(), changes: null, turnId: 'bench', search };
const RESULT_LINE = /^\d+\. (.+?) \(matched: /u;
const MATCH_LINE = /^(.+?\.md):\d+: /u;
const times: number[] = [];
const found: string[][] = [];
for (let round = 0; round < 3; round++) {
    for (const { query } of labelled) {
        const t = performance.now();
        const result = await findNotesTool.run({ query, limit: 10 }, context);
        times.push(performance.now() - t);
        if (round > 0) continue;
        found.push(
            result.content
                .split('\n')
                .map((line) => RESULT_LINE.exec(line)?.[1])
                .filter((path): path is string => path !== undefined),
        );
    }
}
const substring: string[][] = [];
for (const { query } of labelled) {
    const result = await searchNotesTool.run({ query, limit: 200 }, context);
    const paths: string[] = [];
    for (const line of result.content.split('\n')) {
        const path = MATCH_LINE.exec(line)?.[1];
        if (path !== undefined && !paths.includes(path)) paths.push(path);
    }
    substring.push(paths);
}
times.sort((a, b) => a - b);
const at = (p: number): number => times[Math.min(times.length - 1, Math.floor(times.length * p))] ?? Number.NaN;
process.stdout.write(
    JSON.stringify({
        notes: search.size,
        queries: labelled.length,
        buildMs,
        heap,
        p50: at(0.5),
        p95: at(0.95),
        find: qualityOf(labelled, found),
        substring: qualityOf(labelled, substring),
    }) + '\n',
);
search.dispose();
