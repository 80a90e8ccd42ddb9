/**
 * The spend ledger of this device: one JSON file in the per-user state folder, shared by every CLI process of this
 * person (two vaults' cron runs, `ask` beside `run --watch`) and by the plugin on desktop. Each entry is added under
 * the file's lock (decision 0038), so no process's entries are lost and the spend cap sees them all.
 */
import { appendFileSync, closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import os from 'node:os';
import nodePath, { dirname } from 'node:path';
import { withFileLock } from '../../vault/file-lock-node';
import { isSpendEntry, parseSpendEntries, SPEND_RETENTION_MS, type SpendEntry, type SpendLedger } from './spend-ledger';

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

/** How far out of time order two entries added one after the other may be. */
const ORDER_SLACK_MS = 60 * 60 * 1000;

/** Once the oldest entry is this much past the retention, the file is written anew without the expired ones. */
const COMPACT_AFTER_MS = 24 * 60 * 60 * 1000;

/** What this process last read of the file: its identity and how far it read, and the entries so far. */
interface Known {
    dev: number;
    ino: number;
    /** Bytes read: up to the end of the last whole line. */
    read: number;
    /** The file's size then: more than `read` when it ends in a line without its line break. */
    size: number;
    mtimeMs: number;
    entries: SpendEntry[];
}

/**
 * A ledger in one file, one JSON entry per line, added to at its end: a month of a busy queue's spend is tens of
 * thousands of entries, and each call of each job adds one, so nothing reads or writes the whole file per call. This
 * process keeps what it read and, when the file has grown since, reads only the lines added (another process's). The
 * file is written anew, without the expired entries, about once a day. A file in the older form (one JSON list) is
 * read as it is and written in lines at the next change. Additions are serialised in this process and locked across
 * processes.
 */
export class JsonFileSpendLedger implements SpendLedger {
    private readonly file: string;
    private readonly now: () => number;
    private queue: Promise<unknown> = Promise.resolve();
    private known: Known | null = null;

    constructor(options: { file: string; now?: () => number }) {
        this.file = options.file;
        this.now = options.now ?? Date.now;
    }

    /** Entries at or after `sinceMs`. */
    async entries(sinceMs: number): Promise<SpendEntry[]> {
        await this.queue;
        // Entries are added in the order their calls ended, so today's are at the end: those are looked at, not the
        // month before them (an hour's slack for calls of two processes ending out of order).
        const all = this.current();
        let from = all.length;
        while (from > 0 && (all[from - 1]?.time ?? 0) >= sinceMs - ORDER_SLACK_MS) from--;
        return all.slice(from).filter((entry) => entry.time >= sinceMs);
    }

    /** Adds entries (in one write); about once a day, drops expired ones. */
    append(...entries: SpendEntry[]): Promise<void> {
        const next = this.queue.then(() =>
            withFileLock(this.file, async () => {
                const stored = this.current();
                const keepFrom = this.now() - SPEND_RETENTION_MS;
                const oldest = stored[0]?.time ?? Number.POSITIVE_INFINITY;
                if (this.known?.read === -1 || oldest < keepFrom - COMPACT_AFTER_MS) {
                    await this.rewrite([...stored.filter((entry) => entry.time >= keepFrom), ...entries]);
                } else if (entries.length > 0) {
                    // The folder is there (the lock beside the file was made in it). A last line without its line break
                    // (written by hand) is ended first, so ours stay whole.
                    const unended = this.known !== null && this.known.size > this.known.read;
                    appendFileSync(this.file, `${unended ? '\n' : ''}${lines(entries)}`, 'utf8');
                    this.current();
                }
            }),
        );
        // A failed write must not block the writes after it; the caller still hears this one's failure.
        this.queue = next.catch(() => undefined);
        return next;
    }

    /**
     * The file's entries as they are now: what was read before, and only what was added since when it grew. Plain
     * calls, as the job path's other small reads (decision 0030): every model call of every job asks this.
     */
    private current(): SpendEntry[] {
        let fd: number;
        try {
            fd = openSync(this.file, 'r');
        } catch (e) {
            if ((e as { code?: unknown }).code !== 'ENOENT') throw e;
            this.known = null;
            return [];
        }
        try {
            const stats = fstatSync(fd);
            const known = this.known;
            const same = known !== null && known.dev === stats.dev && known.ino === stats.ino && known.read !== -1;
            if (same && stats.size === known.size && stats.mtimeMs === known.mtimeMs) return known.entries;
            // Grown: only what was added. Anything else (rewritten, cut short, edited in place) is read whole.
            const from = same && stats.size > known.size ? known.read : 0;
            const bytes = Buffer.alloc(stats.size - from);
            const bytesRead = readSync(fd, bytes, 0, bytes.length, from);
            const text = bytes.subarray(0, bytesRead).toString('utf8');
            const facts = { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
            if (from === 0 && text.trimStart().startsWith('[')) {
                // The older form, one list: read whole; `read: -1` has it written in lines at the next change.
                this.known = { ...facts, read: -1, entries: parseSpendEntries(text) };
                return this.known.entries;
            }
            // Only whole lines: a line still being added is read next time.
            const whole = text.slice(0, text.lastIndexOf('\n') + 1);
            const added = parseLines(whole);
            const entries = from === 0 || known === null ? added : known.entries;
            if (entries !== added) entries.push(...added);
            this.known = { ...facts, read: from + Buffer.byteLength(whole, 'utf8'), entries };
            return entries;
        } finally {
            closeSync(fd);
        }
    }

    /** Writes the file anew with `entries` (temp file, then rename). */
    private async rewrite(entries: SpendEntry[]): Promise<void> {
        await fs.mkdir(dirname(this.file), { recursive: true });
        const temp = `${this.file}.${process.pid}.tmp`;
        await fs.writeFile(temp, lines(entries), 'utf8');
        await fs.rename(temp, this.file);
        this.known = null;
        this.current();
    }
}

function lines(entries: SpendEntry[]): string {
    return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

/** The well-formed entries of whole lines; a damaged line is skipped. */
function parseLines(text: string): SpendEntry[] {
    const entries: SpendEntry[] = [];
    for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        try {
            const value: unknown = JSON.parse(line);
            if (isSpendEntry(value)) entries.push(value);
        } catch {
            // A damaged line: the rest still counts.
        }
    }
    return entries;
}
