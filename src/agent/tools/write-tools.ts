/**
 * The tools that create, move and remove notes: `create_note`, `rename_note`, `delete_note`. Paths are checked before
 * any proposal is built: protected locations are refused outright (never offered for approval, docs/RELIABILITY.md row
 * 9), new names are made safe and never overwrite (row 10), and excluded notes are "not found".
 */
import { defineTool, toolError } from './define-tool';
import { MAX_WRITE_CHARS } from './edit-tools';
import { notFoundMessage, readTextOrNull, resolveNewNotePath, resolveNoteToChange } from './note-paths';
import { submitChange } from './submit-change';
import type { Tool, ToolContext, ToolResult } from './tool';

/** `create_note` input. */
interface CreateNoteInput {
    /** Where the new note goes. */
    path: string;
    /** Its text. */
    content: string;
}

/** `rename_note` input. */
interface RenameNoteInput {
    /** The note to move. */
    path: string;
    /** Where it goes. */
    new_path: string;
}

/** `delete_note` input. */
interface DeleteNoteInput {
    /** The note to move to the trash. */
    path: string;
}

/** `create_note`: a new note; never overwrites. */
export const createNoteTool: Tool = defineTool<CreateNoteInput>(
    {
        name: 'create_note',
        description:
            'Create a new note. Fails if a note already exists at the path (nothing is ever overwritten). Characters ' +
            'that are not allowed in file names are replaced, and the result says the final path. Missing folders ' +
            'are created. Write it like the vault’s notes: properties as YAML frontmatter at the top, links to other ' +
            'notes as [[wikilinks]] (with #Heading where it helps), tags and callouts as the vault uses them.',
        inputSchema: {
            type: 'object',
            properties: {
                path: {
                    type: 'string',
                    minLength: 1,
                    description:
                        'Vault-relative path of the new note, e.g. "Projects/Plan.md" (".md" is added if missing).',
                },
                content: { type: 'string', maxLength: MAX_WRITE_CHARS, description: 'The text of the note.' },
            },
            required: ['path', 'content'],
            additionalProperties: false,
        },
        effect: 'write',
    },
    createNote,
);

/** `rename_note`: move or rename a note; links to it are updated where the host can. */
export const renameNoteTool: Tool = defineTool<RenameNoteInput>(
    {
        name: 'rename_note',
        description:
            'Rename or move a note. Links to it are updated. Fails if the new path is taken. The person is always ' +
            'asked to approve.',
        inputSchema: {
            type: 'object',
            properties: {
                path: { type: 'string', minLength: 1, description: 'Vault-relative path of the note to move.' },
                new_path: { type: 'string', minLength: 1, description: 'Its new vault-relative path.' },
            },
            required: ['path', 'new_path'],
            additionalProperties: false,
        },
        effect: 'write',
    },
    renameNote,
);

/** `delete_note`: move a note to the trash. */
export const deleteNoteTool: Tool = defineTool<DeleteNoteInput>(
    {
        name: 'delete_note',
        description:
            "Delete a note by moving it to the vault's trash (it can be restored). The person is always asked to " +
            'approve.',
        inputSchema: {
            type: 'object',
            properties: { path: { type: 'string', minLength: 1, description: 'Vault-relative path of the note.' } },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'write',
    },
    deleteNote,
);

async function createNote(input: CreateNoteInput, context: ToolContext): Promise<ToolResult> {
    const target = await resolveNewNotePath(input.path, context);
    if (!target.ok) return target.result;
    const { path, renamedFrom } = target.path;
    const preface =
        renamedFrom === undefined
            ? ''
            : `The name "${renamedFrom}" was not safe as a file name, so "${path}" was used.`;
    return submitChange({ kind: 'create', path, base: null, proposed: input.content }, context, preface);
}

async function renameNote(input: RenameNoteInput, context: ToolContext): Promise<ToolResult> {
    const source = await resolveNoteToChange(input.path, context);
    if (!source.ok) return source.result;
    const path = source.path;
    const target = await resolveNewNotePath(input.new_path, context, path);
    if (!target.ok) return target.result;
    const newPath = target.path.path;
    if (newPath === path) return toolError(`"${path}" already has that path. Nothing was changed.`);
    const base = await readTextOrNull(path, context);
    if (base === null) return toolError(notFoundMessage(input.path));
    const preface =
        target.path.renamedFrom === undefined
            ? ''
            : `The name "${target.path.renamedFrom}" was not safe as a file name, so "${newPath}" was used.`;
    return submitChange({ kind: 'rename', path, newPath, base, proposed: null }, context, preface);
}

async function deleteNote(input: DeleteNoteInput, context: ToolContext): Promise<ToolResult> {
    const resolved = await resolveNoteToChange(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    const base = await readTextOrNull(path, context);
    if (base === null) return toolError(notFoundMessage(input.path));
    return submitChange({ kind: 'delete', path, base, proposed: null }, context);
}
