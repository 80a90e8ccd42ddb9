/**
 * Models through the built `dist/cli.js`: the example vault runs on the one maintained default with no deprecation
 * warning, and `ask` reads the endpoint's models list (the real SDK's `models.list()` against the local server's
 * Models API) for the model's `max_input_tokens`, so the attached context gets its share of the real window; an
 * endpoint without a models route still answers.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';
import { modelInfo, startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, REPO, runCli, type CliHome } from './cli-harness';

let home: CliHome;
const servers: MessagesApiServer[] = [];
const vaults: TempVault[] = [];

beforeAll(async () => {
    await buildCli();
    home = await makeCliHome();
}, 60_000);

afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(vaults.map((vault) => vault.cleanup()));
    await home.cleanup();
});

async function server(options: Parameters<typeof startMessagesApiServer>[0] = {}): Promise<MessagesApiServer> {
    const started = await startMessagesApiServer({ defaultResponse: textTurn('An answer.'), ...options });
    servers.push(started);
    return started;
}

function env(api: MessagesApiServer): Record<string, string> {
    return { ANTHROPIC_API_KEY: api.apiKey, ANTHROPIC_BASE_URL: api.baseURL };
}

describe('the default model', () => {
    it('the example vault asks with the maintained default and no deprecation warning', async () => {
        const copy = mkdtempSync(nodePath.join(os.tmpdir(), 'vault-agent-example-'));
        try {
            cpSync(nodePath.join(REPO, 'example-vault'), copy, { recursive: true });
            const api = await server();
            const run = await runCli(['ask', '--vault', copy, 'What is in this vault?'], {
                env: env(api),
                home: home.dir,
            });
            expect(run.stderr).not.toMatch(/deprecat|end-of-life/i);
            expect(run.code).toBe(0);
            expect(run.stdout).toContain('An answer.');
            const sent = api.messageRequests().map((request) => (request.body as { model?: string }).model);
            expect(sent).toEqual([DEFAULT_MODEL]);
        } finally {
            rmSync(copy, { recursive: true, force: true });
        }
    });
});

describe('the endpoint models list', () => {
    // About 15k tokens: a quarter of a 200k window takes it whole; a quarter of a 30k window cannot.
    const BIG = Array.from({ length: 1200 }, (_, i) => `Line ${i} of the long note, with some words in it.`).join('\n');

    async function bigVault(): Promise<TempVault> {
        const temp = await makeTempVault({
            'Big.md': `# Big\n${BIG}\nTHE-LAST-LINE\n`,
            '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
                version: 2,
                privacy: { excludedTags: ['private'], excludedFolders: [] },
            }),
        });
        vaults.push(temp);
        return temp;
    }

    it("ask packs the context into the listed model's max_input_tokens", async () => {
        const api = await server({
            models: [modelInfo(DEFAULT_MODEL, 'Default', '2026-11-01T00:00:00Z', { max_input_tokens: 30_000 })],
        });
        const temp = await bigVault();
        const run = await runCli(['ask', '--vault', temp.root, 'Summarise @[[Big]]'], {
            env: env(api),
            home: home.dir,
        });
        expect(run.code).toBe(0);
        expect(api.countOf('/v1/models', 'GET')).toBe(1);
        const sent = JSON.stringify(api.messageRequests()[0]?.body);
        expect(sent).toContain('Line 0 of the long note');
        expect(sent).toMatch(/\[truncated: \d+ lines/);
        expect(sent.length).toBeLessThan(BIG.length / 2);
        expect(run.stderr).toMatch(/truncated: \d+ lines cut/);
    });

    it('an endpoint without a models route still answers, with the whole note in a 200k window', async () => {
        const api = await server({ models: 'none' });
        const temp = await bigVault();
        const run = await runCli(['ask', '--vault', temp.root, 'Summarise @[[Big]]'], {
            env: env(api),
            home: home.dir,
        });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('An answer.');
        expect(api.countOf('/v1/models', 'GET')).toBe(1);
        const sent = JSON.stringify(api.messageRequests()[0]?.body);
        expect(sent).toContain('THE-LAST-LINE');
        expect(sent).not.toMatch(/\[truncated: \d+ lines/);
    });

    it('a listed model without max_input_tokens keeps the 200k window', async () => {
        const api = await server({
            models: [modelInfo(DEFAULT_MODEL, 'Default', '2026-11-01T00:00:00Z', { max_input_tokens: null })],
        });
        const temp = await bigVault();
        const run = await runCli(['ask', '--vault', temp.root, 'Summarise @[[Big]]'], {
            env: env(api),
            home: home.dir,
        });
        expect(run.code).toBe(0);
        expect(JSON.stringify(api.messageRequests()[0]?.body)).toContain('THE-LAST-LINE');
    });
});
