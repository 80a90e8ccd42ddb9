/**
 * `.claude/skills/` on Obsidian, which the vault API does not list (Obsidian skips dot-folders). On desktop the Node
 * reader is loaded on first use (it resolves symlinks and checks containment on the real path); on mobile, where no
 * Node exists and the adapter cannot follow links out of the vault, the adapter's `list`/`read` are used after the
 * same path policy. Neither touches the disk before a skill scan asks.
 */
import type { DataAdapter } from 'obsidian';
import type { HiddenFolderReader, HiddenListing } from '../context/hidden-folder';
import { isProtectedPath, normalizeVaultPath } from '../kernel/path-policy';
import { VaultError } from '../kernel/vault-port';

/** The adapter calls the mobile reader uses. */
export type HiddenAdapter = Pick<DataAdapter, 'list' | 'read' | 'exists'>;

/** Reads hidden folders through `app.vault.adapter`, refusing paths the policy rejects and the protected folders. */
export class AdapterHiddenFolderReader implements HiddenFolderReader {
    constructor(private readonly options: { adapter: HiddenAdapter; configDir: string }) {}

    async list(folder: string): Promise<HiddenListing> {
        const path = this.checked(folder);
        if (!(await this.options.adapter.exists(path).catch(() => false))) return { files: [], folders: [] };
        const listed = await this.options.adapter.list(path).catch(() => ({ files: [], folders: [] }));
        const keep = (child: string): boolean => {
            const check = normalizeVaultPath(child);
            return (
                check.ok && check.path.startsWith(`${path}/`) && !isProtectedPath(check.path, this.options.configDir)
            );
        };
        return { files: listed.files.filter(keep), folders: listed.folders.filter(keep) };
    }

    async read(path: string): Promise<string> {
        const checked = this.checked(path);
        try {
            return await this.options.adapter.read(checked);
        } catch {
            throw new VaultError('not-found', `No such file: ${checked}`);
        }
    }

    private checked(input: string): string {
        const check = normalizeVaultPath(input);
        if (!check.ok) throw new VaultError('invalid-path', check.reason);
        if (isProtectedPath(check.path, this.options.configDir)) {
            throw new VaultError('protected', `${check.path} is a protected folder.`);
        }
        return check.path;
    }
}

/** Loads the Node reader on first use, so `main.js` requires nothing from Node until a desktop scan needs it. */
export class LazyNodeHiddenFolderReader implements HiddenFolderReader {
    private reader: Promise<HiddenFolderReader> | null = null;

    constructor(private readonly options: { root: string; configDir: string }) {}

    async list(folder: string): Promise<HiddenListing> {
        return (await this.load()).list(folder);
    }

    async read(path: string): Promise<string> {
        return (await this.load()).read(path);
    }

    private load(): Promise<HiddenFolderReader> {
        this.reader ??= import('../context/hidden-folder-node').then(
            ({ FsHiddenFolderReader }) => new FsHiddenFolderReader(this.options),
        );
        return this.reader;
    }
}

/** The reader for this device: the Node one on desktop (where the adapter knows its folder), else the adapter's. */
export function hiddenFolderReader(options: {
    adapter: HiddenAdapter & { getBasePath?: () => string };
    configDir: string;
    isDesktop: boolean;
}): HiddenFolderReader {
    const { adapter, configDir } = options;
    if (options.isDesktop && typeof adapter.getBasePath === 'function') {
        return new LazyNodeHiddenFolderReader({ root: adapter.getBasePath(), configDir });
    }
    return new AdapterHiddenFolderReader({ adapter, configDir });
}
