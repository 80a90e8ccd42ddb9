/**
 * How tools turn a path the model typed into a note they may touch. Every path goes through the path policy first
 * (hostile paths are refused with its reason), then the exclusion gate: an excluded note is reported exactly like a
 * missing one, with a message that depends only on what the model typed, so no answer tells the two apart.
 */
import { checkWritablePath, fileNameOf, normalizeVaultPath, parentOf } from '../../kernel/path-policy';
import { collisionKey, sanitizeNoteName } from '../../kernel/safe-names';
import { isMarkdownPath, VaultError, type FileEntry } from '../../kernel/vault-port';
import { existsMessage, unavailableTargetMessage } from '../changes/change-messages';
import { plural } from './bounded';
import { toolError } from './define-tool';
import type { ToolContext, ToolResult } from './tool';

/** A resolved path, or the tool result to send back instead. */
export type Resolved<T = string> = { ok: true; path: T } | { ok: false; result: ToolResult };

/** The one "not found" message, for missing and excluded notes alike. */
export function notFoundMessage(path: string): string {
    return `Not found: there is no note at "${path}". Use list_notes or search_notes to find notes.`;
}

/**
 * The visible file the model means by `input`: the path as typed, or with `.md` added when it has no extension.
 * Excluded files are skipped before the vault is even asked, so they answer exactly like missing ones.
 */
export async function resolveVisibleFile(input: string, context: ToolContext): Promise<Resolved> {
    const checked = normalizeVaultPath(input);
    if (!checked.ok) return { ok: false, result: toolError(checked.reason) };
    const candidates = isMarkdownPath(checked.path) ? [checked.path] : [checked.path, `${checked.path}.md`];
    // One note (or two spellings) looked at again on disk, so the gate judges it as it is now, not as the last scan saw it.
    await context.vault.revalidate?.(candidates);
    for (const candidate of candidates) {
        if (context.gate.isExcluded(candidate)) continue;
        if ((await context.vault.stat(candidate)) !== null) return { ok: true, path: candidate };
    }
    return { ok: false, result: toolError(notFoundMessage(checked.path)) };
}

/** Like `resolveVisibleFile`, but only Markdown notes qualify. */
export async function resolveVisibleNote(input: string, context: ToolContext): Promise<Resolved> {
    const resolved = await resolveVisibleFile(input, context);
    if (resolved.ok && !isMarkdownPath(resolved.path)) {
        return {
            ok: false,
            result: toolError(`"${resolved.path}" is not a note: these tools work on .md notes only.`),
        };
    }
    return resolved;
}

/**
 * An existing visible note the model wants to change. Protected locations (config folder, .git, .trash) are refused
 * by the path policy before anything else, so such a write is never even proposed (docs/RELIABILITY.md row 9).
 */
export async function resolveNoteToChange(input: string, context: ToolContext): Promise<Resolved> {
    const writable = checkWritablePath(input, context.vault.configDir);
    if (!writable.ok) return { ok: false, result: toolError(refusal(writable.reason)) };
    return resolveVisibleNote(writable.path, context);
}

/** A path for a new note: normalised, protected locations refused, `.md` ensured, the file name made safe. */
export interface NewNotePath {
    /** Where the note would be created. */
    path: string;
    /** Set when the file name had to be changed to be safe, so the model can be told. */
    renamedFrom?: string;
}

/**
 * Checks a path where a note is to appear (create, rename target). Never overwrites: a visible note with the same
 * path, or one that differs only in case or Unicode form, is named; a hidden one, like an excluded folder, gets the
 * ChangeController's neutral "not a location the agent can write to", which never confirms a private note exists.
 * `movingFrom` is a rename's source, which may share the target's collision key (a change of case).
 */
export async function resolveNewNotePath(
    input: string,
    context: ToolContext,
    movingFrom?: string,
): Promise<Resolved<NewNotePath>> {
    const configDir = context.vault.configDir;
    const writable = checkWritablePath(input, configDir);
    if (!writable.ok) return { ok: false, result: toolError(refusal(writable.reason)) };
    let typed = writable.path;
    const name = fileNameOf(typed);
    if (!isMarkdownPath(typed)) {
        if (/\.[^.\s]{1,8}$/u.test(name)) {
            return { ok: false, result: toolError(refusal(`"${typed}" is not a note: the path must end in .md.`)) };
        }
        typed = `${typed}.md`;
    }
    const folder = parentOf(typed);
    const safeName = sanitizeNoteName(fileNameOf(typed));
    const safe = checkWritablePath(folder === '' ? safeName : `${folder}/${safeName}`, configDir);
    if (!safe.ok) return { ok: false, result: toolError(refusal(safe.reason)) };
    const path = safe.path;

    const taken = await takenBy(path, context, movingFrom);
    if (taken !== null) {
        if (context.gate.isExcluded(taken)) return { ok: false, result: toolError(unavailableTargetMessage(path)) };
        return {
            ok: false,
            result: toolError(`${existsMessage(taken)} To change the existing note, use edit_note.`),
        };
    }
    const verdict = context.gate.check(path);
    // A path that does not exist yet has no metadata, so "unindexed" is expected; any other reason is a rule.
    if (verdict.excluded && verdict.reason.kind !== 'unindexed') {
        return { ok: false, result: toolError(unavailableTargetMessage(path)) };
    }
    return { ok: true, path: path === typed ? { path } : { path, renamedFrom: typed } };
}

/** A folder the model named: `''` for the whole vault, otherwise a normalised path without trailing slash. */
export function resolveFolder(input: string | undefined): Resolved {
    if (input === undefined || /^[\s/]*$/u.test(input)) return { ok: true, path: '' };
    const checked = normalizeVaultPath(input);
    return checked.ok ? { ok: true, path: checked.path } : { ok: false, result: toolError(checked.reason) };
}

