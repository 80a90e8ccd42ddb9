/**
 * `schedule_job`: a chat's agent offers a scheduled job, and the job note is created only once the person accepts it
 * on the approval card (here a scripted gate that records what it was shown), in every chat mode, auto-accept
 * included. A rejected offer or an unreadable schedule writes nothing; jobs and MCP clients are not offered the tool.
 *
 * The real ChatService and session factory, the real SDK against the local Messages API, a real temp vault.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalGate, Decision } from '../../src/agent/changes/approval';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import type { ChangeProposal } from '../../src/agent/changes/proposal';
import { Throttle } from '../../src/agent/loop/throttle';
import { createModelClient } from '../../src/agent/model-client';
import { VAULT_TOOLS } from '../../src/agent/tools/registry';
import { ChatService } from '../../src/chat/chat-service';
import { MemoryChatStore } from '../../src/chat/chat-store';
import { ContextBuilder } from '../../src/context/build-context';
import { ExclusionGate } from '../../src/context/exclusions';
import { FixedFocus } from '../../src/context/focus';
import { jobDrafter } from '../../src/delegate/job-draft';
import { readJobNote } from '../../src/delegate/job-note';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';
import { systemClock } from '../../src/kernel/ports';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const JOBS = 'Agent/Jobs';
const OFFER = {
    title: 'Customer briefing',
    brief: 'Brief me on what changed in my customer notes since yesterday.',
    schedule: 'weekdays 08:30',
    context: ['#customer'],
};

let api: MessagesApiServer;
let temp: TempVault;

beforeEach(async () => {
    api = await startMessagesApiServer();
    temp = await makeTempVault({ 'Customers/Acme.md': '---\ntags: [customer]\n---\n# Acme\n' });
});

afterEach(async () => {
    await api.close();
    await temp.cleanup();
});

function makeChat(mode: string, decide: (proposal: ChangeProposal) => Decision, shown: ChangeProposal[]): ChatService {
    const vault = temp.vault;
    const settings: Settings = DEFAULT_SETTINGS;
    const gate = (): ExclusionGate => new ExclusionGate({ vault, privacy: settings.privacy });
    const checkpoints = new CheckpointStore({
        vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
    const approvals: ApprovalGate = {
        request: async (proposal) => {
            shown.push(proposal);
            return decide(proposal);
        },
    };
    return new ChatService({
        store: new MemoryChatStore(),
        focus: new FixedFocus({ note: null, selection: null, cursorLine: null }),
        checkpoints,
        defaults: () => ({ mode, model: DEFAULT_MODEL, attachFocusedNote: false }),
        services: async () => ({
            client: await createModelClient({
                secrets: { get: async () => api.apiKey },
                settings: { ...settings.model, baseUrl: api.baseURL },
            }),
            vault,
            gate,
            approvals,
            settings: () => settings,
            checkpoints,
            throttle: new Throttle(),
            contextProvider: new ContextBuilder({ vault, gate }),
            jobs: jobDrafter(
                vault,
                () => ({
                    jobsFolder: settings.delegate.jobsFolder,
                    outputFolder: settings.delegate.outputFolder,
                    budget: settings.delegate.defaultBudget,
                }),
                systemClock,
            ),
        }),
    });
}

async function jobNotes(): Promise<string[]> {
    return (await temp.vault.list()).map((entry) => entry.path).filter((path) => path.startsWith(`${JOBS}/`));
}

describe('schedule_job', () => {
    it.each(['ask', 'auto-edits'])(
        'in %s mode, creates the scheduled job note only after the person accepts the card',
        async (mode) => {
            const shown: ChangeProposal[] = [];
            const chat = makeChat(mode, (p) => ({ kind: 'approve', binding: p.binding }), shown);
            api.enqueue(toolUseTurn([{ name: 'schedule_job', input: OFFER }]), textTurn('Scheduled.'));
            await chat.send('Every weekday at 8:30, brief me on #customer notes');

            expect(shown).toHaveLength(1);
            expect(shown[0]?.kind).toBe('create');
            expect(shown[0]?.path).toBe(`${JOBS}/Customer briefing.md`);
            expect(shown[0]?.reason).toContain('weekdays 08:30');
            const text = await temp.vault.read(`${JOBS}/Customer briefing.md`);
            const read = readJobNote(`${JOBS}/Customer briefing.md`, text);
            if (read.kind !== 'job') throw new Error(read.kind);
            expect(read.job.schedule).toBe('weekdays 08:30');
            expect(read.job.context).toEqual(['#customer']);
            expect(read.job.mode).toBe('delegate');
            expect(read.job.brief).toBe(OFFER.brief);
            const result = toolResultsOf(api.messageRequests().at(-1)!)[0];
            expect(result?.text).toContain("with the person's approval");
        },
    );

    it('writes nothing when the person rejects the offer, and the model is told so', async () => {
        const shown: ChangeProposal[] = [];
        const chat = makeChat('auto-edits', () => ({ kind: 'deny', reason: 'not now' }), shown);
        api.enqueue(toolUseTurn([{ name: 'schedule_job', input: OFFER }]), textTurn('Fine.'));
        await chat.send('Brief me every weekday');
        expect(shown).toHaveLength(1);
        expect(await jobNotes()).toEqual([]);
        const result = toolResultsOf(api.messageRequests().at(-1)!)[0];
        expect(result?.text).toContain('not now');
    });

    it('refuses a schedule that cannot be read without asking the person', async () => {
        const shown: ChangeProposal[] = [];
        const chat = makeChat('ask', (p) => ({ kind: 'approve', binding: p.binding }), shown);
        api.enqueue(
            toolUseTurn([{ name: 'schedule_job', input: { ...OFFER, schedule: 'every morning' } }]),
            textTurn('Sorry.'),
        );
        await chat.send('Brief me every morning');
        expect(shown).toEqual([]);
        expect(await jobNotes()).toEqual([]);
        const result = toolResultsOf(api.messageRequests().at(-1)!)[0];
        expect(result?.isError).toBe(true);
        expect(result?.text).toContain('Nothing was scheduled');
    });

    it('is offered to chats only, never to jobs or MCP clients', () => {
        const names = (audience: 'chat' | 'job' | 'mcp'): string[] =>
            VAULT_TOOLS.toolsFor(audience, audience === 'chat' ? 'ask' : 'delegate').map((t) => t.definition.name);
        expect(names('chat')).toContain('schedule_job');
        expect(names('job')).not.toContain('schedule_job');
        expect(names('mcp')).not.toContain('schedule_job');
    });
});
