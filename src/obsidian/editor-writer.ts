/**
 * `OpenNoteEditors` over Obsidian's Editor API (docs/RELIABILITY.md row 6). When the agent changes a note that is open
 * in an editor, the change goes through that editor as the smallest replacement, so the person's cursor, selection and
 * undo history survive, and nothing they typed since the agent read the note is lost.
 *
 * If the editor no longer holds exactly the text the change was computed against (the person typed meanwhile), the
 * change is re-based around their typing when the replaced text and its surroundings are still there, unchanged and
 * unique; otherwise nothing is written and `EditorConflictError` says why. Either way the file is never written behind
 * the editor's back.
 */
import { MarkdownView, type App, type Editor } from 'obsidian';
import type { OpenNoteEditors } from '../agent/changes/change-ports';

/** The person is typing in the very part of the note the agent wanted to change; nothing was written. */
export class EditorConflictError extends Error {
    constructor(path: string) {
        super(`${path} is being edited where the agent wanted to change it, so the change was not applied.`);
        this.name = 'EditorConflictError';
    }
}

/** A replacement of `[from, to)` in a text with `text`. */
interface Splice {
    from: number;
    to: number;
    text: string;
}

/** Applies agent changes to open notes through their editors. */
export class EditorWriter implements OpenNoteEditors {
    private readonly app: App;
    private readonly refuse: ((path: string) => void) | undefined;

    /** `refuse` throws for a note that must not be written (one reached through a symbolic link on disk). */
    constructor(options: { app: App; refuse?: (path: string) => void }) {
        this.app = options.app;
        this.refuse = options.refuse;
    }

    async apply(path: string, base: string, next: string): Promise<boolean> {
        const editor = this.editorOf(path);
        if (editor === null) return false;
        // The editor saves to the same path Obsidian read it from, links followed: judged as a file write would be.
        this.refuse?.(path);
        const current = editor.getValue();
        const change = spliceBetween(base, next);
        const at = current === base ? change : relocate(path, base, current, change);
        editor.replaceRange(at.text, editor.offsetToPos(at.from), editor.offsetToPos(at.to));
        return true;
    }

    private editorOf(path: string): Editor | null {
        for (const leaf of this.app.workspace.getLeavesOfType('markdown')) {
            const view = leaf.view;
            if (view instanceof MarkdownView && view.file?.path === path) return view.editor;
        }
        return null;
    }
}

/** Characters of unchanged text on each side that must still surround the agent's change in the editor. */
const ANCHOR_CHARS = 40;

/**
 * Finds the agent's change in an editor the person has typed in: the replaced text with its surroundings must occur
 * exactly once; then only that part is replaced and everything the person typed elsewhere stays.
 */
function relocate(path: string, base: string, current: string, change: Splice): Splice {
    const before = base.slice(Math.max(0, change.from - ANCHOR_CHARS), change.from);
    const old = base.slice(change.from, change.to);
    const after = base.slice(change.to, change.to + ANCHOR_CHARS);
    const needle = before + old + after;
    const found = current.indexOf(needle);
    if (found < 0 || current.indexOf(needle, found + 1) >= 0) throw new EditorConflictError(path);
    const from = found + before.length;
    return { from, to: from + old.length, text: change.text };
}

/** The smallest single replacement that turns `a` into `b` (common prefix and suffix kept). */
export function spliceBetween(a: string, b: string): Splice {
    let start = 0;
    const max = Math.min(a.length, b.length);
    while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
        endA--;
        endB--;
    }
    return { from: start, to: endA, text: b.slice(start, endB) };
}
