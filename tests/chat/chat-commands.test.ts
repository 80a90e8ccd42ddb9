import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { createModelClient } from '../../src/agent/model-client';
import { ChatService } from '../../src/chat/chat-service';
import type { ChatServiceEvent } from '../../src/chat/transcript';
import { MemoryChatStore } from '../../src/chat/chat-store';
import { ContextBuilder } from '../../src/context/build-context';
import { CommandCatalog } from '../../src/context/commands';
import { ExclusionGate } from '../../src/context/exclusions';
import { FixedFocus } from '../../src/context/focus';
import { SkillCatalog } from '../../src/context/skills';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

const DIGEST = [
    '---',
    'description: A digest of the week.',
    'mode: read-only',
    'model: claude-haiku-5',
    'arguments: [focus]',
    '---',
    'Write a weekly digest of @[[Plan]]. Pay particular attention to: $ARGUMENTS',
    '',
].join('\n');

const LONG = `${'The plan has many parts worth discussing at length. '.repeat(60)}\n`;

let api: MessagesApiServer;
let temp: TempVault;

beforeEach(async () => {
    api = await startMessagesApiServer();
    temp = await makeTempVault({
        'AGENTS.md': '# Instructions\n\nAnswer briefly.\n',
        'Notes/Plan.md': '# Plan\n\nPLAN-BODY ships in May.\n',
        'Notes/AGENTS.md': '---\ntags: [private]\n---\nSECRET-INSTRUCTIONS-CANARY\n',
        'Agent/Commands/weekly-digest.md': DIGEST,
        'Agent/Skills/meeting-brief/SKILL.md':
            '---\nname: meeting-brief\ndescription: Prepares a meeting brief.\n---\n# Meeting brief\n\nBe short.\n',
    });
});

afterEach(async () => {
    await api.close();
    await temp.cleanup();
});

