/** The permission modes (docs/DESIGN.md, "Permission modes"). Any other stored value is read as `read-only`. */
export const PERMISSION_MODE_NAMES = ['ask', 'auto-edits', 'read-only', 'delegate'] as const;

/** One of the permission modes. */
export type PermissionModeName = (typeof PERMISSION_MODE_NAMES)[number];

/** Reads a stored or typed mode value; anything unknown is the safest mode, `read-only`. */
export function parsePermissionMode(value: unknown): PermissionModeName {
    return PERMISSION_MODE_NAMES.find((name) => name === value) ?? 'read-only';
}
