/**
 * `npm run bench`: builds, then measures every row in `bench/rows/` on a seeded synthetic vault and prints one
 * table (name | figure | target | pass/fail). Results also go to `bench/out/results.json`.
 *
 * Flags: `--ci` (2,000 notes, fewer repetitions; rows whose targets are for 20,000 notes are reported, not checked;
 * a noisy row that misses is measured twice more and reported by its median attempt, and one that still misses is reported as "missed (timing)" without failing
 * the run), `--quick` (the small vault, every target checked), `--json` (print the JSON
 * instead of the table), `--only <text>` (rows whose name contains the text), `--notes <n>`, `--seed <n>`.
 * Exits with 1 when a checked row misses its target (in `--ci`, a deterministic row).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsVault } from '../src/vault/fs-vault-node';
import type { BenchContext, BenchResult, BenchRow } from './bench-row';
import { BENCH_CONFIG_DIR, cachedVault } from './generate-vault';
import { BENCH_ROWS } from './rows/index';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);

interface Options {
    ci: boolean;
    quick: boolean;
    json: boolean;
    only: string | null;
    notes: number;
    seed: number;
}

function parseArgs(args: string[]): Options {
    const value = (name: string): string | undefined => {
        const at = args.indexOf(name);
        return at === -1 ? undefined : args[at + 1];
    };
    const ci = args.includes('--ci');
    const quick = ci || args.includes('--quick');
    return {
        ci,
        quick,
        json: args.includes('--json'),
        only: value('--only') ?? null,
        notes: Number(value('--notes') ?? (quick ? 2_000 : 20_000)),
        seed: Number(value('--seed') ?? 1),
    };
}

function formatValue(result: BenchResult): string {
    if (Number.isNaN(result.value)) return 'n/a';
    const digits = result.value >= 100 ? 0 : result.value >= 10 ? 1 : 2;
    const number = result.value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    return `${number} ${result.unit}`;
}

/** One measured row as the table and the JSON show it. */
interface MeasuredRow {
    name: string;
    result: BenchResult;
    /** False when `--ci` reported the figure without checking its full-size target. */
    checked: boolean;
    /** Attempts it took (a noisy row that misses in `--ci` runs 3 times). */
    runs: number;
    /** A wall-clock row measured in `--ci`: a miss is reported, but does not fail CI (see `gates`). */
    timingInCi: boolean;
}

/**
 * Whether a miss fails the run. On CI's shared 2-core machine a wall-clock ratio (throughput, search vs ripgrep) says as
 * much about the neighbours as about us, so there a timing row's miss is reported in the table and JSON, not gating;
 * deterministic rows (size, cache share, request counts, compaction) gate everywhere, and every row gates outside CI.
 */
function gates(row: MeasuredRow): boolean {
    return row.checked && row.result.pass === false && !row.timingInCi;
}

function verdict({ result, checked, timingInCi }: MeasuredRow): string {
    if (!checked) return 'not checked in CI';
    if (timingInCi && result.pass === false) return 'missed (timing)';
    return result.pass === null ? 'report' : result.pass ? 'pass' : 'FAIL';
}

async function measure(row: BenchRow, context: BenchContext): Promise<BenchResult> {
    try {
        return await row.run(context);
    } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { value: Number.NaN, unit: '', target: '', pass: false, note: `error: ${message}` };
    }
}

/**
 * Runs a row; in CI a noisy one that misses is measured twice more and reported by its median attempt, with every
 * attempt's figure in the note (never the best of them), and a full-size one unchecked.
 */
async function measureRow(row: BenchRow, context: BenchContext, ci: boolean): Promise<MeasuredRow> {
    let result = await measure(row, context);
    let runs = 1;
    if (ci && row.noisy === true && result.pass === false && !(result.note ?? '').startsWith('error:')) {
        const attempts = [result, await measure(row, context), await measure(row, context)];
        runs = attempts.length;
        const sorted = [...attempts].sort((a, b) =>
            Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : a.value - b.value,
        );
        const middle = sorted[1] ?? result;
        const figures = attempts.map((attempt) => attempt.value.toPrecision(3)).join(', ');
        result = { ...middle, note: `median of ${runs} attempts (CI: ${figures}); ${middle.note ?? ''}` };
    }
    if (ci && row.fullSizeOnly === true) {
        const note = `not checked in CI: the target is for the 20,000-note vault; ${result.note ?? ''}`;
        return { name: row.name, result: { ...result, pass: null, note }, checked: false, runs, timingInCi: false };
    }
    return { name: row.name, result, checked: true, runs, timingInCi: ci && row.noisy === true };
}

