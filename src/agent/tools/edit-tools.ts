/**
 * The tools that change a note's text: `edit_note` (anchored replacements) and `rewrite_note` (the whole text, only
 * after the note was read in full and has not changed since). Both compute the change against the note as it is on
 * disk right now, and refuse before any proposal when the change cannot be made safely (docs/RELIABILITY.md row 2).
 *
 * The model reads notes with links to hidden notes replaced by a placeholder (`hidden-links.ts`), so it never sees
 * their real text: anchors are located in that redacted view and applied to the real text, an edit may not touch a
 * placeholder, and a note with any such link cannot be rewritten whole (the rewrite would destroy the person's links).
 */
import {
    containsHiddenPlaceholder,
    HIDDEN_LINK,
    originalOffset,
    redactHiddenLinks,
    touchesRedaction,
    type RedactedText,
} from '../../context/hidden-links';
import {
    locateAnchoredEdits,
    spliceEdits,
    type AnchoredEdit,
    type AnchoredEditResult,
    type LocatedEdit,
} from './anchored-edits';
import { defineTool, toolError } from './define-tool';
import type { SchemaNode } from './input-schema';
import { notFoundMessage, readTextOrNull, resolveNoteToChange } from './note-paths';
import type { ReadState } from './read-ledger';
import { submitChange } from './submit-change';
import type { Tool, ToolContext, ToolResult } from './tool';

/** Most edits in one `edit_note` call. */
export const MAX_EDITS = 50;

/** Longest text a write tool accepts (about 2 MB of UTF-16). */
export const MAX_WRITE_CHARS = 1_000_000;

/** `edit_note` input. */
export interface EditNoteInput {
    /** The note. */
    path: string;
    /** Replacements, each anchored on text that occurs exactly once. */
    edits: AnchoredEdit[];
}

/** `rewrite_note` input. */
interface RewriteNoteInput {
    /** The note. */
    path: string;
    /** The complete new text. */
    content: string;
}

export const PATH_PROPERTY = {
    type: 'string',
    minLength: 1,
    description: 'Vault-relative path of an existing note, e.g. "Projects/Plan.md".',
} as const;

/** `edit_note`'s input schema (also the base of `propose_edit`'s). */
export const EDIT_NOTE_SCHEMA = {
    type: 'object',
    properties: {
        path: PATH_PROPERTY,
        edits: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_EDITS,
            description: 'The replacements, applied together.',
            items: {
                type: 'object',
                properties: {
                    old: {
                        type: 'string',
                        minLength: 1,
                        maxLength: MAX_WRITE_CHARS,
                        description: 'Exact text to replace.',
                    },
                    new: { type: 'string', maxLength: MAX_WRITE_CHARS, description: 'Replacement text.' },
                },
                required: ['old', 'new'],
                additionalProperties: false,
            },
        },
    },
    required: ['path', 'edits'],
    additionalProperties: false,
} satisfies SchemaNode;

/** `edit_note`: replace exact passages of a note. */
export const editNoteTool: Tool = defineTool<EditNoteInput>(
    {
        name: 'edit_note',
        description:
            'Change parts of an existing note. Each edit replaces the text "old" with "new"; "old" must occur exactly ' +
            'once in the note as it is now (copy it from read_note without the line numbers, and include enough ' +
            'context to make it unique). All edits are located in the same current text and must not overlap. ' +
            'Prefer this to rewrite_note. The person may be asked to approve the change. New text keeps the note’s ' +
            'own heading style, and names other notes as [[wikilinks]].',
        inputSchema: EDIT_NOTE_SCHEMA,
        effect: 'write',
    },
    editNote,
);

/** `rewrite_note`: replace the whole text of a note that was read in full. */
export const rewriteNoteTool: Tool = defineTool<RewriteNoteInput>(
    {
        name: 'rewrite_note',
        description:
            'Replace the entire text of an existing note. Only allowed when you have read every line of the note ' +
            'with read_note in this conversation and it has not changed since; otherwise use edit_note. The person ' +
            'may be asked to approve the change.',
        inputSchema: {
            type: 'object',
            properties: {
                path: PATH_PROPERTY,
                content: { type: 'string', maxLength: MAX_WRITE_CHARS, description: 'The complete new text.' },
            },
            required: ['path', 'content'],
            additionalProperties: false,
        },
        effect: 'write',
    },
    rewriteNote,
);

