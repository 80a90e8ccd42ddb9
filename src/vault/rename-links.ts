/**
 * Link updates after a rename, for vaults where no host does it (FsVault; Obsidian's FileManager does its own).
 * Pure: plans rewrites from the index before the move, then applies them to each note's text line by line, so
 * only the link text changes and every other byte (CRLF, BOM, code blocks) stays as it was.
 */
import { fileNameOf } from '../kernel/path-policy';
import { isMarkdownPath } from '../kernel/vault-port';
import type { NoteMetadata } from '../kernel/vault-port';

/** What planning needs from the index. */
export interface LinkGraph {
    /** Paths of notes that link to or embed `path`. */
    backlinks(path: string): readonly string[];
    /** Parsed metadata of a note. */
    metadata(path: string): NoteMetadata | undefined;
    /** Where a link from `sourcePath` points. */
    resolveLink(linkpath: string, sourcePath: string): string | null;
    /** Every indexed path. */
    paths(): string[];
}

/** One wikilink to rewrite: on `line`, each `original` becomes `replacement`. */
export interface LinkRewrite {
    /** Zero-based line of the link. */
    line: number;
    /** The link as written, e.g. `![[Old#Heading|alias]]`. */
    original: string;
    /** The same link pointing at the new path. */
    replacement: string;
}

/**
 * For every note whose wikilinks or embeds resolve to `from`, the rewrites that make them point at `to`. Heading and
 * block subpaths, aliases and the embed `!` are kept; Markdown links (`[x](old.md)`) are left alone.
 */
export function planLinkRewrites(graph: LinkGraph, from: string, to: string): Map<string, LinkRewrite[]> {
    const plan = new Map<string, LinkRewrite[]>();
    const linkText = shortestLinkText(graph, from, to);
    for (const source of graph.backlinks(from)) {
        const metadata = graph.metadata(source);
        if (metadata === undefined) continue;
        const rewrites = [...metadata.links, ...metadata.embeds]
            .filter((ref) => /^!?\[\[/u.test(ref.original) && graph.resolveLink(ref.link, source) === from)
            .map((ref) => ({ line: ref.line, original: ref.original, replacement: retarget(ref.original, linkText) }))
            .filter((rewrite) => rewrite.replacement !== rewrite.original);
        if (rewrites.length > 0) plan.set(source, rewrites);
    }
    return plan;
}

/** Applies planned rewrites to a note's text; a link no longer on its line (the note changed) is left as is. */
export function applyLinkRewrites(text: string, rewrites: LinkRewrite[]): string {
    const lines = text.split('\n');
    for (const { line, original, replacement } of rewrites) {
        const current = lines[line];
        if (current !== undefined) lines[line] = current.split(original).join(replacement);
    }
    return lines.join('\n');
}

/** `[[Old#H|alias]]` → `[[New#H|alias]]`; a table-escaped `\|` stays escaped. */
function retarget(original: string, linkText: string): string {
    const open = original.startsWith('!') ? '![[' : '[[';
    const inner = original.slice(open.length, -2);
    const cut = inner.search(/\\\||[#|]/u);
    return `${open}${linkText}${cut < 0 ? '' : inner.slice(cut)}]]`;
}

/** The bare name when no other file shares it (Obsidian's shortest form), the full path otherwise. */
function shortestLinkText(graph: LinkGraph, from: string, to: string): string {
    const full = withoutNoteExtension(to);
    const name = fileNameOf(full).toLowerCase();
    const clash = graph
        .paths()
        .some((path) => path !== from && path !== to && fileNameOf(withoutNoteExtension(path)).toLowerCase() === name);
    return clash ? full : fileNameOf(full);
}

function withoutNoteExtension(path: string): string {
    return isMarkdownPath(path) ? path.slice(0, -3) : path;
}
