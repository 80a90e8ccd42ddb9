/**
 * The exclusion reading of every note, for a host whose own metadata reads tags its own narrower way (Obsidian's
 * cache). The gate must exclude a note for every form of `#private` that decision 0004 reads (`🔒#private`,
 * `(#private)`, a tag in a code block or a comment), and Obsidian's cache shows none of these: judged by it alone, such
 * a note's name appeared in listings, links and search candidates, though its text was refused when read.
 *
 * The screen reads each note once, in the background, and keeps what `parseNote` reads as its tags, with the size and
 * modification time it had. A note not read yet, or changed since (another size or time, or an edit it was told of),
 * has no entry: the gate then excludes it as not indexed yet, until it is read again (fail closed). Only tags are
 * kept, never text.
 *
 * A host may keep the readings between sessions (`ScreenMemory`; the plugin keeps them in IndexedDB on the device,
 * decision 0035): at start the kept readings come back, each counting only for a note still at the size and time it
 * was read at, and only the notes changed since are read again.
 */
import type { ScannedTags } from '../kernel/text-scan';
import { parseNote } from './note-parser';

/** A note as the host lists it. */
export interface ScreenFile {
    path: string;
    mtime: number;
    size: number;
}

/** A note's tags as read at one version of it (its size and modification time). */
export interface KeptReading {
    mtime: number;
    size: number;
    tags: ScannedTags;
}

/** Where a host keeps the screen's readings between sessions. */
export interface ScreenMemory {
    /** The readings kept, by path; none when nothing was kept (or it was kept by another version of the reading). */
    load(): Promise<ReadonlyMap<string, KeptReading>>;
    /** Keeps `put` and forgets `drop`, in one go. */
    save(put: ReadonlyMap<string, KeptReading>, drop: ReadonlySet<string>): Promise<void>;
}

/**
 * The version of the reading a kept one was made by: bump it when `parseNote` reads tags differently, so readings kept
 * by the old code are not trusted (the plugin also starts afresh with each release of itself).
 */
export const SCREEN_READING = 1;

/** What the screen needs. */
export interface ExclusionScreenOptions {
    /** The note's text now. */
    read(path: string): Promise<string>;
    /** Notes read at once (the host's disk does the rest). */
    parallel?: number;
    /** Hears that a note's tags are known now (the gate excluded it until then). */
    onKnown?(path: string): void;
    /** Keeps the readings between sessions; without it every note is read at each start. */
    memory?: ScreenMemory;
    /** The longest the start waits for the kept readings before reading every note instead (3 s by default). */
    restoreMs?: number;
}

/** How many notes are read at once, by default. */
const PARALLEL = 8;
/** The longest the screen works before letting the host's other tasks (a keystroke, a frame) run. */
const SLICE_MS = 8;
/** The longest the start waits for the kept readings before reading every note instead. */
const RESTORE_MS = 3_000;
/** How long new readings wait to be kept, so a burst of them is kept in one write. */
const SAVE_MS = 2_000;

/** Reads every note's tags the exclusion gate's way, once per version of the note. */
export class ExclusionScreen {
    private readonly entries = new Map<string, KeptReading>();
    /** Notes to read, with the version seen when they were asked for. */
    private readonly wanted = new Map<string, ScreenFile>();
    /** Bumped on every change a note is told of: a read begun before it is not kept. */
    private readonly generation = new Map<string, number>();
    /** Notes being read now, with the generation each read began in. */
    private readonly reading = new Map<string, number>();
    private readonly options: ExclusionScreenOptions;
    private running = 0;
    private idle: (() => void)[] = [];
    private sliceStart = 0;
    /** True from `start` until the kept readings are in and every note is asked for. */
    private starting = false;
    /** Readings and forgotten notes not yet kept (`ScreenMemory`). */
    private readonly unsaved = new Map<string, KeptReading>();
    private readonly dropped = new Set<string>();
    private saveTimer: ReturnType<typeof setTimeout> | null = null;
    /** The writes begun, one after another. */
    private saving: Promise<void> = Promise.resolve();

    constructor(options: ExclusionScreenOptions) {
        this.options = options;
    }

    /**
     * Takes back the readings kept from an earlier session (if the host keeps them), then asks for every note `list`
     * gives then: only those not kept at their current version are read. Until then `pending` counts the start, so
     * `settled` waits for it.
     */
    start(list: () => readonly ScreenFile[]): void {
        if (this.options.memory === undefined) {
            this.want(list());
            return;
        }
        this.starting = true;
        void this.restore().finally(() => {
            this.starting = false;
            const files = list();
            this.dropGone(files);
            this.want(files);
            this.settleIdle();
        });
    }

    /** Keeps what is not kept yet, now; settles once every write begun so far is done (the host is closing). */
    flush(): Promise<void> {
        if (this.saveTimer !== null) clearTimeout(this.saveTimer);
        this.saveTimer = null;
        const memory = this.options.memory;
        if (memory === undefined || (this.unsaved.size === 0 && this.dropped.size === 0)) return this.saving;
        const put = new Map(this.unsaved);
        const drop = new Set(this.dropped);
        this.unsaved.clear();
        this.dropped.clear();
        // A reading that is not kept is read again next time: nothing depends on the write.
        this.saving = this.saving.then(() => memory.save(put, drop)).catch(() => undefined);
        return this.saving;
    }

    /**
     * The note's tags as the exclusion reading has them, when it was read at this very version; `undefined` when not
     * (it is then asked for, and the gate excludes it until it has been read).
     */
    tagsOf(file: ScreenFile): ScannedTags | undefined {
        const entry = this.current(file);
        if (entry !== undefined) return entry.tags;
        this.want([file]);
        return undefined;
    }

