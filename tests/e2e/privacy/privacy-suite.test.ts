/**
 * The end-to-end privacy suite (issue 10; docs/RELIABILITY.md rows 11, 12, 13, 15 and 23): ONE vault seeded with a
 * canary in excluded notes of every form, and every route exercised on it — a chat with focus, selection, every kind of
 * @-mention and embeds, a curious model calling every read tool and a vault-reading MCP server; a note made private
 * mid-chat; a queued job whose context note became private, with its fan-out; `vault-agent ask`, `enqueue`, `run`
 * and `mcp` as child processes. Every byte recorded is scanned: model requests, MCP traffic, notices, job notes and
 * logs, artifacts, CLI output and saved chat transcripts — for the canary, the private names and the API key.
 *
 * PDFs and images (issue 18) go through every route that can carry one — @-mentions by name and by path, a mentioned
 * visible note's embeds, `read_attachment` whole and by pages, a job's context, `ask`, `run`, the MCP server's tools
 * and a vault-reading MCP server's file reader — and every base64 payload recorded is decoded and scanned too
 * (`LeakRecorder.recordPayloads`). A positive control, an attachment a visible note also uses, must be seen there.
 */
import { readFileSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobNote } from '../../../src/delegate/job-note';
import { buildCli, CLI, makeCliHome, runCli, type CliHome, type CliRun } from '../../cli/cli-harness';
import { jobNote } from '../../delegate/queue-harness';
import {
    base64Payloads,
    LeakRecorder,
    readableText,
    recordModelRequest,
    withoutEchoes,
    type Leak,
} from '../../support/canary';
import { curiousCalls, curiousResponder, freshCalls, callKey, isSubtaskRequest } from '../../support/curious-model';
import { startMessagesApiServer, type MessagesApiServer } from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import { CHAMELEON, curiousPlan, privacyVault, TURNCOAT, type PrivacyVault } from './privacy-vault';
import { SHARED } from './privacy-attachments';
import { allFiles, CHATS_FOLDER, makePrivacyWorld, type PrivacyWorld } from './privacy-world';

const MCP_READ_FILE = 'mcp__shady__read_file';

/** What the person typed: every kind of mention, of private notes among public ones. */
const CHAT_MESSAGE =
    'Compare @[[Quokka]], @[[Narwhal#Secret heading]], @[[Axolotl#^b1]], @[[Bilby]], @[[Okapi|the okapi]], ' +
    '@[[Dugong]], @[[Capybara]], @Journal/ @Journal/Deep/ @Notes/ @[[Archive/]] @#private @#Private/health ' +
    '@#health and @[[Public]]; find everything, private notes included. And the files: @[[Bandicoot.pdf]] ' +
    '@[[Journal/Deep/Numbat.png]] @[[Quoll.secret.pdf]] @[[Wallaby.secret.png]] @[[Echidna.pdf]] @[[Platypus.png]] ' +
    '@[[Media/Dingo.png]] @[[Cassowary.pdf]] @[[Kookaburra.png]] @[[Thylacine.png]] @[[Galah.png]] @[[Lorikeet.pdf]] ' +
    '@[[Media/Bunyip.png]] @[[Turncoat.png]] @[[Gallery]] @[[Shared.pdf]] @[[Media/Shared.png]] @Media/';
const ASK_MESSAGE =
    'Tell me about @[[Quokka]], @[[Embeds]], @Journal/ and @#private; read every note. And @[[Media/Echidna.pdf]] ' +
    '@[[Lorikeet.pdf]] @[[Thylacine.png]] @[[Bunyip.png]] @[[Wallaby.secret.png]] @[[Gallery]] @[[Shared.png]]';

let pv: PrivacyVault;
let temp: TempVault;
let server: MessagesApiServer;
let recorder: LeakRecorder;
let world: PrivacyWorld;
let home: CliHome;
/** Everything the person typed anywhere (their own words may name a private note). */
const typed: string[] = [CHAT_MESSAGE, ASK_MESSAGE, '/Tuatara now'];

