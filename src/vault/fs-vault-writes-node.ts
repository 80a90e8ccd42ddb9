/**
 * FsVault's writes: creating, editing, renaming and trashing files. Node only.
 *
 * Every write runs the path policy before touching the disk, then waits in a queue behind earlier writes to the same
 * files (`serial`), and writes atomically (`fs-vault-disk-node.ts`): a temp file in the same folder, fsync, then a
 * rename (edits, after the stale check) or a hard link (new files and moves, which fails instead of overwriting).
 * After each, the catalogue learns the file as written and the vault's listeners are told.
 */
import { lstat, readdir, readFile, rename } from './fs-calls-node';
import nodePath from 'node:path';
import { readablePath, type VaultCatalogue } from './fs-vault-catalogue-node';
import { checkWritablePath, isProtectedPath } from '../kernel/path-policy';
import { applyLinkRewrites, planLinkRewrites } from './rename-links';
import { collisionKey, uniqueNotePath } from '../kernel/safe-names';
import { VAULT_TRASH_FOLDER } from '../kernel/system-folders';
import { StaleWriteError, VaultError } from '../kernel/vault-port';
import type { VaultChange } from '../kernel/vault-port';

export { StaleWriteError } from '../kernel/vault-port';

/** The write path of a vault on a real folder: `VaultPort`'s `create`, `process`, `rename` and `trash`. */
export class VaultWrites {
    /** The last queued write per file (by collision key, so case and NFC twins queue together). */
    private readonly writeTails = new Map<string, Promise<unknown>>();
    /** The last write that needed the whole vault to itself (a rename rewrites links in other notes). */
    private exclusiveTail: Promise<unknown> = Promise.resolve();

    constructor(
        private readonly catalogue: VaultCatalogue,
        private readonly configDir: string,
        private readonly emit: (event: VaultChange) => void,
    ) {}

    /** See `VaultPort.create`. */
    async create(path: string, content: string): Promise<void> {
        const disk = this.catalogue.disk;
        const vaultPath = this.writablePath(path);
        await this.serial([vaultPath], async () => {
            const target = await disk.locateNew(vaultPath);
            if (!target.dirExists) await disk.makeFolder(target.dir, vaultPath);
            await disk.placeTemp(target.dir, Buffer.from(content, 'utf8'), 0o666, async (tmp) => {
                await disk.moveNoOverwrite(tmp, target.abs, vaultPath, true);
            });
            await this.catalogue.refresh(vaultPath, target.abs, content);
            this.emit({ type: 'create', path: vaultPath });
        });
    }

    /** See `VaultPort.process`; throws `StaleWriteError` when the file changed after `fn` saw it. */
    async process(path: string, fn: (current: string) => string): Promise<string> {
        const vaultPath = this.writablePath(path);
        return this.serial([vaultPath], () => this.processNow(vaultPath, fn));
    }

    /** See `VaultPort.rename`: the file moves, then links to it in other notes are rewritten. */
    async rename(from: string, to: string): Promise<void> {
        const disk = this.catalogue.disk;
        const source = this.writablePath(from);
        const destination = this.writablePath(to);
        if (source === destination) return;
        await this.serial(null, async () => {
            const entry = await disk.locateEntry(source);
            const target = await disk.locateNew(destination, entry);
            const plan = planLinkRewrites(this.catalogue.index, source, destination);
            if (!target.dirExists) await disk.makeFolder(target.dir, destination);
            if (target.isSelf) await rename(entry, target.abs);
            else await disk.moveNoOverwrite(entry, target.abs, destination, false);
            this.catalogue.forget(source);
            await this.catalogue.refresh(destination, target.abs, null);
            this.emit({ type: 'rename', path: destination, oldPath: source });
            const failed: string[] = [];
            for (const [note, rewrites] of plan) {
                const notePath = note === source ? destination : note;
                await this.processNow(notePath, (text) => applyLinkRewrites(text, rewrites)).catch(() => {
                    failed.push(notePath);
                });
            }
            if (failed.length > 0) {
                const names = failed.map((note) => `"${note}"`).join(', ');
                throw new VaultError(
                    'io',
                    `Renamed "${source}" to "${destination}", but links in ${names} were not updated.`,
                );
            }
        });
    }

