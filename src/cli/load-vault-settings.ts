/**
 * Reads the plugin's own settings from a vault folder (`<vault>/<configDir>/plugins/vault-agent/data.json`), so the
 * CLI and the MCP server apply exactly the exclusions the plugin does. Everything fails closed (docs/RELIABILITY.md row 14,
 * decision 0001): a file that is there but cannot be read, parsed or validated, or that says nothing about privacy, is
 * refused; a path that is not a regular file (a FIFO, a device, a folder) or is far too big is refused without being
 * opened; and a vault without a settings file is refused unless the person asked for the defaults explicitly
 * (`--default-settings`). A missing file is usually a wrong `--vault` or `--config-dir`, so the refusal names any
 * Vault Agent settings found under another config folder or one or two folders down.
 */
import { constants, promises as fs, statSync, type BigIntStats, type Stats } from 'node:fs';
import nodePath from 'node:path';
import { migrateSettings } from '../kernel/migrate-settings';
import type { Settings } from '../kernel/settings';
import { isSystemFolderName, isUnlistedSegment } from '../kernel/system-folders';

/** The plugin's id, which names its folder under `<configDir>/plugins/`. */
export const PLUGIN_ID = 'vault-agent';

/** No settings file is this big; anything bigger is refused unread (a runaway file, or not settings at all). */
export const MAX_SETTINGS_BYTES = 5 * 1024 * 1024;

/** The flag that lets a command run on a vault without a settings file, with the default exclusions. */
export const DEFAULT_SETTINGS_FLAG = '--default-settings';

/** Folders looked into when searching for settings elsewhere: the search must stay cheap on a huge vault. */
const MAX_FOLDERS_SEARCHED = 400;
/** Entries of one folder looked at when searching; a folder with more is not searched further. */
const MAX_ENTRIES_PER_FOLDER = 2000;

/** The settings could not be used; `message` says why and what to do, and quotes nothing from the file. */
export class VaultSettingsError extends Error {
    override readonly name = 'VaultSettingsError';
}

/** What was read. */
export interface VaultSettings {
    /** The validated settings. */
    settings: Settings;
    /** What migration fixed or assumed, one sentence each (e.g. "no settings file: defaults apply"). */
    notes: string[];
    /** The file that was (or would have been) read. */
    file: string;
    /** With `searchElsewhere: 'after'` and the defaults applied: the notes naming settings found elsewhere, to come. */
    moreNotes?: Promise<string[]>;
}

/** What to read. */
export interface LoadVaultSettingsOptions {
    /** The vault folder. */
    vaultRoot: string;
    /** The vault's config folder, relative to the vault (`.obsidian`). */
    configDir: string;
    /** The person said `--default-settings`: a vault without a settings file runs with the defaults. */
    allowDefaults?: boolean;
    /**
     * Look for settings under other config folders when the file is missing, to name them (default true). A server
     * rereading the settings before each call already said so at start, and must not walk folders per call. `'after'`:
     * when the defaults apply, the settings are returned at once and the notes of the search come in `moreNotes` (a
     * refusal still waits for it, to name what it found).
     */
    searchElsewhere?: boolean | 'after';
}

/** Where the settings of the plugin live in `vaultRoot`. */
export function settingsFilePath(vaultRoot: string, configDir: string): string {
    return nodePath.join(vaultRoot, ...configDir.split('/'), 'plugins', PLUGIN_ID, 'data.json');
}

