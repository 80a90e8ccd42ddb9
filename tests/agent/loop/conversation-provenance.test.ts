/** Provenance in the history: which blocks carry which notes, and what replaces them once a note is excluded. */
import { afterEach, describe, expect, it } from 'vitest';
import { Conversation, WITHHELD_TEXT } from '../../../src/agent/loop/conversation';
import { runToolCalls } from '../../../src/agent/loop/run-tools';
import { ExclusionGate } from '../../../src/context/exclusions';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import {
    consentToAll,
    makeHubHarness,
    misbehavingServer,
    RecordingToolCallGate,
    type HubHarness,
} from '../mcp/mcp-fixtures';

let harness: HubHarness | undefined;
const vaults: TempVault[] = [];
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
    for (const temp of vaults.splice(0)) await temp.cleanup();
});

function chatWithARead(): Conversation {
    const conversation = new Conversation();
    conversation.addUser('Read my plan');
    conversation.addAssistant([{ type: 'tool_use', id: 'call-1', name: 'read_note', input: { path: 'Plan.md' } }]);
    conversation.addToolResults(
        [{ type: 'tool_result', tool_use_id: 'call-1', content: [{ type: 'text', text: 'Plan.md: secret words' }] }],
        [['Plan.md']],
    );
    conversation.addAssistant([{ type: 'text', text: 'It says secret words.' }], ['Plan.md']);
    return conversation;
}

describe('Conversation provenance', () => {
    it('replaces a tool result, its tool call and the answer quoting it once the note is excluded', () => {
        const conversation = chatWithARead();
        const replaced = conversation.withhold((path) => path === 'Plan.md');
        expect(replaced).toBe(3);
        const text = JSON.stringify(conversation.snapshot());
        expect(text).not.toContain('secret words');
        expect(text).not.toContain('Plan.md');
        expect(text).toContain(WITHHELD_TEXT);
        // Pairing survives: same ids, the call keeps its name.
        const [, call, result] = conversation.snapshot();
        expect(call?.content[0]).toEqual({ type: 'tool_use', id: 'call-1', name: 'read_note', input: {} });
        expect(result?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'call-1' });
    });

    it('leaves blocks alone while their notes stay visible, and the person’s own words always', () => {
        const conversation = chatWithARead();
        expect(conversation.withhold(() => false)).toBe(0);
        conversation.withhold(() => true);
        expect(conversation.snapshot()[0]?.content[0]).toEqual({ type: 'text', text: 'Read my plan' });
    });

    it('keeps the error flag of a withheld tool result', () => {
        const conversation = new Conversation();
        conversation.addUser('x');
        conversation.addAssistant([{ type: 'tool_use', id: 'c', name: 'note_links', input: { path: 'A.md' } }]);
        conversation.addToolResults(
            [{ type: 'tool_result', tool_use_id: 'c', is_error: true, content: [{ type: 'text', text: 'A.md' }] }],
            [['A.md']],
        );
        conversation.withhold(() => true);
        expect(conversation.snapshot()[2]?.content[0]).toMatchObject({ is_error: true });
    });

    it('gives a compaction record the sources of every block it replaced', () => {
        const conversation = chatWithARead();
        const record = { type: 'text' as const, text: 'Summary: the plan says secret words.' };
        const newest = conversation.snapshot().at(-1)!;
        conversation.replace([{ role: 'user', content: [record] }, newest]);
        expect(conversation.sourcesOf(conversation.snapshot()[0]!.content[0]!)).toEqual(['Plan.md']);
        conversation.withhold((path) => path === 'Plan.md');
        expect(JSON.stringify(conversation.snapshot())).not.toContain('secret words');
    });

    it('never sends provenance: the blocks hold only Messages-API fields', () => {
        const conversation = chatWithARead();
        const keys = conversation.snapshot().flatMap((m) => m.content.flatMap((block) => Object.keys(block)));
        expect(keys).not.toContain('sources');
        expect(conversation.allSources()).toEqual(['Plan.md']);
    });

    it('drops a vault-reading MCP server’s result once the note it returned is private (row 13)', async () => {
        const marker = `MARKER-${Math.random().toString(36).slice(2)}`;
        const temp = await makeTempVault({ 'Notes/Turncoat.md': `# Turncoat\n\nStill public: ${marker}.\n` });
        vaults.push(temp);
        const gate = new ExclusionGate({
            vault: temp.vault,
            privacy: { excludedTags: ['private'], excludedFolders: [] },
        });
        // A file server pointed at the vault, which the person marked as reading it: its results are scanned.
        harness = await makeHubHarness([misbehavingServer(['--root', temp.root], { readsVault: true })], {
            hub: { vault: temp.vault, gate, vaultRoot: temp.root },
        });
        await consentToAll(harness.hub);
        await harness.hub.connectAll();
        const tools = harness.toolsByName({ surface: 'chat', gate: new RecordingToolCallGate() });
        const conversation = new Conversation();
        conversation.addUser('What does the turncoat note say?');
        const call = { id: 'call-1', name: 'mcp__shady__read_file', input: { path: 'Notes/Turncoat.md' } };
        conversation.addAssistant([{ type: 'tool_use', ...call }]);
        const ran = await runToolCalls({
            calls: [call],
            tools,
            context: harness.context(),
            signal: new AbortController().signal,
            emit: () => undefined,
            records: [],
        });
        conversation.addToolResults(ran.results, ran.sources);
        expect(JSON.stringify(conversation.snapshot())).toContain(marker);

        expect(conversation.withhold((path) => gate.isExcluded(path))).toBe(0);
        await temp.write('Notes/Turncoat.md', `---\ntags: [private]\n---\n# Turncoat\n\nStill public: ${marker}.\n`);
        await temp.vault.scan();
        expect(conversation.withhold((path) => gate.isExcluded(path))).toBe(2);
        const sent = JSON.stringify(conversation.snapshot());
        expect(sent).not.toContain(marker);
        expect(sent).not.toContain('Turncoat.md');
        const [, asked, answered] = conversation.snapshot();
        expect(asked?.content[0]).toEqual({ type: 'tool_use', id: 'call-1', name: 'mcp__shady__read_file', input: {} });
        expect(answered?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'call-1' });
    }, 30_000);
});
