/**
 * The job queue through the product (issue #22): the built `dist/cli.js run` as a real child process on a copy of the
 * generated vault with 32 (and 100) job notes added, concurrency 8, against the local Messages API in a worker thread
 * answering every request 400 ms after it arrived. The figure is the wall time against the ideal schedule
 * (ceil(jobs / 8) × 400 ms).
 *
 * Start-up is excluded, and defined as everything before the FIRST model request reaches the server (process start,
 * module loading, the vault scan, settings, the jobs folder's first read). The clock stops when the process exits, so
 * everything after the first request counts: starting the other jobs, leases, job-note and result-note writes, undo
 * records, the summary and the shutdown. Several runs, each on fresh job notes and a fresh per-user state folder;
 * median and range. stderr is a pipe (as under cron or a log file), so no spinner is drawn.
 *
 * A variant runs in a lived-in vault: 3,000 notes loose at the root, where many real vaults keep them, and, as after a
 * year of jobs, 5,000 earlier results in the output folder and 5,000 finished job notes in the jobs folder. A job looks
 * up the vault's instruction notes at the root and writes its result beside the earlier ones, and the queue lists
 * every job note; none of this may cost much more as those folders grow. The device's spend ledger holds a month of a
 * busy queue's model calls (30,000 entries), which every call of every job adds to.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderJobNote } from '../../src/delegate/job-spec';
import { median, type BenchContext, type BenchResult, type BenchRow } from '../bench-row';
import { startWorkerServer } from '../queue-throughput';

const CONCURRENCY = 8;
const LATENCY_MS = 400;
const LIMIT = 1.1;
const JOBS_FOLDER = 'Agent/Jobs';
/** Where jobs write their results by default. */
const OUTPUT_FOLDER = 'Agent/Outputs';

/** What the vault holds besides the generated notes. */
interface LivedIn {
    /** Notes loose at the vault's root. */
    looseAtRoot: number;
    /** Results of earlier jobs in the output folder. */
    earlierResults: number;
    /** Finished job notes in the jobs folder. */
    finishedJobs: number;
    /** Entries in the device's spend ledger, spread over the last 30 days (one per model call of earlier jobs). */
    spendEntries: number;
}

const DAY_MS = 86_400_000;

const TIDY: LivedIn = { looseAtRoot: 0, earlierResults: 0, finishedJobs: 0, spendEntries: 0 };

/** One run of `vault-agent run`. */
interface CliQueueRun {
    /** First model request at the server to process exit. */
    wallMs: number;
    /** Spawn to the first model request (excluded from `wallMs`). */
    startupMs: number;
    /** The summary line on stderr to process exit (included in `wallMs`). */
    tailMs: number;
    /** Jobs the summary reports done. */
    done: number;
    /** Model requests the server received. */
    requests: number;
    /** When each model request arrived, ms after the first. */
    arrivals: number[];
    /** The process's exit code. */
    code: number | null;
    stderr: string;
}

/** Writes `jobs` fresh job notes into the vault copy, after removing the previous run's jobs and results. */
async function freshJobs(root: string, jobs: number, lived: LivedIn): Promise<void> {
    await rm(join(root, 'Agent'), { recursive: true, force: true });
    await mkdir(join(root, JOBS_FOLDER), { recursive: true });
    await mkdir(join(root, OUTPUT_FOLDER), { recursive: true });
    const now = Date.now();
    for (let i = 0; i < lived.finishedJobs; i++) {
        const queued = renderJobNote(
            { title: `Earlier job ${i}`, brief: `Summarise earlier item ${i}.` },
            now - DAY_MS,
        );
        const done = queued.replace(/^status: queued$/mu, 'status: done');
        if (done === queued) throw new Error('a job note without "status: queued"');
        await writeFile(join(root, JOBS_FOLDER, `Earlier job ${i}.md`), done);
    }
    for (let i = 0; i < lived.earlierResults; i++) {
        await writeFile(join(root, OUTPUT_FOLDER, `Earlier job ${i} (job-${i.toString(16)}).md`), `Result ${i}\n`);
    }
    for (let i = 0; i < jobs; i++) {
        const note = renderJobNote({ title: `Job ${i}`, brief: `Summarise item ${i} in one line.` }, now);
        await writeFile(join(root, JOBS_FOLDER, `Job ${i}.md`), note);
    }
}

/** A spend ledger (one JSON entry per line) of `count` earlier model calls over the last 30 days, oldest first. */
async function writeSpendLedger(stateDir: string, count: number): Promise<void> {
    if (count === 0) return;
    await mkdir(stateDir, { recursive: true });
    const now = Date.now();
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
        const entry = {
            time: now - Math.round(((count - i) / count) * 30 * DAY_MS),
            usd: 0.0123,
            model: 'claude-sonnet-test',
            scope: { kind: 'job', id: `job-earlier-${i.toString(16)}` },
            inputTokens: 1_234,
            outputTokens: 456,
            cacheReadTokens: 7_890,
            cacheWriteTokens: 12,
        };
        lines.push(`${JSON.stringify(entry)}\n`);
    }
    await writeFile(join(stateDir, 'spend.json'), lines.join(''));
}

