/**
 * `note_links`: where a note points and what points at it. Links to excluded notes and backlinks from excluded notes
 * are dropped without a trace (no name, no count), so the link graph never reveals a private note
 * (docs/RELIABILITY.md row 12).
 */
import { isHiddenLink } from '../../context/hidden-links';
import type { LinkReference } from '../../kernel/vault-port';
import { frontmatterLinks } from '../../vault/frontmatter';
import { wikilinkReference } from '../../vault/links';
import { plural } from './bounded';
import { defineTool, toolError, toolOk } from './define-tool';
import { notFoundMessage, resolveVisibleNote } from './note-paths';
import { OFFSET_PROPERTY, pageOf } from './paging';
import type { Tool, ToolContext, ToolResult } from './tool';
import { hiddenIn, linkedSources } from './tool-sources';

/** `note_links` input. */
interface NoteLinksInput {
    /** The note. */
    path: string;
    /** Lines to skip (paging). */
    offset?: number;
}

/** `note_links`: outgoing links and embeds with their resolved targets, and backlinks. */
export const noteLinksTool: Tool = defineTool<NoteLinksInput>(
    {
        name: 'note_links',
        description:
            'Show the links and embeds in a note (in its text and in its properties), each with the note it ' +
            'resolves to (or "unresolved"), and the notes that link to it (backlinks). A long answer comes in ' +
            'pages: the result gives the counts and ends "N more — call again with offset=K" while lines are left.',
        inputSchema: {
            type: 'object',
            properties: {
                path: {
                    type: 'string',
                    minLength: 1,
                    description: 'Vault-relative path of the note, e.g. "Projects/Plan.md".',
                },
                offset: OFFSET_PROPERTY,
            },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    noteLinks,
);

/** The tools of this file. */
export function linkTools(): Tool[] {
    return [noteLinksTool];
}

async function noteLinks(input: NoteLinksInput, context: ToolContext): Promise<ToolResult> {
    const resolved = await resolveVisibleNote(input.path, context);
    if (!resolved.ok) return resolved.result;
    const path = resolved.path;
    const metadata = context.vault.metadata(path);
    if (metadata === undefined) return toolError(notFoundMessage(input.path));

    const links = visibleLinks(metadata.links, path, context);
    const embeds = visibleLinks(metadata.embeds, path, context);
    // Obsidian counts links in properties (`related: "[[Note]]"`) among a note's links, and its backlinks count them.
    const properties = visibleLinks(
        frontmatterLinks(metadata.frontmatter).map(({ key, inner, original }) => ({
            ...wikilinkReference(inner, original, 0),
            key,
        })),
        path,
        context,
    );
    const backlinks = [...new Set(context.vault.backlinks(path))]
        .filter((source) => source !== path && !context.gate.isExcluded(source))
        .sort();

    // One list of lines, each section under its heading; a page that starts inside a section repeats its heading.
    const rows: string[] = [];
    const headings: [number, string][] = [];
    const section = (name: string, entries: string[]): void => {
        const heading = entries.length === 0 ? `${name}: none.` : `${name} (${entries.length}):`;
        headings.push([rows.length, `${name} (${entries.length}), continued:`]);
        rows.push(heading, ...entries);
    };
    section('Links', links);
    section('Embeds', embeds);
    if (properties.length > 0) section('Property links', properties);
    section('Backlinks', backlinks);
    const counts = [
        plural(links.length, 'link'),
        plural(embeds.length, 'embed'),
        ...(properties.length > 0 ? [plural(properties.length, 'property link')] : []),
        plural(backlinks.length, 'backlink'),
    ].join(', ');
    const page = pageOf(rows, input.offset, {
        header: (span) => {
            const base = `Links of ${path} (${counts})${span.from > 1 || span.to < span.total ? `, lines ${span.from}–${span.to} of ${span.total}` : ''}:`;
            const start = span.from - 1;
            if (start <= 0 || start >= span.total || headings.some(([at]) => at === start)) return base;
            const within = [...headings].reverse().find(([at]) => at < start);
            return within === undefined ? base : `${base}\n${within[1]}`;
        },
        noun: 'line',
    });
    const shown = new Set(rows.slice(page.start, page.end));
    const linked = linkedSources(context.vault, [path], hiddenIn(context));
    const shownBacklinks = backlinks.filter((source) => shown.has(source));
    return { ...toolOk(page.text), sources: [...new Set([...linked, ...shownBacklinks])].sort() };
}

/**
 * One row per link whose target is visible or does not exist, led by its line (or, for a property link, its property);
 * links to excluded notes are left out entirely.
 */
function visibleLinks(
    references: (LinkReference & { key?: string })[],
    source: string,
    context: ToolContext,
): string[] {
    const rows: string[] = [];
    for (const reference of references) {
        // `[[#Heading]]` points into the note itself.
        if (isHiddenLink(reference, source, context)) continue;
        const target = reference.link === '' ? source : context.vault.resolveLink(reference.link, source);
        const where = target === null ? 'unresolved' : `${target}${reference.subpath}`;
        const at = reference.key === undefined ? String(reference.line + 1) : `${reference.key}:`;
        rows.push(`${at}\t${reference.original} → ${where}`);
    }
    return rows;
}
