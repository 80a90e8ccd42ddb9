import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { createModelClient } from '../../src/agent/model-client';
import { ChatService } from '../../src/chat/chat-service';
import { MemoryChatStore } from '../../src/chat/chat-store';
import { CARRIED_HEADING, continueFromJobPrompt, handOverJob } from '../../src/chat/hand-over';
import { newChatRecord } from '../../src/chat/transcript';
import { ContextBuilder } from '../../src/context/build-context';
import { ExclusionGate } from '../../src/context/exclusions';
import { FixedFocus } from '../../src/context/focus';
import type { JobQueue } from '../../src/delegate/job-queue';
import { readJobNote } from '../../src/delegate/job-note';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { makeQueueHarness, type QueueHarness } from '../delegate/queue-harness';
import { textTurn, toolUseTurn } from '../support/messages-api-server';

let harness: QueueHarness | undefined;

afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

/** A chat over the harness's vault and model server whose hand-over goes to `queue.enqueue`. */
function chatOn(h: QueueHarness, queue: JobQueue, store = new MemoryChatStore()): ChatService {
    const vault = h.temp.vault;
    const gate = (): ExclusionGate => new ExclusionGate({ vault, privacy: { ...h.privacy } });
    const checkpoints = new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() });
    const settings = { ...DEFAULT_SETTINGS, model: { ...DEFAULT_SETTINGS.model, baseUrl: h.server.baseURL } };
    return new ChatService({
        store,
        focus: new FixedFocus({ note: null, selection: null, cursorLine: null }),
        checkpoints,
        defaults: () => ({ mode: 'ask', model: DEFAULT_MODEL, attachFocusedNote: false }),
        enqueue: (spec) => queue.enqueue(spec),
        services: async () => ({
            client: await createModelClient({
                secrets: { get: async () => h.server.apiKey },
                settings: settings.model,
            }),
            vault,
            gate,
            approvals: { request: async () => ({ kind: 'deny' }) },
            settings: () => settings,
            checkpoints,
            throttle: new Throttle(),
            contextProvider: new ContextBuilder({ vault, gate }),
        }),
    });
}

