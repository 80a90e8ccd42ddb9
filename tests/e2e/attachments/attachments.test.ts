/**
 * Issue 18, item 1: PDFs and images as context, end to end. The built `dist/cli.js` (`ask`, `enqueue` + `run`, `mcp`)
 * runs on a real temp vault against the local Messages-API server through the real SDK: a mentioned PDF and image
 * arrive as `document` and `image` blocks with a cache breakpoint, a PDF over the API's page limit goes as its text
 * with a notice, an endpoint without documents gets the text, and an image only a private note embeds never leaves.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../../src/context/exclusions';
import { makePdf, makePng } from '../../support/attachment-fixtures';
import {
    mediaBlocksOf,
    startMessagesApiServer,
    textTurn,
    type MessagesApiServer,
} from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import { buildCli, CLI, makeCliHome, runCli, type CliHome, type CliRun } from '../../cli/cli-harness';

const CANARY = 'CANARY-ATTACHMENT-7Q2';
const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

let temp: TempVault;
let home: CliHome;
let server: MessagesApiServer;
let secretBase64 = '';

async function cli(args: string[], baseURL = server.baseURL): Promise<CliRun> {
    return runCli([args[0] ?? '', '--vault', temp.root, ...args.slice(1)], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: baseURL },
        home: home.dir,
    });
}

function firstUserBlocks(body: unknown): Record<string, unknown>[] {
    const messages = (body as { messages: { content: Record<string, unknown>[] }[] }).messages;
    return messages[0]?.content ?? [];
}

beforeAll(async () => {
    await buildCli();
    const secret = makePng(16, 16, [10, 10, 10], CANARY);
    secretBase64 = Buffer.from(secret).toString('base64');
    temp = await makeTempVault({
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
        'Papers/paper.pdf': await makePdf(3, (n) => `Attention results on page ${n}.`),
        'Papers/big.pdf': await makePdf(150, (n) => `Long survey, page ${n}.`),
        'figure.png': makePng(32, 24),
        'secret.png': secret,
        'shared.png': makePng(8, 8),
        'Journal/scan.png': makePng(8, 8),
        'Reading.md': '# Reading\n\n![[figure.png]] and [[paper.pdf]] and ![[shared.png]]\n',
        'Diary.md': '---\ntags: [private]\n---\n![[secret.png]] ![[shared.png]]\n',
    });
    home = await makeCliHome();
    server = await startMessagesApiServer();
    server.setDefault(textTurn('Read it.'));
}, 120_000);

afterAll(async () => {
    await server?.close();
    await home?.cleanup();
    await temp?.cleanup();
});

describe('attachments in a request', () => {
    it('sends a mentioned PDF and image as document and image blocks with a cache breakpoint', async () => {
        const before = server.messageRequests().length;
        const run = await cli(['ask', 'Summarise @[[paper.pdf]] with @[[figure.png]]']);
        expect(run.code, run.stderr).toBe(0);
        const request = server.messageRequests()[before];
        const media = mediaBlocksOf(request?.body);
        expect(media.map((m) => [m.type, m.sourceType, m.mediaType])).toEqual([
            ['document', 'base64', 'application/pdf'],
            ['image', 'base64', 'image/png'],
        ]);
        expect(media[0]?.pages).toBe(3);
        expect(media[0]?.title).toBe('Papers/paper.pdf');
        // The newest attachment carries its own breakpoint; the message's last block covers everything before it.
        expect(media[1]?.cached).toBe(true);
        expect(firstUserBlocks(request?.body).at(-1)?.cache_control).toBeDefined();
    });

    it('sends a PDF over the page limit as its text, and says what was left out and why', async () => {
        const before = server.messageRequests().length;
        const run = await cli(['ask', 'What does @[[big.pdf]] cover?']);
        expect(run.code, run.stderr).toBe(0);
        const request = server.messageRequests()[before];
        const [document] = mediaBlocksOf(request?.body);
        expect(document?.sourceType).toBe('content');
        const pages = (document?.block.source as { content: { text: string }[] }).content;
        expect(pages).toHaveLength(150);
        expect(pages[149]?.text).toContain('Long survey, page 150.');
        const text = JSON.stringify(request?.body);
        expect(text).toContain('big.pdf was sent as extracted text (without figures or layout)');
        expect(text).toContain('it has 150 pages and a request may carry at most 100 PDF pages');
    });

    it('falls back to the text for an endpoint that does not read documents', async () => {
        const local = await startMessagesApiServer({ documents: false, apiKey: server.apiKey });
        local.setDefault(textTurn('Read the text.'));
        try {
            const run = await cli(['ask', 'Summarise @[[paper.pdf]]'], local.baseURL);
            expect(run.code, run.stderr).toBe(0);
            const [refused, retried] = local.messageRequests();
            expect(mediaBlocksOf(refused?.body)[0]?.type).toBe('document');
            expect(mediaBlocksOf(retried?.body)).toEqual([]);
            const text = JSON.stringify(retried?.body);
            expect(text).toContain('Attention results on page 2.');
            expect(text).toContain('the endpoint does not read PDF documents');
        } finally {
            await local.close();
        }
    });
});

describe('an attachment only private notes use', () => {
    it('is excluded by the gate, while one a visible note also uses is not', () => {
        const gate = new ExclusionGate({ vault: temp.vault, privacy: SETTINGS.privacy });
        expect(gate.check('secret.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
        expect(gate.isExcluded('shared.png')).toBe(false);
        expect(gate.isExcluded('figure.png')).toBe(false);
        expect(gate.isExcluded('Journal/scan.png')).toBe(true);
        const unready = new ExclusionGate({
            vault: Object.assign(Object.create(temp.vault) as typeof temp.vault, { linksReady: () => false }),
            privacy: SETTINGS.privacy,
        });
        expect(unready.check('figure.png')).toEqual({ excluded: true, reason: { kind: 'links-unknown' } });
    });

    it('never leaves through ask, run or MCP', async () => {
        // MCP first: the job note enqueued below links the image, and a visible note that uses it makes it visible.
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            stderr: 'pipe',
        });
        const client = new Client({ name: 'vault-agent-test', version: '1' });
        await client.connect(transport);
        try {
            const secret = await client.callTool({ name: 'read_attachment', arguments: { path: 'secret.png' } });
            expect(secret.isError).toBe(true);
            expect(JSON.stringify(secret.content)).not.toContain(secretBase64.slice(0, 40));
            const figure = await client.callTool({ name: 'read_attachment', arguments: { path: 'figure.png' } });
            const content = figure.content as { type: string; mimeType?: string }[];
            expect(content.map((c) => c.type)).toEqual(['text', 'image']);
            const pdf = await client.callTool({
                name: 'read_attachment',
                arguments: { path: 'Papers/paper.pdf', pages: '2' },
            });
            const pdfText = JSON.stringify(pdf.content);
            expect(pdfText).toContain('Attention results on page 2.');
            expect(pdfText).not.toContain('page 3.');
        } finally {
            await client.close();
        }
        const before = server.messageRequests().length;
        const asked = await cli(['ask', 'Describe @[[secret.png]] and @[[Journal/scan.png]]']);
        expect(asked.code, asked.stderr).toBe(0);
        expect((await cli(['enqueue', 'Describe @[[secret.png]] next to @[[figure.png]]'])).code).toBe(0);
        const ran = await cli(['run']);
        expect(ran.code, ran.stderr).toBe(0);
        const sent = server.messageRequests().slice(before);
        expect(sent.length).toBeGreaterThanOrEqual(2);
        const images = sent.flatMap((request) => mediaBlocksOf(request.body));
        // The job's visible image went; the private one never did, nor its name.
        expect(images).toHaveLength(1);
        const all = sent.map((request) => request.rawBody).join('\n');
        expect(all).not.toContain(secretBase64.slice(0, 40));
        // The chat's message names neither (a job's brief is the person's own text, sent as written).
        expect(sent[0]?.rawBody).not.toContain('secret.png');
        expect(sent[0]?.rawBody).not.toContain('scan.png');
    });
});
