/**
 * The small ports the changes room takes besides the vault: where checkpoints are kept, and the open-note editors.
 */

/** Where checkpoints live between sessions: a JSON file in the plugin's state folder, or memory in tests. */
export interface CheckpointPersistence {
    /** The last saved value, or `undefined`/`null` when nothing was saved yet. */
    load(): Promise<unknown>;
    /** Replaces the saved value. */
    save(data: unknown): Promise<void>;
}

/**
 * The notes open in an editor. When the agent changes an open note, the change goes through the Editor API so the
 * person's cursor, selection and undo history survive and no keystroke typed meanwhile is lost.
 */
export interface OpenNoteEditors {
    /**
     * Replaces `base` with `next` in the open editor of `path`. Resolves `true` when the note is open and its editor
     * held exactly `base` and now holds `next`; `false` when the note is not open (the caller then writes the file).
     */
    apply(path: string, base: string, next: string): Promise<boolean>;
}
