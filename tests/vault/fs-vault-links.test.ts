/**
 * FsVault and the exclusion gate against real symbolic links on disk (issue 14, items 1 and 3): the gate judges a
 * path by where it really leads; no write goes through a link, even one that stays inside the vault; and what the
 * gate knows of a note is brought up to date on disk (`revalidate`) without a scan.
 */
import { renameSync, symlinkSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { VaultError } from '../../src/kernel/vault-port';
import { makeOutsideFolder, makeTempVault, type TempVault } from '../support/temp-vault';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function vaultWith(files: Record<string, string>): Promise<TempVault> {
    const temp = await makeTempVault(files);
    cleanups.push(() => temp.cleanup());
    return temp;
}

function link(temp: TempVault, target: string, path: string): void {
    symlinkSync(target, nodePath.join(temp.root, ...path.split('/')));
}

function gateOf(temp: TempVault): ExclusionGate {
    return new ExclusionGate({
        vault: temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Secrets/', '*.hidden.md'] },
    });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
        return 'ok';
    } catch (e) {
        return e instanceof VaultError ? e.code : String(e);
    }
}

describe('the gate judges a link by where it leads', () => {
    it('a file link into an excluded folder, onto a glob-excluded note or into a hidden folder is excluded', async () => {
        const temp = await vaultWith({
            'Secrets/Diary.md': 'secret',
            'Notes/Plan.hidden.md': 'hidden by glob',
            '.stash/Note.md': 'in a dot folder',
            'Public.md': 'public',
            'Tagged.md': '#private words',
        });
        link(temp, 'Secrets/Diary.md', 'Shortcut.md');
        link(temp, 'Notes/Plan.hidden.md', 'Pointer.md');
        link(temp, '.stash/Note.md', 'Stash.md');
        link(temp, 'Public.md', 'Public link.md');
        link(temp, 'Tagged.md', 'Tagged link.md');
        await temp.vault.scan();
        const gate = gateOf(temp);
        expect(gate.check('Shortcut.md')).toEqual({ excluded: true, reason: { kind: 'folder', rule: 'Secrets/' } });
        expect(gate.check('Pointer.md')).toEqual({ excluded: true, reason: { kind: 'folder', rule: '*.hidden.md' } });
        expect(gate.check('Stash.md').excluded).toBe(true);
        expect(gate.check('Tagged link.md').excluded).toBe(true);
        expect(gate.check('Public link.md')).toEqual({ excluded: false });
        expect(temp.vault.realPathOf('Shortcut.md')).toBe('Secrets/Diary.md');
    });

    it('a path through a folder link is judged by its real path, existing or not', async () => {
        const temp = await vaultWith({
            'Secrets/Diary.md': 'secret',
            'Agent/Outputs/Readme.md': 'x',
            'Open/A.md': 'a',
        });
        link(temp, 'Secrets', 'Linked');
        link(temp, '../../Secrets', 'Agent/Outputs/s');
        link(temp, 'Open', 'Ajar');
        const gate = gateOf(temp);
        expect(temp.vault.realPathOf('Linked/Diary.md')).toBe('Secrets/Diary.md');
        expect(gate.check('Linked/Diary.md').excluded).toBe(true);
        expect(temp.vault.realPathOf('Agent/Outputs/s/new.md')).toBe('Secrets/new.md');
        expect(gate.check('Agent/Outputs/s/new.md')).toEqual({
            excluded: true,
            reason: { kind: 'folder', rule: 'Secrets/' },
        });
        // A path that does not exist and leads through no link is still only "not indexed".
        expect(gate.check('Agent/Outputs/new.md')).toEqual({ excluded: true, reason: { kind: 'unindexed' } });
        expect(temp.vault.realPathOf('Ajar/A.md')).toBe('Open/A.md');
    });

    it('a link out of the vault is excluded and never read', async () => {
        const away = await makeOutsideFolder();
        cleanups.push(() => away.cleanup());
        writeFileSync(nodePath.join(away.root, 'Far.md'), 'outside');
        const temp = await vaultWith({ 'A.md': 'a' });
        link(temp, nodePath.join(away.root, 'Far.md'), 'Far.md');
        link(temp, away.root, 'Away');
        await temp.vault.scan();
        const gate = gateOf(temp);
        expect(gate.check('Far.md')).toEqual({ excluded: true, reason: { kind: 'link' } });
        expect(gate.check('Away/Far.md')).toEqual({ excluded: true, reason: { kind: 'link' } });
        expect(await codeOf(temp.vault.read('Away/Far.md'))).toBe('outside-vault');
    });

    it('a link pointed elsewhere after the scan is judged by the target the read followed', async () => {
        const temp = await vaultWith({ 'Secrets/Diary.md': 'secret', 'Public.md': 'public' });
        link(temp, 'Public.md', 'Moving.md');
        await temp.vault.scan();
        const gate = gateOf(temp);
        expect(gate.check('Moving.md').excluded).toBe(false);
        const tmp = nodePath.join(temp.root, 'tmp-link');
        symlinkSync('Secrets/Diary.md', tmp);
        renameSync(tmp, nodePath.join(temp.root, 'Moving.md'));
        const text = await temp.vault.read('Moving.md');
        expect(gate.isTextExcluded('Moving.md', text)).toBe(true);
    });
});

