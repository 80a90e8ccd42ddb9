/**
 * The `FocusSource` port: what the person is looking at. Obsidian's side is `FocusTracker` (the note last active in
 * a Markdown editor, because clicking into the chat takes focus away from it); the CLI and tests use fixed values.
 */

/** Text selected in the focused note, with its zero-based line range. */
export interface FocusSelection {
    /** The selected text, as in the editor. */
    text: string;
    /** Zero-based line where the selection starts. */
    fromLine: number;
    /** Zero-based line where the selection ends (inclusive). */
    toLine: number;
}

/** Where the person's attention is. Every method answers for this moment, so callers ask at send time. */
export interface FocusSource {
    /** Vault path of the note last active in a Markdown editor, or `null` when there is none. */
    focusedNote(): string | null;
    /** The selection in that note, or `null` when nothing is selected. */
    selection(): FocusSelection | null;
    /** Zero-based cursor line in that note, or `null` when unknown. */
    cursorLine(): number | null;
}

/** The focus at one moment, kept with a chat message so its context can be rebuilt for every later request. */
export interface FocusSnapshot {
    /** Vault path of the focused note, or `null`. */
    note: string | null;
    /** The selection then, or `null`. */
    selection: FocusSelection | null;
    /** The cursor line then, or `null`. */
    cursorLine: number | null;
}

/** A focus that never changes: for the CLI (no editor), jobs, and tests. */
export class FixedFocus implements FocusSource {
    constructor(private readonly snapshot: FocusSnapshot = { note: null, selection: null, cursorLine: null }) {}

    focusedNote(): string | null {
        return this.snapshot.note;
    }

    selection(): FocusSelection | null {
        return this.snapshot.selection;
    }

    cursorLine(): number | null {
        return this.snapshot.cursorLine;
    }
}

/** Reads a `FocusSource` once, so the message and every rebuild of its context agree on what was in focus. */
export function captureFocus(source: FocusSource): FocusSnapshot {
    const note = source.focusedNote();
    if (note === null) return { note: null, selection: null, cursorLine: null };
    return { note, selection: source.selection(), cursorLine: source.cursorLine() };
}
