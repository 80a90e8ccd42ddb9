/**
 * The exclusion screen's readings kept on this device between sessions, in IndexedDB (decision 0035): one database per
 * vault and device, one record per note with the size and time it was read at and the tags found, never its text.
 * Obsidian keeps its own metadata cache the same way. Nothing here syncs: `localStorage` is shared by every vault and
 * plugin and too small for a large vault, and a file in the plugin's folder would travel with the vault.
 *
 * Whatever cannot be read back as a reading (another version of the reading, a damaged record, IndexedDB refusing)
 * is not trusted: those notes are read again, as on a first start.
 */
import type { ScannedTags } from '../kernel/text-scan';
import type { KeptReading, ScreenMemory } from '../vault/exclusion-screen';

const READINGS = 'readings';
const META = 'meta';
/** The meta record naming the version of the reading the records were made by. */
const VERSION_KEY = 'reading';

/** One note's record: size, time, tags (`null` when its frontmatter could not be read) and that frontmatter's error. */
interface StoredReading {
    m: number;
    s: number;
    t: string[] | null;
    e?: string;
}

/** What the memory needs. */
export interface IndexedDbScreenMemoryOptions {
    /** The database's name: one per vault on this device. */
    name: string;
    /** The version of the reading (the plugin's and `SCREEN_READING`): records made by another are dropped. */
    version: string;
    /** IndexedDB itself. */
    factory: IDBFactory;
}

/** The screen's readings in IndexedDB. */
export class IndexedDbScreenMemory implements ScreenMemory {
    private database: Promise<IDBDatabase> | null = null;
    /** Closed with the plugin: nothing more is read or written (a write due later is dropped, read again next time). */
    private closed = false;

    constructor(private readonly options: IndexedDbScreenMemoryOptions) {}

    async load(): Promise<ReadonlyMap<string, KeptReading>> {
        const db = await this.open();
        const tx = db.transaction([READINGS, META], 'readonly');
        const store = tx.objectStore(READINGS);
        // Asked together, in one transaction: the records and the version they were made by agree.
        const [version, keys, values] = await Promise.all([
            asked<unknown>(tx.objectStore(META).get(VERSION_KEY)),
            asked(store.getAllKeys()),
            asked<unknown[]>(store.getAll()),
        ]);
        if (version !== this.options.version) {
            await this.startAfresh(db);
            return new Map();
        }
        const kept = new Map<string, KeptReading>();
        for (let i = 0; i < keys.length; i++) {
            const path = keys[i];
            const reading = typeof path === 'string' ? readingOf(values[i]) : null;
            if (typeof path === 'string' && reading !== null) kept.set(path, reading);
        }
        return kept;
    }

    async save(put: ReadonlyMap<string, KeptReading>, drop: ReadonlySet<string>): Promise<void> {
        if (this.closed || (put.size === 0 && drop.size === 0)) return;
        const db = await this.open();
        const tx = db.transaction(READINGS, 'readwrite');
        const store = tx.objectStore(READINGS);
        for (const path of drop) store.delete(path);
        for (const [path, reading] of put) store.put(recordOf(reading), path);
        await finished(tx);
    }

    /** Closes the database (the plugin unloads). */
    close(): void {
        this.closed = true;
        const database = this.database;
        this.database = null;
        void database?.then((db) => db.close()).catch(() => undefined);
    }

    /** Drops every record and notes the version they are made by from now on. */
    private async startAfresh(db: IDBDatabase): Promise<void> {
        const tx = db.transaction([READINGS, META], 'readwrite');
        tx.objectStore(READINGS).clear();
        tx.objectStore(META).put(this.options.version, VERSION_KEY);
        await finished(tx);
    }

    private open(): Promise<IDBDatabase> {
        if (this.closed) return Promise.reject(new Error('The readings were closed with the plugin.'));
        this.database ??= new Promise<IDBDatabase>((resolve, reject) => {
            const request = this.options.factory.open(this.options.name, 1);
            request.onupgradeneeded = () => {
                request.result.createObjectStore(READINGS);
                request.result.createObjectStore(META);
            };
            request.onsuccess = () => {
                const db = request.result;
                // Another window asking for a newer layout gets it: this one reads every note next time instead.
                db.onversionchange = () => db.close();
                resolve(db);
            };
            request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened.'));
            request.onblocked = () => reject(new Error('IndexedDB is held by another window.'));
        }).catch((e: unknown) => {
            this.database = null;
            throw e;
        });
        return this.database;
    }
}

function asked<T>(request: IDBRequest<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error ?? new Error('IndexedDB refused a read.'));
    });
}

function finished(tx: IDBTransaction): Promise<void> {
    return new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB refused a write.'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB dropped a write.'));
    });
}

function recordOf(reading: KeptReading): StoredReading {
    const { tags, frontmatterError } = reading.tags;
    return {
        m: reading.mtime,
        s: reading.size,
        t: tags === undefined ? null : [...tags],
        ...(frontmatterError !== undefined ? { e: frontmatterError } : {}),
    };
}

/** A record read back as a reading; `null` for anything not exactly the shape written. */
function readingOf(value: unknown): KeptReading | null {
    if (typeof value !== 'object' || value === null) return null;
    const record = value as Partial<Record<keyof StoredReading, unknown>>;
    const { m, s, t, e } = record;
    if (typeof m !== 'number' || !Number.isFinite(m) || typeof s !== 'number' || !Number.isFinite(s)) return null;
    if (e !== undefined && typeof e !== 'string') return null;
    if (t !== null && !(Array.isArray(t) && t.every((tag) => typeof tag === 'string'))) return null;
    const tags: ScannedTags = Object.freeze({
        tags: t === null ? undefined : [...t],
        ...(e !== undefined ? { frontmatterError: e } : {}),
    });
    return { mtime: m, size: s, tags };
}
