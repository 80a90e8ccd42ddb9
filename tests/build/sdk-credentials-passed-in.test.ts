/**
 * The plugin bundle resolves the Anthropic SDK's credential chain to a stand-in (decision 0016): the plugin always
 * passes the key it read from Obsidian's secret storage, so the chain (environment variables, the machine's credential
 * and profile files, token exchange) never runs inside Obsidian, and must not read those files. This bundles the real
 * SDK with that same esbuild plugin, as the plugin build does, and streams a message from the local Messages-API
 * server with a key passed in code. A client with a named profile is refused with the stand-in's reason on its first
 * request, and nothing under the configured credentials folder is read. What it cannot show: a person who relies on a
 * credential file or profile, which the plugin does not support (the key is set in its settings).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as esbuild from 'esbuild';
import { sdkSuite } from './bundle-with-stand-in';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations.
import { sdkCredentialsPassedIn } from '../../scripts/esbuild-sdk-credentials-passed-in.mjs';
import { textTurn } from '../support/messages-api/scripts';

interface StreamingClient {
    messages: { stream(body: unknown): { finalText(): Promise<string> } };
}
type ClientClass = new (options: Record<string, unknown>) => StreamingClient;

const BODY = { model: 'a-model', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] };

const suite = sdkSuite<ClientClass>(sdkCredentialsPassedIn as esbuild.Plugin);

describe('the SDK credential chain in the plugin bundle', () => {
    it('leaves the chain and its file reading out, and streams an answer with the key passed in', async () => {
        expect(suite.inputs.some((input) => input.endsWith('lib/credentials/credential-chain.mjs'))).toBe(false);
        expect(suite.inputs.some((input) => input.endsWith('core/credentials.mjs'))).toBe(false);
        expect(suite.inputs.some((input) => input.endsWith('scripts/sdk-credentials-passed-in.mjs'))).toBe(true);
        suite.server.enqueue(textTurn('Answered with the key from secret storage.'));
        const client = new suite.Anthropic({
            apiKey: suite.server.apiKey,
            baseURL: suite.server.baseURL,
            maxRetries: 0,
        });
        expect(await client.messages.stream(BODY).finalText()).toBe('Answered with the key from secret storage.');
    });

    it('refuses a named profile with a plain reason, without reading the credentials folder', async () => {
        const configDir = join(suite.dir, 'anthropic-config');
        mkdirSync(join(configDir, 'configs'), { recursive: true });
        // A folder the real chain would read the profile from; unreadable JSON would make the real chain fail on it.
        writeFileSync(join(configDir, 'configs', 'work.json'), '{ not json');
        const before = process.env['ANTHROPIC_CONFIG_DIR'];
        process.env['ANTHROPIC_CONFIG_DIR'] = configDir;
        try {
            const requests = suite.server.requests.length;
            const client = new suite.Anthropic({ profile: 'work', baseURL: suite.server.baseURL, maxRetries: 0 });
            const failure = await client.messages
                .stream(BODY)
                .finalText()
                .then(() => null)
                .catch((error: unknown) => error as Error);
            expect(failure?.message).toMatch(/not read by the plugin; set the API key in its settings/u);
            expect(suite.server.requests.length).toBe(requests);
        } finally {
            if (before === undefined) delete process.env['ANTHROPIC_CONFIG_DIR'];
            else process.env['ANTHROPIC_CONFIG_DIR'] = before;
        }
    });
});
