/**
 * The path policy: which vault-relative paths the agent may name at all, and which it may write. Pure string work,
 * no I/O, so it runs on mobile and before any file is touched. Implementations of `VaultPort` run it again and then
 * check containment on the resolved real path (symlinks), which a string check cannot see.
 *
 * Decisions:
 * - A backslash is a separator, as in Obsidian's `normalizePath`: `a\b` becomes `a/b`. It is treated as one for the
 *   traversal and absolute-path checks first, so `..\x` and `\\server\share` are rejected, never converted.
 * - Percent-encoding is never decoded into the returned path (a note may be called `100%.md`), but a segment that
 *   decodes (repeatedly, so `%252e` counts) to `.` or `..` is rejected: some layer downstream may decode it.
 * - Compatibility forms (fullwidth `．`, one/two-dot leaders) are folded with NFKC for the traversal check only.
 * - A segment made only of dots and spaces is rejected: Windows strips trailing dots and spaces, so `.. ` is `..`.
 */
import { isReservedWindowsName } from './safe-names';
import { SYSTEM_FOLDERS_ANYWHERE, SYSTEM_FOLDERS_TEXT, SYSTEM_ROOT_FOLDERS } from './system-folders';

/** The result of checking a path: the normalised path, or a reason fit to show a model. */
export type PathCheck = { ok: true; path: string } | { ok: false; reason: string };

const INSIDE = 'Paths must stay inside the vault';
// C0 controls, DEL and C1 controls: never part of a note name, and NUL truncates paths in native code.
const CONTROL_CHARS = /\p{Cc}/u;
const DRIVE_PREFIX = /^[a-z]:/iu;
const PERCENT_TRIPLET = /%([0-9a-f]{2})/giu;
const MAX_DECODE_ROUNDS = 4;

/**
 * Normalises a vault-relative path the way Obsidian's `normalizePath` does (separators, slashes, no-break spaces,
 * NFC) and rejects anything that could leave the vault or confuse a file system.
 */
export function normalizeVaultPath(input: string): PathCheck {
    if (typeof input !== 'string' || input.trim() === '') {
        return reject('the path is empty. Give a vault-relative path such as "Notes/Idea.md".');
    }
    if (CONTROL_CHARS.test(input)) {
        return reject(`${INSIDE}: "${printable(input)}" contains a control character (such as NUL).`);
    }
    if (/^[\\/]/u.test(input) || DRIVE_PREFIX.test(input)) {
        return reject(`${INSIDE}: "${input}" is an absolute path. Use a path relative to the vault root.`);
    }
    for (const variant of decodedVariants(input)) {
        if (CONTROL_CHARS.test(variant)) {
            return reject(`${INSIDE}: "${input}" contains an encoded control character.`);
        }
        if (/^[\\/]/u.test(variant) || DRIVE_PREFIX.test(variant)) {
            return reject(`${INSIDE}: "${input}" decodes to an absolute path.`);
        }
        const bad = variant.split(/[\\/]/u).find(isDotSegment);
        if (bad !== undefined) {
            return reject(`${INSIDE}: "${input}" contains a "${bad.trim() || bad}" segment. Name the folder instead.`);
        }
    }
    const path = input
        .replace(/[\\/]+/gu, '/')
        .replace(/\/+$/u, '')
        .replace(/[\u00a0\u202f]/gu, ' ')
        .normalize('NFC');
    // Blank once its trailing separators are gone (" \\" is " "): as empty as a blank input, so the answer is the same
    // for a path and for what it normalises to.
    if (path.trim() === '') {
        return reject('the path is empty. Give a vault-relative path such as "Notes/Idea.md".');
    }
    return { ok: true, path };
}

/**
 * True when `path` is inside the config folder (the `configDir` passed in, never assumed), the vault trash, or a
 * `.git` folder. Case-insensitive, because macOS and Windows file systems are. Unparseable paths count as protected.
 */
export function isProtectedPath(path: string, configDir: string): boolean {
    const checked = normalizeVaultPath(path);
    if (!checked.ok) return true;
    const segments = checked.path.split('/').map(segmentKey);
    const config = normalizeVaultPath(configDir);
    if (config.ok && startsWithSegments(segments, config.path.split('/').map(segmentKey))) return true;
    if (SYSTEM_ROOT_FOLDERS.some((root) => segments[0] === root)) return true;
    return segments.some((segment) => SYSTEM_FOLDERS_ANYWHERE.includes(segment));
}

/**
 * Normalises `input` and refuses protected paths and Windows device names: the check every write (create, edit,
 * rename source and target, trash) goes through. Extensions are the caller's business.
 */