async function runOnce(
    context: BenchContext,
    root: string,
    jobs: number,
    cliArgs: string[],
    lived: LivedIn,
): Promise<CliQueueRun> {
    await freshJobs(root, jobs, lived);
    const home = await mkdtemp(join(tmpdir(), 'vault-agent-bench-home-'));
    await writeSpendLedger(join(home, 'config', 'vault-agent'), lived.spendEntries);
    const server = await startWorkerServer(LATENCY_MS, 0);
    try {
        const spawned = Date.now();
        const { code, exited, summaryAt, stderr } = await new Promise<{
            code: number | null;
            exited: number;
            summaryAt: number;
            stderr: string;
        }>((resolve, reject) => {
            const child = spawn(
                process.execPath,
                [
                    ...cliArgs,
                    join(context.repoRoot, 'dist', 'cli.js'),
                    'run',
                    '--vault',
                    root,
                    '--config-dir',
                    context.configDir,
                    '--default-settings',
                    '--concurrency',
                    String(CONCURRENCY),
                ],
                {
                    cwd: home,
                    env: {
                        PATH: process.env.PATH ?? '',
                        HOME: home,
                        XDG_CONFIG_HOME: join(home, 'config'),
                        ANTHROPIC_API_KEY: server.apiKey,
                        ANTHROPIC_BASE_URL: server.baseURL,
                    },
                    stdio: ['ignore', 'ignore', 'pipe'],
                },
            );
            let text = '';
            let summary = Number.NaN;
            child.stderr.on('data', (chunk: Buffer) => {
                text += chunk.toString();
                if (Number.isNaN(summary) && /job\(s\) ran|no job ran/u.test(text)) summary = Date.now();
            });
            const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
            child.on('error', reject);
            let exitedAt = Number.NaN;
            child.on('exit', () => (exitedAt = Date.now()));
            // `close` comes after `exit` and after stderr is drained, so the summary line has been seen.
            child.on('close', (exitCode) => {
                clearTimeout(timer);
                resolve({ code: exitCode, exited: exitedAt, summaryAt: summary, stderr: text });
            });
        });
        const times = await server.times();
        const first = times[0] ?? Number.NaN;
        const done = Number(/(\d+) job\(s\) ran: (\d+) done/u.exec(stderr)?.[2] ?? 0);
        return {
            wallMs: exited - first,
            startupMs: first - spawned,
            tailMs: exited - summaryAt,
            done,
            requests: times.length,
            arrivals: times.map((time) => time - first),
            code,
            stderr,
        };
    } finally {
        await server.close();
        await rm(home, { recursive: true, force: true });
    }
}

/**
 * Runs the built `run` `runs` times on a copy of the bench vault with `jobs` job notes. `cliArgs` go to node before
 * the script (e.g. `--cpu-prof`). Exported for profiling by hand.
 */
export async function measureCliQueue(
    context: BenchContext,
    jobs: number,
    runs: number,
    cliArgs: string[] = [],
    lived: LivedIn = TIDY,
): Promise<CliQueueRun[]> {
    const root = await mkdtemp(join(tmpdir(), 'vault-agent-bench-queue-'));
    try {
        await cp(context.vault.root, root, { recursive: true });
        for (let i = 0; i < lived.looseAtRoot; i++) {
            await writeFile(join(root, `Loose note ${i}.md`), `# Loose note ${i}\n`);
        }
        const results: CliQueueRun[] = [];
        for (let i = 0; i < runs; i++) results.push(await runOnce(context, root, jobs, cliArgs, lived));
        return results;
    } finally {
        await rm(root, { recursive: true, force: true });
    }
}

function queueRow(jobs: number, lived: LivedIn = TIDY): BenchRow {
    const where = lived === TIDY ? '' : ', lived-in vault';
    return {
        name: `queue through built run (${jobs} jobs × ${CONCURRENCY}${where})`,
        async run(context): Promise<BenchResult> {
            const ideal = Math.ceil(jobs / CONCURRENCY) * LATENCY_MS;
            const runs = await measureCliQueue(context, jobs, context.quick ? 3 : 5, [], lived);
            const broken = runs.find((run) => run.code !== 0 || run.done !== jobs || run.requests !== jobs);
            if (broken !== undefined) {
                throw new Error(
                    `run exited ${broken.code} with ${broken.done}/${jobs} done and ${broken.requests} requests: ` +
                        broken.stderr.slice(-400),
                );
            }
            const ratios = runs.map((run) => run.wallMs / ideal);
            const sorted = [...ratios].sort((a, b) => a - b);
            const ratio = median(ratios);
            const ms = (values: number[]): string => median(values).toFixed(0);
            return {
                value: ratio,
                unit: '× ideal',
                target: `≤ ${LIMIT}× ideal`,
                pass: ratio <= LIMIT,
                note:
                    `median of ${runs.length} runs, range ${sorted[0]?.toFixed(3)}–${sorted.at(-1)?.toFixed(3)}×; ` +
                    `${ms(runs.map((run) => run.wallMs))} ms from the first model request reaching the server to the ` +
                    `process's exit (start-up before it excluded: ${ms(runs.map((run) => run.startupMs))} ms; after ` +
                    `the summary line: ${ms(runs.map((run) => run.tailMs))} ms); ideal ceil(${jobs}/${CONCURRENCY}) ` +
                    `× ${LATENCY_MS} ms = ${ideal} ms; built dist/cli.js run in a child process on a copy of the ` +
                    `${context.vault.notes}-note vault${lived === TIDY ? '' : ` with ${lived.looseAtRoot} more notes at its root, ${lived.earlierResults} earlier results in the output folder, ${lived.finishedJobs} finished jobs in the jobs folder and ${lived.spendEntries} entries of the last 30 days in the spend ledger`}, ` +
                    `stderr a pipe, ${jobs}/${jobs} done`,
            };
        },
    };
}

/** 32 jobs at concurrency 8, the case issue #22 measured. */
export const queueCliRow = queueRow(32);

/** 100 jobs at concurrency 8, as the in-process row. */
export const queueCliLongRow = queueRow(100);

/** 32 jobs in a lived-in vault. */
export const queueCliLivedInRow = queueRow(32, {
    looseAtRoot: 3_000,
    earlierResults: 5_000,
    finishedJobs: 5_000,
    spendEntries: 30_000,
});
