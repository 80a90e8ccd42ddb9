/**
 * The spend ledger: what every model call cost, kept per device so the daily cap counts every chat and job of the
 * day, across restarts. A port with three sides: memory (tests, and a device where nothing can be stored), a
 * key-value store (Obsidian's `localStorage`, which is per device and never synced), and a JSON file for the CLI
 * (`spend-ledger-node.ts`).
 */

/** Who spent: a chat or a job, by id. */
export interface SpendScope {
    /** A chat (co-pilot) or a job (delegate). */
    kind: 'chat' | 'job';
    /** The chat's or the job's id. */
    id: string;
}

/** One model call's cost. */
export interface SpendEntry {
    /** When the call finished, ms since the epoch. */
    time: number;
    /** Cost in USD from the price table. */
    usd: number;
    /** Model id. */
    model: string;
    /** Who spent it. */
    scope: SpendScope;
    /** Uncached input tokens. */
    inputTokens: number;
    /** Output tokens. */
    outputTokens: number;
    /** Input tokens read from the prompt cache. */
    cacheReadTokens: number;
    /** Input tokens written to the prompt cache. */
    cacheWriteTokens: number;
}

/** Where spend entries are kept on this device. */
export interface SpendLedger {
    /** Entries at or after `sinceMs`, oldest first. */
    entries(sinceMs: number): Promise<SpendEntry[]>;
    /** Adds entries, in order, in one write. */
    append(...entries: SpendEntry[]): Promise<void>;
}

/** How long entries are kept: long enough for "this week" and a month's view, short enough to stay small. */
export const SPEND_RETENTION_MS = 35 * 24 * 60 * 60 * 1000;

/** A ledger in memory: for tests, and as the fallback where no storage is available. */
export class MemorySpendLedger implements SpendLedger {
    private readonly stored: SpendEntry[] = [];

    /** Entries at or after `sinceMs`. */
    entries(sinceMs: number): Promise<SpendEntry[]> {
        return Promise.resolve(this.stored.filter((entry) => entry.time >= sinceMs));
    }

    /** Adds entries. */
    append(...entries: SpendEntry[]): Promise<void> {
        for (const entry of entries) this.stored.push({ ...entry, scope: { ...entry.scope } });
        return Promise.resolve();
    }
}

/** The part of the Web Storage API the key-value ledger needs (`window.localStorage` satisfies it). */
export interface KeyValueStorage {
    /** The stored text, or `null`. */
    getItem(key: string): string | null;
    /** Stores text. */
    setItem(key: string, value: string): void;
}

/**
 * A ledger in a key-value store under one key. Entries older than the retention are dropped on each write; text
 * that does not parse is treated as empty rather than thrown at the person (the cap then counts from now on).
 */
export class KeyValueSpendLedger implements SpendLedger {
    private readonly storage: KeyValueStorage;
    private readonly key: string;
    private readonly now: () => number;

    constructor(options: { storage: KeyValueStorage; key: string; now?: () => number }) {
        this.storage = options.storage;
        this.key = options.key;
        this.now = options.now ?? Date.now;
    }

    /** Entries at or after `sinceMs`. */
    entries(sinceMs: number): Promise<SpendEntry[]> {
        return Promise.resolve(this.read().filter((entry) => entry.time >= sinceMs));
    }

    /** Adds entries and drops expired ones. */
    append(...entries: SpendEntry[]): Promise<void> {
        const keepFrom = this.now() - SPEND_RETENTION_MS;
        const kept = this.read().filter((stored) => stored.time >= keepFrom);
        kept.push(...entries);
        this.storage.setItem(this.key, JSON.stringify(kept));
        return Promise.resolve();
    }

    /** Every entry kept, then none: for moving them to another ledger (`clear` once they are there). */
    all(): SpendEntry[] {
        return this.read();
    }

    /** Drops every entry. */
    clear(): void {
        this.storage.setItem(this.key, '[]');
    }

    private read(): SpendEntry[] {
        return parseSpendEntries(this.storage.getItem(this.key));
    }
}

/** Parses stored entries, keeping only well-formed ones. */
export function parseSpendEntries(text: string | null): SpendEntry[] {
    if (text === null || text.trim() === '') return [];
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch {
        return [];
    }
    return Array.isArray(raw) ? raw.filter(isSpendEntry) : [];
}

/** Whether `value` is a well-formed entry. */
export function isSpendEntry(value: unknown): value is SpendEntry {
    if (typeof value !== 'object' || value === null) return false;
    const entry = value as Record<string, unknown>;
    const scope = entry.scope as Record<string, unknown> | undefined;
    return (
        typeof entry.time === 'number' &&
        typeof entry.usd === 'number' &&
        Number.isFinite(entry.usd) &&
        typeof entry.model === 'string' &&
        typeof scope === 'object' &&
        scope !== null &&
        (scope.kind === 'chat' || scope.kind === 'job') &&
        typeof scope.id === 'string' &&
        ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'].every(
            (key) => typeof entry[key] === 'number',
        )
    );
}
