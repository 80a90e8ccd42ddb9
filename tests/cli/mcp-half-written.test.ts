/**
 * A note rewritten in place by another program (an editor or a sync tool that truncates the file and writes it in
 * pieces) holds only its beginning for a while. The built `dist/cli.js mcp`, driven by the official MCP client, is
 * asked all through that while: a second process rewrites a note a tenth at a time, 60 ms apart, and the test calls
 * the server every 40 ms until the writer is done. A `#private` at the end of the note must keep its text out of every
 * answer and its name out of every listing, and a public note must be answered whole, never cut (docs/RELIABILITY.md
 * row 143; `src/vault/quiet-files.ts`).
 *
 * What it cannot show: a writer that pauses longer than `QUIET_MS` in the middle of a note.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rm, utimes, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI } from './cli-harness';
import { LOOPING_WRITER } from '../support/in-place-writer';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: [] } });
const CANARY = `CANARY${Math.random().toString(36).slice(2)}`;
const DAY_S = 86_400;

/**
 * A second process that rewrites `file` in place with the bytes of `source`, as an editor that saves in pieces: it
 * truncates the file, then writes a tenth of it every 60 ms (less than `QUIET_MS`), saying "writing" after the first.
 * Given a number of seconds, it sets the file's times that far ahead after every piece, as a copy from a machine whose
 * clock runs ahead does (`rsync --inplace -t`).
 */
const WRITER = `
const fs = require('node:fs');
const [file, source, ahead] = [process.argv[1], process.argv[2], Number(process.argv[3] ?? 0)];
const bytes = fs.readFileSync(source);
const piece = Math.ceil(bytes.length / 10);
const fd = fs.openSync(file, 'r+');
fs.ftruncateSync(fd, 0);
let at = 0;
const next = () => {
    fs.writeSync(fd, bytes, at, Math.min(piece, bytes.length - at), at);
    if (ahead > 0) fs.futimesSync(fd, Date.now() / 1000 + ahead, Date.now() / 1000 + ahead);
    at += piece;
    if (at === piece) process.stdout.write('writing\\n');
    if (at < bytes.length) setTimeout(next, 60);
    else fs.closeSync(fd);
};
next();
`;

let temp: TempVault;
let client: Client;

beforeAll(async () => {
    await buildCli();
}, 60_000);

beforeEach(async () => {
    temp = await makeTempVault({
        '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        'Secret.md': privateText(0),
        'Log.md': publicText(0),
    });
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', temp.root],
        env: { ...process.env } as Record<string, string>,
        stderr: 'pipe',
    });
    client = new Client({ name: 'vault-agent-test', version: '1' });
    await client.connect(transport);
    // Written long enough ago to be whole.
    await new Promise((resolve) => setTimeout(resolve, 150));
}, 60_000);

afterEach(async () => {
    await client.close();
    await rm(`${temp.root}.next`, { force: true });
    await temp.cleanup();
});

/** A long private note: the canary on every line, the tag only at its end. */
function privateText(round: number): string {
    return `${`${CANARY} round ${round} secret line\n`.repeat(4000)}#private\n`;
}

/** A long public note whose last line says it is whole. */
function publicText(round: number): string {
    return `${`log line of round ${round}\n`.repeat(4000)}END OF ROUND ${round}\n`;
}

/** The notes a `list_notes` answer (as `call` gives it) names. */
function listed(answer: string): string[] {
    const [content] = JSON.parse(answer) as { text: string }[];
    return (content?.text ?? '')
        .split('\n')
        .slice(1)
        .filter((line) => line.endsWith('.md'));
}

async function call(name: string, args: Record<string, unknown>): Promise<string> {
    const result = await client.callTool({ name, arguments: args });
    return JSON.stringify(result.content);
}

/**
 * Rewrites `path` with `text` in a second process, and calls `ask` every 40 ms from its first piece until it is done
 * (and once more after); resolves with every answer.
 */
async function askWhileWritten(
    path: string,
    text: string,
    ask: () => Promise<string>,
    aheadSeconds = 0,
): Promise<string[]> {
    // The text waits beside the vault (too long for a command line).
    const source = `${temp.root}.next`;
    await writeFile(source, text);
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [
        '-e',
        WRITER,
        nodePath.join(temp.root, path),
        source,
        String(aheadSeconds),
    ]);
    let exited = false;
    const done = new Promise<void>((resolve, reject) => {
        child.on('exit', (code) => {
            exited = true;
            if (code === 0) resolve();
            else reject(new Error(`the writer exited ${code}`));
        });
    });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    const answers: Promise<string>[] = [];
    while (!exited) {
        answers.push(ask());
        await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await done;
    answers.push(ask());
    return Promise.all(answers);
}

/** A second process that rewrites `file` in place every 30 ms for `ms`, saying "writing" after its first rewrite. */
const RESTLESS_WRITER = `
const fs = require('node:fs');
const [file, ms] = [process.argv[1], Number(process.argv[2])];
const end = Date.now() + ms;
let round = 0;
const next = () => {
    fs.writeFileSync(file, 'round ' + round++ + '\\n'.repeat(1000));
    if (round === 1) process.stdout.write('writing\\n');
    if (Date.now() < end) setTimeout(next, 30);
};
next();
`;

