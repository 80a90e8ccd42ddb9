/**
 * `VaultWatcher` on a real temp vault: reports are applied in the background after a short quiet spell (and at once
 * by `fresh`), bursts are applied together, and a full scan runs only when the watcher starts, gets ready, or lost
 * track. The lost-track case is driven by an `error` event on the underlying chokidar watcher, which is how chokidar
 * reports a failed folder watch (ENOSPC, EMFILE); the exhaustion itself is not reproduced here.
 */
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultWatcher, type FullScanReason } from '../../src/vault/fs-vault-watch-node';
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
        expect(scans).toEqual(['watcher ready']);
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
        expect(temp.vault.backlinks('A.md').sort()).toEqual(['New/Deep/C.md', 'Sub/B.md']);
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
        expect(scans).toEqual(['watcher ready']);
        expect(temp.vault.scanCount).toBe(2);
    }, 30_000);

    it('rescans once it lost track, then watches again', async () => {
        const scans = await start();
        // chokidar reports a failed folder watch as an `error` event.
        (watcher as unknown as { watcher: { emit(event: string, error: Error): void } }).watcher.emit(
            'error',
            new Error('ENOSPC: System limit for number of file watchers reached'),
        );
        expect(watcher.watching).toBe(false);
        await writeFile(nodePath.join(temp.root, 'While lost.md'), 'x\n');
        await watcher.fresh();
        expect(scans).toContain('watcher lost track');
        expect(await listed()).toContain('While lost.md');
        await until(() => watcher.watching, 'watching again');
        expect(scans.at(-1)).toBe('watcher ready');
        await writeFile(nodePath.join(temp.root, 'After.md'), 'y\n');
        await until(async () => (await listed()).includes('After.md'), 'a change after the restart');
    }, 30_000);
});
