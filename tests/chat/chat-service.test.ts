import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { createModelClient } from '../../src/agent/model-client';
import { SpendControl } from '../../src/agent/spend/spend-control';
import { MemorySpendLedger } from '../../src/agent/spend/spend-ledger';
import { ChatService } from '../../src/chat/chat-service';
import { MemoryChatStore } from '../../src/chat/chat-store';
import { transcriptToMarkdown } from '../../src/chat/transcript';
import { ContextBuilder } from '../../src/context/build-context';
import { ExclusionGate } from '../../src/context/exclusions';
import { FixedFocus } from '../../src/context/focus';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

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

async function makeChat(
    store = new MemoryChatStore(),
    approve = true,
    settings = DEFAULT_SETTINGS,
): Promise<ChatService> {
    const vault = temp.vault;
    const current: { settings: Settings } = { settings };
    const gate = (): ExclusionGate => new ExclusionGate({ vault, privacy: current.settings.privacy });
    const checkpoints = new CheckpointStore({
        vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
    const approvals: ApprovalGate = {
        request: async (proposal) => (approve ? { kind: 'approve', binding: proposal.binding } : { kind: 'deny' }),
    };
    const throttle = new Throttle();
    const spend = new SpendControl({ ledger: new MemorySpendLedger() });
    const chat = new ChatService({
        store,
        focus: new FixedFocus({ note: 'Notes/Plan.md', selection: null, cursorLine: null }),
        checkpoints,
        defaults: () => ({ mode: 'ask', model: DEFAULT_MODEL, attachFocusedNote: true }),
        services: async () => ({
            client: await createModelClient({
                secrets: { get: async () => api.apiKey },
                settings: { ...current.settings.model, baseUrl: api.baseURL },
            }),
            vault,
            gate,
            approvals,
            settings: () => current.settings,
            checkpoints,
            throttle,
            spend,
            contextProvider: new ContextBuilder({ vault, gate }),
        }),
    });
    return Object.assign(chat, { changeSettings: (next: Settings) => (current.settings = next) });
}

describe('ChatService', () => {
    it('keeps the full transcript with tool calls and saves it after the turn', async () => {
        const store = new MemoryChatStore();
        const chat = await makeChat(store);
        api.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Notes/Plan.md' } }]),
            textTurn('It ships in May.'),
        );
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
            toolUseTurn([
                { name: 'edit_note', input: { path: 'Notes/Plan.md', edits: [{ old: 'May', new: 'June' }] } },
            ]),
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

    it('drops a note attached earlier from the next request once it is made private (docs/RELIABILITY.md row 13)', async () => {
        await temp.write('Notes/Later.md', '# Later\n\nLATER-CANARY\n');
        await temp.vault.scan();
        const chat = await makeChat();
        api.enqueue(textTurn('Read it.'), textTurn('Fine.'));
        await chat.send('Summarise @[[Later]]');
        expect(JSON.stringify(api.messageRequests().at(-1)?.body)).toContain('LATER-CANARY');
        await temp.write('Notes/Later.md', '---\ntags: [private]\n---\n# Later\n\nLATER-CANARY\n');
        await temp.vault.scan();
        await chat.send('And now?');
        expect(JSON.stringify(api.messageRequests().at(-1)?.body)).not.toContain('LATER-CANARY');
    });

    it('shows the context chips of the message from the session that built the context', async () => {
        const chat = await makeChat();
        const users: string[][] = [];
        chat.subscribe((event) => {
            if (event.type === 'user') users.push(event.entry.context);
        });
        api.enqueue(textTurn('Noted.'));
        await chat.send('What is in this note?');
        expect(users).toHaveLength(1);
        expect(users[0]?.join('\n')).toMatch(/Plan/);
        expect(JSON.stringify(api.messageRequests().at(-1)?.body)).toContain('Ship in May.');
    });

    it('sends nothing and shows why when its services cannot be built (locked settings)', async () => {
        const errors: string[] = [];
        const chat = new ChatService({
            store: new MemoryChatStore(),
            focus: new FixedFocus({ note: 'Notes/Plan.md', selection: null, cursorLine: null }),
            checkpoints: new CheckpointStore({
                vault: temp.vault,
                persistence: { load: async () => null, save: async () => undefined },
            }),
            defaults: () => ({ mode: 'ask', model: DEFAULT_MODEL, attachFocusedNote: true }),
            services: async () => {
                throw new Error('Vault Agent is paused: its settings could not be read.');
            },
        });
        chat.subscribe((event) => {
            if (event.type === 'error') errors.push(event.message);
        });
        expect(await chat.send('Hello')).toBeNull();
        expect(errors.join('\n')).toMatch(/paused/);
        expect(chat.record.entries.map((e) => e.kind)).toEqual(['user']);
        expect(api.requests).toHaveLength(0);
    });
});
