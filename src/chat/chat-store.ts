/**
 * Where chats are kept: one JSON file per chat in the plugin's data folder (through Obsidian's `DataAdapter`, which
 * works on mobile too), or a map in tests. A file that cannot be read or parsed is skipped, never overwritten, so a
 * corrupt chat does not take the list with it.
 */
import { CHAT_RECORD_VERSION, type ChatRecord, type ChatSummary } from './transcript';

/** The chat store port. */
export interface ChatStore {
    /** Every stored chat, most recently changed first. */
    list(): Promise<ChatSummary[]>;
    /** One chat, or `null` when there is none (or it cannot be read). */
    load(id: string): Promise<ChatRecord | null>;
    /** Writes the chat, replacing its previous version. */
    save(record: ChatRecord): Promise<void>;
}

/** The part of Obsidian's `DataAdapter` the store uses. */
export interface ChatFileAdapter {
    /** Whether a file or folder exists. */
    exists(path: string): Promise<boolean>;
    /** Reads a file as UTF-8. */
    read(path: string): Promise<string>;
    /** Writes a file (creating or replacing it). */
    write(path: string, data: string): Promise<void>;
    /** Files and folders directly inside `path`. */
    list(path: string): Promise<{ files: string[]; folders: string[] }>;
    /** Creates a folder. */
    mkdir(path: string): Promise<void>;
}

/** Chats held in memory (tests, the browser harness). Records are copied in and out, like a file would. */
export class MemoryChatStore implements ChatStore {
    private readonly records = new Map<string, string>();

    async list(): Promise<ChatSummary[]> {
        return sortSummaries([...this.records.values()].map((text) => summaryOf(JSON.parse(text) as ChatRecord)));
    }

    async load(id: string): Promise<ChatRecord | null> {
        const text = this.records.get(id);
        return text === undefined ? null : parseRecord(text);
    }

    async save(record: ChatRecord): Promise<void> {
        this.records.set(record.id, JSON.stringify(record));
    }
}

/** Chats as JSON files in `folder` (the plugin's own state folder, which the exclusion gate always hides). */
export class AdapterChatStore implements ChatStore {
    private readonly adapter: ChatFileAdapter;
    private readonly folder: string;
    private writes: Promise<unknown> = Promise.resolve();

    constructor(options: { adapter: ChatFileAdapter; folder: string }) {
        this.adapter = options.adapter;
        this.folder = options.folder.replace(/\/+$/, '');
    }

    async list(): Promise<ChatSummary[]> {
        if (!(await this.adapter.exists(this.folder))) return [];
        const { files } = await this.adapter.list(this.folder);
        const summaries: ChatSummary[] = [];
        for (const file of files.filter((name) => name.endsWith('.json'))) {
            const record = await this.adapter.read(file).then(parseRecord, () => null);
            if (record !== null) summaries.push(summaryOf(record));
        }
        return sortSummaries(summaries);
    }

    async load(id: string): Promise<ChatRecord | null> {
        const path = this.pathOf(id);
        if (!(await this.adapter.exists(path))) return null;
        return this.adapter.read(path).then(parseRecord, () => null);
    }

    save(record: ChatRecord): Promise<void> {
        // Serialised so two quick saves of one chat cannot land out of order.
        const write = this.writes.then(async () => {
            if (!(await this.adapter.exists(this.folder))) await this.adapter.mkdir(this.folder);
            await this.adapter.write(this.pathOf(record.id), JSON.stringify(record));
        });
        this.writes = write.catch(() => undefined);
        return write;
    }

    private pathOf(id: string): string {
        return `${this.folder}/${id.replace(/[^A-Za-z0-9-]/g, '_')}.json`;
    }
}

/** A stored record, or `null` when the text is not one. */
export function parseRecord(text: string): ChatRecord | null {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return null;
    }
    if (value === null || typeof value !== 'object') return null;
    const record = value as Partial<ChatRecord>;
    const ok =
        record.version === CHAT_RECORD_VERSION &&
        typeof record.id === 'string' &&
        Array.isArray(record.entries) &&
        Array.isArray(record.history);
    return ok ? (record as ChatRecord) : null;
}

function summaryOf(record: ChatRecord): ChatSummary {
    return { id: record.id, title: record.title, updated: record.updated };
}

function sortSummaries(summaries: ChatSummary[]): ChatSummary[] {
    return summaries.sort((a, b) => b.updated - a.updated);
}