describe('writes never follow a link', () => {
    it('create, edit, rename and trash refuse a path with a link on the way, even one that stays inside', async () => {
        const temp = await vaultWith({ 'Secrets/Diary.md': 'secret', 'Notes/A.md': 'a', 'Open/B.md': 'b' });
        link(temp, '../Secrets', 'Notes/s');
        link(temp, 'Open', 'Ajar');
        link(temp, 'Open/B.md', 'B link.md');
        expect(await codeOf(temp.vault.create('Notes/s/x.md', 'x'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.create('Notes/s/Deeper/x.md', 'x'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.create('Ajar/x.md', 'x'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.process('Ajar/B.md', () => 'changed'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.process('B link.md', () => 'changed'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.rename('Notes/A.md', 'Notes/s/A.md'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.rename('Ajar/B.md', 'Notes/B.md'))).toBe('invalid-path');
        expect(await codeOf(temp.vault.trash('Ajar/B.md'))).toBe('invalid-path');
        expect(temp.exists('Secrets/x.md')).toBe(false);
        expect(temp.exists('Secrets/Deeper')).toBe(false);
        expect(temp.exists('Open/x.md')).toBe(false);
        expect(temp.exists('Secrets/A.md')).toBe(false);
        expect(temp.readRaw('Open/B.md').toString()).toBe('b');
        expect(temp.readRaw('Notes/A.md').toString()).toBe('a');
        // Without a link on the way, the same writes work.
        await temp.vault.create('Notes/x.md', 'x');
        expect(await temp.vault.process('Open/B.md', () => 'b2')).toBe('b2');
    });
});

describe('revalidate: the gate judges a note as it is on disk now, without a scan', () => {
    it('a note tagged private on disk after the scan is excluded once revalidated, and visible again when untagged', async () => {
        const temp = await vaultWith({ 'Note.md': 'plain words\n', 'Other.md': 'other\n' });
        const gate = gateOf(temp);
        expect(gate.isExcluded('Note.md')).toBe(false);
        await temp.write('Note.md', '---\ntags: [private]\n---\nplain words\n');
        // The scan's view is old until the note is looked at again.
        expect(gate.isExcluded('Note.md')).toBe(false);
        await temp.vault.revalidate(['Note.md', 'Other.md', 'Missing.md']);
        expect(gate.check('Note.md')).toEqual({ excluded: true, reason: { kind: 'tag', tag: 'private' } });
        expect(gate.isExcluded('Other.md')).toBe(false);
        await temp.write('Note.md', 'plain words again\n');
        await temp.vault.revalidate(['Note.md']);
        expect(gate.isExcluded('Note.md')).toBe(false);
    });

    it('a note moved into an excluded folder, or replaced by a link into one, is excluded once revalidated', async () => {
        const temp = await vaultWith({ 'Moved.md': 'm', 'Swapped.md': 's', 'Secrets/Diary.md': 'secret' });
        renameSync(nodePath.join(temp.root, 'Moved.md'), nodePath.join(temp.root, 'Secrets', 'Moved.md'));
        const tmp = nodePath.join(temp.root, 'tmp-link');
        symlinkSync('Secrets/Diary.md', tmp);
        renameSync(tmp, nodePath.join(temp.root, 'Swapped.md'));
        await temp.vault.revalidate(['Moved.md', 'Swapped.md']);
        const gate = gateOf(temp);
        expect(gate.isExcluded('Moved.md')).toBe(true);
        expect(gate.check('Swapped.md')).toEqual({ excluded: true, reason: { kind: 'folder', rule: 'Secrets/' } });
    });

    it('a folder moved into an excluded folder and replaced by a link to it: its notes are excluded once revalidated', async () => {
        const temp = await vaultWith({ 'Public/Note.md': 'was public', 'Secrets/Diary.md': 'secret' });
        const gate = gateOf(temp);
        expect(gate.isExcluded('Public/Note.md')).toBe(false);
        renameSync(nodePath.join(temp.root, 'Public'), nodePath.join(temp.root, 'Secrets', 'Public'));
        link(temp, 'Secrets/Public', 'Public');
        await temp.vault.revalidate(['Public/Note.md']);
        expect(temp.vault.realPathOf('Public/Note.md')).toBe('Secrets/Public/Note.md');
        expect(gate.isExcluded('Public/Note.md')).toBe(true);
    });

    it('checkText judges the tags of the text given, not those of the index', async () => {
        const temp = await vaultWith({ 'Note.md': 'plain\n' });
        const gate = gateOf(temp);
        expect(gate.isTextExcluded('Note.md', 'plain\n')).toBe(false);
        expect(gate.isTextExcluded('Note.md', 'now #private\n')).toBe(true);
        expect(gate.isTextExcluded('Note.md', '---\ntags: [Private/health]\n---\nx\n')).toBe(true);
        expect(gate.checkText('Note.md', '---\ntags: [private, unclosed\n---\nx\n').excluded).toBe(true);
        // A YAML escape spells the tag without the word itself: still parsed and judged.
        expect(gate.isTextExcluded('Note.md', '---\ntags: ["\\u0070rivate"]\n---\nx\n')).toBe(true);
        expect(gate.isTextExcluded('Note.md', 'A NOTE TAGGED #PRIVATE/Health\n')).toBe(true);
    });
});