describe('a note read while another program writes it in place', () => {
    it('never answers with the text of a private note whose tag is not written yet', async () => {
        for (let round = 1; round <= 2; round++) {
            const answers = await askWhileWritten('Secret.md', privateText(round), async () =>
                [
                    // Not even its name: the listing is made from whole notes only. (Asked first: a read waits for
                    // the note to be whole, and what it read goes into the index.)
                    `listed: ${listed(await call('list_notes', {})).join(', ')}`,
                    await call('read_note', { path: 'Secret.md' }),
                    await call('search_notes', { query: 'secret line', limit: 5 }),
                    await call('note_outline', { path: 'Secret.md' }),
                ].join('\n'),
            );
            expect(answers.length).toBeGreaterThan(5);
            for (const answer of answers) {
                expect(answer).not.toContain(CANARY);
                expect(answer).toMatch(/^listed: Log\.md\n/u);
            }
        }
        // Once written, the note is private like any other.
        expect(await call('read_note', { path: 'Secret.md' })).toContain('Not found');
    });

    it('keeps the private note out while its copy in place sets times a day ahead of this clock', async () => {
        const answers = await askWhileWritten(
            'Secret.md',
            privateText(1),
            async () =>
                [
                    `listed: ${listed(await call('list_notes', {})).join(', ')}`,
                    await call('read_note', { path: 'Secret.md' }),
                    await call('search_notes', { query: 'secret line', limit: 5 }),
                ].join('\n'),
            DAY_S,
        );
        expect(answers.length).toBeGreaterThan(5);
        for (const answer of answers) {
            expect(answer).not.toContain(CANARY);
            expect(answer).toMatch(/^listed: Log\.md\n/u);
        }
    });

    it('reads, searches and links a note whose times run a day ahead of this clock', async () => {
        // Synced from a device whose clock runs ahead, or unpacked from an archive dated so: the time never comes.
        await writeFile(nodePath.join(temp.root, 'Ahead.md'), 'Notes from tomorrow, see [[Log]].\n');
        const ahead = Date.now() / 1000 + DAY_S;
        await utimes(nodePath.join(temp.root, 'Ahead.md'), ahead, ahead);
        for (let i = 0; i < 2; i++) {
            expect(await call('read_note', { path: 'Ahead.md' })).toContain('Notes from tomorrow');
            expect(await call('search_notes', { query: 'tomorrow' })).toContain('Ahead.md:1: Notes from tomorrow');
            const [links] = JSON.parse(await call('note_links', { path: 'Log.md' })) as { text: string }[];
            expect(links?.text).toContain('Backlinks (1):\nAhead.md');
        }
    });

    it('never lists a private note something keeps rewriting, and lists a public one again once it is quiet', async () => {
        // Beyond the waits of a call: each stays half written at some moment of every 200 ms for 3 s.
        const run = async (path: string, text: string): Promise<string[]> => {
            const source = `${temp.root}.next`;
            await writeFile(source, text);
            const child = spawn(process.execPath, [
                '-e',
                LOOPING_WRITER,
                nodePath.join(temp.root, path),
                source,
                '3000',
            ]);
            const exited = new Promise((resolve) => child.on('exit', resolve));
            await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
            const listings: string[] = [];
            let done = false;
            void exited.then(() => (done = true));
            while (!done) {
                listings.push(listed(await call('list_notes', {})).join(', '));
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            return listings;
        };
        const secret = await run('Secret.md', privateText(1));
        expect(secret.length).toBeGreaterThan(10);
        for (const listing of secret) expect(listing).toBe('Log.md');
        // Without holding it back, most of these named it: the watcher stops waiting for a note after 1.5 s.
        await run('Log.md', publicText(1));
        await new Promise((resolve) => setTimeout(resolve, 150));
        expect(listed(await call('list_notes', {}))).toEqual(['Log.md']);
        expect(await call('read_note', { path: 'Log.md', start_line: 4000 })).toContain('END OF ROUND 1');
    });

    it('answers with the whole public note, waiting for the writer to finish', async () => {
        for (let round = 1; round <= 2; round++) {
            const answers = await askWhileWritten('Log.md', publicText(round), () =>
                call('read_note', { path: 'Log.md', start_line: 4000 }),
            );
            expect(answers.length).toBeGreaterThan(5);
            for (const answer of answers) expect(answer).toContain(`END OF ROUND ${round}`);
        }
    });

    it('lets a note something keeps rewriting slow one call at most, not every call, nor fail a search', async () => {
        const child = spawn(process.execPath, ['-e', RESTLESS_WRITER, nodePath.join(temp.root, 'Busy.md'), '9000']);
        const exited = new Promise((resolve) => child.on('exit', resolve));
        try {
            await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
            await call('list_notes', {});
            let waited = 0;
            for (let i = 0; i < 6; i++) {
                // Time for the watcher to take the note's next rewrites in, in the background.
                await new Promise((resolve) => setTimeout(resolve, 100));
                const started = Date.now();
                await call('list_notes', {});
                waited += Date.now() - started;
            }
            // Waiting for it again would take up to 1.5 s a call.
            expect(waited).toBeLessThan(1_500);
            // A search that meets it (read here, since it changed a moment ago) gives up on it after 3 s, not on all.
            const search = await client.callTool({ name: 'search_notes', arguments: { query: 'round', limit: 3 } });
            const [found] = search.content as { text: string }[];
            expect(search.isError ?? false).toBe(false);
            expect(found?.text).toContain('Log.md:1: log line of round 0');
        } finally {
            child.kill();
            await exited;
        }
    });
});