describe('Continue in background', () => {
    it('turns the chat into a queued job note that keeps its request, context and history, and frees the chat', async () => {
        harness = await makeQueueHarness({
            files: {
                'Meetings/Monday.md': '# Monday\n\nDecided: MONDAY-DECISION.\n',
                'Meetings/Tuesday.md': '# Tuesday\n\nTUESDAY-TEXT\n',
            },
        });
        const queue = await harness.queue();
        const chat = chatOn(harness, queue);
        harness.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Meetings/Monday.md' } }]),
            textTurn('Monday decided CARRIED-ANSWER.'),
            textTurn('I will start with Tuesday.'),
        );
        await chat.send('What did we decide on Monday?');
        await chat.send('Now tidy the links in @[[Tuesday]] the same way');
        const chatId = chat.record.id;

        const result = await chat.continueInBackground();

        // The chat is free: a new, empty chat is shown, and it says where the work went.
        expect(chat.record.id).not.toBe(chatId);
        expect(chat.record.entries).toHaveLength(0);
        const read = readJobNote(result.jobPath, await harness.temp.vault.read(result.jobPath));
        if (read.kind !== 'job') throw new Error(`not a job: ${read.kind}`);
        expect(read.job.status).toBe('queued');
        expect(read.job.mode).toBe('propose');
        expect(read.job.context).toEqual(['[[Tuesday]]', '[[Meetings/Monday]]']);
        // The request leads the brief; the conversation so far follows it, quoted.
        expect(read.job.brief.startsWith('Now tidy the links in @[[Tuesday]] the same way')).toBe(true);
        expect(read.job.brief).toContain(CARRIED_HEADING);
        expect(read.job.brief).toContain('> **You:** What did we decide on Monday?');
        expect(read.job.brief).toContain('> **Agent:** Monday decided CARRIED-ANSWER.');

        // When the job runs, the model gets the carried history and the chat's notes as context.
        harness.server.enqueue(textTurn('Done in the background.'));
        const before = harness.server.messageRequests().length;
        await queue.runUntilIdle();
        const jobRequests = harness.server.messageRequests().slice(before);
        expect(jobRequests).toHaveLength(1);
        const sent = JSON.stringify(jobRequests[0]?.body);
        expect(sent).toContain('running a delegated job unattended');
        expect(sent).toContain('CARRIED-ANSWER');
        expect(sent).toContain('MONDAY-DECISION');
        expect(sent).toContain('TUESDAY-TEXT');
    });

    it('leaves out the agent answers and the note when a note the chat read became private, and says so', async () => {
        harness = await makeQueueHarness({ files: { 'Notes/Plan.md': '# Plan\n\nPLAN-CANARY\n' } });
        const queue = await harness.queue();
        const chat = chatOn(harness, queue);
        harness.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Notes/Plan.md' } }]),
            textTurn('The plan says QUOTED-CANARY.'),
        );
        await chat.send('Summarise the plan');
        await harness.temp.write('Notes/Plan.md', '---\ntags: [private]\n---\n# Plan\n\nPLAN-CANARY\n');
        await harness.temp.vault.scan();

        const result = await chat.continueInBackground();

        expect(result.answersWithheld).toBe(true);
        const text = await harness.temp.vault.read(result.jobPath);
        expect(text).not.toContain('QUOTED-CANARY');
        expect(text).not.toContain('Notes/Plan');
        expect(text).toContain('> **You:** Summarise the plan');
        expect(text).toContain('hidden by the privacy settings');
    });

    it('refuses to hand over a chat with no message and keeps the chat', async () => {
        harness = await makeQueueHarness();
        const queue = await harness.queue();
        const chat = chatOn(harness, queue);
        const id = chat.record.id;
        await expect(chat.continueInBackground()).rejects.toThrow(/send a message first/);
        expect(chat.record.id).toBe(id);
        expect((await harness.temp.vault.list()).filter((f) => f.path.startsWith('Agent/Jobs/'))).toEqual([]);
    });

    it('makes code other plugins run inert and keeps carried lines from passing for headings of the job note', () => {
        const record = newChatRecord({ id: 'c1', mode: 'ask', model: DEFAULT_MODEL, now: 0 });
        record.title = 'Queries';
        record.entries.push(
            { kind: 'user', text: 'Write the query', context: [], time: 0 },
            { kind: 'assistant', turnId: 't1', text: '## Log\n```dataviewjs\ndv.list([1])\n```' },
            { kind: 'user', text: 'Put it in the weekly note', context: [], time: 1 },
        );
        const { spec } = handOverJob(record, { isExcluded: () => false, sources: [] });
        expect(spec.brief).not.toMatch(/^## Log/mu);
        expect(spec.brief).toContain('> **Agent:** ## Log');
        expect(spec.brief).not.toContain('```dataviewjs');
        expect(spec.title).toBe('Queries (from chat)');
    });
});

describe('Continue a finished job in a chat', () => {
    it('starts a new chat whose first message carries the result and the job note as context', async () => {
        harness = await makeQueueHarness({
            files: {
                'Agent/Outputs/Digest.md': '# Digest\n\nRESULT-CANARY\n',
                'Agent/Jobs/Weekly digest.md':
                    '---\nvault-agent: job\nstatus: done\nartifact: "[[Agent/Outputs/Digest]]"\n---\nBRIEF-CANARY: make a digest\n',
            },
        });
        const queue = await harness.queue();
        const chat = chatOn(harness, queue);
        const prompt = chat.continueFromJob({
            jobPath: 'Agent/Jobs/Weekly digest.md',
            resultPath: 'Agent/Outputs/Digest',
            title: 'Weekly digest',
        });
        expect(prompt).toBe(
            continueFromJobPrompt({
                jobPath: 'Agent/Jobs/Weekly digest.md',
                resultPath: 'Agent/Outputs/Digest',
                title: 'Weekly digest',
            }),
        );
        harness.server.enqueue(textTurn('Shortened.'));
        await chat.send(`${prompt}Make it shorter.`);
        const sent = JSON.stringify(harness.server.messageRequests().at(-1)?.body);
        expect(sent).toContain('RESULT-CANARY');
        expect(sent).toContain('BRIEF-CANARY');
    });
});
