/**
 * Job notes through the vault port: listing the jobs folder, reading each note as a job, and atomic updates that
 * re-read the note inside `vault.process` so a write never rests on an old copy. A note that cannot be read as a
 * job is never written to.
 */
import { isMarkdownPath, VaultError, type VaultPort } from '../kernel/vault-port';
import { readJobNote, type JobNote, type JobRead } from './job-note';
import { editJobText, logLine, type JobPatch } from './job-note-edit';
import type { Clock } from '../kernel/ports';

/** What an update wants written: a patch and log messages (timestamps are added), or nothing. */
export interface JobUpdate {
    /** The keys to change. */
    patch: JobPatch;
    /** Log messages to append, one line each. */
    log?: string[];
}

/** What `JobStore` needs. */
export interface JobStoreOptions {
    /** The vault holding the job notes. */
    vault: VaultPort;
    /** Time, for log lines. */
    clock: Clock;
}

/** Reads and updates job notes. */
export class JobStore {
    private readonly vault: VaultPort;
    private readonly clock: Clock;
    /**
     * The last text read or written per job note and what it read as. A job's note is read back right after each
     * write (to confirm a lease) and read again before the next one; parsing the same bytes again gives the same job,
     * so it is parsed once. Keyed by path and checked against the whole text, so any other change is parsed anew.
     */
    private readonly parsed = new Map<string, { text: string; read: JobRead }>();

    constructor(options: JobStoreOptions) {
        this.vault = options.vault;
        this.clock = options.clock;
    }

    /** Every Markdown note under `folder`, read as jobs (notes that are not jobs left out). */
    async list(folder: string): Promise<(JobRead & { kind: 'job' | 'quarantined' })[]> {
        const prefix = `${folder.replace(/\/+$/u, '')}/`;
        const under = this.vault.listUnder?.(prefix) ?? this.vault.list();
        const files = (await under).filter((file) => file.path.startsWith(prefix) && isMarkdownPath(file.path));
        files.sort((a, b) => a.ctime - b.ctime || a.path.localeCompare(b.path));
        const listed = new Set(files.map((file) => file.path));
        for (const path of [...this.parsed.keys()])
            if (path.startsWith(prefix) && !listed.has(path)) this.parsed.delete(path);
        const reads = await Promise.all(files.map((file) => this.read(file.path)));
        return reads.filter((read): read is JobRead & { kind: 'job' | 'quarantined' } => read.kind !== 'not-a-job');
    }

    /** The note at `path` read as a job; a note that vanished reads as "not a job". */
    async read(path: string): Promise<JobRead> {
        let text: string;
        try {
            text = await this.vault.read(path);
        } catch (e) {
            if (e instanceof VaultError && e.code === 'not-found') return { kind: 'not-a-job' };
            throw e;
        }
        return this.parse(path, text);
    }

    /** `readJobNote`, once per text of a note. */
    private parse(path: string, text: string): JobRead {
        const known = this.parsed.get(path);
        if (known !== undefined && known.text === text) return known.read;
        const read = readJobNote(path, text);
        this.parsed.set(path, { text, read });
        return read;
    }

    /** Marks the job `failed` with `message` (and releases its lease). */
    fail(path: string, message: string): Promise<JobNote | null> {
        return this.update(path, () => ({
            patch: { status: 'failed', lease: null, error: message },
            log: [`Failed: ${message}`],
        }));
    }

    /**
     * Atomically applies what `decide` returns for the job as it is on disk now. Resolves to the job after the write
     * (or as it was, when `decide` returned `null`), or `null` when the note is no longer a readable job, changed
     * under the write (a runner on another device got there first), or could not be read or written (`onWriteError`
     * hears why: a read-only file, a note reached through a symbolic link, a note that is gone).
     */
    async update(
        path: string,
        decide: (job: JobNote, text: string) => JobUpdate | null,
        onWriteError?: (error: VaultError) => void,
    ): Promise<JobNote | null> {
        let result: JobNote | null = null;
        try {
            await this.vault.process(path, (current) => {
                result = null;
                const read = this.parse(path, current);
                if (read.kind !== 'job') return current;
                const update = decide(read.job, current);
                if (update === null) {
                    result = read.job;
                    return current;
                }
                const now = this.clock.now();
                const next = editJobText(
                    current,
                    update.patch,
                    (update.log ?? []).map((m) => logLine(now, m)),
                );
                if (next === null) return current;
                const reread = this.parse(path, next);
                // Never write what we could not read back as the same job.
                if (reread.kind !== 'job') return current;
                result = reread.job;
                return next;
            });
        } catch (e) {
            if (!(e instanceof VaultError)) throw e;
            onWriteError?.(e);
            return null;
        }
        return result;
    }
}
