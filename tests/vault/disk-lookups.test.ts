/**
 * Finding a vault path on disk without reading folder lists it does not need (`VaultDisk.findOnDisk`, `locateNew`).
 * A delegate job looks up the vault's instruction notes (usually absent) and writes its result as a new note; each of
 * those used to read the names of every folder on the way, the vault root included, several times a job, so the cost
 * grew with the root and with the output folder. A real vault on disk; `node:fs` is passed through unchanged, only
 * its folder reads are recorded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { collisionKey } from '../../src/kernel/safe-names';
import { mayHaveOtherSpelling, spellingsOf } from '../../src/vault/fs-vault-disk-node';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const reads = vi.hoisted(() => {
    const folders: string[] = [];
    /** `read` as it is, with the folder it reads recorded. */
    const recording = <F extends (path: never, ...rest: never[]) => unknown>(read: F): F =>
        ((path: never, ...rest: never[]) => {
            folders.push(String(path));
            return read(path, ...rest);
        }) as F;
    return { folders, recording };
});
vi.mock('node:fs', async (importOriginal) => {
    const actual = await importOriginal<typeof import('node:fs')>();
    const readdirSync = reads.recording(actual.readdirSync);
    return { ...actual, readdirSync, default: { ...actual, readdirSync } };
});
vi.mock('node:fs/promises', async (importOriginal) => {
    const actual = await importOriginal<typeof import('node:fs/promises')>();
    const readdir = reads.recording(actual.readdir);
    return { ...actual, readdir, default: { ...actual, readdir } };
});

const cleanups: TempVault[] = [];
afterEach(async () => {
    for (const temp of cleanups.splice(0)) await temp.cleanup();
});

async function bigVault(): Promise<TempVault> {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`Loose note ${i}.md`] = `# ${i}`;
    for (let i = 0; i < 300; i++) files[`Agent/Outputs/Result ${i}.md`] = `result ${i}`;
    const temp = await makeTempVault(files);
    cleanups.push(temp);
    return temp;
}

/** The folders read during `action`, as vault paths (`''` for the root). */
async function foldersReadBy(temp: TempVault, action: () => Promise<unknown>): Promise<string[]> {
    reads.folders.length = 0;
    await action();
    return reads.folders.map((folder) => nodePath.relative(temp.root, folder).split(nodePath.sep).join('/'));
}

describe('finding paths on disk', () => {
    it('looks up an absent note with a plain name without reading any folder', async () => {
        const temp = await bigVault();
        const read = await foldersReadBy(temp, async () => {
            expect(await temp.vault.stat('AGENTS.md')).toBeNull();
            expect(await temp.vault.stat('Agent/Outputs/Missing.md')).toBeNull();
            await expect(temp.vault.read('Agent/Nowhere/Missing.md')).rejects.toMatchObject({ code: 'not-found' });
        });
        expect(read).toEqual([]);
    });

    it('writes a new note reading only its own folder (for twins of its name), never the root or folders on the way', async () => {
        const temp = await bigVault();
        const read = await foldersReadBy(temp, () => temp.vault.create('Agent/Outputs/Result new.md', 'new'));
        expect(read.length).toBeGreaterThan(0);
        expect(new Set(read)).toEqual(new Set(['Agent/Outputs']));
        expect(temp.readRaw('Agent/Outputs/Result new.md').toString()).toBe('new');
        // The twin check still holds: a name differing only by case is refused.
        await expect(temp.vault.create('Agent/Outputs/result 7.md', 'x')).rejects.toMatchObject({ code: 'exists' });
        await expect(temp.vault.create('agent/Outputs/Fresh.md', 'x')).rejects.toMatchObject({ code: 'exists' });
    });

    it('still finds a note written after the vault opened under another spelling of its path', async () => {
        const temp = await bigVault();
        // Written behind the vault's back: decomposed accents in a folder and a name, and a Kelvin sign for K.
        mkdirSync(nodePath.join(temp.root, 'Cafe\u0301'));
        writeFileSync(nodePath.join(temp.root, 'Cafe\u0301', 'Re\u0301sume\u0301.md'), 'decomposed');
        writeFileSync(nodePath.join(temp.root, '\u212Aelvin.md'), 'kelvin sign');
        expect(await temp.vault.read('Caf\u00e9/R\u00e9sum\u00e9.md')).toBe('decomposed');
        expect(await temp.vault.read('Kelvin.md')).toBe('kelvin sign');
        await expect(temp.vault.create('Kelvin.md', 'x')).rejects.toMatchObject({ code: 'exists' });
        await expect(temp.vault.create('Caf\u00e9/R\u00e9sum\u00e9.md', 'x')).rejects.toMatchObject({ code: 'exists' });
    });

    it('knows every name that another spelling can stand for', () => {
        // Every code point whose NFC form is printable ASCII: only then can a plain name have another spelling.
        for (let cp = 0x80; cp <= 0x10ffff; cp++) {
            if (cp >= 0xd800 && cp <= 0xdfff) continue;
            const nfc = String.fromCodePoint(cp).normalize('NFC');
            if (/^[ -~]+$/u.test(nfc)) expect(mayHaveOtherSpelling(`a${nfc}b`), `U+${cp.toString(16)}`).toBe(true);
        }
        expect(mayHaveOtherSpelling('Agent/Outputs/Job 3 (job-1f2e).md')).toBe(false);
        expect(mayHaveOtherSpelling('CLAUDE.md')).toBe(false);
        expect(mayHaveOtherSpelling('Kant.md')).toBe(true);
        expect(mayHaveOtherSpelling('Caf\u00e9.md')).toBe(true);
        expect(mayHaveOtherSpelling('Tab\there.md')).toBe(true);
    });

    it('picks the same spelling and twins of a name from a folder list as a plain reading of every name would', () => {
        const piece = fc.constantFrom(
            'a',
            'A',
            'K',
            '\u212a',
            'e',
            'E',
            '\u00e9',
            '\u00c9',
            'e\u0301',
            'E\u0301',
            '\u00df',
            'SS',
            'ss',
            ' ',
            '.md',
        );
        const name = fc.array(piece, { minLength: 1, maxLength: 5 }).map((parts) => parts.join(''));
        fc.assert(
            fc.property(name, fc.array(name, { maxLength: 12 }), (segment, names) => {
                const same = names.find((n) => n.normalize('NFC') === segment);
                const twin = same ?? names.find((n) => collisionKey(n) === collisionKey(segment));
                const found = spellingsOf(segment, names);
                expect(found.same).toBe(same);
                expect(found.twin).toBe(twin);
            }),
            { numRuns: 3000 },
        );
    });
});
