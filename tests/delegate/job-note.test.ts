import { describe, expect, it } from 'vitest';
import { editJobText, logLine } from '../../src/delegate/job-note-edit';
import { readJobNote } from '../../src/delegate/job-note';

const SKETCH = [
    '---',
    'vault-agent: job',
    'status: queued        # queued | running | done',
    'created: 2026-11-21T08:00:00Z',
    'context: ["[[Customer calls]]", "#insight", Projects/]',
    'output: Agent/Outputs',
    'model: ""',
    'mode: delegate',
    'schedule: ""',
    'budget: { turns: 30, usd: 0.5 }',
    'lease: { device: "", until: "" }',
    'attempts: 0',
    'artifact: ""',
    'usage: { input: 0, output: 0, cache_read: 0, usd: 0 }',
    'reviewer: |',
    '  Someone with',
    '  a block scalar',
    '---',
    'Summarise the customer calls.',
    '',
].join('\n');

describe('job notes', () => {
    it('reads every field of the design sketch', () => {
        const read = readJobNote('Agent/Jobs/Calls.md', SKETCH);
        expect(read.kind).toBe('job');
        if (read.kind !== 'job') return;
        expect(read.job).toMatchObject({
            status: 'queued',
            created: '2026-11-21T08:00:00Z',
            context: ['[[Customer calls]]', '#insight', 'Projects/'],
            output: 'Agent/Outputs',
            mode: 'delegate',
            budget: { turns: 30, usd: 0.5 },
            lease: null,
            attempts: 0,
            brief: 'Summarise the customer calls.',
        });
    });

    it('reads block lists and unquoted links a person typed', () => {
        const text = '---\nvault-agent: job\ncontext:\n  - [[Customer calls]]\n  - "#insight"\n---\nBrief\n';
        const read = readJobNote('J.md', text);
        expect(read.kind === 'job' && read.job.context).toEqual(['[[Customer calls]]', '#insight']);
    });

    it('ignores notes that are not jobs', () => {
        expect(readJobNote('a.md', '# Just a note\n').kind).toBe('not-a-job');
        expect(readJobNote('a.md', '---\ntitle: x\n---\nbody').kind).toBe('not-a-job');
    });

    it('does not quarantine a plain note that shows the job marker in a code block (like the jobs folder README)', () => {
        const readme =
            '# Jobs\n\nA job note starts like this:\n\n```yaml\n---\nvault-agent: job\nstatus: queued\n```\n';
        expect(readJobNote('Agent/Jobs/README.md', readme).kind).toBe('not-a-job');
    });

    it('quarantines a job note whose frontmatter is broken or whose own keys make no sense', () => {
        expect(readJobNote('a.md', '---\nvault-agent: job\nstatus: queued\nno closing line\n').kind).toBe(
            'quarantined',
        );
        expect(readJobNote('a.md', '---\nvault-agent: job\nstatus: sleeping\n---\n').kind).toBe('quarantined');
        expect(readJobNote('a.md', '---\nvault-agent: job\nattempts: [1, \n---\n').kind).toBe('quarantined');
        expect(readJobNote('a.md', '---\nvault-agent: job\nstatus: queued\nstatus: done\n---\n').kind).toBe(
            'quarantined',
        );
    });

    it('changes only its own keys and appends the log, leaving every other byte as it was', () => {
        const edited = editJobText(
            SKETCH,
            { status: 'running', lease: { device: 'dev-1', until: '2026-11-21T08:05:00Z' }, attempts: 1, id: 'job-1' },
            [logLine(Date.UTC(2026, 10, 21, 8), 'Started (attempt 1).')],
        );
        expect(edited).not.toBeNull();
        const lines = (edited ?? '').split('\n');
        // The person's comment after the value stays (the yaml document gives the value's exact span).
        expect(lines).toContain('status: running        # queued | running | done');
        expect(lines).toContain('lease: { device: dev-1, until: "2026-11-21T08:05:00Z" }');
        expect(lines).toContain('id: job-1');
        const untouched = SKETCH.split('\n').filter((l) => !/^(status|lease|attempts):/.test(l));
        for (const line of untouched) expect(lines).toContain(line);
        expect(edited).toContain(
            'Summarise the customer calls.\n\n## Log\n\n- 2026-11-21T08:00:00Z Started (attempt 1).\n',
        );
        const again = editJobText(edited ?? '', { status: 'done' }, ['- second']);
        expect(again).toContain('- 2026-11-21T08:00:00Z Started (attempt 1).\n- second\n');
        const reread = readJobNote('J.md', again ?? '');
        expect(reread.kind === 'job' && reread.job).toMatchObject({
            status: 'done',
            attempts: 1,
            lease: { device: 'dev-1' },
            brief: 'Summarise the customer calls.',
        });
    });

    it('keeps CRLF line endings and a BOM', () => {
        const text = '\uFEFF---\r\nvault-agent: job\r\nstatus: queued\r\n---\r\nBrief\r\n';
        const edited = editJobText(text, { status: 'done' }) ?? '';
        expect(edited).toBe('\uFEFF---\r\nvault-agent: job\r\nstatus: done\r\n---\r\nBrief\r\n');
    });
});
