/**
 * The spend ledger of this device: one JSON file in the per-user state folder, shared by every CLI process of this
 * person (two vaults' cron runs, `ask` beside `run --watch`) and by the plugin on desktop. Each entry is added under the file's lock (decision 0038) and the file
 * is replaced atomically (temp file, then rename), so no process's entries are lost and the spend cap sees them all.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import nodePath, { dirname } from 'node:path';
import { withFileLock } from '../../vault/file-lock-node';
import { parseSpendEntries, SPEND_RETENTION_MS, type SpendEntry, type SpendLedger } from './spend-ledger';

/**
 * This person's state folder on this machine: `$XDG_CONFIG_HOME/vault-agent`, else `~/.config/vault-agent`. The CLI
 * keeps its per-user and per-vault state there, and the plugin on desktop finds the shared spend ledger there.
 */
export function userStateDir(env: Record<string, string | undefined>): string {
    const xdg = env.XDG_CONFIG_HOME?.trim() ?? '';
    const base = xdg !== '' && nodePath.isAbsolute(xdg) ? xdg : nodePath.join(env.HOME ?? os.homedir(), '.config');
    return nodePath.join(base, 'vault-agent');
}

/** The spend ledger of this person on this machine: every CLI command's, and the desktop plugin's. */
export function deviceSpendFile(env: Record<string, string | undefined>): string {
    return nodePath.join(userStateDir(env), 'spend.json');
}

/** A ledger in one JSON file; writes are serialised in this process and locked across processes. */
export class JsonFileSpendLedger implements SpendLedger {
    private readonly file: string;
    private readonly now: () => number;
    private queue: Promise<unknown> = Promise.resolve();

    constructor(options: { file: string; now?: () => number }) {
        this.file = options.file;
        this.now = options.now ?? Date.now;
    }

    /** Entries at or after `sinceMs`. */
    async entries(sinceMs: number): Promise<SpendEntry[]> {
        await this.queue;
        return (await this.read()).filter((entry) => entry.time >= sinceMs);
    }

    /** Adds entries (in one write) and drops expired ones. */
    append(...entries: SpendEntry[]): Promise<void> {
        const next = this.queue.then(() =>
            withFileLock(this.file, async () => {
                const keepFrom = this.now() - SPEND_RETENTION_MS;
                const kept = (await this.read()).filter((stored) => stored.time >= keepFrom);
                kept.push(...entries);
                await fs.mkdir(dirname(this.file), { recursive: true });
                const temp = `${this.file}.${process.pid}.tmp`;
                await fs.writeFile(temp, JSON.stringify(kept), 'utf8');
                await fs.rename(temp, this.file);
            }),
        );
        // A failed write must not block the writes after it; the caller still hears this one's failure.
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async read(): Promise<SpendEntry[]> {
        try {
            return parseSpendEntries(await fs.readFile(this.file, 'utf8'));
        } catch (e) {
            if ((e as { code?: unknown }).code === 'ENOENT') return [];
            throw e;
        }
    }
}
