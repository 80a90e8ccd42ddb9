/**
 * The permission modes (docs/DESIGN.md, "Permission modes"). Any other stored value is read as `read-only`.
 * `delegate` and `propose` are a job's modes: `delegate` creates new notes in the job's output folder, `propose`
 * records every change as a proposal a person reviews later (the review inbox) and never touches a note.
 */
export const PERMISSION_MODE_NAMES = ['ask', 'auto-edits', 'read-only', 'delegate', 'propose'] as const;

/** One of the permission modes. */
export type PermissionModeName = (typeof PERMISSION_MODE_NAMES)[number];

/** Reads a stored or typed mode value; anything unknown is the safest mode, `read-only`. */
export function parsePermissionMode(value: unknown): PermissionModeName {
    return PERMISSION_MODE_NAMES.find((name) => name === value) ?? 'read-only';
}
