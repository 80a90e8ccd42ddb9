/** The CLI's spend ledger: a JSON file in the plugin's state folder, written atomically (temp file, then rename). */
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { parseSpendEntries, SPEND_RETENTION_MS, type SpendEntry, type SpendLedger } from './spend-ledger';

/** A ledger in one JSON file; writes are serialised so parallel jobs never lose an entry. */
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
        const next = this.queue.then(async () => {
            const keepFrom = this.now() - SPEND_RETENTION_MS;
            const kept = (await this.read()).filter((stored) => stored.time >= keepFrom);
            kept.push(...entries);
            await fs.mkdir(dirname(this.file), { recursive: true });
            const temp = `${this.file}.${process.pid}.tmp`;
            await fs.writeFile(temp, JSON.stringify(kept), 'utf8');
            await fs.rename(temp, this.file);
        });
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
