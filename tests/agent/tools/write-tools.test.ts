/**
 * Write tools: protected locations are refused before any proposal (docs/RELIABILITY.md row 9), new names are made safe
 * and never overwrite (row 10), excluded notes are "not found", and the modes offer only the tools they allow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { vaultTools } from '../../../src/agent/tools/registry';
import { makeToolHarness, type ToolHarness } from './tool-fixtures';

let h: ToolHarness | undefined;

afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

describe('writes to protected locations (docs/RELIABILITY.md row 9)', () => {
    it('refuses create, edit, rename and delete in the config folder, .git and .trash without ever proposing', async () => {
        h = await makeToolHarness(
            {
                'Note.md': 'text\n',
                'Cfg/app.md': 'config\n',
                '.git/HEAD.md': 'ref\n',
                '.trash/Old.md': 'old\n',
                'Sub/.git/x.md': 'nested repo\n',
            },
            { configDir: 'Cfg' },
        );
        const t = h;
        const before = snapshot(t.temp.root);
        const calls: [string, unknown][] = [
            ['create_note', { path: 'Cfg/plugins/evil.md', content: 'x' }],
            ['create_note', { path: 'cfg/new.md', content: 'x' }],
            ['create_note', { path: '.git/hooks/post-commit.md', content: 'x' }],
            ['create_note', { path: '.trash/New.md', content: 'x' }],
            ['create_note', { path: 'Sub/.git/y.md', content: 'x' }],
            ['edit_note', { path: 'Cfg/app.md', edits: [{ old: 'config', new: 'pwned' }] }],
            ['edit_note', { path: '.git/HEAD.md', edits: [{ old: 'ref', new: 'x' }] }],
            ['rewrite_note', { path: '.trash/Old.md', content: 'x' }],
            ['rename_note', { path: 'Note.md', new_path: 'Cfg/Note.md' }],
            ['rename_note', { path: 'Note.md', new_path: '.trash/Note.md' }],
            ['rename_note', { path: 'Cfg/app.md', new_path: 'app.md' }],
            ['delete_note', { path: '.git/HEAD.md' }],
            ['delete_note', { path: '.trash/Old.md' }],
            ['delete_note', { path: 'Cfg/app.md' }],
        ];
        for (const [name, input] of calls) {
            const result = await t.run(name, input);
            expect(result.isError, `${name} ${JSON.stringify(input)}`).toBe(true);
            expect(result.content).toMatch(/^Refused: .*protected folder/u);
            expect(result.content).toContain('Nothing was changed.');
        }
        expect(t.submit).not.toHaveBeenCalled();
        expect(t.approvals.shown).toEqual([]);
        expect(snapshot(t.temp.root)).toEqual(before);
    });
});

describe('create_note', () => {
    it('creates a note after approval and says where', async () => {
        h = await makeToolHarness({});
        const result = await h.run('create_note', { path: 'Ideas/New', content: '# New\n' });
        expect(result.content).toBe('Created "Ideas/New.md".');
        expect(h.temp.readRaw('Ideas/New.md').toString()).toBe('# New\n');
        expect(h.approvals.shown.map((p) => p.kind)).toEqual(['create']);
    });

    it('makes an unsafe file name safe and tells the model the final path (docs/RELIABILITY.md row 10)', async () => {
        h = await makeToolHarness({});
        const result = await h.run('create_note', { path: 'Plans/Q3: plan?.md', content: 'x' });
        expect(result.content).toBe(
            'The name "Plans/Q3: plan?.md" was not safe as a file name, so "Plans/Q3 - plan.md" was used. ' +
                'Created "Plans/Q3 - plan.md".',
        );
        const con = await h.run('create_note', { path: 'CON', content: 'x' });
        expect(con.isError).toBe(true);
        expect(con.content).toContain('reserved device name');
    });

    it('never overwrites: same path, a case twin or a Unicode twin is refused and untouched', async () => {
        h = await makeToolHarness({ 'Notes.md': 'mine\n', 'Café.md': 'nfc\n' });
        for (const path of ['Notes.md', 'notes.md', 'Cafe\u0301.md']) {
            const result = await h.run('create_note', { path, content: 'theirs' });
            expect(result.isError, path).toBe(true);
            expect(result.content).toContain('already exists; nothing was written');
        }
        expect(h.temp.readRaw('Notes.md').toString()).toBe('mine\n');
        expect(h.submit).not.toHaveBeenCalled();
    });

    it('will not confirm that a private note exists: its path and an excluded folder get the same refusal', async () => {
        h = await makeToolHarness({ 'Secret.md': '#private\n', 'Journal/a.md': 'day\n' });
        const taken = await h.run('create_note', { path: 'Secret.md', content: 'x' });
        const folder = await h.run('create_note', { path: 'Journal/New.md', content: 'x' });
        expect(taken.content.replace('Secret.md', 'P')).toBe(folder.content.replace('Journal/New.md', 'P'));
        expect(taken.content).toContain('is not a location the agent can write to');
        expect(h.temp.readRaw('Secret.md').toString()).toBe('#private\n');
    });

    it('tells the model the input is invalid instead of throwing', async () => {
        h = await makeToolHarness({});
        const cases: [unknown, string][] = [
            [{ content: 'x' }, 'path is required'],
            [{ path: 'a.md', content: 3 }, 'content must be a string, not the number 3'],
            [{ path: '', content: 'x' }, 'path must not be empty'],
            [{ path: 'a.md', content: 'x', extra: 1 }, 'extra is not a known field'],
            ['a.md', 'input must be an object, not a string'],
            [{ path: '../escape.md', content: 'x' }, 'Paths must stay inside the vault'],
            [{ path: 'C:\\x.md', content: 'x' }, 'absolute path'],
            [{ path: 'a.txt', content: 'x' }, 'must end in .md'],
        ];
        for (const [input, message] of cases) {
            const result = await h.run('create_note', input);
            expect(result.isError, JSON.stringify(input)).toBe(true);
            expect(result.content).toContain(message);
        }
        expect(h.submit).not.toHaveBeenCalled();
    });
});

describe('rename_note and delete_note', () => {
    it('renames after approval and updates links', async () => {
        h = await makeToolHarness({ 'Old.md': 'text\n', 'Linker.md': 'see [[Old]]\n' });
        const result = await h.run('rename_note', { path: 'Old', new_path: 'Archive/New' });
        expect(result.content).toContain('Renamed "Old.md" to "Archive/New.md".');
        expect(h.temp.exists('Old.md')).toBe(false);
        expect(h.temp.readRaw('Archive/New.md').toString()).toBe('text\n');
        expect(h.approvals.shown.map((p) => [p.kind, p.path, p.newPath])).toEqual([
            ['rename', 'Old.md', 'Archive/New.md'],
        ]);
    });

    it('deletes to the trash after approval, and treats a private note as not found', async () => {
        h = await makeToolHarness({ 'Gone.md': 'bye\n', 'Secret.md': '---\ntags: private\n---\n' });
        const result = await h.run('delete_note', { path: 'Gone.md' });
        expect(result.content).toBe('Moved "Gone.md" to the trash.');
        expect(h.temp.exists('Gone.md')).toBe(false);
        expect(h.temp.exists('.trash')).toBe(true);

        const secret = await h.run('delete_note', { path: 'Secret.md' });
        const missing = await h.run('delete_note', { path: 'Missing.md' });
        expect(secret.content.replace('Secret.md', 'P')).toBe(missing.content.replace('Missing.md', 'P'));
        expect(h.temp.exists('Secret.md')).toBe(true);
    });
});

describe('tools offered per mode', () => {
    const names = (mode: Parameters<typeof vaultTools>[0]): string[] => vaultTools(mode).map((t) => t.definition.name);
    const READS = [
        'list_notes',
        'read_note',
        'note_outline',
        'note_links',
        'find_notes',
        'search_notes',
        'related_notes',
        'notes_with_tag',
        'read_attachment',
    ];

    it('offers no write tool at all in read-only', () => {
        expect(names('read-only')).toEqual(READS);
        expect(vaultTools('read-only').every((t) => t.definition.effect === 'read')).toBe(true);
    });

    it('offers only create_note for writing in delegate (never rename or delete)', () => {
        expect(names('delegate')).toEqual([...READS, 'create_note']);
    });

    it('offers every tool in ask and auto-edits, and read-only tools for an unknown mode', () => {
        const all = [
            ...READS,
            'create_note',
            'edit_note',
            'rewrite_note',
            'rename_note',
            'delete_note',
            'schedule_job',
        ];
        expect(names('ask')).toEqual(all);
        expect(names('auto-edits')).toEqual(all);
        expect(names('yolo' as never)).toEqual(READS);
    });

    it('gives every tool a closed JSON schema that lists its required fields', () => {
        for (const tool of vaultTools('ask')) {
            const schema = tool.definition.inputSchema;
            expect(schema.type).toBe('object');
            expect(schema.additionalProperties).toBe(false);
            expect(tool.definition.description.length).toBeGreaterThan(40);
        }
    });

    it('creates new notes in delegate mode only inside the output folder', async () => {
        h = await makeToolHarness({}, { mode: 'delegate' });
        const inside = await h.run('create_note', { path: 'Agent/Outputs/Report.md', content: 'r' });
        const outside = await h.run('create_note', { path: 'Report.md', content: 'r' });
        expect(inside.content).toBe('Created "Agent/Outputs/Report.md".');
        expect(outside.content).toContain('may only create notes inside its output folder');
        expect(h.temp.exists('Report.md')).toBe(false);
    });
});

/** Every file under `root` (the trash included) with its bytes, to prove nothing changed. */
function snapshot(root: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const abs = nodePath.join(entry.parentPath, entry.name);
        out[nodePath.relative(root, abs)] = readFileSync(abs).toString('hex');
    }
    return out;
}
