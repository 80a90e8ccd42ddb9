/**
 * The tools that look at notes and folders: `list_notes`, `read_note`, `note_outline`. They see only what the
 * exclusion gate lets through; an excluded note is "not found", and a listing counts hidden notes only for the whole
 * vault, never per folder (a per-folder count would point at where a private note lives). A visible note's text and
 * headings come with their links to excluded notes replaced by a placeholder (`hidden-links.ts`).
 */
import { HIDDEN_LINK, redactHiddenLinks } from '../../context/hidden-links';
import { boundedList, clip, MAX_LINE_CHARS, MAX_RESULT_CHARS, plural, READ_WINDOW_LINES } from './bounded';
import { defineTool, toolError, toolOk } from './define-tool';
import { OFFSET_PROPERTY, pageOf, spanNote, type PageSpan } from './paging';
import {
    isInFolder,
    notFoundMessage,
    readTextOrNull,
    resolveFolder,
    resolveVisibleNote,
    visibleNotes,
} from './note-paths';
import type { Tool, ToolContext, ToolResult } from './tool';
import { hiddenIn, linkedSources } from './tool-sources';

/** `list_notes` input. */
interface ListNotesInput {
    /** Folder to list; the whole vault when omitted. */
    folder?: string;
    /** List every note beneath the folder instead of its direct notes and subfolders. */
    recursive?: boolean;
    /** Entries to skip (paging). */
    offset?: number;
}

/** `read_note` input. */
interface ReadNoteInput {
    /** The note. */
    path: string;
    /** First line to show, 1-based. */
    start_line?: number;
    /** Last line to show, 1-based, inclusive. */
    end_line?: number;
}

/** `note_outline` input. */
interface PathInput {
    /** The note. */
    path: string;
}

const PATH_PROPERTY = {
    type: 'string',
    minLength: 1,
    description: 'Vault-relative path of the note, e.g. "Projects/Plan.md" (".md" may be left out).',
} as const;

/** `list_notes`: the notes and subfolders of a folder. */
export const listNotesTool: Tool = defineTool<ListNotesInput>(
    {
        name: 'list_notes',
        description:
            'List the notes in a folder of the vault: its notes and its subfolders (with how many notes each holds). ' +
            'Omit folder for the vault root. Set recursive to list every note beneath the folder. A long listing ' +
            'comes in pages: the result gives the total and ends "N more — call again with offset=K" while entries ' +
            'are left.',
        inputSchema: {
            type: 'object',
            properties: {
                folder: { type: 'string', description: 'Vault-relative folder, e.g. "Projects". Omit for the root.' },
                recursive: { type: 'boolean', description: 'List all notes beneath the folder. Default false.' },
                offset: OFFSET_PROPERTY,
            },
            additionalProperties: false,
        },
        effect: 'read',
    },
    listNotes,
);

