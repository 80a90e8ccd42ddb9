/**
 * `VaultWatcher` on a real temp vault: reports are applied in the background after a short quiet spell (and at once
 * by `fresh`), bursts are applied together, and a full scan runs only when the watcher starts on an open vault or lost
 * track; a vault opened through `VaultWatcher.open` is watched from its one opening scan on. The lost-track case is
 * driven by an `error` event on a folder's `fs.watch` handle, which is how Node reports a watch that failed; the
 * exhaustion itself (ENOSPC, EMFILE) is not reproduced here.
 */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultWatcher, type FullScanReason } from '../../src/vault/fs-vault-watch-node';
import { FsVault } from '../../src/vault/fs-vault-node';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let temp: TempVault;
let watcher: VaultWatcher;

afterEach(async () => {
    await watcher.close();
    await temp.cleanup();
});

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 3_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`timed out waiting for ${what}`);
}

async function listed(): Promise<string[]> {
    return (await temp.vault.list()).map((entry) => entry.path);
}

async function start(): Promise<FullScanReason[]> {
    temp = await makeTempVault({ 'A.md': 'a #one\n', 'Sub/B.md': 'b links [[A]]\n' });
    const scans: FullScanReason[] = [];
    watcher = new VaultWatcher(temp.vault, { restartMs: 50, onFullScan: (reason) => scans.push(reason) });
    watcher.start();
    await until(() => watcher.watching, 'the watcher to be ready');
    return scans;
}

describe('VaultWatcher', () => {
    it('applies changes in the background, without a full scan, bursts together', async () => {
        const scans = await start();
        expect(scans).toEqual(['watcher starting']);
        const abs = (path: string): string => nodePath.join(temp.root, ...path.split('/'));
        let batches = 0;
        const sync = temp.vault.syncPaths.bind(temp.vault);
        temp.vault.syncPaths = (paths) => {
            batches++;
            return sync(paths);
        };
        for (let i = 0; i < 50; i++) await writeFile(abs(`N${i}.md`), `n${i}\n`);
        await mkdir(abs('New/Deep'), { recursive: true });
        await writeFile(abs('New/Deep/C.md'), 'c links [[A]] #two\n');
        await until(async () => (await listed()).includes('New/Deep/C.md'), 'the new folder walked');
        await until(async () => (await listed()).filter((p) => /^N\d+\.md$/.test(p)).length === 50, 'the burst');
        // 50 files and a folder written back to back are applied in a few batches, not one per report.
        expect(batches).toBeLessThan(20);
        expect([...temp.vault.backlinks('A.md')].sort()).toEqual(['New/Deep/C.md', 'Sub/B.md']);
        expect(temp.vault.metadata('New/Deep/C.md')?.tags).toEqual(['#two']);

        await rename(abs('Sub'), abs('Moved'));
        await until(async () => {
            const paths = await listed();
            return paths.includes('Moved/B.md') && !paths.includes('Sub/B.md');
        }, 'the folder rename');
        await rm(abs('New'), { recursive: true });
        await until(async () => !(await listed()).includes('New/Deep/C.md'), 'the folder removal');

        // A symlink is judged by its target: a change of the target reaches the link's metadata too.
        await symlink(abs('A.md'), abs('Link.md'));
        await until(async () => (await listed()).includes('Link.md'), 'the link');
        await writeFile(abs('A.md'), 'a #changed\n');
        await watcher.fresh();
        await until(() => temp.vault.metadata('Link.md')?.tags?.includes('#changed') === true, 'the link re-read');
        expect(scans).toEqual(['watcher starting']);
        expect(temp.vault.scanCount).toBe(2);
    }, 30_000);

    it('rescans once it lost track, then watches again', async () => {
        const scans = await start();
        // Node reports a failed folder watch as an `error` event on its handle.
        const watches = (
            watcher as unknown as { watches: Map<string, { watcher: { emit(e: string, x: Error): void } }> }
        ).watches;
        watches
            .get('Sub')
            ?.watcher.emit('error', new Error('ENOSPC: System limit for number of file watchers reached'));
        expect(watcher.watching).toBe(false);
        await writeFile(nodePath.join(temp.root, 'While lost.md'), 'x\n');
        await watcher.fresh();
        expect(scans).toContain('watcher lost track');
        expect(await listed()).toContain('While lost.md');
        await until(() => watcher.watching, 'watching again');
        expect(scans.at(-1)).toBe('watcher lost track');
        expect(watcher.folderCount).toBe(2);
        await writeFile(nodePath.join(temp.root, 'After.md'), 'y\n');
        await until(async () => (await listed()).includes('After.md'), 'a change after the restart');
    }, 30_000);

    it('opens a vault watched from its one scan on, and misses nothing made right after', async () => {
        temp = await makeTempVault({ 'A.md': 'a\n', 'Sub/B.md': 'b\n' });
        const scans: FullScanReason[] = [];
        const opened = await VaultWatcher.open(
            temp.root,
            { configDir: '.obsidian' },
            { onFullScan: (reason) => scans.push(reason) },
        );
        watcher = opened.watcher;
        const vault = opened.vault;
        expect(watcher.watching).toBe(true);
        expect(watcher.folderCount).toBe(2);
        // Made at once, before any event could be delivered: the watches were in place before the scan listed.
        const abs = (path: string): string => nodePath.join(temp.root, ...path.split('/'));
        await writeFile(abs('Sub/C.md'), 'c #new\n');
        await mkdir(abs('Sub/Inner'));
        await writeFile(abs('Sub/Inner/D.md'), 'd\n');
        await until(async () => {
            await watcher.fresh();
            const paths = (await vault.list()).map((entry) => entry.path);
            return paths.includes('Sub/C.md') && paths.includes('Sub/Inner/D.md');
        }, 'the notes made right after open');
        expect(vault.metadata('Sub/C.md')?.tags).toEqual(['#new']);
        expect(watcher.folderCount).toBe(3);

        // A folder replaced by another under the same name: the new one is watched, the old watch closed.
        await rename(abs('Sub'), abs('Old'));
        await mkdir(abs('Sub'));
        await until(async () => {
            await watcher.fresh();
            return (await vault.list()).some((entry) => entry.path === 'Old/Inner/D.md');
        }, 'the move');
        await writeFile(abs('Sub/E.md'), 'e\n');
        await until(async () => {
            await watcher.fresh();
            return (await vault.list()).some((entry) => entry.path === 'Sub/E.md');
        }, 'a note in the new folder of the old name');
        expect(scans).toEqual([]);
        expect(vault.scanCount).toBe(1);
        expect(vault).toBeInstanceOf(FsVault);
    }, 30_000);
});
