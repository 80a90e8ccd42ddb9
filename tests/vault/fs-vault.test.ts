import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FsVault, StaleWriteError } from '../../src/vault/fs-vault-node';
import { sanitizeNoteName, uniqueNotePath } from '../../src/kernel/safe-names';
import { VaultError } from '../../src/kernel/vault-port';
import type { VaultChange, VaultErrorCode } from '../../src/kernel/vault-port';
import { makeOutsideFolder, makeTempVault } from '../support/temp-vault';
import type { TempVault } from '../support/temp-vault';

// Counts every call into node:fs/promises, to prove that hostile paths are refused before any I/O.
const fsCalls = vi.hoisted(() => ({ count: 0 }));
/** Both the promise and the plain file-system APIs, each function counted, so "before any I/O" means none at all. */
const countedModule = vi.hoisted(() => (actual: Record<string, unknown>) => {
    const countedProperties = (fn: Record<string, unknown>): Record<string, unknown> =>
        Object.fromEntries(
            Object.entries(fn).map(([key, inner]) => [
                key,
                typeof inner === 'function'
                    ? (...args: unknown[]) => {
                          fsCalls.count++;
                          return (inner as (...a: unknown[]) => unknown)(...args);
                      }
                    : inner,
            ]),
        );
    const counted = Object.fromEntries(
        Object.entries(actual).map(([name, value]) => [
            name,
            typeof value === 'function' && !/^[A-Z]/.test(name)
                ? // Properties such as `realpathSync.native` stay reachable, and are counted too.
                  Object.assign(
                      (...args: unknown[]) => {
                          fsCalls.count++;
                          return (value as (...a: unknown[]) => unknown)(...args);
                      },
                      countedProperties(value as unknown as Record<string, unknown>),
                  )
                : value,
        ]),
    );
    return { ...counted, default: counted };
});
vi.mock('node:fs/promises', async (importOriginal) => countedModule(await importOriginal<Record<string, unknown>>()));
vi.mock('node:fs', async (importOriginal) => countedModule(await importOriginal<Record<string, unknown>>()));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function vaultWith(files: Record<string, string | Uint8Array>, configDir?: string): Promise<TempVault> {
    const temp = await makeTempVault(files, configDir === undefined ? {} : { configDir });
    cleanups.push(() => temp.cleanup());
    return temp;
}

async function outside(): Promise<string> {
    const folder = await makeOutsideFolder();
    cleanups.push(() => folder.cleanup());
    return folder.root;
}

/** The `VaultError` code a call rejects with, or `'resolved'`. */
async function codeOf(promise: Promise<unknown>): Promise<VaultErrorCode | 'resolved'> {
    return promise.then(
        () => 'resolved' as const,
        (e: unknown) => (e instanceof VaultError ? e.code : Promise.reject(e as Error)),
    );
}

function tempFilesIn(root: string): string[] {
    return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.includes('.va-tmp-'));
}

/** Every write method, aimed at `path` (as the source or the target, as the method allows). */
function everyWrite(vault: FsVault, path: string, existing: string): [string, () => Promise<unknown>][] {
    return [
        ['create', () => vault.create(path, 'x')],
        ['process', () => vault.process(path, () => 'x')],
        ['rename from', () => vault.rename(path, 'Elsewhere.md')],
        ['rename to', () => vault.rename(existing, path)],
        ['trash', () => vault.trash(path)],
    ];
}

