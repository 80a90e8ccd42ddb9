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
 */
import type { ScannedTags } from '../kernel/text-scan';
import { parseNote } from './note-parser';

/** A note as the host lists it. */
export interface ScreenFile {
    path: string;
    mtime: number;
    size: number;
}

/** What the screen needs. */
export interface ExclusionScreenOptions {
    /** The note's text now. */
    read(path: string): Promise<string>;
    /** Notes read at once (the host's disk does the rest). */
    parallel?: number;
    /** Hears that a note's tags are known now (the gate excluded it until then). */
    onKnown?(path: string): void;
}

interface Entry {
    mtime: number;
    size: number;
    tags: ScannedTags;
}

/** How many notes are read at once, by default. */
const PARALLEL = 8;
/** The longest the screen works before letting the host's other tasks (a keystroke, a frame) run. */
const SLICE_MS = 8;

/** Reads every note's tags the exclusion gate's way, once per version of the note. */
export class ExclusionScreen {
    private readonly entries = new Map<string, Entry>();
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

    constructor(options: ExclusionScreenOptions) {
        this.options = options;
    }

    /**
     * The note's tags as the exclusion reading has them, when it was read at this very version; `undefined` when not
     * (it is then asked for, and the gate excludes it until it has been read).
     */
    tagsOf(file: ScreenFile): ScannedTags | undefined {
        const entry = this.entries.get(file.path);
        if (entry !== undefined && entry.mtime === file.mtime && entry.size === file.size) return entry.tags;
        this.want([file]);
        return undefined;
    }

    /** Reads these notes (again) in the background. */
    want(files: readonly ScreenFile[]): void {
        for (const file of files) {
            const entry = this.entries.get(file.path);
            if (entry !== undefined && entry.mtime === file.mtime && entry.size === file.size) continue;
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
    }

    /** Notes still to read. */
    pending(): number {
        return this.wanted.size + this.running;
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
                if (this.pending() === 0) for (const resolve of this.idle.splice(0)) resolve();
            });
        }
    }

    private async reader(): Promise<void> {
        for (;;) {
            const next = this.wanted.entries().next();
            if (next.done === true) return;
            const [path, file] = next.value;
            this.wanted.delete(path);
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
        this.entries.set(file.path, { mtime: file.mtime, size: file.size, tags });
        this.options.onKnown?.(file.path);
    }
}
