/**
 * FsVault's read fast path and its text cache, against changes made behind the vault's back: a read must never serve
 * an old text for a changed file, nor follow a swapped-in symlink out of the vault or into the config folder.
 *
 * A text is kept only when its file's modification and change times are both more than `RACY_WINDOW_MS` old. `utimes`
 * can push the modification time back, but it sets the change time to now, so each test that needs a cached text
 * really waits out the window (the tests run side by side to wait once). Each of those first checks that the text is
 * held, so it exercises the cache rather than passing on the slow path.
 */
import { mkdirSync, renameSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { describe, it, type TestContext } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import type { FsVault } from '../../src/vault/fs-vault-node';
import { RACY_WINDOW_MS, type TextCache } from '../../src/vault/text-cache';
import { VaultError, type VaultErrorCode } from '../../src/kernel/vault-port';
import { makeOutsideFolder, makeTempVault, type TempVault } from '../support/temp-vault';

async function vaultWith(ctx: TestContext, files: Record<string, string>): Promise<TempVault> {
    const temp = await makeTempVault(files);
    ctx.onTestFinished(() => temp.cleanup());
    return temp;
}

async function outsideWith(ctx: TestContext, files: Record<string, string>): Promise<string> {
    const folder = await makeOutsideFolder();
    ctx.onTestFinished(() => folder.cleanup());
    for (const [name, content] of Object.entries(files)) writeFileSync(nodePath.join(folder.root, name), content);
    return folder.root;
}

/** A whole second an hour ago: `utimes` sets it exactly, so it can be restored exactly. */
const PAST = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);

/** Pushes the modification times of `paths` an hour into the past (the change time becomes now). */
function backdate(temp: TempVault, ...paths: string[]): void {
    for (const path of paths) utimesSync(abs(temp, path), PAST, PAST);
}

/** Until every file written so far is old enough (mtime and ctime) for its text to be kept. */
async function waitOutRacyWindow(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, RACY_WINDOW_MS + 250));
}

/** The vault's text cache (private), to check that a test really had a cached text to get wrong. */
function textsOf(vault: FsVault): TextCache {
    return (vault as unknown as { catalogue: { known: { texts: TextCache } } }).catalogue.known.texts;
}

/** The paths the vault trusts by device and inode (private). */
function trustedOf(vault: FsVault): ReadonlyMap<string, unknown> {
    return (vault as unknown as { catalogue: { known: { verified: ReadonlyMap<string, unknown> } } }).catalogue.known
        .verified;
}

function abs(temp: TempVault, path: string): string {
    return nodePath.join(temp.root, ...path.split('/'));
}

/** The `VaultError` code a call rejects with, or what it resolved to. */
async function outcome(promise: Promise<string>): Promise<VaultErrorCode | { text: string }> {
    return promise.then(
        (text) => ({ text }),
        (e: unknown) => (e instanceof VaultError ? e.code : Promise.reject(e as Error)),
    );
}

/** Reads `path` so that its text is cached, checks that it is, and that the cached text is served. */
async function readCached(ctx: TestContext, vault: FsVault, path: string, expected: string): Promise<void> {
    ctx.expect(await vault.read(path)).toBe(expected);
    ctx.expect(textsOf(vault).has(path), `${path} cached`).toBe(true);
    ctx.expect(await vault.read(path)).toBe(expected);
}