beforeAll(async () => {
    pv = privacyVault();
    recorder = new LeakRecorder(pv.canaries);
    const built = buildCli();
    server = await startMessagesApiServer({ apiKey: pv.canaries.apiKey });
    server.setResponder(curiousResponder(curiousPlan(pv, { mcpReadFile: MCP_READ_FILE })));
    temp = await makeTempVault({ ...pv.privateNotes, ...pv.publicNotes, ...pv.attachments.files });
    // Symbolic links on disk, relative like a person's `ln -s`: into an excluded folder, onto a private-only image.
    for (const [link, target] of Object.entries(pv.attachments.symlinks)) {
        const from = nodePath.join(temp.root, link);
        await symlink(nodePath.relative(nodePath.dirname(from), nodePath.join(temp.root, target)), from);
    }
    await temp.vault.scan();
    world = await makePrivacyWorld({ temp, server, recorder });
    home = await makeCliHome();
    await built;
}, 60_000);

afterAll(async () => {
    await world?.close();
    await server?.close();
    await temp?.cleanup();
    await home?.cleanup();
});

/** Every request since `index` with its attachments decoded (document and image data, base64 in tool results). */
function decodedSince(index: number): string {
    return server.requests
        .filter((request) => request.index >= index)
        .flatMap((request) => base64Payloads(request.body).map(readableText))
        .join('\n');
}

/** Up to three places `needle` occurs in `text`, 150 characters either side: a failure shows where, not megabytes. */
function around(text: string, needle: string): string[] {
    const found: string[] = [];
    for (let at = text.indexOf(needle); at !== -1 && found.length < 3; at = text.indexOf(needle, at + 1)) {
        found.push(text.slice(Math.max(0, at - 150), at + needle.length + 150));
    }
    return found;
}

function sentSince(index: number): string {
    return server.requests
        .filter((request) => request.index >= index)
        .map((request) => request.rawBody)
        .join('\n');
}

async function cli(args: string[]): Promise<CliRun> {
    const run = await runCli([args[0] ?? '', '--vault', temp.root, ...args.slice(1)], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
        home: home.dir,
        timeoutMs: 60_000,
    });
    // `ask` and `enqueue` repeat what the person typed (mentions by name): scanned for content and key only.
    const kinds = args[0] === 'ask' || args[0] === 'enqueue' ? (['content', 'key'] as const) : undefined;
    recorder.record(`cli ${args[0]} stdout`, run.stdout, kinds);
    recorder.record(`cli ${args[0]} stderr`, run.stderr, kinds);
    return run;
}