export function checkWritablePath(input: string, configDir: string): PathCheck {
    const checked = normalizeVaultPath(input);
    if (!checked.ok) return checked;
    if (isProtectedPath(checked.path, configDir)) {
        return reject(
            `"${checked.path}" is inside a protected folder (the config folder "${configDir}", ${SYSTEM_FOLDERS_TEXT}), ` +
                'which is never written to.',
        );
    }
    const device = checked.path.split('/').find(isReservedWindowsName);
    if (device !== undefined) {
        return reject(`"${device}" is a reserved device name on Windows; choose another name.`);
    }
    return checked;
}

/**
 * True when `path` is `folder` itself or lies beneath it, compared the way a file system may (case-folded, NFC,
 * trailing dots and spaces ignored). Both are vault paths; an unusable `folder` contains nothing, an unusable `path`
 * counts as inside (fail closed).
 */
export function isWithinFolder(path: string, folder: string): boolean {
    const target = normalizeVaultPath(folder);
    if (!target.ok) return false;
    const checked = normalizeVaultPath(path);
    if (!checked.ok) return true;
    return startsWithSegments(checked.path.split('/').map(segmentKey), target.path.split('/').map(segmentKey));
}

/** True when some segment of `path` starts with a dot: a hidden file or folder, which Obsidian never shows. */
export function hasHiddenSegment(path: string): boolean {
    return path.split(/[\\/]/u).some((segment) => segment.startsWith('.'));
}

/** What an output folder is checked against. */
export interface OutputFolderRules {
    /** The vault's config folder. */
    configDir: string;
    /** The delegate jobs folder: an output folder may never be it or lie inside it. */
    jobsFolder: string;
}

/**
 * The one check of a delegate output folder, run when a job is queued (CLI, dialog, schedule), again when it runs,
 * and for MCP `create_note`: a vault-relative folder, not the vault root, never hidden (a dot segment such as
 * `.obsidian` or `.git`: Obsidian cannot show what is written there), never protected, never a Windows device name,
 * and never the jobs folder or inside it (a result there would be read as a job note).
 */
export function checkOutputFolder(input: string, rules: OutputFolderRules): PathCheck {
    const checked = normalizeVaultPath(input);
    if (!checked.ok) return reject(`The output folder is not usable: ${lowerFirst(checked.reason)}`);
    const path = checked.path;
    if (hasHiddenSegment(path)) {
        return reject(
            `The output folder "${path}" is hidden (a name starting with a dot): Obsidian does not show notes there. ` +
                'Choose a visible folder such as "Agent/Outputs".',
        );
    }
    const writable = checkWritablePath(path, rules.configDir);
    if (!writable.ok) return reject(`The output folder is not usable: ${lowerFirst(writable.reason)}`);
    if (isWithinFolder(path, rules.jobsFolder)) {
        return reject(
            `The output folder "${path}" is inside the jobs folder "${rules.jobsFolder}", where every note is read as ` +
                'a job. Choose a folder outside it.',
        );
    }
    return writable;
}

/** Joins vault-relative segments and normalises the result; for building paths such as `${folder}/${name}`. */
export function joinVaultPath(...parts: string[]): PathCheck {
    return normalizeVaultPath(parts.filter((part) => part !== '').join('/'));
}

/** The parent folder of a normalised vault path (`''` for the root). */
export function parentOf(path: string): string {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? '' : path.slice(0, slash);
}

/** The last segment of a normalised vault path. */
export function fileNameOf(path: string): string {
    return path.slice(path.lastIndexOf('/') + 1);
}

function reject(reason: string): PathCheck {
    return { ok: false, reason: reason.charAt(0).toUpperCase() + reason.slice(1) };
}

/** The input, its NFKC fold, and every percent-decoding round of both, so encoded traversal is seen. */
function decodedVariants(input: string): string[] {
    const variants = new Set<string>();
    for (const start of [input, input.normalize('NFKC')]) {
        let current = start;
        for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
            variants.add(current);
            variants.add(current.normalize('NFKC'));
            const next = current.replace(PERCENT_TRIPLET, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
            if (next === current) break;
            current = next;
        }
    }
    return [...variants];
}

function isDotSegment(segment: string): boolean {
    return segment !== '' && /^[. ]+$/u.test(segment) && segment.includes('.');
}

/**
 * How a file system would compare a segment: case-folded, NFC, and without what Windows ignores (trailing dots and
 * spaces, and an alternate-data-stream suffix such as `.git::$INDEX_ALLOCATION`).
 */
function segmentKey(segment: string): string {
    return segment
        .normalize('NFC')
        .toLowerCase()
        .replace(/:.*$/su, '')
        .replace(/[. ]+$/u, '');
}

function startsWithSegments(segments: string[], prefix: string[]): boolean {
    return prefix.length > 0 && prefix.every((part, i) => segments[i] === part);
}

function lowerFirst(text: string): string {
    return text.charAt(0).toLowerCase() + text.slice(1);
}

function printable(text: string): string {
    return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
