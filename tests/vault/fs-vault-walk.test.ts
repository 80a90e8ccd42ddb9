/**
 * The opening scan's walk in steps (`walkSteps`), run in slices that give the event loop turns or run to its end at
 * once, finds the same files in the same order as the walk in one go, on a real folder.
 */
import { describe, expect, it } from 'vitest';
import { VaultDisk } from '../../src/vault/fs-vault-disk-node';
import { runInSlices, runToEnd, walkSteps, walkVault, type Found } from '../../src/vault/fs-vault-walk-node';
import { makeTempVault } from '../support/temp-vault';

describe('the vault walk in steps', () => {
    it('finds the same files in the same order whether it runs in slices or in one go', async () => {
        const files: Record<string, string> = { '.obsidian/app.json': '{}', '.hidden/x.md': 'hidden' };
        for (let i = 0; i < 700; i++) files[`F${i % 7}/Sub ${i % 3}/N ${i}.md`] = `note ${i}`;
        for (let i = 0; i < 150; i++) files[`Root ${i}.md`] = `root ${i}`;
        const temp = await makeTempVault(files);
        try {
            const disk = new VaultDisk({ root: temp.root, configDir: '.obsidian', diskNames: new Map() });
            const whole: Found = new Map();
            walkVault(disk, '.obsidian', whole);
            const stepped: Found = new Map();
            runToEnd(walkSteps(disk, '.obsidian', stepped));
            const sliced: Found = new Map();
            let turns = 0;
            const counting = setInterval(() => turns++, 0);
            await runInSlices(walkSteps(disk, '.obsidian', sliced), 0);
            clearInterval(counting);
            expect(whole.size).toBe(850);
            expect([...stepped.keys()]).toEqual([...whole.keys()]);
            expect([...sliced.keys()]).toEqual([...whole.keys()]);
            expect([...sliced.values()].map((f) => f.stats.ino)).toEqual([...whole.values()].map((f) => f.stats.ino));
            // Slices of no length give the event loop a turn at every step.
            expect(turns).toBeGreaterThan(0);
        } finally {
            await temp.cleanup();
        }
    }, 60_000);
});
