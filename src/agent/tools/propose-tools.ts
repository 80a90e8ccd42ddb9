/**
 * `propose_edit`: how another agent (an MCP client such as Claude Desktop or Claude Code) suggests a change to a note
 * it may not write. The edit is located exactly as `edit_note` locates it, then submitted to the `propose`-mode door
 * (`ToolContext.proposals`): it lands in the owner's review inbox and never in the note.
 */
import { defineTool, toolError } from './define-tool';
import { EDIT_NOTE_SCHEMA, editNoteWith, type EditNoteInput } from './edit-tools';
import type { Tool } from './tool';

/** Longest stated reason kept with a proposal. */
export const MAX_REASON_CHARS = 2000;

/** `propose_edit` input: `edit_note`'s, plus why. */
interface ProposeEditInput extends EditNoteInput {
    /** Why the change is suggested, shown to the person as the proposer's words. */
    reason?: string;
}

/** `propose_edit`: suggest replacements in a note; they wait for the owner's review. */
export const proposeEditTool: Tool = defineTool<ProposeEditInput>(
    {
        name: 'propose_edit',
        description:
            'Suggest a change to an existing note, located as edit_note locates it. It is NOT applied: it waits in ' +
            'the owner\'s review inbox to be accepted or rejected. Say why in "reason".',
        inputSchema: {
            ...EDIT_NOTE_SCHEMA,
            properties: {
                ...EDIT_NOTE_SCHEMA.properties,
                reason: {
                    type: 'string',
                    maxLength: MAX_REASON_CHARS,
                    description: 'Why you suggest this change, for the owner.',
                },
            },
        },
        effect: 'write',
    },
    (input, context) => {
        if (context.proposals === undefined || context.proposals === null) {
            return Promise.resolve(toolError('Changes cannot be proposed here right now. Nothing was recorded.'));
        }
        const { reason, ...edit } = input;
        const stated = reason !== undefined && reason.trim() !== '' ? reason.trim() : undefined;
        return editNoteWith(edit, { ...context, changes: context.proposals }, stated);
    },
);