/** Reads and validates the vault's settings; rejects with `VaultSettingsError` when they are missing or unusable. */
export async function loadVaultSettings(options: LoadVaultSettingsOptions): Promise<VaultSettings> {
    const file = settingsFilePath(options.vaultRoot, options.configDir);
    const text = await readSettingsText(file);
    if (text === null) {
        const search = (): Promise<string[]> => findSettingsElsewhere(options.vaultRoot, options.configDir);
        const later = options.searchElsewhere === 'after' && options.allowDefaults === true;
        const elsewhere = options.searchElsewhere === false || later ? [] : await search();
        if (options.allowDefaults !== true) throw new VaultSettingsError(missingMessage(file, elsewhere));
        const result = migrateSettings(undefined);
        if (!result.ok) throw new VaultSettingsError(result.error);
        const notes = [
            `No Vault Agent settings file in this vault (${file}); as ${DEFAULT_SETTINGS_FLAG} asks, the defaults ` +
                'apply: only notes tagged #private are excluded.',
            ...elsewhere.map(elsewhereNote),
        ];
        if (!later) return { settings: result.settings, notes, file };
        return {
            settings: result.settings,
            notes,
            file,
            moreNotes: search().then((found) => found.map(elsewhereNote)),
        };
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch {
        // The parser's message quotes the text around the fault, which could be a pasted key: never repeat it.
        throw new VaultSettingsError(
            `The Vault Agent settings file (${file}) is not valid JSON (truncated or hand-edited?). Nothing was ` +
                'done; open the vault in Obsidian to repair the settings, or fix the file.',
        );
    }
    const result = migrateSettings(raw);
    if (!result.ok) {
        throw new VaultSettingsError(
            `The Vault Agent settings in ${file} cannot be used: ${result.error} Open the vault in Obsidian to fix ` +
                'or reset them in the Vault Agent settings tab.',
        );
    }
    return { settings: result.settings, notes: result.notes, file };
}

/**
 * The settings file's text, or `null` when there is no file. The path is judged before anything is opened: only a
 * regular file of a sane size is read (opening a FIFO blocks and a device may be endless), and the opened file is
 * checked again, so a file swapped in between is refused too.
 */
/**
 * How long after its last change a settings file must have been read before its size and time stamps alone say it did
 * not change since: two writes within one tick of the file system's clock can leave them as they were (git's "racily
 * clean" rule, as the vault's text cache has it; decision 0012).
 */
const RACY_MS = 2_000;

/**
 * The settings of one vault, read again each time they are asked for (as `loadVaultSettings` reads them, without
 * looking elsewhere) but parsed again only when the file changed: a server that rereads them before every call pays a
 * `stat` while the file stands. Settings that cannot be used throw each time they are asked for, never from memory
 * (decision 0029).
 */
export class SettingsRereader {
    private last: { stamp: string; loaded: VaultSettings } | null = null;

    /** `now`: the clock the file's last change is compared with (tests set it ahead). */
    constructor(
        private readonly options: Omit<LoadVaultSettingsOptions, 'searchElsewhere'>,
        private readonly now: () => number = Date.now,
    ) {}

    async load(): Promise<VaultSettings> {
        const file = settingsFilePath(this.options.vaultRoot, this.options.configDir);
        const stamp = settingsStamp(file, this.now());
        if (stamp !== null && this.last?.stamp === stamp) return this.last.loaded;
        this.last = null;
        const loaded = await loadVaultSettings({ ...this.options, searchElsewhere: false });
        if (stamp !== null) this.last = { stamp, loaded };
        return loaded;
    }
}

/**
 * What tells the settings file apart from any later version of it (`'none'`: there is none), or `null` when that
 * cannot be known: it cannot be looked at, or it changed too lately for its time stamps to tell (`RACY_MS`).
 */
function settingsStamp(file: string, now: number): string | null {
    let stats: BigIntStats;
    try {
        stats = statSync(file, { bigint: true });
    } catch (error) {
        const code = codeOf(error);
        return code === 'ENOENT' || code === 'ENOTDIR' ? 'none' : null;
    }
    const changed = Number(stats.ctimeMs > stats.mtimeMs ? stats.ctimeMs : stats.mtimeMs);
    if (now - changed < RACY_MS) return null;
    return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

async function readSettingsText(file: string): Promise<string | null> {
    let stats: Stats;
    try {
        stats = await fs.stat(file);
    } catch (error) {
        const code = codeOf(error);
        // ENOTDIR: a part of the path is a file, so there is no settings file at this path either.
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw unreadable(file, code);
    }
    refuseUnlessSettingsFile(file, stats);
    let handle: fs.FileHandle;
    try {
        handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (error) {
        throw unreadable(file, codeOf(error));
    }
    try {
        const opened = await handle.stat();
        refuseUnlessSettingsFile(file, opened);
        if (opened.ino !== stats.ino || opened.dev !== stats.dev) {
            throw new VaultSettingsError(
                `The Vault Agent settings file (${file}) was replaced while it was being read. Try again.`,
            );
        }
        // Room for the file as it is now and a byte more, to see it grew; grown while read, the room grows too (up
        // to one byte past the limit, which refuses it).
        let buffer = Buffer.allocUnsafe(Math.min(opened.size, MAX_SETTINGS_BYTES) + 1);
        let length = 0;
        for (;;) {
            const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
            if (bytesRead === 0) break;
            length += bytesRead;
            if (length < buffer.length) continue;
            if (buffer.length > MAX_SETTINGS_BYTES) break;
            const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, MAX_SETTINGS_BYTES + 1));
            buffer.copy(larger, 0, 0, length);
            buffer = larger;
        }
        if (length > MAX_SETTINGS_BYTES) throw tooBig(file);
        return buffer.toString('utf8', 0, length);
    } catch (error) {
        if (error instanceof VaultSettingsError) throw error;
        throw unreadable(file, codeOf(error));
    } finally {
        await handle.close().catch(() => undefined);
    }
}

function refuseUnlessSettingsFile(file: string, stats: Stats): void {
    if (!stats.isFile()) {
        throw new VaultSettingsError(
            `The Vault Agent settings path (${file}) is ${kindOf(stats)}, not a regular file, so it was not read. ` +
                'Replace it with the settings file Obsidian writes.',
        );
    }
    if (stats.size > MAX_SETTINGS_BYTES) throw tooBig(file);
}

function tooBig(file: string): VaultSettingsError {
    return new VaultSettingsError(
        `The Vault Agent settings file (${file}) is larger than any settings file can be ` +
            `(over ${MAX_SETTINGS_BYTES / 1024 / 1024} MB), so it was not read. Replace it with the settings file ` +
            'Obsidian writes, or reset the settings in Obsidian.',
    );
}

function unreadable(file: string, code: string): VaultSettingsError {
    return new VaultSettingsError(
        `The Vault Agent settings file (${file}) exists but could not be read (${code}). ` +
            'Nothing was done; fix the file or its permissions.',
    );
}

function kindOf(stats: Stats): string {
    if (stats.isDirectory()) return 'a folder';
    if (stats.isFIFO()) return 'a named pipe (FIFO)';
    if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
    if (stats.isSocket()) return 'a socket';
    return 'not a file';
}

function codeOf(error: unknown): string {
    const raw = (error as { code?: unknown } | null)?.code;
    return typeof raw === 'string' ? raw : 'error';
}

function missingMessage(file: string, elsewhere: string[]): string {
    const lines = [
        `There are no Vault Agent settings in this vault (${file}), so it cannot be known which notes are private.`,
        ...elsewhere.map((found) => `Vault Agent settings were found elsewhere: ${found}.`),
        elsewhere.length > 0
            ? 'Point --vault (and --config-dir) at the vault those settings belong to.'
            : 'Check --vault and --config-dir, or open the vault in Obsidian with Vault Agent enabled so it writes them.',
        `To run on this vault with the default exclusions (only notes tagged #private), pass ${DEFAULT_SETTINGS_FLAG}.`,
    ];
    return lines.join('\n');
}

/**
 * Vault Agent settings near `vaultRoot` that the person may have meant, each as a hint: under another config folder
 * of this vault (`--config-dir`), or in a vault one or two folders down (`--vault` pointing at a parent folder).
 * Looks only at folder listings, bounded in count; reads no file.
 */
function elsewhereNote(found: string): string {
    return `Vault Agent settings exist elsewhere: ${found}.`;
}

async function findSettingsElsewhere(vaultRoot: string, configDir: string): Promise<string[]> {
    const found: string[] = [];
    let searched = 0;
    const search = async (folder: string, depth: number): Promise<void> => {
        if (searched >= MAX_FOLDERS_SEARCHED) return;
        searched += 1;
        const entries = await listFolders(folder);
        for (const name of entries) {
            // Config folders are dot folders; only those are looked into, so the search stays a few lstat calls.
            if (!name.startsWith('.') || isSystemFolderName(name) || (depth === 0 && name === configDir)) continue;
            if (!(await hasSettings(nodePath.join(folder, name)))) continue;
            const here = settingsFilePath(folder, name);
            if (depth === 0) {
                found.push(`${here} (use --config-dir ${name})`);
            } else {
                const flags = name === configDir ? '' : ` --config-dir ${name}`;
                found.push(`${here} (is the vault ${folder}? use --vault ${folder}${flags})`);
            }
        }
        if (depth >= 2) return;
        for (const name of entries) {
            if (isUnlistedSegment(name)) continue;
            await search(nodePath.join(folder, name), depth + 1);
        }
    };
    try {
        await search(vaultRoot, 0);
    } catch {
        // The search only adds hints to a refusal; a folder it cannot list is simply not named.
    }
    return found.slice(0, 5);
}

/** The names of the folders in `folder` (no links followed), or none when it cannot be listed or is too big. */
async function listFolders(folder: string): Promise<string[]> {
    try {
        const entries = await fs.readdir(folder, { withFileTypes: true });
        if (entries.length > MAX_ENTRIES_PER_FOLDER) return [];
        return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch {
        return [];
    }
}

/** Whether `configFolder/plugins/vault-agent/data.json` is there (lstat only: nothing is opened). */
async function hasSettings(configFolder: string): Promise<boolean> {
    try {
        await fs.lstat(nodePath.join(configFolder, 'plugins', PLUGIN_ID, 'data.json'));
        return true;
    } catch {
        return false;
    }
}
