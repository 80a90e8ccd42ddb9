/**
 * The sources of an answer: each citation the API returned, resolved to where it came from (a note and the heading
 * the passage sits under, a PDF page, a web page) and checked against the source as it is now (never trust, verify).
 * Where an answer carries no citations although notes were given or read, it falls back to note-level sources and
 * says so.
 */
import type { TextCitation } from '@anthropic-ai/sdk/resources/messages';
import type { ExclusionGate } from '../../context/exclusions';
import type { VaultPort } from '../../kernel/vault-port';
import type { RequestDocument } from './documents';

/** One cited passage, resolved. */
export interface CitedPassage {
    /** `note` (a Markdown note), `file` (a vault attachment such as a PDF), `web` (a page found or fetched). */
    kind: 'note' | 'file' | 'web';
    /** The vault path, for notes and files. */
    path?: string;
    /** The address, for web pages. */
    url?: string;
    /** The page's or document's title, where known. */
    title?: string;
    /** The heading the passage sits under, where known (notes). */
    heading?: string;
    /** The first page cited (PDFs), 1-based. */
    page?: number;
    /** The block id the person gave the passage's block (chat only): the link points at it. */
    block?: string;
    /** The passage as the API quoted it. */
    quote: string;
    /**
     * Whether the quote is in the source now: `true` (found), `false` (not found: flagged to the person), `null`
     * (could not be checked: a PDF's pages, a search result's snippet, a note that is excluded now).
     */
    verified: boolean | null;
}

/** What an answer rests on. */
export interface AnswerSources {
    /** The cited passages, in the order the answer cites them, each passage once. */
    passages: CitedPassage[];
    /** Note-level sources (the fallback): notes given or read, when the answer carried no citations. */
    notes: string[];
    /** One sentence for the person when the answer fell back to note-level sources; absent otherwise. */
    fallback?: string;
}

/** A citation as it arrived, with the documents of the request that produced it. */
export interface RawCitation {
    /** The citation. */
    citation: TextCitation;
    /** The documents of that request, in `document_index` order. */
    documents: readonly RequestDocument[];
}

/** The sentence shown when an answer came without citations. */
export const NO_CITATIONS_NOTE =
    'The endpoint returned no citations for this answer; these are the notes it was given or read, not the ' +
    'passages it used.';

/** Resolves citations to passages (deduplicated, in order), unverified (`verified: null`) for now. */
export function resolveCitations(raw: readonly RawCitation[]): CitedPassage[] {
    const passages: CitedPassage[] = [];
    const seen = new Set<string>();
    for (const { citation, documents } of raw) {
        const passage = resolveOne(citation, documents);
        if (passage === null) continue;
        const key = JSON.stringify([passage.path ?? passage.url, passage.heading, passage.page, passage.quote]);
        if (seen.has(key)) continue;
        seen.add(key);
        passages.push(passage);
    }
    return passages;
}

function resolveOne(citation: TextCitation, documents: readonly RequestDocument[]): CitedPassage | null {
    const quote = citation.cited_text.trim();
    switch (citation.type) {
        case 'web_search_result_location':
            return { kind: 'web', url: citation.url, ...titled(citation.title), quote, verified: null };
        case 'search_result_location':
            return { kind: 'web', url: citation.source, ...titled(citation.title), quote, verified: null };
        default:
            break;
    }
    const document = documents[citation.document_index] ?? documents.find((d) => d.title === citation.document_title);
    if (document === undefined) return null;
    if (document.url !== null)
        return { kind: 'web', url: document.url, ...titled(document.title), quote, verified: null };
    if (document.path === null) return null;
    const kind = /\.md$/iu.test(document.path) ? 'note' : 'file';
    const passage: CitedPassage = { kind, path: document.path, quote, verified: null };
    if (citation.type === 'page_location') passage.page = citation.start_page_number;
    else if (citation.type === 'char_location') {
        const heading = headingAt(document.text, citation.start_char_index);
        if (heading !== null) passage.heading = heading;
    } else if (citation.type === 'content_block_location') {
        const before = document.blocks.slice(0, citation.start_block_index + 1).join('');
        const heading = headingAt(before, before.length);
        if (heading !== null) passage.heading = heading;
    }
    return passage;
}

