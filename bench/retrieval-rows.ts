/**
 * Ranked retrieval (`find_notes`), measured in a fresh process per vault (`retrieval-child.ts`): quality on the
 * labelled topics against the plain substring search, cold build time, query p95 and the index's heap at 20,000
 * notes, and the same speed figures at 100,000 notes in the full run only (that vault takes minutes to generate).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchContext, BenchResult, BenchRow } from './bench-row';
import { cachedVault } from './generate-vault';

const run = promisify(execFile);

/** What one child run measured. */
interface Measured {
    notes: number;
    queries: number;
    buildMs: number;
    heap: number;
    p50: number;
    p95: number;
    find: { recall: number; ndcg: number };
    substring: { recall: number; ndcg: number };
}

const runs = new Map<string, Promise<Measured>>();

/** One child run per vault root and bench run, shared by the rows that report its figures. */
function measured(context: BenchContext, root: string): Promise<Measured> {
    let result = runs.get(root);
    if (result === undefined) {
        const child = join(context.repoRoot, 'bench', 'retrieval-child.ts');
        result = run(process.execPath, ['--expose-gc', '--import', 'tsx', child, root, context.configDir], {
            cwd: context.repoRoot,
            maxBuffer: 1 << 20,
            timeout: 15 * 60_000,
        }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Measured);
        runs.set(root, result);
    }
    return result;
}

const BIG_NOTES = 100_000;

/** recall@10 of `find_notes` on the labelled queries, with the substring search's beside it. */
export const retrievalRecallRow: BenchRow = {
    name: 'find_notes recall@10 (vs substring search)',
    async run(context): Promise<BenchResult> {
        const m = await measured(context, context.vault.root);
        const lead = m.find.recall - m.substring.recall;
        return {
            value: m.find.recall,
            unit: '',
            target: '≥ 0.9 and ≥ 0.3 above substring',
            pass: m.find.recall >= 0.9 && lead >= 0.3,
            note:
                `substring search (search_notes, same words) ${m.substring.recall.toFixed(3)}; ` +
                `${m.queries} labelled queries, 6 relevant notes each, ${m.notes} notes indexed`,
        };
    },
};

/** nDCG@10 of both, reported. */
export const retrievalNdcgRow: BenchRow = {
    name: 'find_notes nDCG@10 (vs substring search)',
    async run(context): Promise<BenchResult> {
        const m = await measured(context, context.vault.root);
        return {
            value: m.find.ndcg,
            unit: '',
            target: 'report',
            pass: null,
            note: `substring search ${m.substring.ndcg.toFixed(3)} (its matches in path order: it does not rank)`,
        };
    },
};

/** Cold build of the index at 20,000 notes. */
export const retrievalBuildRow: BenchRow = {
    name: 'relevance index build (cold)',
    async run(context): Promise<BenchResult> {
        const m = await measured(context, context.vault.root);
        return {
            value: m.buildMs,
            unit: 'ms',
            target: '≤ 3000 ms at 20,000 notes',
            pass: m.buildMs <= 3_000,
            note: `${m.notes} notes read through FsVault (opened already) and indexed; fresh process`,
        };
    },
};

/** `find_notes` per query, end to end (ranking, reading the shown notes, the read-time gate check, snippets). */
export const retrievalQueryRow: BenchRow = {
    name: 'find_notes query (p95)',
    async run(context): Promise<BenchResult> {
        const m = await measured(context, context.vault.root);
        return {
            value: m.p95,
            unit: 'ms',
            target: '≤ 15 ms at 20,000 notes',
            pass: m.p95 <= 15,
            note: `p50 ${m.p50.toFixed(2)} ms; ${m.queries} queries × 3 rounds through the tool, 10 results each`,
        };
    },
};

/** Heap the index holds. */
export const retrievalMemoryRow: BenchRow = {
    name: 'relevance index memory (heap)',
    async run(context): Promise<BenchResult> {
        const m = await measured(context, context.vault.root);
        const mb = m.heap / 1e6;
        return {
            value: mb,
            unit: 'MB',
            target: '≤ 150 MB at 20,000 notes',
            pass: mb <= 150,
            note: `heap after forced GC, after minus before the build; ${(m.heap / 1024 / m.notes || 0).toFixed(1)} KB per note`,
        };
    },
};

/** Build and query p95 at 100,000 notes: full runs only. */
export const retrievalBigRow: BenchRow = {
    name: 'find_notes at 100,000 notes: query p95 (build)',
    async run(context): Promise<BenchResult> {
        const target = '≤ 50 ms (build ≤ 15 s)';
        if (context.quick) {
            return { value: Number.NaN, unit: 'ms', target, pass: null, note: 'full run only (not --ci or --quick)' };
        }
        const big = cachedVault({ notes: BIG_NOTES, seed: context.vault.seed });
        const m = await measured(context, big.root);
        return {
            value: m.p95,
            unit: 'ms',
            target,
            pass: m.p95 <= 50 && m.buildMs <= 15_000,
            note:
                `build ${(m.buildMs / 1000).toFixed(1)} s, heap ${(m.heap / 1e6).toFixed(0)} MB, recall@10 ` +
                `${m.find.recall.toFixed(3)}; ${m.notes} notes`,
        };
    },
};
