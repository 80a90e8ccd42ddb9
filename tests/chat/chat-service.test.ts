import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSession } from '../../src/agent/agent-session';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { createModelClient } from '../../src/agent/model-client';
import { ChatService } from '../../src/chat/chat-service';
import { MemoryChatStore } from '../../src/chat/chat-store';
import { transcriptToMarkdown } from '../../src/chat/transcript';
import { ContextBuilder } from '../../src/context/build-context';
import { ExclusionGate } from '../../src/context/exclusions';
import { FixedFocus } from '../../src/context/focus';
import { DEFAULT_SETTINGS } from '../../src/settings/settings';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let api: MessagesApiServer;
let temp: TempVault;

beforeEach(async () => {
    api = await startMessagesApiServer();
    temp = await makeTempVault({
        'Notes/Plan.md': '# Plan\n\nShip in May.\n',
        'Private/Health.md': '---\ntags: [private]\n---\nPRIVATE-CANARY\n',
    });
});

afterEach(async () => {
    await api.close();
    await temp.cleanup();
});

async function makeChat(store = new MemoryChatStore(), approve = true): Promise<ChatService> {
    const vault = temp.vault;
    const gate = new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
    const client = await createModelClient({
        secrets: { get: async () => api.apiKey },
        settings: { ...DEFAULT_SETTINGS.model, baseUrl: api.baseURL },
    });
    const checkpoints = new CheckpointStore({ vault, persistence: { load: async () => null, save: async () => undefined } });
    const approvals: ApprovalGate = {
        request: async (proposal) => (approve ? { kind: 'approve', binding: proposal.binding } : { kind: 'deny' }),
    };
    return new ChatService({
        store,
        context: new ContextBuilder({ vault, gate }),
        focus: new FixedFocus({ note: 'Notes/Plan.md', selection: null, cursorLine: null }),
        checkpoints,
        approvals,
        defaults: () => ({ mode: 'ask', model: 'claude-sonnet-5-5', attachFocusedNote: true }),
        createSession: async (options) =>
            new AgentSession({
                client,
                vault,
                gate,
                mode: options.mode,
                approvals: options.approvals,
                checkpoints,
                throttle: new Throttle(),
                model: options.model,
                maxOutputTokens: 1024,
            }),
    });
}

describe('ChatService', () => {
    it('keeps the full transcript with tool calls and saves it after the turn', async () => {
        const store = new MemoryChatStore();
        const chat = await makeChat(store);
        api.enqueue(toolUseTurn([{ name: 'read_note', input: { path: 'Notes/Plan.md' } }]), textTurn('It ships in May.'));
        const result = await chat.send('When do we ship?');
        expect(result?.outcome).toBe('done');
        const saved = await store.load(chat.record.id);
        expect(saved?.title).toBe('When do we ship?');
        expect(saved?.entries.map((e) => e.kind)).toEqual(['user', 'tool', 'assistant']);
        expect(saved?.entries[1]).toMatchObject({ kind: 'tool', name: 'read_note', turnId: result?.turnId });
        expect(saved?.history.length).toBeGreaterThanOrEqual(4);
        expect(transcriptToMarkdown(saved!)).toContain('It ships in May.');
    });

    it('resumes a stored chat in a new service and sends its history with the next message', async () => {
        const store = new MemoryChatStore();
        const first = await makeChat(store);
        api.enqueue(textTurn('Remembered: blue.'));
        await first.send('My favourite colour is blue.');
        const later = await makeChat(store);
        expect(await later.resume(first.record.id)).toBe(true);
        api.enqueue(textTurn('Blue.'));
        await later.send('What is my favourite colour?');
        const sent = JSON.stringify(api.messageRequests().at(-1)?.body);
        expect(sent).toContain('Remembered: blue.');
        expect(later.record.entries.filter((e) => e.kind === 'user')).toHaveLength(2);
    });

    it('undoes the turn that changed a note, restoring it byte for byte', async () => {
        const chat = await makeChat();
        api.enqueue(
            toolUseTurn([{ name: 'edit_note', input: { path: 'Notes/Plan.md', edits: [{ old: 'May', new: 'June' }] } }]),
            textTurn('Moved to June.'),
        );
        await chat.send('Move the launch to June');
        expect(await temp.vault.read('Notes/Plan.md')).toContain('June');
        const plan = await chat.undo(undefined, { dryRun: true });
        expect(plan?.restored).toHaveLength(1);
        await chat.undo();
        expect(await temp.vault.read('Notes/Plan.md')).toBe('# Plan\n\nShip in May.\n');
    });

    it('lists what was left out of the context for the person, never sending the private note', async () => {
        const chat = await makeChat();
        api.enqueue(textTurn('Noted.'));
        await chat.send('Compare @[[Plan]] with @[[Health]]');
        const user = chat.record.entries[0];
        expect(user?.kind === 'user' ? user.context.join('\n') : '').toMatch(/Not sent: .*Health/);
        expect(api.allRequestText()).not.toContain('PRIVATE-CANARY');
    });
});
