/**
 * The page of the tag-readings test: the exclusion screen (`ExclusionScreen`) with the plugin's own IndexedDB memory
 * (`IndexedDbScreenMemory`) on the browser's real IndexedDB. `window.harness.session` is one start of the plugin's
 * screen: the kept readings come back, the notes not kept at their current version are read (from the texts given),
 * and what was read is kept. A later page of the same browser context is the next start on this device.
 */
import { ExclusionScreen, type ScreenFile } from '../../../src/vault/exclusion-screen';
import { IndexedDbScreenMemory } from '../../../src/obsidian/screen-memory';

/** One start: the vault's notes (with their texts) and the memory's name and version. */
export interface ReadingsSession {
    name: string;
    version: string;
    notes: (ScreenFile & { text: string })[];
}

/** What the start read, and each note's tags after it (`null`: unknown, so excluded). */
export interface ReadingsOutcome {
    reads: string[];
    tags: Record<string, string[] | null>;
}

async function session(options: ReadingsSession): Promise<ReadingsOutcome> {
    const texts = new Map(options.notes.map((note) => [note.path, note.text]));
    const memory = new IndexedDbScreenMemory({ name: options.name, version: options.version, factory: indexedDB });
    const reads: string[] = [];
    const screen = new ExclusionScreen({
        read: (path) => {
            reads.push(path);
            return Promise.resolve(texts.get(path) ?? '');
        },
        memory,
    });
    screen.start(() => options.notes.map(({ path, mtime, size }) => ({ path, mtime, size })));
    await screen.settled();
    await screen.flush();
    memory.close();
    const tags: Record<string, string[] | null> = {};
    for (const note of options.notes) tags[note.path] = screen.tagsOf(note)?.tags ?? null;
    return { reads, tags };
}

/** Writes `value` as the record of `path` behind the memory's back (a damaged record). */
function damage(name: string, path: string, value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onerror = () => reject(request.error ?? new Error('open failed'));
        request.onsuccess = () => {
            const db = request.result;
            const tx = db.transaction('readings', 'readwrite');
            tx.objectStore('readings').put(value, path);
            tx.oncomplete = () => {
                db.close();
                resolve();
            };
            tx.onerror = () => reject(tx.error ?? new Error('write failed'));
        };
    });
}

(window as unknown as { harness: unknown }).harness = { ready: true, session, damage };
