/**
 * What an attachment is and what the Messages API accepts of it: the kinds the model can read (PDFs and images), the
 * API's documented limits (PDF pages and request size, image bytes and dimensions), image dimensions read from the
 * file's header, and base64 without Node's `Buffer` (the plugin runs on mobile too).
 */

/** A kind of attachment the model can read. */
export type AttachmentKind = 'pdf' | 'image';

/** The image types the API reads, by extension. */
const IMAGE_TYPES: Readonly<Record<string, ImageMediaType>> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
};

/** An image media type the API reads. */
export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/**
 * The API's documented limits. A PDF request may carry at most 100 pages and 32 MB in all (base64 grows a file by a
 * third, and the rest of the request needs room, so one PDF gets at most 20 MB); an image at most 5 MB of base64 and
 * 8000 px a side (2000 px when a request carries more than 20 images), and a request at most 100 images.
 */
export const API_LIMITS = Object.freeze({
    pdfPagesPerRequest: 100,
    pdfBytes: 20 * 1024 * 1024,
    imageBase64Bytes: 5 * 1024 * 1024,
    imageSide: 8000,
    imageSideMany: 2000,
    manyImages: 20,
    imagesPerRequest: 100,
});

/**
 * Tokens one PDF page costs the model when sent as a document: the API reads each page both as text and as an image
 * (1,500 to 3,000 tokens a page by its own estimate); this is the middle, for budgeting.
 */
export const PDF_PAGE_TOKENS = 2_000;

/** The API scales an image down to about 1.15 megapixels; tokens are about width × height / 750. */
const IMAGE_TOKEN_PIXELS = 750;
const IMAGE_MAX_TOKENS = 1_600;

/** The kind of the file at `path`, or `null` when the model cannot read it as an attachment. */
export function attachmentKindOf(path: string): AttachmentKind | null {
    const extension = extensionOf(path);
    if (extension === 'pdf') return 'pdf';
    return IMAGE_TYPES[extension] !== undefined ? 'image' : null;
}

/** The media type of an image file, by its extension. */
export function imageMediaType(path: string): ImageMediaType | null {
    return IMAGE_TYPES[extensionOf(path)] ?? null;
}

/** Estimated input tokens of an image of `width` × `height` pixels. */
export function imageTokens(width: number, height: number): number {
    return Math.min(IMAGE_MAX_TOKENS, Math.max(1, Math.ceil((width * height) / IMAGE_TOKEN_PIXELS)));
}

/** An image's size in pixels, read from its header; `null` when the bytes are not an image of `type`. */
export function imageSize(bytes: Uint8Array, type: ImageMediaType): { width: number; height: number } | null {
    switch (type) {
        case 'image/png':
            return pngSize(bytes);
        case 'image/gif':
            return bytes.length >= 10 && ascii(bytes, 0, 3) === 'GIF'
                ? { width: u16le(bytes, 6), height: u16le(bytes, 8) }
                : null;
        case 'image/jpeg':
            return jpegSize(bytes);
        case 'image/webp':
            return webpSize(bytes);
    }
}

/** Whether `bytes` start like a PDF file. */
export function looksLikePdf(bytes: Uint8Array): boolean {
    return bytes.length >= 5 && ascii(bytes, 0, 5) === '%PDF-';
}

/** Base64 of `bytes`, in chunks so a large file does not overflow the call stack. */
export function toBase64(bytes: Uint8Array): string {
    const parts: string[] = [];
    const chunk = 0x8000;
    for (let i = 0; i < bytes.length; i += chunk) {
        parts.push(String.fromCharCode(...bytes.subarray(i, i + chunk)));
    }
    return btoa(parts.join(''));
}

/** Bytes of PDF per page assumed when only the size is known (for estimates: about 2,000 tokens a page). */
const PDF_BYTES_PER_PAGE = 50_000;

/**
 * Estimated tokens of a base64 `source` (a document's or an image's) from its size alone: a PDF by its assumed
 * pages, an image at the most an image may cost. `null` for anything else.
 */
export function base64SourceTokens(source: unknown): number | null {
    if (typeof source !== 'object' || source === null) return null;
    const { type, media_type: mediaType, data } = source as Record<string, unknown>;
    if (type !== 'base64' || typeof data !== 'string') return null;
    if (mediaType === 'application/pdf') {
        return Math.max(1, Math.ceil((data.length * 0.75) / PDF_BYTES_PER_PAGE)) * PDF_PAGE_TOKENS;
    }
    return typeof mediaType === 'string' && mediaType.startsWith('image/') ? IMAGE_MAX_TOKENS : null;
}

/**
 * `JSON.stringify` of content blocks for a character-count estimate, with every base64 file left out, and the tokens
 * those files take added separately.
 */
export function stringifyWithoutMedia(value: unknown): { json: string; mediaTokens: number } {
    let mediaTokens = 0;
    const json = JSON.stringify(value, (_key, inner: unknown) => {
        const tokens = base64SourceTokens(inner);
        if (tokens === null) return inner;
        mediaTokens += tokens;
        return { type: 'base64' };
    });
    return { json: json ?? '', mediaTokens };
}

/** "1.4 MB", "820 KB". */
export function describeBytes(bytes: number): string {
    if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function extensionOf(path: string): string {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (bytes.length < 24 || signature.some((byte, i) => bytes[i] !== byte)) return null;
    if (ascii(bytes, 12, 4) !== 'IHDR') return null;
    return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
}

/** The frame header (SOF0–SOF15, not DHT, JPG or DAC) gives the size. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
    let at = 2;
    while (at + 9 < bytes.length) {
        if (bytes[at] !== 0xff) return null;
        const marker = bytes[at + 1] ?? 0;
        if (marker === 0xff) {
            at++;
            continue;
        }
        const length = u16be(bytes, at + 2);
        const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
        if (isFrame) return { width: u16be(bytes, at + 7), height: u16be(bytes, at + 5) };
        at += 2 + length;
    }
    return null;
}

function webpSize(bytes: Uint8Array): { width: number; height: number } | null {
    if (bytes.length < 30 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WEBP') return null;
    const chunk = ascii(bytes, 12, 4);
    if (chunk === 'VP8X') return { width: 1 + u24le(bytes, 24), height: 1 + u24le(bytes, 27) };
    if (chunk === 'VP8L') {
        const b = (i: number): number => bytes[21 + i] ?? 0;
        return {
            width: 1 + (b(0) | ((b(1) & 0x3f) << 8)),
            height: 1 + ((b(1) >> 6) | (b(2) << 2) | ((b(3) & 0x0f) << 10)),
        };
    }
    if (chunk === 'VP8 ') return { width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff };
    return null;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
    return String.fromCharCode(...bytes.subarray(at, at + length));
}

function u16le(bytes: Uint8Array, at: number): number {
    return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

function u24le(bytes: Uint8Array, at: number): number {
    return u16le(bytes, at) | ((bytes[at + 2] ?? 0) << 16);
}

function u16be(bytes: Uint8Array, at: number): number {
    return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32be(bytes: Uint8Array, at: number): number {
    return (u16be(bytes, at) * 0x10000 + u16be(bytes, at + 2)) >>> 0;
}