/** `read_note`: a note's text with line numbers, in windows for big notes. */
export const readNoteTool: Tool = defineTool<ReadNoteInput>(
    {
        name: 'read_note',
        description:
            `Read a note. Each line is shown as "<line number><tab><text>"; the number and tab are not part of the ` +
            `note. Without a range, notes longer than ${READ_WINDOW_LINES} lines come in windows: the result says ` +
            'which start_line reads on. Reading a note in full (every line, none cut) is required before ' +
            'rewrite_note.',
        inputSchema: {
            type: 'object',
            properties: {
                path: PATH_PROPERTY,
                start_line: { type: 'integer', minimum: 1, description: 'First line to read (1-based). Default 1.' },
                end_line: { type: 'integer', minimum: 1, description: 'Last line to read (1-based, inclusive).' },
            },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    readNote,
);

/** `note_outline`: a note's headings with their line numbers. */
export const noteOutlineTool: Tool = defineTool<PathInput>(
    {
        name: 'note_outline',
        description:
            'Show the headings of a note with their line numbers, to find the part to read with read_note ' +
            'start_line/end_line.',
        inputSchema: {
            type: 'object',
            properties: { path: PATH_PROPERTY },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    noteOutline,
);

/** The tools of this file, in the order they are offered. */
export function readTools(): Tool[] {
    return [listNotesTool, readNoteTool, noteOutlineTool];
}

async function listNotes(input: ListNotesInput, context: ToolContext): Promise<ToolResult> {
    const folder = resolveFolder(input.folder);
    if (!folder.ok) return folder.result;
    const root = folder.path;
    const { notes, excludedCount, unknownCount } = await visibleNotes(context);
    const inside = notes.filter((note) => isInFolder(note.path, root));
    // A folder that is missing, excluded, or holds only hidden notes looks the same: not there.
    if (root !== '' && inside.length === 0) {
        return toolError(`Not found: there is no folder "${root}" with notes in it. Use list_notes without a folder.`);
    }
    const where = root === '' ? 'the vault' : `"${root}"`;
    const lines: string[] = [];
    let header: (span: PageSpan) => string;
    if (input.recursive === true) {
        header = (span) => `${plural(inside.length, 'note')} in ${where}${spanNote(span)}:`;
        for (const note of inside) lines.push(note.path);
    } else {
        const subfolders = new Map<string, number>();
        for (const note of inside) {
            const rest = note.path.slice(root === '' ? 0 : root.length + 1);
            const slash = rest.indexOf('/');
            if (slash < 0) lines.push(note.path);
            else {
                const sub = `${root === '' ? '' : `${root}/`}${rest.slice(0, slash)}/`;
                subfolders.set(sub, (subfolders.get(sub) ?? 0) + 1);
            }
        }
        const folderLines = [...subfolders].map(([sub, count]) => `${sub} (${plural(count, 'note')})`);
        const counts = `${plural(lines.length, 'note')} and ${plural(folderLines.length, 'folder')} in ${where}`;
        const any = lines.length + folderLines.length > 0;
        header = (span) => `${counts}${spanNote(span)}${any ? ':' : '.'}`;
        lines.unshift(...folderLines);
    }
    // The counts are the only trace of hidden notes, and only for the whole vault (docs/DESIGN.md: "N notes excluded").
    // Notes whose tags are not known yet are not said to be private: in Obsidian they are still being read at start.
    const excluded =
        (root === '' && excludedCount > 0
            ? `\n(${plural(excludedCount, 'note is', 'notes are')} excluded by the privacy settings and not shown.)`
            : '') +
        (root === '' && unknownCount > 0
            ? `\n(${plural(unknownCount, 'note is', 'notes are')} not shown until ${unknownCount === 1 ? 'its' : 'their'} ` +
              'tags are known: not read yet (list again in a moment), too large to read, or a frontmatter that cannot be ' +
              'read.)'
            : '');
    const page = pageOf(lines, input.offset, {
        header: (span) => `${header(span)}${excluded}`,
        noun: 'entry',
        nouns: 'entries',
    });
    const text = page.text;
    // Subfolder names come with counts only; the notes named are the direct ones (or all, when recursive).
    const shown = new Set(lines.slice(page.start, page.end));
    const named = (input.recursive === true ? inside : inside.filter((note) => isInFolder(note.path, root, false)))
        .map((note) => note.path)
        .filter((path) => shown.has(path));
    return { ...toolOk(text), sources: named };
}

async function readNote(input: ReadNoteInput, context: ToolContext): Promise<ToolResult> {
    const resolved = await resolveVisibleNote(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    const text = await readTextOrNull(path, context);
    // The text read is judged itself (its tags parsed from it, where the path leads now): the note may have turned
    // private, or a link been pointed elsewhere, since the gate last looked. Then it answers like a missing note.
    if (text === null || context.gate.isTextExcluded(path, text)) return toolError(notFoundMessage(input.path));

    // Redaction keeps every line break, so line numbers and the ledger's line ranges are those of the real text.
    const shown = redactHiddenLinks(text, path, context);
    const lines = shown.text.replace(/^\uFEFF/u, '').split(/\r?\n/u);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const total = text === '' ? 0 : lines.length;
    if (total === 0) {
        await context.reads.recordRead(path, text, 0, null);
        return { ...toolOk(`${path} is empty (0 lines).`), sources: [path] };
    }
    const start = input.start_line ?? 1;
    if (start > total) return toolError(`${path} has ${plural(total, 'line')}; start_line ${start} is past the end.`);
    if (input.end_line !== undefined && input.end_line < start) {
        return toolError(`end_line (${input.end_line}) is before start_line (${start}).`);
    }
    const wanted = Math.min(input.end_line ?? total, total, start + READ_WINDOW_LINES - 1);

    const out: string[] = [];
    // Room for the header and the notes after the lines, which name the path (twice at most).
    let used = 2 * path.length + 300;
    // Lines shown uncut from `start` on; a cut line ends the range the ledger may count as read.
    let countedEnd = start - 1;
    let clipped = false;
    let end = start - 1;
    for (let n = start; n <= wanted; n++) {
        const line = lines[n - 1] ?? '';
        let visible = line;
        if (line.length > MAX_LINE_CHARS) {
            const hidden = plural(line.length - MAX_LINE_CHARS, 'more character');
            visible = `${clip(line, MAX_LINE_CHARS)} [line cut: ${hidden} not shown]`;
        }
        const row = `${n}\t${visible}`;
        if (out.length > 0 && used + row.length + 1 > MAX_RESULT_CHARS) break;
        if (visible !== line) clipped = true;
        else if (!clipped) countedEnd = n;
        out.push(row);
        used += row.length + 1;
        end = n;
    }

    const counted = countedEnd >= start ? { start, end: countedEnd } : null;
    await context.reads.recordRead(path, text, total, counted);
    const full = start === 1 && end === total && !clipped;
    const header = `${path} — lines ${start}–${end} of ${total}${full ? ' (the whole note)' : ''}`;
    const notes: string[] = [];
    if (end < total && (input.end_line === undefined || end < input.end_line)) {
        notes.push(
            `[Lines ${end + 1}–${total} not shown. Read on with read_note {"path": ${JSON.stringify(path)}, ` +
                `"start_line": ${end + 1}}.]`,
        );
    }
    if (clipped) notes.push('[Long lines were cut, so the note cannot be rewritten whole; use edit_note instead.]');
    if (shown.redactions > 0) {
        notes.push(
            `[${HIDDEN_LINK} stands for a link to a note hidden by the privacy settings. This note cannot be ` +
                'rewritten whole; with edit_note, leave the placeholder out of "old" and "new".]',
        );
    }
    const sources = linkedSources(context.vault, [path], hiddenIn(context));
    return { ...toolOk([header, ...out, ...notes].join('\n')), sources };
}

async function noteOutline(input: PathInput, context: ToolContext): Promise<ToolResult> {
    const resolved = await resolveVisibleNote(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    const metadata = context.vault.metadata(path);
    if (metadata === undefined) return toolError(notFoundMessage(input.path));
    context.reads.recordSeen(path);
    if (metadata.headings.length === 0) return { ...toolOk(`${path} has no headings.`), sources: [path] };
    const rows = metadata.headings.map(
        (h) => `${h.line + 1}\t${'#'.repeat(h.level)} ${redactHiddenLinks(h.heading, path, context).text}`,
    );
    const text = boundedList(
        `${plural(rows.length, 'heading')} in ${path} (line number, then heading):`,
        rows,
        (rest) => `[… ${plural(rest, 'more heading')} not shown; read the note in windows instead]`,
    );
    return { ...toolOk(text), sources: linkedSources(context.vault, [path], hiddenIn(context)) };
}
