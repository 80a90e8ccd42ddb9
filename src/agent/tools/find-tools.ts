/**
 * The ranked tools: `find_notes` (a plain-language query over the relevance index: titles, aliases, headings, tags,
 * properties and text, best notes first) and `related_notes` (notes close to one note by links, tags and words). The
 * index holds only visible notes, and every note shown is judged again on the text read now, so a note made private
 * a moment ago is neither shown nor counted; it also leaves the index at once. Snippets are cut from the text as
 * `read_note` shows it, links to hidden notes replaced by a placeholder.
 */
import { redactHiddenLinks } from '../../context/hidden-links';
import { isMarkdownPath } from '../../kernel/vault-port';
import { bestPassage, modifiedRange, relatedNotes, type TimeRange } from '../../search';
import { clip, MAX_SNIPPET_CHARS, plural, snippetAround } from './bounded';
import { defineTool, toolError, toolOk } from './define-tool';
import {
    isInFolder,
    notFoundMessage,
    readTextOrNull,
    readTextOrSkip,
    resolveFolder,
    resolveVisibleNote,
    unreadNote,
} from './note-paths';
import { OFFSET_PROPERTY, pageFrom, spanNote } from './paging';
import type { Tool, ToolContext, ToolResult } from './tool';
import { hiddenIn, linkedSources } from './tool-sources';

/** Notes per page unless `limit` says otherwise. */
const DEFAULT_FIND_LIMIT = 10;
const MAX_FIND_LIMIT = 50;

/** `find_notes` input. */
interface FindNotesInput {
    query: string;
    folder?: string;
    tag?: string;
    property?: string;
    modified?: string;
    limit?: number;
    offset?: number;
}

/** `related_notes` input. */
interface RelatedNotesInput {
    path: string;
    limit?: number;
}

const UNAVAILABLE = 'find_notes is not available here (no relevance index); use search_notes instead.';

