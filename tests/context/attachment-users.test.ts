/**
 * Issue 18: an attachment is as private as the notes that use it, judged on a real vault folder — through a symbolic
 * link on disk (the link and the file it leads to are one file, with the users of both), through a property that names
 * it (Obsidian counts property links), and never made visible by a job note that merely asks for it.
 */
import { symlink } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exclusionGate } from '../../src/compose/core-services';
import { ExclusionGate } from '../../src/context/exclusions';
import { proposalsFolderFor } from '../../src/kernel/review-folder';
import { makePng } from '../support/attachment-fixtures';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const PRIVACY = { excludedTags: ['private'], excludedFolders: ['Journal/'] };

let temp: TempVault | undefined;
afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
});

async function vaultWith(files: Record<string, string | Uint8Array>, links: Record<string, string> = {}) {
    const made = await makeTempVault(files);
    for (const [link, target] of Object.entries(links)) {
        const from = nodePath.join(made.root, link);
        await symlink(nodePath.relative(nodePath.dirname(from), nodePath.join(made.root, target)), from);
    }
    await made.vault.scan();
    temp = made;
    return made;
}

describe('the notes that use an attachment', () => {
    it('judges a symbolic link onto an image only a private note embeds like the image itself', async () => {
        const { vault } = await vaultWith(
            {
                'Media/scan.png': makePng(4, 4),
                'Media/figure.png': makePng(4, 4),
                'Diary.md': '---\ntags: [private]\n---\n![[scan.png]]\n',
                'Plan.md': '![[figure.png]]\n',
            },
            { 'Media/innocent.png': 'Media/scan.png', 'Media/figure-link.png': 'Media/figure.png' },
        );
        const gate = new ExclusionGate({ vault, privacy: PRIVACY });
        expect(gate.check('Media/scan.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
        expect(gate.check('Media/innocent.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
        // A link onto an image a visible note uses is as visible as that image.
        expect(gate.isExcluded('Media/figure-link.png')).toBe(false);
    });

    it('counts a private note whose property names an image among its users', async () => {
        const { vault } = await vaultWith({
            'Media/cover.png': makePng(4, 4),
            'Diary.md': '---\ntags: [private]\ncover: "[[cover.png]]"\nrelated: ["[[Plan|the plan]]"]\n---\nText.\n',
            'Plan.md': 'A plan.\n',
        });
        expect(vault.backlinks('Media/cover.png')).toEqual(['Diary.md']);
        expect(vault.backlinks('Plan.md')).toEqual(['Diary.md']);
        const gate = new ExclusionGate({ vault, privacy: PRIVACY });
        expect(gate.check('Media/cover.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
    });

    it('does not let a job note that asks for an image make it visible, nor hide it', async () => {
        const { vault } = await vaultWith({
            'Media/scan.png': makePng(4, 4),
            'Media/figure.png': makePng(4, 4),
            'Diary.md': '---\ntags: [private]\n---\n![[scan.png]]\n',
            'Agent/Jobs/Describe.md':
                '---\ncontext: ["[[scan.png]]"]\n---\nDescribe [[scan.png]] and ![[figure.png]].\n',
            [`${proposalsFolderFor('Agent/Jobs')}/Describe.md`]: 'Also ![[scan.png]].\n',
        });
        // As `core-services.ts` builds the gate: the jobs folder and its proposals hold requests, not uses.
        const gate = exclusionGate(vault, PRIVACY, null, 'Agent/Jobs');
        expect(gate.check('Media/scan.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
        // An image only a job asks for is used by no note: judged by its path alone, as before the job.
        expect(gate.isExcluded('Media/figure.png')).toBe(false);
        expect(gate.isExcluded('Agent/Jobs/Describe.md')).toBe(false);
    });
});

describe('the notes that use an attachment, on a vault just opened (every note listed, none read until touched)', () => {
    async function justOpened(files: Record<string, string | Uint8Array>) {
        temp = await makeTempVault(files);
        return { made: temp, gate: new ExclusionGate({ vault: temp.vault, privacy: PRIVACY }) };
    }

    it('lets an image through once a visible note read so far uses it, without reading the notes nobody asked about', async () => {
        const { made, gate } = await justOpened({
            'Media/figure.png': makePng(4, 4),
            'Plan.md': '![[figure.png]]\n',
            'Diary.md': '---\ntags: [private]\n---\n![[figure.png]]\n',
            'Later.md': 'Nothing yet.\n',
        });
        expect(gate.isExcluded('Plan.md')).toBe(false);
        expect(gate.isExcluded('Media/figure.png')).toBe(false);
        // Later.md was not read to settle it: rewritten behind the vault's back, it is read only now.
        await made.write('Later.md', 'Now #tagged.\n');
        expect(made.vault.metadata('Later.md')?.tags).toEqual(['#tagged']);
    });

    it('still finds every user when the notes read so far do not make an image visible', async () => {
        const { gate } = await justOpened({
            'Media/scan.png': makePng(4, 4),
            'Diary.md': '---\ntags: [private]\n---\n![[scan.png]]\n',
            'Plan.md': 'No image here.\n',
        });
        expect(gate.isExcluded('Plan.md')).toBe(false);
        expect(gate.check('Media/scan.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
    });

    it('does not count the link a visible note had before it changed', async () => {
        const { made, gate } = await justOpened({
            'Media/scan.png': makePng(4, 4),
            'Diary.md': '---\ntags: [private]\n---\n![[scan.png]]\n',
            'Plan.md': '![[scan.png]]\n',
        });
        expect(gate.isExcluded('Media/scan.png')).toBe(false);
        // The plan drops the image; the vault learns of the edit (as from its watcher) but has not parsed it yet.
        await made.write('Plan.md', 'The image is gone.\n');
        await made.vault.revalidate(['Plan.md']);
        expect(gate.check('Media/scan.png')).toEqual({ excluded: true, reason: { kind: 'used-by-excluded' } });
    });
});
