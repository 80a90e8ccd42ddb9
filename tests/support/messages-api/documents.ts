/**
 * PDFs and images in requests, as the Messages API documents them: `document` blocks (a base64 PDF, plain text, or
 * custom content) and `image` blocks (base64 png, jpeg, gif or webp), at the top of a user message or inside a
 * `tool_result`. Checks the documented limits (100 PDF pages and 32 MB per request, 5 MB of base64 and 8000 px a side
 * per image) and answers 400 like the API; an endpoint configured without documents rejects every `document` block,
 * as many compatible local servers do. Also counts what a PDF or image costs in input tokens, for the prompt cache.
 */
import { PDFDocument } from 'pdf-lib';
import { isRecord } from './http';

/** Input tokens the API charges per PDF page (text and page image), by its own estimate of 1,500–3,000. */
export const PDF_PAGE_TOKENS = 1_800;
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const MAX_PDF_PAGES = 100;
const MAX_REQUEST_BYTES = 32 * 1024 * 1024;
const MAX_IMAGE_BASE64 = 5 * 1024 * 1024;
const MAX_IMAGE_SIDE = 8000;

/** Tokens of base64 sources seen so far, by their data (filled while checking, read while accounting). */
const sourceTokens = new Map<string, number>();

/** What a document or image recorded in a request looked like. */
export interface SentMedia {
    /** `document` or `image`. */
    type: 'document' | 'image';
    /** Where it was: `message` (top level of a user message) or `tool_result`. */
    where: 'message' | 'tool_result';
    /** The source type: `base64`, `text` or `content`. */
    sourceType: string;
    /** The media type of a base64 source. */
    mediaType?: string;
    /** PDF pages of a base64 PDF. */
    pages?: number;
    /** Whether the block carried `cache_control`. */
    cached: boolean;
    /** The document's title, if any. */
    title?: string;
    /** The block as sent. */
    block: Record<string, unknown>;
}

/** Every document and image block of a request body, in order. */
export function mediaBlocksOf(body: unknown): SentMedia[] {
    const out: SentMedia[] = [];
    const messages = isRecord(body) && Array.isArray(body.messages) ? body.messages : [];
    for (const message of messages) {
        if (!isRecord(message) || !Array.isArray(message.content)) continue;
        for (const block of message.content) {
            if (!isRecord(block)) continue;
            if (block.type === 'document' || block.type === 'image') out.push(describe(block, 'message'));
            if (block.type === 'tool_result' && Array.isArray(block.content)) {
                for (const inner of block.content) {
                    if (isRecord(inner) && (inner.type === 'document' || inner.type === 'image')) {
                        out.push(describe(inner, 'tool_result'));
                    }
                }
            }
        }
    }
    return out;
}

/** The API's 400 message for a request's documents and images, or `undefined` when they are acceptable. */
export async function checkMedia(body: Record<string, unknown>, documents: boolean): Promise<string | undefined> {
    let pages = 0;
    for (const media of mediaBlocksOf(body)) {
        const source = media.block.source;
        if (!isRecord(source)) return `${media.type}.source: Field required`;
        if (media.type === 'document') {
            if (!documents) return "messages: content type 'document' is not supported by this endpoint";
            if (source.type === 'content') {
                if (!Array.isArray(source.content) || source.content.length === 0) {
                    return 'document.source.content: must be a non-empty list of content blocks';
                }
                continue;
            }
            if (source.type === 'text') continue;
            if (
                source.type !== 'base64' ||
                source.media_type !== 'application/pdf' ||
                typeof source.data !== 'string'
            ) {
                return 'document.source: expected a base64 application/pdf source';
            }
            const count = await pdfPages(source.data);
            if (count === null) return 'The PDF specified was not valid.';
            sourceTokens.set(source.data, count * PDF_PAGE_TOKENS);
            pages += count;
        } else {
            if (source.type !== 'base64' || typeof source.data !== 'string') return 'image.source: expected base64';
            if (typeof source.media_type !== 'string' || !IMAGE_TYPES.has(source.media_type)) {
                return `image.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
            }
            if (source.data.length > MAX_IMAGE_BASE64) return 'image exceeds 5 MB maximum';
            const size = source.media_type === 'image/png' ? pngSize(source.data) : null;
            if (size !== null && (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE)) {
                return `image dimensions exceed max allowed size: ${MAX_IMAGE_SIDE} pixels`;
            }
            const tokens = size === null ? 1_600 : Math.min(1_600, Math.ceil((size.width * size.height) / 750));
            sourceTokens.set(source.data, tokens);
        }
    }
    if (pages > MAX_PDF_PAGES) return `A maximum of ${MAX_PDF_PAGES} PDF pages may be provided.`;
    if (JSON.stringify(body).length > MAX_REQUEST_BYTES) return 'request_too_large';
    return undefined;
}

/** Input tokens of a base64 source as the API counts them; `undefined` for one never checked. */
export function tokensOfSource(data: string): number | undefined {
    return sourceTokens.get(data);
}

async function pdfPages(base64: string): Promise<number | null> {
    try {
        const document = await PDFDocument.load(Buffer.from(base64, 'base64'), { updateMetadata: false });
        return document.getPageCount();
    } catch {
        return null;
    }
}

function pngSize(base64: string): { width: number; height: number } | null {
    const head = Buffer.from(base64.slice(0, 64), 'base64');
    if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return null;
    return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

function describe(block: Record<string, unknown>, where: SentMedia['where']): SentMedia {
    const source = isRecord(block.source) ? block.source : {};
    const media: SentMedia = {
        type: block.type as SentMedia['type'],
        where,
        sourceType: typeof source.type === 'string' ? source.type : '',
        cached: isRecord(block.cache_control),
        block,
    };
    if (typeof source.media_type === 'string') media.mediaType = source.media_type;
    if (typeof block.title === 'string') media.title = block.title;
    if (typeof source.data === 'string') {
        const tokens = sourceTokens.get(source.data);
        if (tokens !== undefined && media.mediaType === 'application/pdf') media.pages = tokens / PDF_PAGE_TOKENS;
    }
    return media;
}
