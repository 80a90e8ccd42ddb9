/**
 * The one list of system folders: what the agent never reads, lists or writes besides the vault's own config folder
 * (`VaultPort.configDir`, never hard-coded). The path policy (writes), the exclusion gate (reads) and the vault walks
 * (listing) all take it from here.
 */

/** The vault's own trash folder (where FsVault trashes to; Obsidian may use the system trash instead). */
export const VAULT_TRASH_FOLDER = '.trash';

/** Root folders that are never visible or writable: the vault's trash. */
export const SYSTEM_ROOT_FOLDERS: readonly string[] = Object.freeze([VAULT_TRASH_FOLDER]);

/** Folders that are never visible or writable at any depth: a nested repository's `.git` holds every old note. */
export const SYSTEM_FOLDERS_ANYWHERE: readonly string[] = Object.freeze(['.git']);

/** Folder names a vault walk never descends into besides hidden ones (Obsidian does not index them either). */
const UNLISTED_FOLDERS: readonly string[] = Object.freeze(['node_modules']);

/** How the system folders are named to a person, after the config folder. */
export const SYSTEM_FOLDERS_TEXT = [...SYSTEM_FOLDERS_ANYWHERE, ...SYSTEM_ROOT_FOLDERS].join(' or ');

/**
 * True for a path segment a listing skips: hidden (which covers `.git`, `.trash` and temp files, as Obsidian does)
 * or an unlisted folder.
 */
export function isUnlistedSegment(segment: string): boolean {
    return segment.startsWith('.') || UNLISTED_FOLDERS.includes(segment);
}

/** True for a folder name that is a system folder or an unlisted one (a search for vaults never descends into it). */
export function isSystemFolderName(name: string): boolean {
    return (
        SYSTEM_FOLDERS_ANYWHERE.includes(name) || SYSTEM_ROOT_FOLDERS.includes(name) || UNLISTED_FOLDERS.includes(name)
    );
}
