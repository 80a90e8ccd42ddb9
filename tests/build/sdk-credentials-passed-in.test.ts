/**
 * The plugin bundle resolves the Anthropic SDK's credential chain to a stand-in (decision 0016): the plugin always
 * passes the key it read from Obsidian's secret storage, so the chain (environment variables, the machine's credential
 * and profile files, token exchange) never runs inside Obsidian, and must not read those files. This bundles the real
 * SDK with that same esbuild plugin, as the plugin build does, and streams a message from the local Messages-API
 * server with a key passed in code. A client with a named profile is refused with the stand-in's reason on its first
 * request, and nothing under the configured credentials folder is read. What it cannot show: a person who relies on a
 * credential file or profile, which the plugin does not support (the key is set in its settings).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as esbuild from 'esbuild';
import { bundleWithStandIn } from './bundle-with-stand-in';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations.
import { sdkCredentialsPassedIn } from '../../scripts/esbuild-sdk-credentials-passed-in.mjs';
import { startMessagesApiServer, type MessagesApiServer } from '../support/messages-api-server';
import { textTurn } from '../support/messages-api/scripts';

interface StreamingClient {
    messages: { stream(body: unknown): { finalText(): Promise<string> } };
}
type ClientClass = new (options: Record<string, unknown>) => StreamingClient;

let server: MessagesApiServer;
let dir: string;
let inputs: string[];
let Anthropic: ClientClass;

const BODY = { model: 'a-model', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] };

beforeAll(async () => {
    server = await startMessagesApiServer();
    dir = mkdtempSync(join(tmpdir(), 'va-sdk-credentials-'));
    ({
        module: { default: Anthropic },
        inputs,
    } = await bundleWithStandIn<{ default: ClientClass }>(
        "export { default } from '@anthropic-ai/sdk';",
        sdkCredentialsPassedIn as esbuild.Plugin,
        dir,
    ));
});

afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
});

describe('the SDK credential chain in the plugin bundle', () => {
    it('leaves the chain and its file reading out, and streams an answer with the key passed in', async () => {
        expect(inputs.some((input) => input.endsWith('lib/credentials/credential-chain.mjs'))).toBe(false);
        expect(inputs.some((input) => input.endsWith('core/credentials.mjs'))).toBe(false);
        expect(inputs.some((input) => input.endsWith('scripts/sdk-credentials-passed-in.mjs'))).toBe(true);
        server.enqueue(textTurn('Answered with the key from secret storage.'));
        const client = new Anthropic({ apiKey: server.apiKey, baseURL: server.baseURL, maxRetries: 0 });
        expect(await client.messages.stream(BODY).finalText()).toBe('Answered with the key from secret storage.');
    });

    it('refuses a named profile with a plain reason, without reading the credentials folder', async () => {
        const configDir = join(dir, 'anthropic-config');
        mkdirSync(join(configDir, 'configs'), { recursive: true });
        // A folder the real chain would read the profile from; unreadable JSON would make the real chain fail on it.
        writeFileSync(join(configDir, 'configs', 'work.json'), '{ not json');
        const before = process.env['ANTHROPIC_CONFIG_DIR'];
        process.env['ANTHROPIC_CONFIG_DIR'] = configDir;
        try {
            const requests = server.requests.length;
            const client = new Anthropic({ profile: 'work', baseURL: server.baseURL, maxRetries: 0 });
            const failure = await client.messages
                .stream(BODY)
                .finalText()
                .then(() => null)
                .catch((error: unknown) => error as Error);
            expect(failure?.message).toMatch(/not read by the plugin; set the API key in its settings/u);
            expect(server.requests.length).toBe(requests);
        } finally {
            if (before === undefined) delete process.env['ANTHROPIC_CONFIG_DIR'];
            else process.env['ANTHROPIC_CONFIG_DIR'] = before;
        }
    });
});