/** Whether `path` lies in `folder` (`''` is the whole vault); `recursive: false` means directly in it. */
export function isInFolder(path: string, folder: string, recursive = true): boolean {
    if (folder !== '' && !path.startsWith(`${folder}/`)) return false;
    return recursive || !path.slice(folder === '' ? 0 : folder.length + 1).includes('/');
}

/**
 * The visible Markdown notes of the vault, sorted by path; how many notes the privacy rules hid, and how many the gate
 * hid only because their tags are not known (not read yet, or a frontmatter that cannot be read).
 */
export async function visibleNotes(
    context: ToolContext,
): Promise<{ notes: FileEntry[]; excludedCount: number; unknownCount: number }> {
    const notes: FileEntry[] = [];
    let excludedCount = 0;
    let unknownCount = 0;
    for (const entry of await context.vault.list()) {
        if (!isMarkdownPath(entry.path)) continue;
        const verdict = context.gate.check(entry.path);
        if (!verdict.excluded) notes.push(entry);
        else if (verdict.reason.kind === 'unindexed') unknownCount++;
        else excludedCount++;
    }
    return { notes: notes.sort(byPath), excludedCount, unknownCount };
}

function byPath(a: FileEntry, b: FileEntry): number {
    return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * The visible Markdown notes beneath a folder, in path order, each judged by the gate only when it is taken: a search
 * whose page fills within the first notes judges those, not the whole vault. (On a vault just opened, judging a note
 * can mean reading it, or taking its row from the index snapshot.) Every note is judged before it is handed out, as
 * `visibleNotes` judges them all (decision 0028).
 */
export class VisibleNotes {
    private readonly candidates: FileEntry[];
    private judged = 0;
    /** Notes judged visible and not taken yet. */
    private ahead: FileEntry[] = [];
    private handedOut = 0;

    private constructor(
        entries: readonly FileEntry[],
        folder: string,
        private readonly gate: Pick<ToolContext['gate'], 'isExcluded'>,
    ) {
        this.candidates = entries.filter((entry) => isMarkdownPath(entry.path) && isInFolder(entry.path, folder));
        this.candidates.sort(byPath);
    }

    /** The visible notes beneath `folder` (`''`: the whole vault) as the vault lists them now. */
    static async of(context: ToolContext, folder: string): Promise<VisibleNotes> {
        return new VisibleNotes(await context.vault.list(), folder, context.gate);
    }

    /** How many notes were handed out so far. */
    get taken(): number {
        return this.handedOut;
    }

    /** The next `count` visible notes (fewer when fewer are left). */
    take(count: number): FileEntry[] {
        while (this.ahead.length < count) if (!this.judgeNext()) break;
        const out = this.ahead.length <= count ? this.ahead : this.ahead.slice(0, count);
        this.ahead = out === this.ahead ? [] : this.ahead.slice(count);
        this.handedOut += out.length;
        return out;
    }

    /** Every visible note not taken yet. */
    rest(): FileEntry[] {
        return this.take(Infinity);
    }

    /** Whether a visible note is left to take (judging notes up to the first one that is). */
    hasMore(): boolean {
        while (this.ahead.length === 0) if (!this.judgeNext()) break;
        return this.ahead.length > 0;
    }

    /** How many visible notes there are in all, taken or not (judging every one left). */
    count(): number {
        while (this.judgeNext()) continue;
        return this.handedOut + this.ahead.length;
    }

    /** Judges the next candidate; false when none is left. */
    private judgeNext(): boolean {
        const entry = this.candidates[this.judged];
        if (entry === undefined) return false;
        this.judged++;
        if (!this.gate.isExcluded(entry.path)) this.ahead.push(entry);
        return true;
    }
}

/** The text of `path`, or `null` when the note vanished between the check and the read. */
export async function readTextOrNull(path: string, context: ToolContext): Promise<string | null> {
    try {
        return await context.vault.read(path);
    } catch (error) {
        if (error instanceof VaultError && error.code === 'not-found') return null;
        throw error;
    }
}

/** What a tool that reads many notes could not read just now (see `readTextOrSkip`). */
export interface Unread {
    unread: number;
}

/**
 * For a tool that goes through many notes: the text of `path`, or `null` when the note vanished or cannot be read
 * just now (another program is writing it all along, or the disk refuses it). Such a note is left out and counted in
 * `skipped`, so that one note does not fail the whole answer; its text was not judged, so the answer names it nowhere.
 */
export async function readTextOrSkip(path: string, context: ToolContext, skipped: Unread): Promise<string | null> {
    try {
        return await context.vault.read(path);
    } catch (error) {
        if (!(error instanceof VaultError)) throw error;
        if (error.code !== 'not-found') skipped.unread++;
        return null;
    }
}

/** What an answer says of the notes it could not read just now (`''` when there were none). */
export function unreadNote(skipped: Unread, what: string): string {
    if (skipped.unread === 0) return '';
    const one = skipped.unread === 1;
    return (
        `\n[${plural(skipped.unread, 'note')} could not be read just now and ${one ? 'was' : 'were'} ${what}: ` +
        `another program may be writing ${one ? 'it' : 'them'}. Ask again in a moment.]`
    );
}

/** The existing file `path` would collide with (same path, or same collision key), or `null`. */
async function takenBy(path: string, context: ToolContext, movingFrom?: string): Promise<string | null> {
    if (path !== movingFrom && (await context.vault.stat(path)) !== null) return path;
    const key = collisionKey(path);
    const twin = (await context.vault.list()).find(
        (entry) => entry.path !== movingFrom && collisionKey(entry.path) === key,
    );
    return twin?.path ?? null;
}

function refusal(reason: string): string {
    return `Refused: ${reason} Nothing was changed.`;
}