function titled(title: string | null): { title?: string } {
    return title === null || title === '' ? {} : { title };
}

/** The text of the last Markdown heading that starts before `offset` (outside code fences), or `null`. */
export function headingAt(text: string, offset: number): string | null {
    let heading: string | null = null;
    let fence: string | null = null;
    let at = 0;
    for (const line of text.split('\n')) {
        if (at > offset) break;
        const marker = /^ {0,3}(`{3,}|~{3,})/u.exec(line)?.[1];
        if (marker !== undefined) {
            if (fence === null) fence = marker;
            else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
        } else if (fence === null) {
            const match = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/u.exec(line);
            if (match?.[1] !== undefined && match[1] !== '') heading = match[1];
        }
        at += line.length + 1;
    }
    return heading;
}

/**
 * Checks every note passage against the note as it is now: `verified` is true when the quote (whitespace collapsed)
 * is in the note's text, false when it is not. A note excluded now is not read (`null`), nor are PDFs. A web passage
 * is checked against the fetched page's text where the request carried it.
 */
export async function verifyPassages(
    passages: readonly CitedPassage[],
    source: { vault: VaultPort; gate: ExclusionGate; pages?: ReadonlyMap<string, string> },
): Promise<CitedPassage[]> {
    const texts = new Map<string, string | null>();
    const textOf = async (path: string): Promise<string | null> => {
        if (texts.has(path)) return texts.get(path) ?? null;
        let text: string | null = null;
        if (!source.gate.isExcluded(path)) {
            try {
                text = await source.vault.read(path);
            } catch {
                text = null;
            }
        }
        texts.set(path, text);
        return text;
    };
    const checked: CitedPassage[] = [];
    for (const passage of passages) {
        let haystack: string | null = null;
        if (passage.kind === 'note' && passage.path !== undefined) haystack = await textOf(passage.path);
        else if (passage.kind === 'web' && passage.url !== undefined) haystack = source.pages?.get(passage.url) ?? null;
        const verified = haystack === null ? null : collapse(haystack).includes(collapse(passage.quote));
        checked.push({ ...passage, verified });
    }
    return checked;
}

function collapse(text: string): string {
    return text.replace(/\s+/gu, ' ').trim();
}

/** The wikilink a passage points to: `[[Note#Heading]]`, `[[paper.pdf#page=3]]`, or a web page's Markdown link. */
export function passageLink(passage: CitedPassage): string {
    if (passage.kind === 'web') {
        const label = (passage.title ?? passage.url ?? '').replace(/[[\]]/gu, '');
        return `[${label}](<${passage.url ?? ''}>)`;
    }
    return `[[${passageLinktext(passage)}]]`;
}

/** What goes between `[[` and `]]` for a vault passage: path without `.md`, then `#^block`, `#Heading` or `#page=N`. */
export function passageLinktext(passage: CitedPassage): string {
    const target = (passage.path ?? '').replace(/\.md$/iu, '');
    if (passage.block !== undefined) return `${target}#^${passage.block}`;
    if (passage.page !== undefined) return `${target}#page=${passage.page}`;
    if (passage.heading !== undefined) return `${target}#${linkHeading(passage.heading)}`;
    return target;
}

/** A heading as a link subpath: the characters a wikilink cannot hold become spaces. */
function linkHeading(heading: string): string {
    return heading
        .replace(/[[\]|#^]/gu, ' ')
        .replace(/\s+/gu, ' ')
        .trim();
}

/** The note-level fallback: what was given or read, deduplicated, with the sentence that says so. */
export function noteLevelSources(notes: readonly string[]): AnswerSources {
    const unique = [...new Set(notes)];
    return unique.length === 0
        ? { passages: [], notes: [] }
        : { passages: [], notes: unique, fallback: NO_CITATIONS_NOTE };
}
