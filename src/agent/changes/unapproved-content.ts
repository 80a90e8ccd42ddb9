/**
 * A write nobody approved (a delegate job's tool call, an MCP client's `create_note`, an edit in auto-accept mode)
 * must not carry code that other plugins run when the note is opened or created: it is made inert before the write,
 * and the outcome says what was changed. A new note is neutralised whole; an edit only on the lines it adds, so the
 * person's own queries in the rest of the note keep working.
 */
import {
    neutraliseExecutable,
    neutralisedLogLine,
    type ExecutableCounts,
    type ExecutableKind,
} from '../../vault/executable-content';
import { applySelectedHunks, splitLines, type Hunk } from './hunks';
import type { ChangeProposal } from './proposal';

/** The text to write instead, and what was made inert (empty when nothing was). */
export interface InertContent {
    /** What to write. */
    content: string;
    /** What was neutralised, by kind. */
    found: ExecutableCounts;
}

/** `content` (the text about to be written for `proposal` without anyone's approval) with executable code made inert. */
export function inertUnapproved(proposal: ChangeProposal, content: string): InertContent {
    if (proposal.kind === 'create') {
        const made = neutraliseExecutable(content);
        return { content: made.text, found: made.found };
    }
    if (proposal.kind !== 'edit' || proposal.base === null || content !== proposal.proposed) {
        return { content, found: {} };
    }
    const found: ExecutableCounts = {};
    let changed = false;
    const hunks = proposal.hunks.map((hunk): Hunk => {
        const newText = inertAddedLines(hunk, found);
        if (newText === hunk.newText) return hunk;
        changed = true;
        return { ...hunk, newText };
    });
    if (!changed) return { content, found: {} };
    return {
        content: applySelectedHunks(
            proposal.base,
            hunks,
            hunks.map((hunk) => hunk.index),
        ),
        found,
    };
}

/** The hunk's new side with each ADDED line neutralised (context lines are the person's and stay as they are). */
function inertAddedLines(hunk: Hunk, found: ExecutableCounts): string {
    const newLines = splitLines(hunk.newText);
    const added = hunk.lines.filter((line) => !line.startsWith('-')).map((line) => line.startsWith('+'));
    if (added.length !== newLines.length) {
        // Display lines that do not line up with the text (never expected): neutralise the whole new side.
        const made = neutraliseExecutable(hunk.newText);
        merge(found, made.found);
        return made.text;
    }
    return newLines
        .map((line, i) => {
            if (added[i] !== true) return line;
            const made = neutraliseExecutable(line);
            merge(found, made.found);
            return made.text;
        })
        .join('');
}

function merge(into: ExecutableCounts, more: ExecutableCounts): void {
    for (const kind of Object.keys(more) as ExecutableKind[]) into[kind] = (into[kind] ?? 0) + (more[kind] ?? 0);
}

/** How the sentence below begins; the job log and the chat transcript find it in a tool's result with this. */
export const INERT_NOTICE = 'Nobody approved this write, so code that other plugins run was made inert';

/** The sentence found in `text` (a tool result) about code made inert, or `null`. */
export function inertNoticeIn(text: string): string | null {
    const at = text.indexOf(INERT_NOTICE);
    return at < 0 ? null : text.slice(at);
}

/** The sentence the model (and the job log, the transcript) is given, or `null` when nothing was made inert. */
export function inertMessage(found: ExecutableCounts): string | null {
    const line = neutralisedLogLine(found);
    if (line === null) return null;
    return line.replace('Made code that other plugins run inert in the result', INERT_NOTICE);
}
