/**
 * Citations, as the Messages API documents them: `document` blocks with `citations: { enabled: true }` in a request
 * let an answer's text blocks carry `citations` pointing into them (`char_location` for plain text, `page_location`
 * for PDFs, `content_block_location` for custom content), streamed as one `citations_delta` per citation before the
 * cited text. The helpers here find a request's documents in the API's order (every `document` block across the
 * messages, tool results included) and build citations whose indices are computed from the text actually sent, as
 * the real API's would be.
 */
import type {
    CitationCharLocation,
    CitationContentBlockLocation,
    CitationPageLocation,
    TextCitation,
} from '@anthropic-ai/sdk/resources/messages';

import type { RecordedRequest } from './types';

/** One `document` block of a request, flattened. */
export interface SentDocument {
    /** Its `document_index`: position among every document of the request. */
    index: number;
    /** The `title` it was sent with, or `null`. */
    title: string | null;
    /** `text`, `base64` (a PDF), `content` (custom content) or `url`. */
    sourceType: string;
    /** The plain text (`text` sources) or the blocks' texts (`content` sources); `''` for binary sources. */
    text: string;
    /** For custom content: each text block's text, in order. */
    blocks: string[];
    /** Whether `citations.enabled` was set. */
    citations: boolean;
    /** The `context` it was sent with, if any. */
    context: string | undefined;
}

/** Every `document` block of the request, in `document_index` order. */
export function documentsOf(request: RecordedRequest): SentDocument[] {
    const found: SentDocument[] = [];
    const visit = (value: unknown): void => {
        if (Array.isArray(value)) {
            for (const item of value) visit(item);
            return;
        }
        if (!isRecord(value)) return;
        if (value.type === 'document') {
            found.push(flatten(value, found.length));
            return;
        }
        if (value.type === 'tool_result' || value.type === 'web_fetch_result') visit(value.content);
    };
    const body = isRecord(request.body) ? request.body : {};
    const messages = Array.isArray(body.messages) ? body.messages : [];
    for (const message of messages) if (isRecord(message)) visit(message.content);
    return found;
}

/**
 * A 400 the API answers when citations are enabled on some documents of a request but not on all of them; `undefined`
 * when the request is fine.
 */
export function invalidCitationsConfig(request: RecordedRequest): string | undefined {
    const documents = documentsOf(request);
    const enabled = documents.filter((document) => document.citations).length;
    if (enabled === 0 || enabled === documents.length) return undefined;
    return 'Citations must be enabled on all or none of the documents in a request.';
}

/** Which document to cite: its title (the first match) or its `document_index`. */
export type DocumentRef = string | number;

/**
 * A `char_location` citation of `quote` in a plain-text document of the request, with the indices of its first
 * occurrence. Throws (a test-script mistake) when the document or the quote is not there.
 */
export function citeText(request: RecordedRequest, ref: DocumentRef, quote: string): CitationCharLocation {
    const document = find(request, ref);
    const start = document.text.indexOf(quote);
    if (start < 0) throw new Error(`citeText: "${quote}" is not in document ${String(ref)}`);
    return {
        type: 'char_location',
        cited_text: quote,
        document_index: document.index,
        document_title: document.title,
        start_char_index: start,
        end_char_index: start + quote.length,
        file_id: null,
    };
}

/** A `char_location` citation exactly as given: for a server that quotes what the document does not say. */
export function forgedCitation(
    request: RecordedRequest,
    ref: DocumentRef,
    quote: string,
    at = 0,
): CitationCharLocation {
    const document = find(request, ref);
    return {
        type: 'char_location',
        cited_text: quote,
        document_index: document.index,
        document_title: document.title,
        start_char_index: at,
        end_char_index: at + quote.length,
        file_id: null,
    };
}

/** A `page_location` citation of pages `start`…`end` (1-based, inclusive) of a PDF document of the request. */
export function citePages(
    request: RecordedRequest,
    ref: DocumentRef,
    quote: string,
    start: number,
    end = start,
): CitationPageLocation {
    const document = find(request, ref);
    return {
        type: 'page_location',
        cited_text: quote,
        document_index: document.index,
        document_title: document.title,
        start_page_number: start,
        end_page_number: end + 1,
        file_id: null,
    };
}

/** A `content_block_location` citation of the custom-content block that contains `quote`. */
export function citeBlock(request: RecordedRequest, ref: DocumentRef, quote: string): CitationContentBlockLocation {
    const document = find(request, ref);
    const at = document.blocks.findIndex((block) => block.includes(quote));
    if (at < 0) throw new Error(`citeBlock: no block of document ${String(ref)} holds "${quote}"`);
    return {
        type: 'content_block_location',
        cited_text: document.blocks[at] ?? '',
        document_index: document.index,
        document_title: document.title,
        start_block_index: at,
        end_block_index: at + 1,
        file_id: null,
    };
}

/** A text block with citations, for a scripted turn. */
export function citedText(
    text: string,
    citations: TextCitation[],
): { type: 'text'; text: string; citations: TextCitation[] } {
    return { type: 'text', text, citations };
}

function find(request: RecordedRequest, ref: DocumentRef): SentDocument {
    const documents = documentsOf(request);
    const document = typeof ref === 'number' ? documents[ref] : documents.find((candidate) => candidate.title === ref);
    if (document === undefined) {
        const titles = documents.map((candidate) => candidate.title).join(', ');
        throw new Error(`no document ${String(ref)} in request #${request.index} (documents: ${titles})`);
    }
    return document;
}

function flatten(block: Record<string, unknown>, index: number): SentDocument {
    const source = isRecord(block.source) ? block.source : {};
    const sourceType = typeof source.type === 'string' ? source.type : 'unknown';
    const blocks =
        sourceType === 'content' && Array.isArray(source.content)
            ? source.content.flatMap((item) => (isRecord(item) && typeof item.text === 'string' ? [item.text] : []))
            : [];
    const text = sourceType === 'text' && typeof source.data === 'string' ? source.data : blocks.join('');
    const citations = isRecord(block.citations) && block.citations.enabled === true;
    return {
        index,
        title: typeof block.title === 'string' ? block.title : null,
        sourceType,
        text,
        blocks,
        citations,
        context: typeof block.context === 'string' ? block.context : undefined,
    };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
