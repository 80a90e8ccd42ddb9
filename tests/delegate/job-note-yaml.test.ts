/**
 * Job notes are read and written with the `yaml` package's document API: any valid YAML a person writes is read (block
 * maps, comments between list items, anchors, folded text), and an edit by the queue replaces only the spans of its
 * own keys, so comments (including one after an own key's value), blank lines, quoting and indentation stay as the
 * person left them, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { editJobText, logLine } from '../../src/delegate/job-note-edit';
import { readJobNote } from '../../src/delegate/job-note';

const PERSONAL = [
    '---',
    '# My weekly job — keep this comment',
    "vault-agent: 'job'",
    'status: queued   # queued | running | done',
    '',
    'context:',
    '    - "[[Customer calls]]"   # the main one',
    '    # - "[[Old calls]]" (commented out)',
    '    - [[Interviews]]',
    '    - "#insight"',
    'defaults: &limits',
    '  turns: 12',
    'budget: *limits',
    'output: >-',
    '  Agent/Outputs',
    'lease:',
    '  device: ""',
    '  until: ""',
    "\"reviewer's note\": { who: 'Ana', when: 2026-11-21 }",
    'attempts: 0',
    '',
    '# end of the queue keys',
    '---',
    'Summarise the calls.',
    '',
].join('\n');

describe('job notes through the yaml document API', () => {
    it('reads any valid YAML a person writes: comments in lists, anchors, folded text, quoted keys', () => {
        const read = readJobNote('Agent/Jobs/Weekly.md', PERSONAL);
        expect(read.kind).toBe('job');
        if (read.kind !== 'job') return;
        expect(read.job).toMatchObject({
            status: 'queued',
            context: ['[[Customer calls]]', '[[Interviews]]', '#insight'],
            budget: { turns: 12 },
            output: 'Agent/Outputs',
            lease: null,
            attempts: 0,
            brief: 'Summarise the calls.',
        });
    });

    it("an edit replaces only its own keys: every comment, blank line and the person's formatting stay", () => {
        const edited = editJobText(
            PERSONAL,
            { status: 'running', lease: { device: 'dev-1', until: '2026-11-21T08:05:00Z' }, attempts: 1, id: 'job-1' },
            [logLine(Date.UTC(2026, 10, 21, 8), 'Started (attempt 1).')],
        );
        const expected = PERSONAL.replace('status: queued   #', 'status: running   #')
            .replace('lease:\n  device: ""\n  until: ""', 'lease: { device: dev-1, until: "2026-11-21T08:05:00Z" }')
            .replace('attempts: 0\n', 'attempts: 1\nid: job-1\n')
            .replace(
                'Summarise the calls.\n',
                'Summarise the calls.\n\n## Log\n\n- 2026-11-21T08:00:00Z Started (attempt 1).\n',
            );
        expect(edited).toBe(expected);

        // And back: the edited note reads as the job with the new values, and a second edit keeps it all again.
        const again = editJobText(edited ?? '', { status: 'done', error: 'Line one\nline two, with: "quotes"' });
        const reread = readJobNote('Agent/Jobs/Weekly.md', again ?? '');
        expect(reread.kind === 'job' && reread.job).toMatchObject({
            id: 'job-1',
            status: 'done',
            attempts: 1,
            lease: { device: 'dev-1', until: '2026-11-21T08:05:00Z' },
            error: 'Line one\nline two, with: "quotes"',
            context: ['[[Customer calls]]', '[[Interviews]]', '#insight'],
        });
        expect(again).toContain('# My weekly job — keep this comment\n');
        expect(again).toContain('    # - "[[Old calls]]" (commented out)\n');
        expect(again).toContain('status: done   # queued | running | done\n');
        expect(again).toContain("\"reviewer's note\": { who: 'Ana', when: 2026-11-21 }\n");
    });

    it('keeps CRLF line endings through an edit of a block-style own key', () => {
        const text = '---\r\nvault-agent: job\r\nusage:\r\n  input: 1\r\n  output: 2\r\n# keep\r\n---\r\nBrief\r\n';
        const edited = editJobText(text, { usage: { input: 3, output: 4, cacheRead: 0, usd: 0.01 } });
        expect(edited).toBe(
            '---\r\nvault-agent: job\r\nusage: { input: 3, output: 4, cache_read: 0, usd: 0.01 }\r\n# keep\r\n---\r\nBrief\r\n',
        );
    });

    it('quarantines a job note whose YAML is invalid, and leaves it unedited', () => {
        const broken = '---\nvault-agent: job\nstatus: queued\ncontext: ["[[Unclosed"\n---\nBrief\n';
        expect(readJobNote('a.md', broken).kind).toBe('quarantined');
        expect(editJobText(broken, { status: 'running' })).toBeNull();
    });

    it('quarantines a job note whose frontmatter is larger than any job needs, without parsing it', () => {
        const context = Array.from({ length: 20_000 }, (_, i) => `  - "[[Note ${i}]]"`).join('\n');
        const note = `---\nvault-agent: job\nstatus: queued\ncontext:\n${context}\n---\nSummarise them.\n`;
        const read = readJobNote('Agent/Jobs/All.md', note);
        expect(read).toEqual({
            kind: 'quarantined',
            path: 'Agent/Jobs/All.md',
            reason: 'its frontmatter is too large for a job note (399 KB, at most 256 KB)',
        });
        // Not a job by its marker: just a note with a long frontmatter.
        expect(readJobNote('Notes/Index.md', note.replace('vault-agent: job', 'kind: index')).kind).toBe('not-a-job');
    });

    it('quarantines a note whose edit left an alias without its anchor, instead of failing to read it', () => {
        const note = [
            '---',
            'vault-agent: job',
            'status: queued',
            'usage: &spent { input: 0, output: 0, cache_read: 0, usd: 0 }',
            'last-week: *spent',
            '---',
            'Summarise.',
            '',
        ].join('\n');
        expect(readJobNote('Agent/Jobs/A.md', note).kind).toBe('job');
        const edited = editJobText(note, { usage: { input: 5, output: 6, cacheRead: 0, usd: 0.01 } }, [
            logLine(Date.UTC(2026, 10, 21), 'Done.'),
        ]);
        // The queue's own key carried the anchor: replacing its value drops it, and the alias points nowhere.
        expect(edited).not.toBeNull();
        expect(readJobNote('Agent/Jobs/A.md', edited ?? '').kind).toBe('quarantined');
    });
});