    /** See `VaultPort.trash`: the file moves to the vault's trash folder, under a free name. */
    async trash(path: string): Promise<void> {
        const disk = this.catalogue.disk;
        const vaultPath = this.writablePath(path);
        // Trashes also queue behind each other: two notes with one name pick their free names in the same folder.
        await this.serial([vaultPath, VAULT_TRASH_FOLDER], async () => {
            const entry = await disk.locateEntry(vaultPath);
            const trashDir = await disk.makeFolder(nodePath.join(disk.root, VAULT_TRASH_FOLDER), vaultPath);
            const name = nodePath.basename(entry).normalize('NFC');
            const free = await uniqueNotePath(name, () => false, await readdir(trashDir));
            await disk.moveNoOverwrite(entry, nodePath.join(trashDir, free), vaultPath, false);
            this.catalogue.forget(vaultPath);
            this.emit({ type: 'delete', path: vaultPath });
        });
    }

    private async processNow(vaultPath: string, fn: (current: string) => string): Promise<string> {
        const disk = this.catalogue.disk;
        const real = await disk.locateWritableFile(vaultPath);
        const before = await readFile(real).catch((e: unknown) => disk.fail(e, vaultPath));
        const current = before.toString('utf8');
        if (!Buffer.from(current, 'utf8').equals(before)) {
            throw new VaultError('io', `"${vaultPath}" is not valid UTF-8 text; editing it would alter its bytes.`);
        }
        const next = fn(current);
        if (next === current) return current;
        const { mode } = await lstat(real);
        await disk.placeTemp(nodePath.dirname(real), Buffer.from(next, 'utf8'), mode, async (tmp) => {
            // The stale check: only replace the bytes `fn` saw. The window left is the rename itself.
            const onDisk = await readFile(real).catch(() => null);
            if (onDisk === null || !onDisk.equals(before)) throw new StaleWriteError(vaultPath);
            await rename(tmp, real);
        });
        await this.catalogue.refresh(vaultPath, real, next);
        this.emit({ type: 'modify', path: vaultPath });
        return next;
    }

    private writablePath(path: string): string {
        // As in `read`: a listed path is already in normal form.
        const vaultPath = this.catalogue.files.has(path) ? path : readablePath(path);
        const checked = checkWritablePath(vaultPath, this.configDir);
        if (checked.ok) return checked.path;
        throw new VaultError(
            isProtectedPath(vaultPath, this.configDir) ? 'protected' : 'invalid-path',
            checked.reason,
            vaultPath,
        );
    }

    /**
     * Queues a write behind earlier writes to the same files, so writes to different notes run side by side (the
     * queue runs many jobs at once) while two writes to one note never interleave. `null` waits for every write and
     * holds the whole vault: a rename also rewrites links in other notes.
     */
    private serial<T>(paths: string[] | null, task: () => Promise<T>): Promise<T> {
        const keys = paths?.map(collisionKey) ?? [];
        const prior = paths === null ? [this.exclusiveTail, ...this.writeTails.values()] : [this.exclusiveTail];
        for (const key of keys) prior.push(this.writeTails.get(key) ?? Promise.resolve());
        const run = Promise.allSettled(prior).then(task);
        const done = run.catch(() => undefined);
        if (paths === null) {
            this.exclusiveTail = done;
            this.writeTails.clear();
            return run;
        }
        for (const key of keys) this.writeTails.set(key, done);
        void done.then(() => {
            for (const key of keys) if (this.writeTails.get(key) === done) this.writeTails.delete(key);
        });
        return run;
    }
}