function table(rows: MeasuredRow[]): string {
    const cells = [
        ['name', 'figure', 'target', 'pass/fail'],
        ...rows.map((row) => [row.name, formatValue(row.result), row.result.target, verdict(row)]),
    ];
    const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
    const line = (row: string[]): string => `| ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
    const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
    const notes = rows
        .map(({ name, result }, i) => (result.note ? `  [${i + 1}] ${name}: ${result.note}` : ''))
        .filter(Boolean);
    return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line), '', ...notes].join('\n');
}

async function main(): Promise<void> {
    const options = parseArgs(process.argv.slice(2));
    // The servers and commands the rows start keep their per-user state (note index snapshots) in a folder of this run,
    // never in the real user's: removed at the end, so no run leans on what an earlier one left.
    const state = await mkdtemp(join(tmpdir(), 'vault-agent-bench-user-state-'));
    process.env.XDG_CONFIG_HOME = state;
    try {
        await measureAll(options);
    } finally {
        await rm(state, { recursive: true, force: true });
    }
}

async function measureAll(options: Options): Promise<void> {
    const loadAtStart = loadavg()[0] ?? 0;
    const generationStarted = performance.now();
    const vault = cachedVault({ notes: options.notes, seed: options.seed });
    const generationMs = performance.now() - generationStarted;
    let opened: Promise<FsVault> | null = null;
    const context: BenchContext = {
        quick: options.quick,
        ci: options.ci,
        repoRoot: REPO_ROOT,
        vault,
        configDir: BENCH_CONFIG_DIR,
        // Warm: every note read and parsed, as Obsidian's metadata cache is once the layout is ready (the open itself
        // only walks, and reads the notes after it in the background; decision 0025).
        openVault: () =>
            (opened ??= FsVault.open(vault.root, { configDir: BENCH_CONFIG_DIR }).then(async (opened) => {
                await opened.settle(undefined, undefined, Number.POSITIVE_INFINITY);
                return opened;
            })),
    };
    const rows: MeasuredRow[] = [];
    const started = performance.now();
    for (const row of BENCH_ROWS) {
        if (options.only !== null && !row.name.includes(options.only)) continue;
        if (!options.json) process.stderr.write(`running: ${row.name}\n`);
        rows.push(await measureRow(row, context, options.ci));
    }
    const report = {
        date: new Date().toISOString(),
        mode: options.ci ? 'ci' : options.quick ? 'quick' : 'full',
        machine: {
            cores: cpus().length,
            cpu: cpus()[0]?.model ?? 'unknown',
            memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
            node: process.version,
            platform: `${process.platform}-${process.arch}`,
        },
        durationMs: Math.round(performance.now() - started),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        /** Other work on the machine inflates every wall-clock figure; recorded so readers can tell. */
        loadAtStart: Math.round(loadAtStart * 100) / 100,
        quick: options.quick,
        vault: {
            notes: vault.notes,
            attachments: vault.attachments,
            privateNotes: vault.privateNotes,
            bytes: vault.bytes,
            seed: vault.seed,
            reused: vault.cached,
            generationMs,
        },
        rows: rows.map(({ name, result, checked, runs, timingInCi }) => ({
            name,
            ...result,
            value: Number.isNaN(result.value) ? null : result.value,
            checked,
            runs,
            gating: !timingInCi,
        })),
    };
    await mkdir(join(BENCH_DIR, 'out'), { recursive: true });
    await writeFile(join(BENCH_DIR, 'out', 'results.json'), JSON.stringify(report, null, 2) + '\n');
    if (options.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
        const source = vault.cached ? 'reused' : `generated in ${Math.round(generationMs)} ms`;
        process.stdout.write(
            `Vault: ${vault.notes} notes, ${vault.attachments} attachments, seed ${vault.seed} (${source}); ` +
                `load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores at start` +
                `${options.ci ? '; CI mode' : ''}\n\n`,
        );
        process.stdout.write(table(rows) + '\n');
    }
    process.exitCode = rows.some(gates) ? 1 : 0;
}

await main();