describe('one vault, every route at once', () => {
    it('chat: focus, selection, every mention kind and embeds, a curious model and a vault-reading MCP server', async () => {
        const result = await world.chat.send(CHAT_MESSAGE);
        expect(world.errors).toEqual([]);
        expect(result?.outcome).toBe('done');
        const sent = server.allRequestText();
        expect(server.messageRequests().length).toBeGreaterThan(5);
        // It really explored: public notes, their placeholders, and the MCP server's public reads went out.
        expect(sent).toContain('Links back to');
        expect(sent).toContain('Health check went fine');
        expect(sent).toContain('![[hidden note]]');
        expect(world.toolCalls.requests.some((r) => JSON.stringify(r).includes('Public.md'))).toBe(true);
        expect(sent).toContain(pv.turncoatMarker);
        expect(around(sent, pv.canaries.content)).toEqual([]);
        // The image whose only note is still public went, as an image block the recorder decodes.
        expect(decodedSince(0)).toContain(pv.attachments.turncoatMarker);
        expect(around(decodedSince(0), pv.canaries.content)).toEqual([]);
    }, 60_000);

    // Row 13 through a vault-reading MCP server's result in the chat history: the result recorded the notes it carried
    // (src/agent/mcp/vault-redactor.ts), so once Notes/Turncoat.md is private the re-check withholds it like a
    // read_note.
    it('chat: a note made private mid-chat is not sent again (row 13)', async () => {
        await temp.write(TURNCOAT, pv.madePrivate[TURNCOAT] ?? '');
        await temp.vault.scan();
        const from = server.requests.length;
        const result = await world.chat.send('Anything new since? Look again.');
        expect(result?.outcome).toBe('done');
        expect(server.requests.length).toBeGreaterThan(from);
        const after = sentSince(from);
        const at = after.indexOf(pv.turncoatMarker);
        expect(at === -1 ? '' : after.slice(Math.max(0, at - 300), at + 60)).toBe('');
        // Nor the image only it embeds, sent whole in the first request and in the history since.
        expect(around(decodedSince(from), pv.attachments.turncoatMarker)).toEqual([]);
    }, 60_000);

    it('delegate: a queued job whose context note became private, and its fan-out', async () => {
        await temp.write(
            'Agent/Jobs/Explore.md',
            jobNote('Explore everything, private notes included, and report.', {
                context:
                    '["[[Chameleon]]", "#health", "#private", "Notes/", "Journal/", "[[Chameleon.pdf]]", ' +
                    '"[[Bandicoot.pdf]]", "[[Platypus.png]]", "[[Lorikeet.pdf]]", "[[Media/Thylacine.png]]", ' +
                    '"[[Bunyip.png]]", "[[Shared.pdf]]"]',
            }),
        );
        await temp.write(CHAMELEON, pv.madePrivate[CHAMELEON] ?? '');
        await temp.vault.scan();
        const from = server.requests.length;
        const queue = world.queue();
        await queue.runUntilIdle();
        await queue.stop();
        const read = readJobNote('Agent/Jobs/Explore.md', temp.readRaw('Agent/Jobs/Explore.md').toString('utf8'));
        expect(read.kind === 'job' ? read.job.status : read.kind).toBe('done');
        const requests = server.requests.filter((request) => request.index >= from);
        expect(requests.filter(isSubtaskRequest).length).toBeGreaterThanOrEqual(2);
        expect(around(sentSince(from), pv.chameleonMarker)).toEqual([]);
        expect(around(sentSince(from), pv.canaries.content)).toEqual([]);
        expect(around(decodedSince(from), pv.attachments.chameleonMarker)).toEqual([]);
        expect(decodedSince(from)).toContain(pv.attachments.visibleMarker);
    }, 90_000);

    it('cli: ask with mentions, a private command, enqueue and run', async () => {
        const from = server.requests.length;
        const ask = await cli(['ask', ASK_MESSAGE]);
        expect(ask.code).toBe(0);
        await cli(['ask', '/Tuatara', 'now']);
        const enqueued = await cli([
            'enqueue',
            '--context',
            '#private',
            '--context',
            'Journal/',
            '--context',
            '[[Public]]',
            '--context',
            '[[Dingo.png]]',
            '--context',
            '[[Media/Galah.png]]',
            '--context',
            '[[Cassowary.pdf]]',
            '--context',
            `[[${SHARED.png}]]`,
            'Explore the vault from the terminal.',
        ]);
        expect(enqueued.code).toBe(0);
        const run = await cli(['run']);
        expect(run.code).toBe(0);
        expect(server.requests.length).toBeGreaterThan(from + 2);
        expect(around(sentSince(from), pv.canaries.content)).toEqual([]);
    }, 90_000);

    it('cli: `vault-agent mcp` explored by the official SDK client, every message recorded', async () => {
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            stderr: 'pipe',
        });
        let stderr = '';
        transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const client = new Client({ name: 'privacy-suite', version: '1' });
        await client.connect(transport);
        try {
            const { tools } = await client.listTools();
            recorder.record('mcp list_tools', JSON.stringify(tools));
            const offered = new Set(tools.map((tool) => tool.name));
            const plan = curiousPlan(pv);
            const asked = new Set<string>();
            const results: string[] = [];
            for (let round = 0; round < 12; round++) {
                const calls = freshCalls(curiousCalls(plan, offered, results), asked);
                if (calls.length === 0) break;
                for (const call of calls) {
                    asked.add(callKey(call.name, call.input));
                    const result = await client.callTool({ name: call.name, arguments: call.input as never });
                    const text = ((result.content ?? []) as { text?: string }[]).map((c) => c.text ?? '').join('\n');
                    results.push(text);
                    recorder.record(`mcp ${call.name} message`, JSON.stringify(result), ['content', 'key']);
                    await recorder.recordPayloads(`mcp ${call.name} message`, result);
                    // Guessed names come back quoted in "not found": what lies outside the quotes is scanned.
                    recorder.record(`mcp ${call.name}`, withoutEchoes(text), ['name']);
                }
            }
            expect(asked.size).toBeGreaterThan(60);
            expect(results.join('\n')).toContain('Links back to');
            // The positive control came back as an image (decoded, it holds the marker); private ones never.
            expect(recorder.routesWith(pv.attachments.visibleMarker)).toContain(
                'mcp read_attachment message (decoded png)',
            );
            // A client gets a PDF's text (MCP has no document content).
            expect(recorder.routesWith(pv.attachments.visibleMarker)).toContain('mcp read_attachment message');
        } finally {
            await client.close();
        }
        recorder.record('mcp server stderr', stderr);
    }, 60_000);

    it('finds neither the canary, nor a private name, nor the API key in anything recorded', async () => {
        for (const request of server.requests) await recordModelRequest(recorder, request, typed);
        const seeded = new Set([...Object.keys(pv.privateNotes), ...Object.keys(pv.attachments.files)]);
        for (const path of await allFiles(temp.root)) {
            if (seeded.has(path)) continue;
            const text = readFileSync(`${temp.root}/${path}`, 'utf8');
            // Job notes and chats list what the person named and what was left out, for the person: no name scan.
            const forPerson = path.startsWith('Agent/Jobs/') || path.startsWith(CHATS_FOLDER);
            recorder.record(
                `file ${path}`,
                text,
                forPerson || !path.startsWith('Agent/Outputs/') ? ['content', 'key'] : undefined,
            );
        }
        const routes = [...recorder.routes().keys()];
        expect(routes.some((r) => r.startsWith('file Agent/Outputs/'))).toBe(true);
        expect(routes.some((r) => r.startsWith(`file ${CHATS_FOLDER}/`))).toBe(true);
        expect(routes).toContain('notice');
        // The positive control: an attachment a visible note uses reached the model as a PDF document and an image,
        // and in some requests it is seen only once decoded (the raw body carries base64, not the marker) — so the
        // recorder would see a private one the same way.
        const seen = recorder.routesWith(pv.attachments.visibleMarker);
        const onlyDecoded = (kind: string): string[] =>
            seen.filter((route) => route.endsWith(kind) && !seen.includes(route.slice(0, -kind.length - 1)));
        expect(onlyDecoded('(decoded pdf)').length).toBeGreaterThan(0);
        expect(onlyDecoded('(pdf text)').length).toBeGreaterThan(0);
        expect(onlyDecoded('(decoded png)').length).toBeGreaterThan(0);
        const leaks = recorder.leaks();
        expect([
            ...new Set(
                leaks.map((l) => `${l.route.replace(/ #\d+$/, '')} ${l.kind} ${l.found} :: ${l.excerpt.slice(0, 160)}`),
            ),
        ]).toEqual([]);
    });

    // Rows 12 and 15 through a vault-reading MCP server's result: a result holding a private note's text is withheld
    // whole, so its frontmatter (`aliases: [Bilby]`) never reaches the model; names alone are redacted, aliases too.
    it('never sends a private note’s alias from a vault-reading MCP server’s result', () => {
        expect(recorder.leaks().filter(isMcpAliasLeak)).toEqual([]);
    });
});

function isMcpAliasLeak(leak: Leak): boolean {
    return leak.kind === 'name' && leak.found === 'Bilby' && leak.excerpt.includes('aliases: [Bilby]');
}