describe('FsVault: hostile paths (row 8)', () => {
    const HOSTILE = [
        '../x.md',
        '..\\x.md',
        '/etc/hosts',
        'C:\\x.md',
        '\\\\server\\share\\x.md',
        '%2e%2e/x.md',
        'a\u0000.md',
    ];

    it.each(HOSTILE)('refuses %j in every method before any file-system call', async (path) => {
        const { vault } = await vaultWith({ 'Notes/a.md': 'a' });
        const calls: [string, () => Promise<unknown>][] = [
            ['read', () => vault.read(path)],
            ['stat', () => vault.stat(path)],
            ...everyWrite(vault, path, 'Notes/a.md'),
        ];
        fsCalls.count = 0;
        await vault.read('Notes/a.md');
        expect(fsCalls.count, 'the counter sees ordinary reads').toBeGreaterThan(0);
        for (const [name, call] of calls) {
            fsCalls.count = 0;
            expect(await codeOf(call()), name).toBe('invalid-path');
            expect(fsCalls.count, name).toBe(0);
        }
    });

    it('leaves a file next to the vault untouched when asked to write ../ over it', async () => {
        const temp = await vaultWith({});
        const sibling = nodePath.join(nodePath.dirname(temp.root), `${nodePath.basename(temp.root)}-victim.md`);
        writeFileSync(sibling, 'keep me');
        cleanups.push(async () => rmSync(sibling, { force: true }));
        const relative = `../${nodePath.basename(sibling)}`;
        expect(await codeOf(temp.vault.process(relative, () => 'pwned'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.create(relative, 'pwned'))).toBe('invalid-path');
        expect(readFileSync(sibling, 'utf8')).toBe('keep me');
    });

    it('refuses a symlink that leads out of the vault, and the file it points to keeps its bytes', async () => {
        const away = await outside();
        writeFileSync(nodePath.join(away, 'secret.md'), 'outside secret');
        const temp = await vaultWith({ 'Notes/a.md': 'a' });
        symlinkSync(nodePath.join(away, 'secret.md'), nodePath.join(temp.root, 'Notes', 'link.md'));
        symlinkSync(away, nodePath.join(temp.root, 'Out'));
        await temp.vault.scan();
        expect(await codeOf(temp.vault.read('Notes/link.md'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.stat('Notes/link.md'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.process('Notes/link.md', () => 'pwned'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.trash('Notes/link.md'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.read('Out/secret.md'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.create('Out/new.md', 'pwned'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.rename('Notes/a.md', 'Out/a.md'))).toBe('outside-vault');
        expect(readdirSync(away)).toEqual(['secret.md']);
        expect((await temp.vault.list()).map((f) => f.path)).toEqual(['Notes/a.md']);
        expect(readFileSync(nodePath.join(away, 'secret.md'), 'utf8')).toBe('outside secret');
    });

    it('judges containment with path.relative, so a sibling folder sharing the prefix is outside', async () => {
        const temp = await vaultWith({});
        const sibling = `${temp.root}-other`;
        mkdirSync(sibling);
        cleanups.push(async () => rmSync(sibling, { recursive: true, force: true }));
        writeFileSync(nodePath.join(sibling, 'b.md'), 'other vault');
        symlinkSync(sibling, nodePath.join(temp.root, 'Twin'));
        expect(await codeOf(temp.vault.read('Twin/b.md'))).toBe('outside-vault');
    });

    it('refuses a dangling symlink', async () => {
        const temp = await vaultWith({});
        symlinkSync(nodePath.join(temp.root, 'nowhere', 'gone.md'), nodePath.join(temp.root, 'dangling.md'));
        expect(await codeOf(temp.vault.read('dangling.md'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.process('dangling.md', () => 'x'))).toBe('outside-vault');
        expect(await codeOf(temp.vault.create('dangling.md', 'x'))).toBe('exists');
        expect(temp.exists('nowhere')).toBe(false);
    });
});

describe('FsVault: protected folders (row 9)', () => {
    const PROTECTED = [
        '.config-x/app.json',
        '.config-x/plugins/vault-agent/data.json',
        '.CONFIG-X/plugins/vault-agent/data.json',
        '.git/config',
        'Projects/.git/HEAD',
        '.trash/old.md',
    ];

    it('refuses writes into the config folder it was given, .git, .trash and the plugin state, in every method', async () => {
        const files = Object.fromEntries(
            PROTECTED.filter((p) => !p.startsWith('.CONFIG')).map((p) => [p, `orig ${p}`]),
        );
        const temp = await vaultWith({ ...files, 'Notes/a.md': 'a' }, '.config-x');
        for (const path of PROTECTED) {
            for (const [name, call] of everyWrite(temp.vault, path, 'Notes/a.md')) {
                expect(await codeOf(call()), `${name} ${path}`).toBe('protected');
            }
        }
        for (const [path, content] of Object.entries(files)) expect(temp.readRaw(path).toString()).toBe(content);
        expect(temp.readRaw('Notes/a.md').toString()).toBe('a');
        expect((await temp.vault.list()).map((f) => f.path)).toEqual(['Notes/a.md']);
    });

    it('does not hard-code .obsidian: with another config folder, .obsidian is an ordinary folder', async () => {
        const temp = await vaultWith({}, '.config-x');
        expect(temp.vault.configDir).toBe('.config-x');
        await temp.vault.create('.obsidian/ordinary.md', 'fine');
        expect(temp.readRaw('.obsidian/ordinary.md').toString()).toBe('fine');
    });

    it('refuses a write that reaches the config folder through a symlink inside the vault', async () => {
        const temp = await vaultWith({ '.obsidian/plugins/vault-agent/data.json': '{}' });
        symlinkSync(nodePath.join(temp.root, '.obsidian'), nodePath.join(temp.root, 'Settings'));
        expect(await codeOf(temp.vault.process('Settings/plugins/vault-agent/data.json', () => 'x'))).toBe('protected');
        expect(await codeOf(temp.vault.create('Settings/evil.md', 'x'))).toBe('protected');
        expect(temp.readRaw('.obsidian/plugins/vault-agent/data.json').toString()).toBe('{}');
        expect(temp.exists('.obsidian/evil.md')).toBe(false);
    });
});

describe('FsVault: names and collisions (row 10)', () => {
    const NFC = 'Caf\u00e9.md';
    const NFD = 'Cafe\u0301.md';

    it('creates sanitised names for awkward titles', async () => {
        const temp = await vaultWith({});
        for (const title of ['Q3: plan?', 'CON', 'a|b', 'x'.repeat(300)]) {
            await temp.vault.create(`Notes/${sanitizeNoteName(title)}.md`, title);
        }
        const paths = (await temp.vault.list()).map((f) => f.path);
        expect(paths).toEqual(expect.arrayContaining(['Notes/Q3 - plan.md', 'Notes/CON_.md', 'Notes/a - b.md']));
        expect(paths).toHaveLength(4);
        expect(await codeOf(temp.vault.create('Notes/CON.md', 'x'))).toBe('invalid-path');
    });

    it('never overwrites: not the same name, not a case twin, not an NFC/NFD twin', async () => {
        const temp = await vaultWith({ 'notes.md': 'lower', [NFD]: 'decomposed' });
        expect(await codeOf(temp.vault.create('notes.md', 'new'))).toBe('exists');
        expect(await codeOf(temp.vault.create('Notes.md', 'new'))).toBe('exists');
        expect(await codeOf(temp.vault.create(NFC, 'new'))).toBe('exists');
        expect(await codeOf(temp.vault.create('CAFÉ.md', 'new'))).toBe('exists');
        expect(temp.readRaw('notes.md').toString()).toBe('lower');
        expect(temp.readRaw(NFD).toString()).toBe('decomposed');
        expect(temp.exists(NFC)).toBe(false);
        const existing = (await temp.vault.list()).map((f) => f.path);
        const free = await uniqueNotePath('Notes.md', async (p) => (await temp.vault.stat(p)) !== null, existing);
        expect(free).toBe('Notes 1.md');
        await temp.vault.create(free, 'new');
        expect(temp.readRaw('Notes 1.md').toString()).toBe('new');
    });

    it('refuses to rename onto a twin but allows changing the case of the note itself', async () => {
        const temp = await vaultWith({ 'a.md': 'A', 'B.md': 'B' });
        expect(await codeOf(temp.vault.rename('a.md', 'b.md'))).toBe('exists');
        expect(temp.readRaw('B.md').toString()).toBe('B');
        await temp.vault.rename('a.md', 'A.md');
        expect(temp.readRaw('A.md').toString()).toBe('A');
        expect((await temp.vault.list()).map((f) => f.path)).toEqual(['A.md', 'B.md']);
    });

    it('lists an NFD-named file under its NFC path and edits it in place', async () => {
        const temp = await vaultWith({ [NFD]: 'café' });
        expect((await temp.vault.list()).map((f) => f.path)).toEqual([NFC]);
        expect(await temp.vault.read(NFC)).toBe('café');
        await temp.vault.process(NFC, (text) => `${text}!`);
        expect(temp.readRaw(NFD).toString()).toBe('café!');
        expect(temp.exists(NFC)).toBe(false);
    });
});

describe('FsVault: edits keep every other byte (row 7)', () => {
    it('keeps a BOM, CRLF, NFD text, emoji and 5 MB of text byte-identical outside the edit', async () => {
        const head = '\ufeff---\r\ntags: [a]\r\n---\r\nCafe\u0301 👩‍👩‍👧 line\r\nTARGET\r\n';
        const tail = 'x\r\n'.repeat((5 * 1024 * 1024) / 3) + 'end without newline';
        const temp = await vaultWith({ 'big.md': head + tail });
        const before = temp.readRaw('big.md');
        const result = await temp.vault.process('big.md', (text) => text.replace('TARGET', 'DONE'));
        const after = temp.readRaw('big.md');
        const cut = before.indexOf('TARGET');
        expect(after.subarray(0, cut).equals(before.subarray(0, cut))).toBe(true);
        expect(after.subarray(cut, cut + 4).toString()).toBe('DONE');
        expect(after.subarray(cut + 4).equals(before.subarray(cut + 6))).toBe(true);
        expect(after.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
        expect(Buffer.from(result, 'utf8').equals(after)).toBe(true);
    });

    it('refuses to rewrite a file that is not valid UTF-8, leaving its bytes alone', async () => {
        const bytes = Uint8Array.from([0x61, 0xff, 0xfe, 0x62]);
        const temp = await vaultWith({ 'latin.md': bytes });
        expect(await codeOf(temp.vault.process('latin.md', () => 'ab'))).toBe('io');
        expect(temp.readRaw('latin.md').equals(Buffer.from(bytes))).toBe(true);
    });
});

describe('FsVault: atomic writes', () => {
    it('does not overwrite a note that changed on disk while the edit was being computed', async () => {
        const temp = await vaultWith({ 'a.md': 'base' });
        const edit = temp.vault.process('a.md', (text) => {
            writeFileSync(nodePath.join(temp.root, 'a.md'), 'changed by the person');
            return `${text} + agent`;
        });
        await expect(edit).rejects.toBeInstanceOf(StaleWriteError);
        await expect(edit).rejects.toMatchObject({ code: 'io', stale: true });
        expect(temp.readRaw('a.md').toString()).toBe('changed by the person');
        expect(tempFilesIn(temp.root)).toEqual([]);
    });

    it('leaves no temp file behind after creating, editing, a failing edit or a refused create', async () => {
        const temp = await vaultWith({ 'a.md': 'a' });
        await temp.vault.create('Deep/New/b.md', 'b');
        await temp.vault.process('a.md', () => 'aa');
        await expect(
            temp.vault.process('a.md', () => {
                throw new Error('boom');
            }),
        ).rejects.toThrow('boom');
        expect(await codeOf(temp.vault.create('a.md', 'again'))).toBe('exists');
        expect(tempFilesIn(temp.root)).toEqual([]);
        expect(temp.readRaw('Deep/New/b.md').toString()).toBe('b');
        expect(temp.readRaw('a.md').toString()).toBe('aa');
    });

    it('serialises concurrent edits of one note so none is lost', async () => {
        const temp = await vaultWith({ 'n.md': '' });
        await Promise.all(Array.from({ length: 20 }, (_, i) => temp.vault.process('n.md', (t) => `${t}${i},`)));
        expect(temp.readRaw('n.md').toString().split(',').filter(Boolean)).toHaveLength(20);
    });

    it('lets exactly one of two racing creates of case twins win, the other is told it exists', async () => {
        const temp = await vaultWith({});
        const results = await Promise.allSettled([
            temp.vault.create('Notes.md', 'upper'),
            temp.vault.create('notes.md', 'lower'),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected');
        expect((rejected?.reason as VaultError).code).toBe('exists');
    });

    it('keeps concurrent edits of different notes and a rename in between consistent', async () => {
        const files = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`n${i}.md`, `[[target]] ${i}`]));
        const temp = await vaultWith({ ...files, 'target.md': 't' });
        await Promise.all([
            ...Array.from({ length: 10 }, (_, i) => temp.vault.process(`n${i}.md`, (t) => `${t} edited`)),
            temp.vault.rename('target.md', 'moved.md'),
        ]);
        for (let i = 0; i < 10; i++) {
            expect(temp.readRaw(`n${i}.md`).toString()).toBe(`[[moved]] ${i} edited`);
        }
    });

    it('gives two trashed notes of the same name different names in .trash, racing or not', async () => {
        const temp = await vaultWith({ 'A/same.md': 'a', 'B/same.md': 'b' });
        await Promise.all([temp.vault.trash('A/same.md'), temp.vault.trash('B/same.md')]);
        const trashed = readdirSync(nodePath.join(temp.root, '.trash')).sort();
        expect(trashed).toHaveLength(2);
        expect(trashed.map((name) => readFileSync(nodePath.join(temp.root, '.trash', name), 'utf8')).sort()).toEqual([
            'a',
            'b',
        ]);
    });
});

describe('FsVault: trash and rename', () => {
    it('moves trashed notes into .trash/ with unique names, never deleting them', async () => {
        const temp = await vaultWith({ 'A/note.md': 'first', 'B/note.md': 'second' });
        await temp.vault.trash('A/note.md');
        await temp.vault.trash('B/note.md');
        expect(temp.readRaw('.trash/note.md').toString()).toBe('first');
        expect(temp.readRaw('.trash/note 1.md').toString()).toBe('second');
        expect(await temp.vault.list()).toEqual([]);
        expect(await temp.vault.stat('A/note.md')).toBeNull();
    });

    it('updates wikilinks and embeds in other notes, keeping subpaths, aliases and other bytes', async () => {
        const temp = await vaultWith({
            'Old.md': '# H\n',
            'Links.md': 'See [[Old]] and [[Old#H|the heading]],\r\n![[Old]] and [[Other]].\r\n```\n[[Old]]\n```\n',
            'Other.md': 'x',
        });
        const events: VaultChange[] = [];
        temp.vault.onChange((e) => events.push(e));
        await temp.vault.rename('Old.md', 'Archive/New.md');
        expect(temp.exists('Old.md')).toBe(false);
        expect(temp.readRaw('Archive/New.md').toString()).toBe('# H\n');
        expect(temp.readRaw('Links.md').toString()).toBe(
            'See [[New]] and [[New#H|the heading]],\r\n![[New]] and [[Other]].\r\n```\n[[Old]]\n```\n',
        );
        expect(events[0]).toEqual({ type: 'rename', path: 'Archive/New.md', oldPath: 'Old.md' });
        expect(temp.vault.backlinks('Archive/New.md')).toEqual(['Links.md']);
    });
});

describe('FsVault: scanning and metadata', () => {
    it('finds external changes on a re-scan and reports them as events', async () => {
        const temp = await vaultWith({ 'keep.md': 'k', 'edit.md': 'old', 'gone.md': 'g' });
        const events: VaultChange[] = [];
        const unsubscribe = temp.vault.onChange((e) => events.push(e));
        await temp.write('new.md', '#fresh');
        await temp.write('edit.md', 'new and longer #changed');
        rmSync(nodePath.join(temp.root, 'gone.md'));
        const stats = await temp.vault.scan();
        expect(stats).toMatchObject({ files: 3, parsed: 2 });
        expect(events).toEqual(
            expect.arrayContaining([
                { type: 'create', path: 'new.md' },
                { type: 'modify', path: 'edit.md' },
                { type: 'delete', path: 'gone.md' },
            ]),
        );
        expect(events).toHaveLength(3);
        expect(temp.vault.metadata('edit.md')?.tags).toEqual(['#changed']);
        expect(temp.vault.metadata('gone.md')).toBeUndefined();
        unsubscribe();
        await temp.vault.create('later.md', '');
        expect(events).toHaveLength(3);
    });

    it('re-parses nothing on a warm scan', async () => {
        const files = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`N/${i}.md`, `note ${i} #t`]));
        const temp = await vaultWith(files);
        expect(await temp.vault.scan()).toMatchObject({ files: 50, parsed: 0 });
    });

    it('skips the config folder, .git, .trash, node_modules and hidden files', async () => {
        const temp = await vaultWith(
            { '.cfg/a.md': '', '.git/b.md': '', '.trash/c.md': '', 'node_modules/d.md': '', '.e.md': '', 'f.md': '' },
            '.cfg',
        );
        expect((await temp.vault.list()).map((f) => f.path)).toEqual(['f.md']);
    });

    it('re-indexes a note read after it changed behind the vault, so metadata matches what was read', async () => {
        const temp = await vaultWith({ 'a.md': '#public' });
        await temp.write('a.md', '#private/health now');
        expect(await temp.vault.read('a.md')).toBe('#private/health now');
        expect(temp.vault.metadata('a.md')?.tags).toEqual(['#private/health']);
    });

    it('emits its own writes (none for an edit that changes nothing) and reports file entries', async () => {
        const temp = await vaultWith({});
        const events: VaultChange[] = [];
        temp.vault.onChange((e) => events.push(e));
        await temp.vault.create('a.md', 'hello');
        await temp.vault.process('a.md', () => 'hello!');
        expect(await temp.vault.process('a.md', (unchanged) => unchanged)).toBe('hello!');
        await temp.vault.trash('a.md');
        expect(events).toEqual([
            { type: 'create', path: 'a.md' },
            { type: 'modify', path: 'a.md' },
            { type: 'delete', path: 'a.md' },
        ]);
        await temp.vault.create('b.md', 'four');
        expect(await temp.vault.stat('b.md')).toMatchObject({ path: 'b.md', size: 4 });
        expect(await temp.vault.stat('missing.md')).toBeNull();
        expect(await codeOf(temp.vault.read('missing.md'))).toBe('not-found');
        mkdirSync(nodePath.join(temp.root, 'Folder'));
        expect(await temp.vault.stat('Folder')).toBeNull();
    });

    it('lists every file sorted by path, with its current facts, through creates, edits, trashes, renames and scans', async () => {
        const temp = await vaultWith({ 'm.md': 'm', 'B/z.md': 'z', 'a.md': 'a', 'B/c.md': 'c' });
        const listed = async (): Promise<string[]> => (await temp.vault.list()).map((file) => file.path);
        expect(await listed()).toEqual(['B/c.md', 'B/z.md', 'a.md', 'm.md']);
        await temp.vault.create('B/d.md', 'd');
        await temp.vault.create('0.md', '0');
        await temp.vault.trash('a.md');
        expect(await listed()).toEqual(['0.md', 'B/c.md', 'B/d.md', 'B/z.md', 'm.md']);
        // Gone and back before anyone listed: listed once.
        await temp.vault.trash('m.md');
        await temp.vault.create('m.md', 'again');
        await temp.vault.rename('B/z.md', 'A/z.md');
        await temp.vault.process('B/c.md', () => 'longer text');
        expect(await listed()).toEqual(['0.md', 'A/z.md', 'B/c.md', 'B/d.md', 'm.md']);
        expect((await temp.vault.list()).find((file) => file.path === 'B/c.md')?.size).toBe(11);
        await temp.write('B/e.md', 'from outside');
        rmSync(nodePath.join(temp.root, '0.md'));
        await temp.vault.scan();
        expect(await listed()).toEqual(['A/z.md', 'B/c.md', 'B/d.md', 'B/e.md', 'm.md']);
        const under = async (prefix: string): Promise<string[]> =>
            (await temp.vault.listUnder(prefix)).map((file) => file.path);
        expect(await under('B/')).toEqual(['B/c.md', 'B/d.md', 'B/e.md']);
        expect(await under('A/')).toEqual(['A/z.md']);
        expect(await under('C/')).toEqual([]);
    });
});
