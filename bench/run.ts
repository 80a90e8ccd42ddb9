/**
 * `npm run bench`: builds, then measures every row in `bench/rows/` on a seeded synthetic vault and prints one
 * table (name | figure | target | pass/fail). Results also go to `bench/out/results.json`.
 *
 * Flags: `--quick` (2,000 notes instead of 20,000, for CI), `--json` (print the JSON instead of the table),
 * `--only <text>` (rows whose name contains the text), `--notes <n>`, `--seed <n>`.
 * Exits with 1 when a row misses its target.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FsVault } from '../src/vault/fs-vault-node';
import type { BenchContext, BenchResult } from './bench-row';
import { BENCH_CONFIG_DIR, cachedVault } from './generate-vault';
import { BENCH_ROWS } from './rows/index';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = dirname(BENCH_DIR);

interface Options {
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
    const quick = args.includes('--quick');
    return {
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

function verdict(result: BenchResult): string {
    return result.pass === null ? 'report' : result.pass ? 'pass' : 'FAIL';
}

function table(rows: { name: string; result: BenchResult }[]): string {
    const cells = [
        ['name', 'figure', 'target', 'pass/fail'],
        ...rows.map(({ name, result }) => [name, formatValue(result), result.target, verdict(result)]),
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
    const loadAtStart = loadavg()[0] ?? 0;
    const generationStarted = performance.now();
    const vault = cachedVault({ notes: options.notes, seed: options.seed });
    const generationMs = performance.now() - generationStarted;
    let opened: Promise<FsVault> | null = null;
    const context: BenchContext = {
        quick: options.quick,
        repoRoot: REPO_ROOT,
        vault,
        configDir: BENCH_CONFIG_DIR,
        openVault: () => (opened ??= FsVault.open(vault.root, { configDir: BENCH_CONFIG_DIR })),
    };
    const rows: { name: string; result: BenchResult }[] = [];
    for (const row of BENCH_ROWS) {
        if (options.only !== null && !row.name.includes(options.only)) continue;
        if (!options.json) process.stderr.write(`running: ${row.name}\n`);
        let result: BenchResult;
        try {
            result = await row.run(context);
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            result = { value: Number.NaN, unit: '', target: '', pass: false, note: `error: ${message}` };
        }
        rows.push({ name: row.name, result });
    }
    const report = {
        date: new Date().toISOString(),
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
        rows: rows.map(({ name, result }) => ({
            name,
            ...result,
            value: Number.isNaN(result.value) ? null : result.value,
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
                `load average ${loadAtStart.toFixed(1)} on ${cpus().length} cores at start\n\n`,
        );
        process.stdout.write(table(rows) + '\n');
    }
    process.exitCode = rows.some(({ result }) => result.pass === false) ? 1 : 0;
}

await main();