/** `find_notes`: the best notes for a plain-language query. */
export const findNotesTool: Tool = defineTool<FindNotesInput>(
    {
        name: 'find_notes',
        description:
            'Find the notes most relevant to a plain-language query, best first: ranked over titles, aliases, ' +
            'headings, tags, properties and text, tolerant of other word forms and small typos. Each result gives ' +
            'the note, the fields that matched and a snippet of its best passage (with its line number for ' +
            'read_note). Use it to find notes about a topic or question when you do not know their exact words; ' +
            'use search_notes for an exact phrase or a pattern, and to list every occurrence. Narrow with folder, ' +
            'tag, property ("status" or "status=done") and modified ("today", "this week", "last 30 days", ' +
            '"since 2024-05-01"). The result ends "N more — call again with offset=K" while notes are left.',
        inputSchema: {
            type: 'object',
            properties: {
                query: { type: 'string', minLength: 1, maxLength: 1_000, description: 'What the notes are about.' },
                folder: { type: 'string', description: 'Only notes beneath this vault-relative folder.' },
                tag: { type: 'string', description: 'Only notes with this tag (nested tags count), e.g. "project".' },
                property: {
                    type: 'string',
                    description: 'Only notes with this property, or with this value: "status" or "status=done".',
                },
                modified: {
                    type: 'string',
                    description:
                        'Only notes modified then: today, yesterday, this week, last week, this month, last month, ' +
                        'this year, "last 7 days", "since 2024-05-01", 2024-05-01, or 2024-05-01..2024-05-31.',
                },
                limit: {
                    type: 'integer',
                    minimum: 1,
                    maximum: MAX_FIND_LIMIT,
                    description: `Most notes to return. Default ${DEFAULT_FIND_LIMIT}.`,
                },
                offset: { ...OFFSET_PROPERTY, description: `Skip this many notes. ${OFFSET_PROPERTY.description}` },
            },
            required: ['query'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    findNotes,
);

/** `related_notes`: notes close to one note. */
export const relatedNotesTool: Tool = defineTool<RelatedNotesInput>(
    {
        name: 'related_notes',
        description:
            'List the notes most related to one note, each with why: it links to them or they link to it, they ' +
            'link to the same notes, share its tags, or share the words of its title, aliases, headings and tags.',
        inputSchema: {
            type: 'object',
            properties: {
                path: {
                    type: 'string',
                    minLength: 1,
                    description: 'Vault-relative path of the note, e.g. "Projects/Plan.md" (".md" may be left out).',
                },
                limit: { type: 'integer', minimum: 1, maximum: 30, description: 'Most notes to list. Default 10.' },
            },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    relatedNotesOf,
);

async function findNotes(input: FindNotesInput, context: ToolContext): Promise<ToolResult> {
    const search = context.search;
    if (search === undefined) return toolError(UNAVAILABLE);
    const folder = resolveFolder(input.folder);
    if (!folder.ok) return folder.result;
    const admits = await filterOf(input, folder.path, context);
    if (typeof admits === 'string') return toolError(admits);
    await search.ready();
    if (context.signal?.aborted === true) return toolError('Cancelled: the search was stopped.');

    const ranked = search.rank(input.query, { admits });
    const limit = input.limit ?? DEFAULT_FIND_LIMIT;
    const offset = Math.max(0, Math.floor(input.offset ?? 0));
    const entries: string[] = [];
    const shown: string[] = [];
    let hidden = 0;
    const skipped = { unread: 0 };
    for (let i = offset; i < ranked.length && entries.length < limit; i++) {
        const found = ranked[i];
        if (found === undefined) break;
        const unread = skipped.unread;
        const text = await readTextOrSkip(found.path, context, skipped);
        // Judged on the text read now: a note made private since the index last looked is neither shown nor counted.
        // One that cannot be read just now is neither, but stays in the index.
        if (text === null || context.gate.isTextExcluded(found.path, text)) {
            if (skipped.unread === unread) search.forget(found.path);
            hidden++;
            continue;
        }
        entries.push(entryOf(offset + entries.length + 1, found.path, found.fields, found.terms, text, context));
        shown.push(found.path);
    }
    const total = ranked.length - hidden;
    const where = describeFilters(input, folder.path);
    const what = `for ${JSON.stringify(input.query)}${where}`;
    const unread = unreadNote(skipped, 'not shown');
    if (total <= 0) {
        return toolOk(`No notes found ${what}. For an exact phrase or pattern, try search_notes.${unread}`);
    }
    const page = pageFrom(entries, offset, total, {
        header: (span) => `${plural(total, 'note')} ${what}, best first${spanNote(span)}:`,
        noun: 'note',
        maxEntries: limit,
    });
    const sources = linkedSources(context.vault, shown.slice(0, page.end - page.start), hiddenIn(context));
    return { ...toolOk(page.text + unread), sources };
}

/** One result: rank, path, matched fields, and the best passage's line and snippet. */
function entryOf(
    rank: number,
    path: string,
    fields: readonly string[],
    terms: readonly string[],
    text: string,
    context: ToolContext,
): string {
    const head = `${rank}. ${path} (matched: ${fields.join(', ')})`;
    const passage = bestPassage(text, terms);
    if (passage === null) return head;
    const line = redactHiddenLinks(passage.text, path, context).text;
    // Redaction may move words; the snippet is cut around the same word where it now stands.
    const word = passage.text.slice(passage.start, passage.start + passage.length);
    const at = line.indexOf(word);
    const snippet =
        at < 0 ? clip(line.trim(), MAX_SNIPPET_CHARS) : snippetAround(line, at, word.length, MAX_SNIPPET_CHARS);
    return `${head}\n   line ${passage.line}: ${snippet}`;
}

/** The filter of the input's folder, tag, property and modified date; a sentence when one cannot be read. */
async function filterOf(
    input: FindNotesInput,
    folder: string,
    context: ToolContext,
): Promise<((path: string) => boolean) | string> {
    const tag = input.tag?.trim().replace(/^#+/u, '').toLowerCase();
    if (tag !== undefined && (tag === '' || /\s/u.test(tag))) {
        return `Invalid tag "${input.tag ?? ''}": give one tag without spaces, e.g. "project".`;
    }
    const property = input.property === undefined ? undefined : propertyFilter(input.property);
    if (typeof property === 'string') return property;
    let range: TimeRange | undefined;
    let mtimes: Map<string, number> | undefined;
    if (input.modified !== undefined) {
        const read = modifiedRange(input.modified, Date.now());
        if (typeof read === 'string') return read;
        range = read;
        mtimes = new Map((await context.vault.list()).map((entry) => [entry.path, entry.mtime]));
    }
    const search = context.search;
    const tagged = tag === undefined || search === undefined ? undefined : search.notesTagged(tag);
    return (path) => {
        if (!isMarkdownPath(path) || !isInFolder(path, folder)) return false;
        if (tagged !== undefined && !tagged.has(path)) return false;
        if (range !== undefined) {
            const mtime = mtimes?.get(path);
            if (mtime === undefined || mtime < range.from || mtime >= range.to) return false;
        }
        if (property !== undefined && !property(context.vault.metadata(path)?.frontmatter ?? null)) return false;
        return !context.gate.isExcluded(path);
    };
}

/** `status` (present) or `status=done` (equal, case-insensitively; a list matches when any item does). */
function propertyFilter(text: string): ((frontmatter: Record<string, unknown> | null) => boolean) | string {
    const at = text.indexOf('=');
    const name = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
    const value =
        at < 0
            ? undefined
            : text
                  .slice(at + 1)
                  .trim()
                  .toLowerCase();
    if (name === '') return `Invalid property "${text}": give a name, or name=value, e.g. "status=done".`;
    return (frontmatter) => {
        if (frontmatter === null) return false;
        const key = Object.keys(frontmatter).find((k) => k.toLowerCase() === name);
        if (key === undefined) return false;
        if (value === undefined) return true;
        const held = frontmatter[key];
        const values = Array.isArray(held) ? held : [held];
        return values.some((item) => valueText(item) === value);
    };
}

function valueText(value: unknown): string {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return String(value).trim().toLowerCase();
    }
    return '';
}

function describeFilters(input: FindNotesInput, folder: string): string {
    const parts: string[] = [];
    if (folder !== '') parts.push(`in "${folder}"`);
    if (input.tag !== undefined) parts.push(`tagged #${input.tag.trim().replace(/^#+/u, '')}`);
    if (input.property !== undefined) parts.push(`with property ${input.property.trim()}`);
    if (input.modified !== undefined) parts.push(`modified ${input.modified.trim()}`);
    return parts.length === 0 ? '' : ` ${parts.join(', ')}`;
}

async function relatedNotesOf(input: RelatedNotesInput, context: ToolContext): Promise<ToolResult> {
    const search = context.search;
    if (search === undefined) return toolError('related_notes is not available here (no relevance index).');
    const resolved = await resolveVisibleNote(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    const text = await readTextOrNull(path, context);
    if (text === null || context.gate.isTextExcluded(path, text)) return toolError(notFoundMessage(input.path));
    await search.ready();
    const admits = (other: string): boolean => isMarkdownPath(other) && !context.gate.isExcluded(other);
    const related = relatedNotes(search, context.vault, path, admits, input.limit ?? 10);
    if (related.length === 0) return { ...toolOk(`No related notes found for ${path}.`), sources: [path] };
    const rows = related.map((note, i) => `${i + 1}. ${note.path} — ${note.reasons.slice(0, 3).join('; ')}`);
    const listing = [`${plural(rows.length, 'note')} related to ${path}, closest first:`, ...rows].join('\n');
    // The reasons name the notes this one links to, so those count as sources too.
    const named = [path, ...related.map((note) => note.path)];
    return { ...toolOk(listing), sources: linkedSources(context.vault, named, hiddenIn(context)) };
}
