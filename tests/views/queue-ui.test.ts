/**
 * The queue's UI pieces that need no browser: the status-bar text and item, one notice per job end, the progress line,
 * the pause banner's words, and the enqueue form read into a job spec (problems as values, never thrown).
 */
import { describe, expect, it } from 'vitest';
import { createContainer } from '../support/obsidian-stub';
import type { JobView, QueueSnapshot } from '../../src/delegate/queue-snapshot';
import type { JobStatus } from '../../src/delegate/job-note';
import { contextReferences, referenceToMention as referenceMention } from '../../src/delegate/job-context';
import {
    outputFolderProblem,
    readEnqueueFields,
    titleFromBrief,
    type EnqueueFields,
} from '../../src/views/enqueue-form';
import { JobNotices, type NoticeAction } from '../../src/views/job-notices';
import { groupJobs, pauseResumes, progressLine, statusBarText } from '../../src/views/queue-format';
import { QueueStatusBar } from '../../src/views/queue-status-bar';

function job(title: string, status: JobStatus, extra: Partial<JobView> = {}): JobView {
    return {
        path: `Agent/Jobs/${title}.md`,
        id: `job-${title}`,
        title,
        status,
        attempts: 0,
        artifact: '',
        error: '',
        schedule: '',
        template: '',
        usage: { input: 0, output: 0, cacheRead: 0, usd: 0 },
        progress: null,
        ...extra,
    };
}

function snapshot(jobs: JobView[], pause: QueueSnapshot['pause'] = null): QueueSnapshot {
    return { state: pause !== null ? 'paused' : 'idle', pause, jobs, quarantined: [] };
}

/** A queue the test drives by hand. */
class HandQueue {
    current: QueueSnapshot = snapshot([]);
    private readonly listeners = new Set<(s: QueueSnapshot) => void>();
    snapshot(): QueueSnapshot {
        return this.current;
    }
    subscribe(listener: (s: QueueSnapshot) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }
    set(jobs: JobView[], pause: QueueSnapshot['pause'] = null): void {
        this.current = snapshot(jobs, pause);
        for (const listener of this.listeners) listener(this.current);
    }
}

const FIELDS: EnqueueFields = {
    title: '',
    brief: 'Summarise @[[Forgetting curve]] and @#insight',
    context: '@[[Research/]] @#customer ',
    output: 'Agent/Outputs',
    model: '',
    mode: 'delegate',
    turns: '10',
    usd: '0.5',
    when: 'now',
    schedule: '',
};

describe('the status bar', () => {
    it('counts running and waiting jobs, says when paused, and is empty when nothing runs or waits', () => {
        expect(statusBarText(snapshot([job('a', 'running'), job('b', 'running'), job('c', 'queued')]))).toBe(
            '2 running · 1 queued',
        );
        expect(statusBarText(snapshot([job('c', 'queued')], { reason: 'person', message: 'Paused.' }))).toBe(
            '1 queued · paused',
        );
        expect(statusBarText(snapshot([job('d', 'done'), job('t', 'queued', { schedule: 'daily 08:00' })]))).toBe('');
    });

    it('hides the item when empty and opens the queue view on click or Enter', () => {
        const el = createContainer();
        const queue = new HandQueue();
        let opened = 0;
        const bar = new QueueStatusBar({ el, queue, openQueue: () => opened++ });
        bar.start();
        expect(el.hasClass('is-empty')).toBe(true);
        queue.set([job('a', 'running'), job('b', 'queued')]);
        expect(el.textContent).toBe('1 running · 1 queued');
        expect(el.hasClass('is-empty')).toBe(false);
        (el as unknown as { dispatch(type: string): void }).dispatch('click');
        expect(opened).toBe(1);
        bar.stop();
        queue.set([]);
        expect(el.textContent).toBe('1 running · 1 queued');
    });
});

describe('job notices', () => {
    it('announces each job end once, with Open result for the artifact, and never jobs that ended before', () => {
        const queue = new HandQueue();
        queue.set([job('old', 'done', { artifact: '[[Agent/Outputs/old]]' }), job('a', 'queued'), job('b', 'queued')]);
        const shown: { message: string; action: NoticeAction | null }[] = [];
        const opened: string[] = [];
        const notices = new JobNotices({
            queue,
            openLink: (link) => opened.push(link),
            show: (message, action) => shown.push({ message, action }),
        });
        notices.start();
        queue.set([job('old', 'done'), job('a', 'running'), job('b', 'queued')]);
        expect(shown).toEqual([]);
        const done = job('a', 'done', { artifact: '[[Agent/Outputs/Summary (job-a)]]' });
        queue.set([job('old', 'done'), done, job('b', 'running')]);
        queue.set([job('old', 'done'), done, job('b', 'running')]);
        queue.set([job('old', 'done'), done, job('b', 'failed', { error: 'The request was malformed.' })]);
        expect(shown.map((s) => s.message)).toEqual([
            'Vault Agent finished "a".',
            'Vault Agent could not finish "b". The request was malformed.',
        ]);
        expect(shown[0]?.action?.label).toBe('Open result');
        shown[0]?.action?.run();
        shown[1]?.action?.run();
        expect(opened).toEqual(['Agent/Outputs/Summary (job-a)', 'Agent/Jobs/b.md']);
        notices.stop();
    });
});

