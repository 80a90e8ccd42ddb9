/**
 * The vault's MCP server as an MCP client meets it: the built `dist/cli.js mcp` on the generated vault, driven by the
 * official SDK `Client` over stdio (issue #22's rows). Three figures, each from its own server process:
 *
 * - cold start: from spawning the process to the answer of the first `read_note` (what a client waits for when it
 *   starts the server and asks at once);
 * - `search_notes` through MCP against ripgrep on the same files, alternating query by query in one run, the whole
 *   round trip counted (any rescan a call pays included);
 * - the server's peak resident memory (`VmHWM`) after every search query has run three times.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, type BenchContext, type BenchResult, type BenchRow } from '../bench-row';
import { shortNote } from './mcp-read-note';

const run = promisify(execFile);

/** Words of the generated vault: common, rarer, accented, a phrase, and one that is nowhere. */
const QUERIES = ['meeting', 'postmortem', 'Zürich', 'weekly review', 'ångström', 'xqzwvk'];

/** A server process and its client. */
interface Served {
    client: Client;
    pid: number | null;
    stderr(): string;
    close(): Promise<void>;
}

async function serve(context: BenchContext, stateDir?: string): Promise<Served> {
    let stderr = '';
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [
            join(context.repoRoot, 'dist', 'cli.js'),
            'mcp',
            '--vault',
            context.vault.root,
            '--config-dir',
            context.configDir,
            '--default-settings',
        ],
        env: {
            ...process.env,
            VAULT_AGENT_DEBUG: 'scan',
            ...(stateDir === undefined ? {} : { XDG_CONFIG_HOME: stateDir }),
        },
        stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'vault-agent-bench', version: '1' });
    await client.connect(transport);
    return { client, pid: transport.pid, stderr: () => stderr, close: () => client.close() };
}

/** The text of a tool result, or a thrown error when it is one. */
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
    const result = await client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text?: string }[];
    const text = content.map((part) => part.text ?? '').join('\n');
    if (result.isError === true) throw new Error(`${name} failed: ${text}`);
    return text;
}

/** Spawn to the first `read_note` answer: the first start of a vault, and the starts after it (index snapshot). */
export const mcpColdStartRow: BenchRow = {
    name: 'MCP cold start to first answer (built mcp)',
    async run(context): Promise<BenchResult> {
        const limitMs = context.vault.notes > 50_000 ? 3_000 : 1_000;
        const path = shortNote(context.vault.root);
        // A state folder of its own: the first start finds no index snapshot, the later ones find the first's.
        const stateDir = await mkdtemp(join(tmpdir(), 'vault-agent-bench-state-'));
        const start = async (beforeClose?: () => Promise<void>): Promise<number> => {
            const started = performance.now();
            const served = await serve(context, stateDir);
            try {
                await call(served.client, 'read_note', { path });
                const ms = performance.now() - started;
                await beforeClose?.();
                return ms;
            } finally {
                await served.close();
            }
        };
        try {
            // The first server is kept until it wrote the index snapshot: its read may be answered before its
            // opening scan is done, and a client closing it then may end it before it writes one.
            const firstMs = await start(() => waitForSnapshot(stateDir));
            const times: number[] = [];
            const runs = context.quick ? 3 : 5;
            for (let i = 0; i < runs; i++) times.push(await start());
            const sorted = [...times].sort((a, b) => a - b);
            const ms = median(times);
            return {
                value: ms,
                unit: 'ms',
                target: `≤ ${limitMs} ms`,
                pass: ms <= limitMs,
                note:
                    `median of ${runs} fresh processes after the first start, range ${sorted[0]?.toFixed(0)}–` +
                    `${sorted.at(-1)?.toFixed(0)} ms; the first start (no index snapshot yet) ${firstMs.toFixed(0)} ms; ` +
                    `spawn, initialize and one read_note of a short note; ${context.vault.notes} notes`,
            };
        } finally {
            await rm(stateDir, { recursive: true, force: true });
        }
    },
};

/** Waits until the server has written the vault's index snapshot under `stateDir` (it does so on close at the latest). */
async function waitForSnapshot(stateDir: string): Promise<void> {
    const vaults = join(stateDir, 'vault-agent', 'vaults');
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
        if (existsSync(vaults) && readdirSync(vaults).some((name) => existsSync(join(vaults, name, 'index.json'))))
            return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the MCP server wrote no index snapshot');
}

async function ripgrepMs(root: string, query: string): Promise<number> {
    const started = performance.now();
    await run(
        'rg',
        ['--fixed-strings', '--ignore-case', '--line-number', '--no-heading', '--glob', '*.md', '--', query, root],
        { maxBuffer: 1 << 28 },
    ).catch((error: { code?: number }) => {
        // Exit code 1 means "no match", not a failure.
        if (error.code !== 1) throw error;
    });
    return performance.now() - started;
}