    /** Reads these notes (again) in the background. */
    want(files: readonly ScreenFile[]): void {
        for (const file of files) {
            if (this.current(file) !== undefined) continue;
            // Already being read since its last change: that read will do.
            if (this.reading.get(file.path) === (this.generation.get(file.path) ?? 0)) continue;
            this.wanted.set(file.path, file);
        }
        this.pump();
    }

    /** The note changed (or was told to): what was read of it no longer counts. */
    changed(file: ScreenFile): void {
        this.forget(file.path);
        this.want([file]);
    }

    /** The note is gone (deleted, or renamed away). */
    forget(path: string): void {
        this.entries.delete(path);
        this.wanted.delete(path);
        this.generation.set(path, (this.generation.get(path) ?? 0) + 1);
        if (this.options.memory !== undefined) {
            this.unsaved.delete(path);
            this.dropped.add(path);
            this.saveSoon();
        }
    }

    /** Notes still to read (and 1 while starting). */
    pending(): number {
        return this.wanted.size + this.running + (this.starting ? 1 : 0);
    }

    /** Settles once nothing is left to read. */
    settled(): Promise<void> {
        if (this.pending() === 0) return Promise.resolve();
        return new Promise((resolve) => this.idle.push(resolve));
    }

    /** Starts readers until `parallel` run or nothing is wanted; each reads notes until none is left. */
    private pump(): void {
        const parallel = this.options.parallel ?? PARALLEL;
        while (this.running < parallel && this.wanted.size > 0) {
            this.running++;
            void this.reader().finally(() => {
                this.running--;
                this.settleIdle();
            });
        }
    }

    private settleIdle(): void {
        if (this.pending() > 0) return;
        for (const resolve of this.idle.splice(0)) resolve();
        // The first reading of a vault is kept as soon as it is done.
        if (this.unsaved.size > 0) void this.flush();
    }

    /** The reading of `file` at its current version, if there is one. */
    private current(file: ScreenFile): KeptReading | undefined {
        const entry = this.entries.get(file.path);
        return entry !== undefined && entry.mtime === file.mtime && entry.size === file.size ? entry : undefined;
    }

    /** The kept readings, for notes not read or told of in this session; none when the host keeps none. */
    private async restore(): Promise<void> {
        const memory = this.options.memory;
        if (memory === undefined) return;
        let kept: ReadonlyMap<string, KeptReading>;
        try {
            kept = await withinMs(memory.load(), this.options.restoreMs ?? RESTORE_MS);
        } catch {
            // Kept readings that cannot be had: every note is read, as on a first start.
            return;
        }
        for (const [path, reading] of kept) {
            if (this.entries.has(path) || this.generation.has(path)) continue;
            this.entries.set(path, reading);
        }
    }

    /**
     * Forgets the kept readings of notes that are not in the vault any more (deleted or renamed while the host was
     * closed), so they neither pile up nor ever count for a new note that takes the path.
     */
    private dropGone(files: readonly ScreenFile[]): void {
        const listed = new Set(files.map((file) => file.path));
        for (const path of [...this.entries.keys()]) {
            if (listed.has(path)) continue;
            this.entries.delete(path);
            this.unsaved.delete(path);
            this.dropped.add(path);
        }
        if (this.dropped.size > 0) this.saveSoon();
    }

    private saveSoon(): void {
        if (this.saveTimer !== null) return;
        this.saveTimer = setTimeout(() => {
            this.saveTimer = null;
            void this.flush();
        }, SAVE_MS);
    }

    private async reader(): Promise<void> {
        for (;;) {
            const next = this.wanted.entries().next();
            if (next.done === true) return;
            const [path, file] = next.value;
            this.wanted.delete(path);
            // Asked for while the kept readings were coming back, and among them.
            if (this.current(file) !== undefined) continue;
            await this.screen(file);
            // A host whose reads settle at once (a cache) would otherwise hold its thread for the whole vault.
            if (Date.now() - this.sliceStart > SLICE_MS) {
                await new Promise((resolve) => setTimeout(resolve, 0));
                this.sliceStart = Date.now();
            }
        }
    }

    private async screen(file: ScreenFile): Promise<void> {
        const generation = this.generation.get(file.path) ?? 0;
        this.reading.set(file.path, generation);
        let tags: ScannedTags;
        try {
            const metadata = parseNote(await this.options.read(file.path));
            tags = Object.freeze({
                tags: metadata.tags,
                ...(metadata.frontmatterError !== undefined ? { frontmatterError: metadata.frontmatterError } : {}),
            });
        } catch {
            // Unreadable now (gone, busy): no entry, so the note stays excluded until it is asked for again.
            return;
        } finally {
            if (this.reading.get(file.path) === generation) this.reading.delete(file.path);
        }
        // Told of a change while it was read: that read may be of the old text.
        if ((this.generation.get(file.path) ?? 0) !== generation) return;
        const reading = { mtime: file.mtime, size: file.size, tags };
        this.entries.set(file.path, reading);
        if (this.options.memory !== undefined) {
            this.dropped.delete(file.path);
            this.unsaved.set(file.path, reading);
            this.saveSoon();
        }
        this.options.onKnown?.(file.path);
    }
}

/** `promise`, or a rejection after `ms`. */
function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms.`)), ms);
        promise.then(
            (value) => {
                clearTimeout(timer);
                resolve(value);
            },
            (error: unknown) => {
                clearTimeout(timer);
                reject(error instanceof Error ? error : new Error(String(error)));
            },
        );
    });
}
