/**
 * Hidden folders (`.claude/skills/`) that the vault does not list: Obsidian does not index dot-folders and `FsVault`
 * mirrors it, so skills written for Claude Code are read through this small port instead. Implementations run the
 * path policy and check containment on the real path, like `VaultPort` (Node: `hidden-folder-node.ts`; Obsidian:
 * `app.vault.adapter.list/read`).
 *
 * The exclusion gate judges a note on the vault's metadata, which such files have none of; `MetadataOverlay` gives the
 * gate metadata parsed from the file's own text, so the same rules (folders, globs, tags) apply to them.
 */
import type { ScannedTags } from '../kernel/text-scan';
import type { FileEntry, NoteMetadata, VaultChange, VaultPort } from '../kernel/vault-port';

/** What a folder holds, as vault-relative paths (the shape of Obsidian's `DataAdapter.list`). */
export interface HiddenListing {
    /** Files directly inside the folder. */
    files: string[];
    /** Folders directly inside the folder. */
    folders: string[];
}

/** Reads files the vault does not index. */
export interface HiddenFolderReader {
    /** The files and folders directly inside `folder`; empty when the folder does not exist. */
    list(folder: string): Promise<HiddenListing>;
    /** The text of the file at `path`; rejects with `VaultError` when it is missing, outside the vault or protected. */
    read(path: string): Promise<string>;
}

/**
 * A view of a vault whose `metadata` answers for extra paths from metadata the caller parsed; everything else goes to
 * the vault. Only for handing to an `ExclusionGate`: it never writes.
 */
export class MetadataOverlay implements VaultPort {
    private readonly parsed = new Map<string, NoteMetadata>();

    constructor(private readonly vault: VaultPort) {}

    /** The vault's config folder. */
    get configDir(): string {
        return this.vault.configDir;
    }

    /** Records the metadata parsed from the text of `path`, which the vault itself does not index. */
    remember(path: string, metadata: NoteMetadata): void {
        this.parsed.set(path, metadata);
    }

    metadata(path: string): NoteMetadata | undefined {
        return this.parsed.get(path) ?? this.vault.metadata(path);
    }

    tagsOf(path: string): ScannedTags | undefined {
        const own = this.parsed.get(path);
        if (own !== undefined) return own;
        return this.vault.tagsOf === undefined ? this.vault.metadata(path) : this.vault.tagsOf(path);
    }

    list(): Promise<FileEntry[]> {
        return this.vault.list();
    }

    stat(path: string): Promise<FileEntry | null> {
        return this.vault.stat(path);
    }

    read(path: string): Promise<string> {
        return this.vault.read(path);
    }

    create(path: string, content: string): Promise<void> {
        return this.vault.create(path, content);
    }

    process(path: string, fn: (current: string) => string): Promise<string> {
        return this.vault.process(path, fn);
    }

    rename(from: string, to: string): Promise<void> {
        return this.vault.rename(from, to);
    }

    trash(path: string): Promise<void> {
        return this.vault.trash(path);
    }

    resolveLink(linkpath: string, sourcePath: string): string | null {
        return this.vault.resolveLink(linkpath, sourcePath);
    }

    backlinks(path: string): readonly string[] {
        return this.vault.backlinks(path);
    }

    onChange(listener: (event: VaultChange) => void): () => void {
        return this.vault.onChange(listener);
    }
}