describe('the queue view text', () => {
    it('groups jobs in the order running, queued, needs approval, done, failed, interrupted, cancelled', () => {
        const groups = groupJobs([
            job('x', 'cancelled'),
            job('y', 'done'),
            job('z', 'running'),
            job('w', 'queued'),
            job('t', 'queued', { schedule: 'daily 08:00' }),
        ]);
        expect(groups.map((g) => [g.status, g.jobs.map((j) => j.title)])).toEqual([
            ['running', ['z']],
            ['queued', ['w']],
            ['done', ['y']],
            ['cancelled', ['x']],
        ]);
    });

    it('shows turns, tokens, elapsed time and cost while a job runs, and the rate-limit wait', () => {
        const running = job('r', 'running', {
            progress: { modelCalls: 3, tokens: 12_345, costUsd: 0.042, startedAt: 0, waitingMs: 7000 },
        });
        expect(progressLine(running, 125_000)).toBe(
            '3 turns · 12k tokens · 2 min 5 s · $0.042 · waiting 7 s for the rate limit',
        );
        expect(
            progressLine(
                job('d', 'done', { attempts: 1, usage: { input: 900, output: 100, cacheRead: 0, usd: 0.01 } }),
                0,
            ),
        ).toBe('attempt 1 · 1.0k tokens · $0.01');
        const metered = job('m', 'running', {
            progress: {
                modelCalls: 1,
                tokens: 5000,
                costUsd: 0.01,
                startedAt: 0,
                waitingMs: 0,
                context: { usedTokens: 4200, windowTokens: 200_000 },
            },
        });
        expect(progressLine(metered, 1000)).toBe('1 turn · 5.0k tokens · 1 s · $0.01 · context 4.2k of 200k');
    });

    it('says when an offline queue tries again and what to do after a spend cap', () => {
        expect(pauseResumes({ reason: 'offline', message: 'Offline.', resumesAt: 40_000 }, 10_000)).toBe(
            'Tries again in 30 s.',
        );
        expect(pauseResumes({ reason: 'spend-cap', message: 'Cap.' }, 0)).toBe('Resume after raising the limit.');
    });
});

const RULES = { configDir: '.obsidian', jobsFolder: 'Agent/Jobs' };

describe('the enqueue form', () => {
    it('reads mentions in the context field and the brief into job references, without repeats', () => {
        const read = readEnqueueFields(FIELDS, RULES);
        expect(read.ok && read.spec).toMatchObject({
            title: 'Summarise Forgetting curve and insight',
            context: ['Research/', '#customer', '[[Forgetting curve]]', '#insight'],
            output: 'Agent/Outputs',
            mode: 'delegate',
            budget: { turns: 10, usd: 0.5 },
        });
        expect(contextReferences('@[[Note#Heading]] @[[Note#Heading]]')).toEqual(['[[Note#Heading]]']);
        expect(referenceMention('#customer')).toBe('@#customer');
        expect(referenceMention('Projects/')).toBe('@[[Projects/]]');
        expect(referenceMention('[[Daily/2026-11-21]]')).toBe('@[[Daily/2026-11-21]]');
    });

    it('marks the job as batch work when "When" says so, and only then', () => {
        const batch = readEnqueueFields({ ...FIELDS, when: 'batch' }, RULES);
        expect(batch.ok && batch.spec.batch).toBe(true);
        const now = readEnqueueFields({ ...FIELDS, when: 'now' }, RULES);
        expect(now.ok && now.spec.batch).toBeFalsy();
    });

    it('returns problems as values naming the field: empty brief, bad budget, unsafe folder, bad schedule', () => {
        expect(readEnqueueFields({ ...FIELDS, brief: '  ' }, RULES)).toMatchObject({ ok: false, field: 'brief' });
        expect(readEnqueueFields({ ...FIELDS, turns: '2.5' }, RULES)).toMatchObject({ ok: false, field: 'turns' });
        expect(readEnqueueFields({ ...FIELDS, usd: '-1' }, RULES)).toMatchObject({ ok: false, field: 'usd' });
        expect(readEnqueueFields({ ...FIELDS, output: '../outside' }, RULES)).toMatchObject({
            ok: false,
            field: 'output',
        });
        expect(readEnqueueFields({ ...FIELDS, when: 'schedule', schedule: 'daily 8am' }, RULES)).toMatchObject({
            ok: false,
            field: 'schedule',
        });
        const scheduled = readEnqueueFields({ ...FIELDS, when: 'schedule', schedule: 'weekdays 09:30' }, RULES);
        expect(scheduled.ok && scheduled.spec.schedule).toBe('weekdays 09:30');
        for (const output of ['/abs', '.obsidian', '.git/x', 'Agent/.hidden', 'Agent/Jobs', 'agent/jobs/Out', 'C:/x']) {
            expect(readEnqueueFields({ ...FIELDS, output }, RULES)).toMatchObject({ ok: false, field: 'output' });
        }
        expect(outputFolderProblem('', '.obsidian/out', RULES)).toContain('default output folder');
        expect(outputFolderProblem('Agent/Results', 'Agent/Outputs', RULES)).toBeNull();
        expect(readEnqueueFields({ ...FIELDS, usd: '' }, RULES)).toMatchObject({
            ok: true,
            spec: { budget: { turns: 10 } },
        });
    });

    it('names a job from the first line of its brief, cut at a word', () => {
        expect(titleFromBrief('\n# Weekly digest\nMore')).toBe('Weekly digest');
        const long = titleFromBrief(
            'Summarise every customer call from the last quarter and group them by theme please',
        );
        expect(long.length).toBeLessThanOrEqual(61);
        expect(long.endsWith('…')).toBe(true);
    });
});