/** `search_notes` through MCP against ripgrep, and the server's peak memory after the searches. */
async function searchRound(context: BenchContext): Promise<{
    ours: number[];
    theirs: number[];
    stopped: number;
    peakMb: number | null;
}> {
    const served = await serve(context);
    try {
        // The first call waits for the start-up scan; the figure is the steady state a client meets afterwards.
        await call(served.client, 'read_note', { path: shortNote(context.vault.root) });
        const ours: number[] = [];
        const theirs: number[] = [];
        let stopped = 0;
        const rounds = context.quick ? 2 : 3;
        for (let round = 0; round <= rounds; round++) {
            let ourMs = 0;
            let rgMs = 0;
            for (const query of QUERIES) {
                const started = performance.now();
                const text = await call(served.client, 'search_notes', { query, limit: 50 });
                ourMs += performance.now() - started;
                if (/\[Search stopped/u.test(text)) stopped++;
                rgMs += await ripgrepMs(context.vault.root, query);
            }
            if (round > 0) {
                ours.push(ourMs);
                theirs.push(rgMs);
            }
        }
        return { ours, theirs, stopped, peakMb: peakRssMb(served.pid) };
    } finally {
        await served.close();
    }
}

/** The process's peak resident set in MB (Linux), `null` where `/proc` cannot tell. */
function peakRssMb(pid: number | null): number | null {
    if (pid === null) return null;
    try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = /VmHWM:\s+(\d+) kB/u.exec(status)?.[1];
        return kb === undefined ? null : Number(kb) / 1024;
    } catch {
        return null;
    }
}

/** What the search rounds of several server processes measured. */
interface SearchRuns {
    ours: number[];
    theirs: number[];
    stopped: number;
    /** Each server's peak memory, in the order they ran (`null` where `/proc` cannot tell). */
    peaks: (number | null)[];
}

let lastRuns: Promise<SearchRuns> | null = null;

/**
 * The search rounds of three server processes one after the other (one with `--quick`): both rows read them, the memory
 * figure being each process's peak after its searches (a peak varies with when the collector runs, so one process
 * would not do).
 */
function measured(context: BenchContext): Promise<SearchRuns> {
    lastRuns ??= (async () => {
        const runs: SearchRuns = { ours: [], theirs: [], stopped: 0, peaks: [] };
        for (let i = 0; i < (context.quick ? 1 : 3); i++) {
            const round = await searchRound(context);
            runs.ours.push(...round.ours);
            runs.theirs.push(...round.theirs);
            runs.stopped += round.stopped;
            runs.peaks.push(round.peakMb);
        }
        return runs;
    })();
    return lastRuns;
}

/** `search_notes` over MCP against ripgrep, query by query. */
export const mcpSearchRow: BenchRow = {
    name: 'MCP search_notes vs ripgrep (built mcp)',
    async run(context): Promise<BenchResult> {
        const limit = 1.5;
        const { ours, theirs, stopped } = await measured(context);
        const ratios = ours.map((ms, i) => ms / (theirs[i] ?? Number.NaN));
        const sorted = [...ratios].sort((a, b) => a - b);
        const ratio = median(ratios);
        return {
            value: ratio,
            unit: '× rg',
            target: `≤ ${limit}× ripgrep, no search stopped`,
            pass: ratio <= limit && stopped === 0,
            note:
                `${QUERIES.length} queries per round (${QUERIES.join(', ')}), alternating with rg, median of ` +
                `${ratios.length} rounds, range ${sorted[0]?.toFixed(2)}–${sorted.at(-1)?.toFixed(2)}×: MCP ` +
                `${median(ours).toFixed(0)} ms, rg ${median(theirs).toFixed(0)} ms per set; ${stopped} searches ` +
                `stopped at the time budget; rg is a fresh process per query over every note (no exclusions)`,
        };
    },
};

/** The server's peak memory after the searches. */
export const mcpPeakMemoryRow: BenchRow = {
    name: 'MCP server peak memory after searches (built mcp)',
    async run(context): Promise<BenchResult> {
        const limitMb = 600;
        const { peaks } = await measured(context);
        const known = peaks.filter((peak): peak is number => peak !== null).sort((a, b) => a - b);
        const peakMb = known.length === 0 ? null : median(known);
        return {
            value: peakMb ?? Number.NaN,
            unit: 'MB',
            target: `≤ ${limitMb} MB (stated for 100,000 notes)`,
            pass: peakMb === null ? null : (known.at(-1) as number) <= limitMb,
            note:
                `VmHWM of each server process after ${QUERIES.length} queries × 3–4 rounds, median of ` +
                `${known.length} processes, range ${known[0]?.toFixed(0)}–${known.at(-1)?.toFixed(0)} MB (every one ` +
                `must be within the limit); ${context.vault.notes} notes`,
        };
    },
};
