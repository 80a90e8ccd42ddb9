/**
 * The browser harness's vault: a `VaultPort` over files held in memory, with metadata from our own note parser (the
 * same `NoteIndex` FsVault uses). FsVault needs Node's `fs`, which a page does not have; this keeps every other part
 * of the chain (gate, tools, change controller, checkpoints) the real product code.
 */
import { isProtectedPath } from '../../../src/kernel/path-policy';
import { NoteIndex } from '../../../src/vault/note-index';
import { VaultError } from '../../../src/kernel/vault-port';
import type { FileEntry, NoteMetadata, VaultChange, VaultPort } from '../../../src/kernel/vault-port';

/** An in-memory vault for the harness. */
export class MemoryVault implements VaultPort {
    /** Paths moved to the trash, with their last text (test helper). */
    readonly trashed = new Map<string, string>();
    private readonly files = new Map<string, { text: string; entry: FileEntry }>();
    private readonly index = new NoteIndex();
    private readonly listeners = new Set<(event: VaultChange) => void>();
    private clock = Date.UTC(2026, 10, 21);

    constructor(
        readonly configDir: string,
        files: Record<string, string>,
    ) {
        for (const [path, text] of Object.entries(files)) this.put(path, text);
    }

    async list(): Promise<FileEntry[]> {
        return [...this.files.values()]
            .map((f) => ({ ...f.entry }))
            .filter((e) => !isProtectedPath(e.path, this.configDir));
    }

    async stat(path: string): Promise<FileEntry | null> {
        const file = this.files.get(path);
        return file === undefined ? null : { ...file.entry };
    }

    async read(path: string): Promise<string> {
        return this.existing(path).text;
    }

    async create(path: string, content: string): Promise<void> {
        this.writable(path);
        if (this.files.has(path)) throw new VaultError('exists', `${path} already exists.`, path);
        this.put(path, content);
        this.emit({ type: 'create', path });
    }

    async process(path: string, fn: (current: string) => string): Promise<string> {
        this.writable(path);
        const current = this.existing(path).text;
        const next = fn(current);
        if (next === current) return current;
        this.put(path, next);
        this.emit({ type: 'modify', path });
        return next;
    }

    async rename(from: string, to: string): Promise<void> {
        this.writable(from);
        this.writable(to);
        const file = this.existing(from);
        if (this.files.has(to)) throw new VaultError('exists', `${to} already exists.`, to);
        this.drop(from);
        this.put(to, file.text);
        this.emit({ type: 'rename', path: to, oldPath: from });
    }

    async trash(path: string): Promise<void> {
        this.writable(path);
        const file = this.existing(path);
        this.trashed.set(path, file.text);
        this.drop(path);
        this.emit({ type: 'delete', path });
    }

    metadata(path: string): NoteMetadata | undefined {
        return this.index.metadata(path);
    }

    resolveLink(linkpath: string, sourcePath: string): string | null {
        return this.index.resolveLink(linkpath, sourcePath);
    }

    backlinks(path: string): readonly string[] {
        return this.index.backlinks(path);
    }

    onChange(listener: (event: VaultChange) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** The text of every file, for assertions from the test (test helper). */
    snapshot(): Record<string, string> {
        return Object.fromEntries([...this.files].map(([path, file]) => [path, file.text]));
    }

    private put(path: string, text: string): void {
        this.clock += 1000;
        const known = this.files.get(path);
        const entry: FileEntry = {
            path,
            size: new TextEncoder().encode(text).length,
            mtime: this.clock,
            ctime: known?.entry.ctime ?? this.clock,
        };
        this.files.set(path, { text, entry });
        this.index.set(entry, text);
    }

    private drop(path: string): void {
        this.files.delete(path);
        this.index.delete(path);
    }

    private existing(path: string): { text: string; entry: FileEntry } {
        const file = this.files.get(path);
        if (file === undefined) throw new VaultError('not-found', `${path} does not exist.`, path);
        return file;
    }

    private writable(path: string): void {
        if (isProtectedPath(path, this.configDir)) throw new VaultError('protected', `${path} is protected.`, path);
    }

    private emit(event: VaultChange): void {
        for (const listener of this.listeners) listener(event);
    }
}