/** The tools of this file, in the order they are offered. */
export function editTools(): Tool[] {
    return [editNoteTool, rewriteNoteTool];
}

async function editNote(input: EditNoteInput, context: ToolContext): Promise<ToolResult> {
    return editNoteWith(input, context);
}

/**
 * `edit_note`'s work, for it and for `propose_edit`: the edits located in the note as it is now and submitted to
 * `context.changes`, with the caller's stated `reason` (shown to the person as the proposer's words).
 */
export async function editNoteWith(input: EditNoteInput, context: ToolContext, reason?: string): Promise<ToolResult> {
    const resolved = await resolveNoteToChange(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    if (input.edits.some((edit) => containsHiddenPlaceholder(edit.old) || containsHiddenPlaceholder(edit.new))) {
        return toolError(
            `Refused: ${HIDDEN_LINK} stands for a link to a note hidden by the privacy settings; it cannot be ` +
                'matched, moved, copied or written. Leave it out of both "old" and "new", anchoring on the text ' +
                'around it. Nothing was changed.',
        );
    }
    const base = await readTextOrNull(path, context);
    if (base === null) return toolError(notFoundMessage(input.path));
    const view = redactHiddenLinks(base, path, context);
    const edited = editAround(view, base, input.edits, path);
    if (!edited.ok) return toolError(edited.problem);
    return submitChange(
        { kind: 'edit', path, base, proposed: edited.text, ...(reason !== undefined ? { reason } : {}) },
        context,
    );
}

/**
 * Locates the anchors in the redacted text the model was shown (the note itself when it links to no hidden note), so
 * that match counts never depend on the hidden links' text (a guessed name matches nothing, exactly as for a name that
 * is nowhere), then applies them to the real text. The text outside placeholders is the same in both, so each anchor
 * replaces the very bytes the model saw.
 */
function editAround(view: RedactedText, base: string, edits: AnchoredEdit[], path: string): AnchoredEditResult {
    const located = locateAnchoredEdits(view.text, edits, path);
    if (!located.ok) return located;
    const spans: LocatedEdit[] = [];
    for (const span of located.spans) {
        if (touchesRedaction(view, span.start, span.end)) {
            const which = edits.length === 1 ? 'The edit' : `Edit ${span.index} of ${edits.length}`;
            return {
                ok: false,
                problem:
                    `Refused: ${which} reaches into ${HIDDEN_LINK}, a link to a note hidden by the privacy settings, ` +
                    'which cannot be changed. Anchor on text that ends before it or starts after it. Nothing was ' +
                    'changed.',
            };
        }
        spans.push({ ...span, start: originalOffset(view, span.start), end: originalOffset(view, span.end) });
    }
    return spliceEdits(base, spans, path);
}

async function rewriteNote(input: RewriteNoteInput, context: ToolContext): Promise<ToolResult> {
    const resolved = await resolveNoteToChange(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    const base = await readTextOrNull(path, context);
    if (base === null) return toolError(notFoundMessage(input.path));
    if (redactHiddenLinks(base, path, context).redactions > 0) {
        return toolError(
            `Refused: "${path}" links to notes hidden by the privacy settings (shown to you as ${HIDDEN_LINK}), and ` +
                'a rewrite would destroy those links. Nothing was changed. Use edit_note with anchors on the parts ' +
                'to change instead.',
        );
    }
    const state = await context.reads.stateOf(path, base);
    if (state !== 'current') return toolError(rewriteRefusal(path, state));
    if (input.content === base) return toolError(`The new content is identical to "${path}". Nothing was changed.`);
    return submitChange({ kind: 'edit', path, base, proposed: input.content }, context);
}

function rewriteRefusal(path: string, state: Exclude<ReadState, 'current'>): string {
    const why = {
        unread: `you have not read "${path}" in this conversation`,
        partial: `you have read only part of "${path}" (a rewrite must not drop lines you have not seen)`,
        changed: `"${path}" has changed since you read it`,
    }[state];
    return (
        `Refused: ${why}. Nothing was changed. Read the whole note with read_note (every window, if it has several) ` +
        'and then rewrite it, or change parts of it with edit_note.'
    );
}
