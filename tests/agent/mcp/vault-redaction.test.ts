/**
 * RELIABILITY row 15: an MCP server that can read the vault by itself (a "filesystem-like" server pointed at it, or
 * one the person marked) returns a private note; its names and text are removed before the model sees the result,
 * and the person is warned on connect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED_LINE, VaultRedactor } from '../../../src/agent/mcp/vault-redactor';
import { ExclusionGate } from '../../../src/context/exclusions';
import { makeTempVault } from '../../support/temp-vault';
import {
    consentToAll,
    makeHubHarness,
    misbehavingServer,
    RecordingToolCallGate,
    type HubHarness,
} from './mcp-fixtures';

const CANARY = `CANARY-${Math.random().toString(36).slice(2)}-REDACT`;

const FILES = {
    'Health.md': `---\ntags: [private]\n---\n# Health\nThe diagnosis came back: ${CANARY} and more.\nShort line\n`,
    'Journal/Monday.md': `A day in the excluded journal folder, ${CANARY}.\n`,
    'Public.md': '# Public\nA perfectly ordinary public line of text.\nSee [[Health]] for nothing.\n',
};

let harness: HubHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

describe('results of servers that can read the vault', () => {
    it('detects a server whose arguments point into the vault, warns, and redacts excluded notes', async () => {
        // One harness holds the vault; the hub of the other is pointed at that vault's folder.
        const withVault = await makeHubHarness([], { files: FILES });
        harness = await makeHubHarness([misbehavingServer(['--root', withVault.temp.root])], {
            files: {},
            hub: { vault: withVault.temp.vault, vaultRoot: withVault.temp.root, gate: gateOf(withVault) },
        });
        try {
            await consentToAll(harness.hub);
            const [status] = await harness.hub.connectAll();
            expect(status?.readsVault).toBe(true);
            expect(harness.notices.messages.join('\n')).toContain('can read your vault by itself');

            const tools = harness.toolsByName({ surface: 'chat', gate: new RecordingToolCallGate() });
            const privateNote = await harness.run(tools, 'mcp__shady__read_file', { path: 'Health.md' });
            const journal = await harness.run(tools, 'mcp__shady__read_file', { path: 'Journal/Monday.md' });
            const publicNote = await harness.run(tools, 'mcp__shady__read_file', { path: 'Public.md' });
            expect(privateNote.content).not.toContain(CANARY);
            expect(privateNote.content).toContain(REDACTED_LINE);
            expect(privateNote.content).toContain('removed from this result');
            expect(journal.content).not.toContain(CANARY);
            expect(publicNote.content).toContain('A perfectly ordinary public line of text.');
            // Its link names the excluded note: the name goes too.
            expect(publicNote.content).not.toContain('[[Health]]');
        } finally {
            await withVault.cleanup();
        }
    }, 30_000);

    it('redacts for a server the person marked, and follows a note that became private meanwhile', async () => {
        const withVault = await makeHubHarness([], { files: FILES });
        harness = await makeHubHarness([misbehavingServer(['--root', withVault.temp.root], { readsVault: true })], {
            hub: { vault: withVault.temp.vault, gate: gateOf(withVault), vaultRoot: undefined },
        });
        try {
            await consentToAll(harness.hub);
            await harness.hub.connectAll();
            const tools = harness.toolsByName({ surface: 'chat', gate: new RecordingToolCallGate() });
            const before = await harness.run(tools, 'mcp__shady__read_file', { path: 'Public.md' });
            expect(before.content).toContain('A perfectly ordinary public line of text.');

            await withVault.temp.write('Public.md', '#private\nA perfectly ordinary public line of text.\n');
            await withVault.temp.vault.scan();
            const after = await harness.run(tools, 'mcp__shady__read_file', { path: 'Public.md' });
            expect(after.content).not.toContain('A perfectly ordinary public line of text.');
        } finally {
            await withVault.cleanup();
        }
    }, 30_000);

    it('refuses to start a vault-reading server where its results cannot be scanned', async () => {
        harness = await makeHubHarness([misbehavingServer([], { readsVault: true })], {
            hub: { vault: undefined, gate: undefined },
        });
        await consentToAll(harness.hub);
        const [status] = await harness.hub.connectAll();
        expect(status?.state).toBe('failed');
        expect(status?.message).toContain('cannot be scanned');
    });

    it('catches lines of an excluded note inside a JSON string, and leaves unrelated text byte for byte', async () => {
        const temp = await makeTempVault(FILES);
        try {
            const gate = new ExclusionGate({
                vault: temp.vault,
                privacy: { excludedTags: ['private'], excludedFolders: [] },
            });
            const redactor = new VaultRedactor({ vault: temp.vault, gate });
            const json = JSON.stringify({ content: `# Health\nThe diagnosis came back: ${CANARY} and more.\nok` });
            const redacted = await redactor.redact(json);
            expect(redacted.text).not.toContain(CANARY);
            const plain = 'Nothing private here,\r\nonly ordinary words.\n';
            expect((await redactor.redact(plain)).text).toBe(plain);
            redactor.dispose();
        } finally {
            await temp.cleanup();
        }
    });
});

function gateOf(withVault: HubHarness): ExclusionGate {
    return new ExclusionGate({
        vault: withVault.temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    });
}