function makeChat(store = new MemoryChatStore()): { chat: ChatService; events: ChatServiceEvent[] } {
    const vault = temp.vault;
    const gate = (): ExclusionGate => new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
    const checkpoints = new CheckpointStore({
        vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
    const approvals: ApprovalGate = { request: async () => ({ kind: 'deny' }) };
    const throttle = new Throttle();
    const commands = new CommandCatalog({ vault, gate });
    const chat = new ChatService({
        store,
        focus: new FixedFocus({ note: 'Notes/Plan.md', selection: null, cursorLine: null }),
        checkpoints,
        commands: () => commands,
        defaults: () => ({ mode: 'ask', model: DEFAULT_MODEL, attachFocusedNote: true }),
        services: async () => ({
            client: await createModelClient({
                secrets: { get: async () => api.apiKey },
                settings: { ...DEFAULT_SETTINGS.model, baseUrl: api.baseURL },
            }),
            vault,
            gate,
            approvals,
            settings: () => DEFAULT_SETTINGS,
            checkpoints,
            throttle,
            skills: new SkillCatalog({ vault, exclusions: () => gate() }),
            contextProvider: new ContextBuilder({ vault, gate }),
        }),
    });
    const events: ChatServiceEvent[] = [];
    chat.subscribe((event) => events.push(event));
    return { chat, events };
}

function toolNames(body: unknown): string[] {
    return ((body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
}

describe('custom commands in the chat', () => {
    it('sends the expanded prompt with its mentions resolved, in the command’s mode and model for that turn only', async () => {
        const { chat } = makeChat();
        api.enqueue(textTurn('Digest written.'), textTurn('Back to normal.'));
        const result = await chat.send('/weekly-digest pricing');
        expect(result?.outcome).toBe('done');

        const [commandTurn] = api.messageRequests();
        expect(commandTurn?.rawBody).toContain('Pay particular attention to: pricing');
        expect(commandTurn?.rawBody).toContain('PLAN-BODY');
        expect((commandTurn?.body as { model: string }).model).toBe('claude-haiku-5');
        expect(toolNames(commandTurn?.body)).not.toContain('edit_note');
        expect(chat.record.entries[0]).toMatchObject({ kind: 'user', text: '/weekly-digest pricing' });

        await chat.send('Thanks');
        const next = api.messageRequests().at(-1);
        expect((next?.body as { model: string }).model).toBe(DEFAULT_MODEL);
        expect(toolNames(next?.body)).toContain('edit_note');
        expect(next?.rawBody).toContain('Digest written.');
    });

    it('says so and sends nothing for an unknown command', async () => {
        const { chat, events } = makeChat();
        expect(await chat.send('/no-such-thing now')).toBeNull();
        expect(api.messageRequests()).toHaveLength(0);
        expect(chat.record.entries).toHaveLength(0);
        const notice = events.find((event) => event.type === 'notice');
        expect(notice?.type === 'notice' ? notice.message : '').toMatch(
            /no command called "\/no-such-thing".*Nothing was sent/,
        );
    });
});

describe('the guidance line', () => {
    it('names the instruction notes used and the skills loaded, never an excluded instruction note', async () => {
        const store = new MemoryChatStore();
        const { chat, events } = makeChat(store);
        api.enqueue(toolUseTurn([{ name: 'use_skill', input: { name: 'meeting-brief' } }]), textTurn('Brief ready.'));
        await chat.send('Prepare me for the planning meeting');

        const guidance = chat.record.entries.find((entry) => entry.kind === 'guidance');
        expect(guidance).toMatchObject({ instructions: ['AGENTS.md'], skills: ['meeting-brief'] });
        expect(events.some((event) => event.type === 'guidance')).toBe(true);
        expect(JSON.stringify(guidance)).not.toContain('Notes/AGENTS.md');
        expect(api.allRequestText()).not.toContain('SECRET-INSTRUCTIONS-CANARY');
        const saved = await store.load(chat.record.id);
        expect(saved?.entries.at(-1)).toMatchObject({ kind: 'guidance' });
        expect(JSON.stringify(saved?.history)).not.toContain('Instructions: AGENTS.md');
    });
});

describe('/compact', () => {
    it('summarises earlier messages, marks the place, and a resumed chat still shows the divider', async () => {
        const store = new MemoryChatStore();
        const { chat, events } = makeChat(store);
        api.enqueue(textTurn(LONG), textTurn(LONG), textTurn(LONG));
        await chat.send('Tell me about the plan');
        await chat.send('More');
        await chat.send('Even more');
        api.enqueue(textTurn('Summary: the person is reading about the plan.'));
        const notice = await chat.compact();
        expect(notice).toMatchObject({ reason: 'requested' });

        const divider = chat.record.entries.find((entry) => entry.kind === 'compacted');
        expect(divider).toMatchObject({ summarisedMessages: notice?.summarisedMessages, changesKept: 0 });
        expect(events.some((event) => event.type === 'notice' && /^Compacted:/.test(event.message))).toBe(true);
        expect(JSON.stringify(chat.record.history)).toContain('Summary: the person is reading about the plan.');

        const resumed = makeChat(store).chat;
        expect(await resumed.resume(chat.record.id)).toBe(true);
        expect(resumed.record.entries.some((entry) => entry.kind === 'compacted')).toBe(true);
        api.enqueue(textTurn('Continuing.'));
        await resumed.send('Go on');
        expect(api.messageRequests().at(-1)?.rawBody).toContain('Summary: the person is reading about the plan.');
    });

    it('says there is nothing to compact in a short chat and sends nothing', async () => {
        const { chat, events } = makeChat();
        api.enqueue(textTurn('Hi.'));
        await chat.send('Hello');
        expect(await chat.compact()).toBeNull();
        expect(api.messageRequests()).toHaveLength(1);
        expect(events.some((event) => event.type === 'notice' && event.message === 'Nothing to compact yet.')).toBe(
            true,
        );
    });
});