describe.concurrent('FsVault read cache (tests run side by side, to wait out the racy window once)', () => {
    describe('changes behind the vault', () => {
        it('returns the new text after an in-place rewrite of the same size with the old mtime restored', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'Notes/a.md': 'version one #x' });
            backdate(temp, 'Notes/a.md');
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'Notes/a.md', 'version one #x');
            const file = abs(temp, 'Notes/a.md');
            const before = statSync(file);
            writeFileSync(file, 'version two #y');
            utimesSync(file, before.atime, before.mtime);
            const after = statSync(file);
            // Everything the cache compares is the same but the change time, which no program can set.
            expect([after.dev, after.ino, after.size, after.mtimeMs]).toEqual([
                before.dev,
                before.ino,
                before.size,
                before.mtimeMs,
            ]);
            expect(after.ctimeMs).not.toBe(before.ctimeMs);
            expect(await temp.vault.read('Notes/a.md')).toBe('version two #y');
            expect(await temp.vault.read('Notes/a.md')).toBe('version two #y');
        });

        // Size and mtime alone would miss this same-size, mtime-restoring edit: `read` would return a note now tagged
        // #private while the index, and so the exclusion gate, kept the old tags. The change time tells.
        it('re-indexes what it read after such an edit, so the exclusion gate judges the new tags', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'a.md': 'plan #public' });
            const gate = new ExclusionGate({
                vault: temp.vault,
                privacy: { excludedTags: ['private'], excludedFolders: [] },
            });
            backdate(temp, 'a.md');
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'a.md', 'plan #public');
            expect(gate.isExcluded('a.md')).toBe(false);
            writeFileSync(abs(temp, 'a.md'), 'pln #private');
            utimesSync(abs(temp, 'a.md'), PAST, PAST);
            expect(await temp.vault.read('a.md')).toBe('pln #private');
            await temp.vault.scan();
            expect(temp.vault.metadata('a.md')?.tags).toEqual(['#private']);
            expect(gate.isExcluded('a.md')).toBe(true);
        });

        it('returns the new text after an atomic replace (a new inode) of the same size and mtime', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'a.md': 'old words' });
            backdate(temp, 'a.md');
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'a.md', 'old words');
            const file = abs(temp, 'a.md');
            const before = statSync(file);
            const tmp = abs(temp, '.a.md.tmp');
            writeFileSync(tmp, 'new words');
            utimesSync(tmp, before.atime, before.mtime);
            renameSync(tmp, file);
            expect(statSync(file).ino).not.toBe(before.ino);
            expect(await temp.vault.read('a.md')).toBe('new words');
            expect(await temp.vault.read('a.md')).toBe('new words');
        });

        it('refuses a note replaced by a symlink to a file outside the vault, never serving its cached text', async (ctx) => {
            const { expect } = ctx;
            const away = await outsideWith(ctx, { 'secret.md': 'outside secret' });
            const temp = await vaultWith(ctx, { 'Notes/a.md': 'inside text', 'Notes/b.md': 'bystander' });
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'Notes/a.md', 'inside text');
            await readCached(ctx, temp.vault, 'Notes/b.md', 'bystander');
            unlinkSync(abs(temp, 'Notes/a.md'));
            symlinkSync(nodePath.join(away, 'secret.md'), abs(temp, 'Notes/a.md'));
            // The same answer as a read that never had the note cached (the slow path, on a path the vault never listed).
            symlinkSync(nodePath.join(away, 'secret.md'), abs(temp, 'Notes/fresh.md'));
            expect(await outcome(temp.vault.read('Notes/fresh.md'))).toBe('outside-vault');
            expect(await outcome(temp.vault.read('Notes/a.md'))).toBe('outside-vault');
            expect(await outcome(temp.vault.read('Notes/a.md'))).toBe('outside-vault');
            expect(await temp.vault.read('Notes/b.md')).toBe('bystander');
            // Put back as a regular file (a new one), it reads again: the refusal cached nothing either way.
            unlinkSync(abs(temp, 'Notes/a.md'));
            writeFileSync(abs(temp, 'Notes/a.md'), 'inside again');
            expect(await temp.vault.read('Notes/a.md')).toBe('inside again');
        });

        it('refuses a note replaced by a symlink into the config folder as protected', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, {
                'a.md': 'plain note',
                '.obsidian/snippets/style.md': 'config text',
            });
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'a.md', 'plain note');
            unlinkSync(abs(temp, 'a.md'));
            symlinkSync(abs(temp, '.obsidian/snippets/style.md'), abs(temp, 'a.md'));
            expect(await outcome(temp.vault.read('a.md'))).toBe('protected');
            expect(await outcome(temp.vault.read('a.md'))).toBe('protected');
        });

        it('refuses a note whose folder was swapped for a symlink to an outside folder holding the same name', async (ctx) => {
            const { expect } = ctx;
            // The outside note has the same size and mtime as the one it stands in for: only its identity tells them apart.
            const away = await outsideWith(ctx, { 'a.md': 'outsideTXT!' });
            const temp = await vaultWith(ctx, { 'Notes/a.md': 'inside text', 'Deep/Er/b.md': 'deep text' });
            backdate(temp, 'Notes/a.md');
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'Notes/a.md', 'inside text');
            await readCached(ctx, temp.vault, 'Deep/Er/b.md', 'deep text');
            utimesSync(nodePath.join(away, 'a.md'), PAST, PAST);
            renameSync(abs(temp, 'Notes'), abs(temp, '.moved'));
            symlinkSync(away, abs(temp, 'Notes'));
            // A folder higher up the path, too.
            mkdirSync(nodePath.join(away, 'Er'));
            writeFileSync(nodePath.join(away, 'Er', 'b.md'), 'outside deep');
            renameSync(abs(temp, 'Deep'), abs(temp, '.moved-deep'));
            symlinkSync(away, abs(temp, 'Deep'));
            for (let i = 0; i < 2; i++) {
                expect(await outcome(temp.vault.read('Notes/a.md'))).toBe('outside-vault');
                expect(await outcome(temp.vault.read('Deep/Er/b.md'))).toBe('outside-vault');
            }
        });
    });

    describe('symlinked notes', () => {
        it('lists a symlinked note but never trusts it by identity from the scan; each read checks where it leads', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, {
                'Notes/x.md': 'target x',
                'Notes/z.md': 'target z',
                '.obsidian/y.md': 'config y',
            });
            symlinkSync(abs(temp, 'Notes/x.md'), abs(temp, 'link.md'));
            symlinkSync(abs(temp, '.obsidian/y.md'), abs(temp, 'cfg.md'));
            await temp.vault.scan();
            expect((await temp.vault.list()).map((f) => f.path)).toEqual([
                'Notes/x.md',
                'Notes/z.md',
                'cfg.md',
                'link.md',
            ]);
            expect([...trustedOf(temp.vault).keys()].sort()).toEqual(['Notes/x.md', 'Notes/z.md']);
            await waitOutRacyWindow();
            expect(await temp.vault.read('link.md')).toBe('target x');
            expect(await temp.vault.read('link.md')).toBe('target x');
            expect(await outcome(temp.vault.read('cfg.md'))).toBe('protected');
            // Re-pointed behind the vault's back: the new target, at once.
            unlinkSync(abs(temp, 'link.md'));
            symlinkSync(abs(temp, 'Notes/z.md'), abs(temp, 'link.md'));
            expect(await temp.vault.read('link.md')).toBe('target z');
            // Re-pointed into the config folder: refused.
            unlinkSync(abs(temp, 'link.md'));
            symlinkSync(abs(temp, '.obsidian/y.md'), abs(temp, 'link.md'));
            expect(await outcome(temp.vault.read('link.md'))).toBe('protected');
        });

        // Like the scan and `refresh`, a checked read never trusts a symlinked path by identity: without O_NOFOLLOW
        // (Windows) its target, once moved into a protected folder or out of the vault, would be read unchecked.
        it('does not start trusting a symlinked note by identity after reading it', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'Notes/x.md': 'target x' });
            symlinkSync(abs(temp, 'Notes/x.md'), abs(temp, 'link.md'));
            await temp.vault.scan();
            expect(await temp.vault.read('link.md')).toBe('target x');
            expect(trustedOf(temp.vault).has('link.md')).toBe(false);
        });
    });

    describe('the vault’s own writes', () => {
        it('shows an edit made with process at once', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'a.md': 'before' });
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'a.md', 'before');
            await temp.vault.process('a.md', () => 'after!');
            expect(await temp.vault.read('a.md')).toBe('after!');
            // The same size again, written within a second of the last.
            await temp.vault.process('a.md', () => 'AFTER!');
            expect(await temp.vault.read('a.md')).toBe('AFTER!');
        });

        it('shows a note trashed and created again under the same path, with the same size, at once', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'a.md': 'first' });
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'a.md', 'first');
            await temp.vault.trash('a.md');
            expect(await outcome(temp.vault.read('a.md'))).toBe('not-found');
            await temp.vault.create('a.md', 'again');
            expect(await temp.vault.read('a.md')).toBe('again');
        });

        it('shows renames at once: the old path is gone, another note renamed onto it reads as itself', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'a.md': 'note A', 'b.md': 'note B', 'c.md': 'see [[a]]' });
            await waitOutRacyWindow();
            await readCached(ctx, temp.vault, 'a.md', 'note A');
            await readCached(ctx, temp.vault, 'b.md', 'note B');
            await readCached(ctx, temp.vault, 'c.md', 'see [[a]]');
            await temp.vault.rename('a.md', 'moved.md');
            expect(await outcome(temp.vault.read('a.md'))).toBe('not-found');
            expect(await temp.vault.read('moved.md')).toBe('note A');
            // The link rewrite in another note is a write too.
            expect(await temp.vault.read('c.md')).toBe('see [[moved]]');
            await temp.vault.rename('b.md', 'a.md');
            expect(await temp.vault.read('a.md')).toBe('note B');
            expect(await outcome(temp.vault.read('b.md'))).toBe('not-found');
        });
    });

    describe('the racy window', () => {
        it('re-reads a file modified within the last two seconds every time, even at the same size and mtime', async (ctx) => {
            const { expect } = ctx;
            const temp = await vaultWith(ctx, { 'a.md': 'one' });
            const file = abs(temp, 'a.md');
            for (const text of ['two', 'six', 'ten', 'abc']) {
                writeFileSync(file, text);
                // As a file system with coarse time stamps would leave it: the same mtime as the write before.
                utimesSync(file, PAST, PAST);
                expect(await temp.vault.read('a.md')).toBe(text);
                expect(textsOf(temp.vault).has('a.md')).toBe(false);
            }
        });
    });
});
