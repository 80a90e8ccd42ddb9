/**
 * A look at single notes of a vault whose opening walk has not finished, read-only, for the MCP server's `read_note`
 * while the vault opens (decision 0027). Node only.
 *
 * It answers only what one note's own file tells: that it is there, its text, the tags of that text, and that it is
 * its own real path. It does so only for a regular Markdown file that the opening walk would list under that very
 * name: in a real folder of the vault (no symbolic link on the way, and not the file itself), spelled as it is on disk,
 * in no hidden, unlisted or protected folder. Anything else, and everything that needs the whole vault (listings, link
 * resolution, backlinks, another note's tags, attachments), it cannot answer: asking sets `outOfReach`, and the caller
 * throws the answer away and asks the opened vault instead. So the exclusion gate judges a note seen here exactly as it
 * judges it in the opened vault (its path rules, where it leads, the tags of the text returned), and whatever it could
 * not judge from the note alone waits.
 */
import { quietAt } from './quiet-files';
import { sameFile } from './text-cache';
import { constants, fstatSync, openSync, closeSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import nodePath from 'node:path';
import { isProtectedPath, normalizeVaultPath } from '../kernel/path-policy';
import { isUnlistedSegment } from '../kernel/system-folders';
import type { ScannedTags } from '../kernel/text-scan';
import { isMarkdownPath, VaultError } from '../kernel/vault-port';
import type { FileEntry, NoteMetadata, VaultChange, VaultPort } from '../kernel/vault-port';
import { parseNote } from './note-parser';
import { MAX_NOTE_BYTES } from './stored-note';

/** What one note's file said when it was looked at. */
interface Looked {
    entry: FileEntry;
    text: string;
    metadata: NoteMetadata;
}

/** Single notes of a vault that is still opening; see the file's note. */
export class OpeningVault implements VaultPort {
    /** Set once anything was asked that only the opened vault can answer: then no answer built on this view counts. */
    outOfReach = false;
    private readonly looked = new Map<string, Looked | null>();

    /** `root` is the vault folder's real path; `configDir` its config folder, as the vault knows it. */
    constructor(
        private readonly root: string,
        readonly configDir: string,
    ) {}

    /** Looks at each of `paths` on disk now (the tools call this before they judge a path). */
    async revalidate(paths: Iterable<string>): Promise<void> {
        for (const path of paths) this.look(path);
        await Promise.resolve();
    }

    async stat(path: string): Promise<FileEntry | null> {
        return (await Promise.resolve(this.known(path)))?.entry ?? null;
    }

    async read(path: string): Promise<string> {
        const looked = await Promise.resolve(this.known(path));
        if (looked === undefined) throw new VaultError('not-found', `There is no file "${path}".`, path);
        return looked.text;
    }

    metadata(path: string): NoteMetadata | undefined {
        return this.known(path)?.metadata;
    }

    tagsOf(path: string): ScannedTags | undefined {
        const metadata = this.known(path)?.metadata;
        if (metadata === undefined) return undefined;
        return metadata.frontmatterError === undefined
            ? { tags: metadata.tags }
            : { tags: metadata.tags, frontmatterError: metadata.frontmatterError };
    }

    realPathOf(path: string): string | null {
        // Only a file that is its own real path is ever looked at here.
        return this.known(path) === undefined ? null : path;
    }

    list(): Promise<FileEntry[]> {
        return this.beyond(Promise.resolve([]));
    }

    listUnder(): Promise<FileEntry[]> {
        return this.beyond(Promise.resolve([]));
    }

    resolveLink(): string | null {
        return this.beyond(null);
    }

    backlinks(): readonly string[] {
        return this.beyond([]);
    }

    linksReady(): boolean {
        return this.beyond(false);
    }

    readBinary(path: string): Promise<Uint8Array> {
        return this.beyond(Promise.reject(new VaultError('not-found', `There is no file "${path}".`, path)));
    }

    create(path: string): Promise<void> {
        return this.refuse(path);
    }

    process(path: string): Promise<string> {
        return this.refuse(path);
    }

    rename(from: string): Promise<void> {
        return this.refuse(from);
    }

    trash(path: string): Promise<void> {
        return this.refuse(path);
    }

    onChange(_listener: (event: VaultChange) => void): () => void {
        return () => undefined;
    }

    /** What the file at `path` said, when it was looked at and the view can answer for it; else out of reach. */
    private known(path: string): Looked | undefined {
        const looked = this.looked.get(path);
        if (looked === undefined || looked === null) this.outOfReach = true;
        return looked ?? undefined;
    }

    /** Reads the note at `path` when the view can answer for it (see the file's note); remembers `null` otherwise. */
    private look(path: string): void {
        if (this.looked.has(path)) return;
        this.looked.set(path, null);
        const checked = normalizeVaultPath(path);
        if (!checked.ok || checked.path !== path || !isMarkdownPath(path) || isProtectedPath(path, this.configDir)) {
            return;
        }
        if (path.split('/').some(isUnlistedSegment)) return;
        const abs = nodePath.join(this.root, ...path.split('/'));
        let fd: number | null = null;
        try {
            // Its own real path: no link on the way or at the end, and the name as the disk spells it.
            if (realpathSync.native(abs) !== abs) return;
            fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
            const stats: Stats = fstatSync(fd);
            // Changed a moment ago, maybe half written: the opened vault answers, once it is whole (`quiet-files.ts`).
            // A file with other names (hard links): the opened vault knows them all and judges each (`hard-links.ts`).
            if (!stats.isFile() || stats.nlink > 1 || Date.now() < quietAt(abs, stats)) return;
            if (stats.size > MAX_NOTE_BYTES) return;
            const text = readFileSync(fd, 'utf8');
            if (!sameFile(stats, fstatSync(fd))) return;
            const entry = { path, size: stats.size, mtime: stats.mtimeMs, ctime: stats.ctimeMs };
            this.looked.set(path, { entry, text, metadata: parseNote(text) });
        } catch {
            // Not there, not readable, or a link after all: the opened vault answers.
        } finally {
            if (fd !== null) closeSync(fd);
        }
    }

    /** Marks the view out of reach and gives `value` (which no answer built on it will use). */
    private beyond<T>(value: T): T {
        this.outOfReach = true;
        return value;
    }

    private refuse(path: string): Promise<never> {
        this.outOfReach = true;
        return Promise.reject(new VaultError('io', 'The vault is still opening; nothing is written yet.', path));
    }
}
