/**
 * `note_links`: where a note points and what points at it. Links to excluded notes and backlinks from excluded notes
 * are dropped without a trace (no name, no count), so the link graph never reveals a private note
 * (docs/RELIABILITY.md row 12).
 */
import { isHiddenLink } from '../../context/hidden-links';
import type { LinkReference } from '../../kernel/vault-port';
import { boundedList, plural } from './bounded';
import { defineTool, toolError, toolOk } from './define-tool';
import { notFoundMessage, resolveVisibleNote } from './note-paths';
import type { Tool, ToolContext, ToolResult } from './tool';
import { hiddenIn, linkedSources } from './tool-sources';

/** `note_links` input. */
interface NoteLinksInput {
    /** The note. */
    path: string;
}

/** `note_links`: outgoing links and embeds with their resolved targets, and backlinks. */
export const noteLinksTool: Tool = defineTool<NoteLinksInput>(
    {
        name: 'note_links',
        description:
            'Show the links and embeds in a note, each with the note it resolves to (or "unresolved"), and the ' +
            'notes that link to it (backlinks).',
        inputSchema: {
            type: 'object',
            properties: {
                path: {
                    type: 'string',
                    minLength: 1,
                    description: 'Vault-relative path of the note, e.g. "Projects/Plan.md".',
                },
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
    const backlinks = [...new Set(context.vault.backlinks(path))]
        .filter((source) => source !== path && !context.gate.isExcluded(source))
        .sort();

    const rows: string[] = [];
    rows.push(links.length === 0 ? 'Links: none.' : `Links (${links.length}):`, ...links);
    rows.push(embeds.length === 0 ? 'Embeds: none.' : `Embeds (${embeds.length}):`, ...embeds);
    rows.push(backlinks.length === 0 ? 'Backlinks: none.' : `Backlinks (${backlinks.length}):`, ...backlinks);
    const text = boundedList(`Links of ${path}:`, rows, (rest) => `[… ${plural(rest, 'more line')} not shown]`);
    const linked = linkedSources(context.vault, [path], hiddenIn(context));
    return { ...toolOk(text), sources: [...new Set([...linked, ...backlinks])].sort() };
}

/** One row per link whose target is visible or does not exist; links to excluded notes are left out entirely. */
function visibleLinks(references: LinkReference[], source: string, context: ToolContext): string[] {
    const rows: string[] = [];
    for (const reference of references) {
        // `[[#Heading]]` points into the note itself.
        if (isHiddenLink(reference, source, context)) continue;
        const target = reference.link === '' ? source : context.vault.resolveLink(reference.link, source);
        const where = target === null ? 'unresolved' : `${target}${reference.subpath}`;
        rows.push(`${reference.line + 1}\t${reference.original} → ${where}`);
    }
    return rows;
}
