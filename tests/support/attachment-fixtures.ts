/**
 * Attachments for tests: real PDFs built with `pdf-lib` (text on every page, so PDF.js reads it back) and PNG images
 * written by hand (signature, IHDR, a deflated IDAT, IEND, each with its CRC), optionally carrying a text chunk.
 */
import { deflateSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A PDF of `pages` pages; page N says `text(N)`. */
export async function makePdf(
    pages: number,
    text: (page: number) => string = (n) => `Page ${n}.`,
): Promise<Uint8Array> {
    const document = await PDFDocument.create();
    const font = await document.embedFont(StandardFonts.Helvetica);
    for (let n = 1; n <= pages; n++) {
        const page = document.addPage([595, 842]);
        const lines = wrap(text(n), 90);
        lines.forEach((line, index) => page.drawText(line, { x: 40, y: 800 - index * 14, size: 10, font }));
    }
    return document.save();
}

/** A `width` × `height` PNG of one colour; `note` goes in a tEXt chunk. */
export function makePng(
    width: number,
    height: number,
    rgb: [number, number, number] = [200, 40, 40],
    note?: string,
): Uint8Array {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // truecolour
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
    const raw = Buffer.concat(Array.from({ length: height }, () => row));
    const chunks = [chunk('IHDR', header)];
    if (note !== undefined) chunks.push(chunk('tEXt', Buffer.from(`Comment\u0000${note}`, 'latin1')));
    chunks.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)));
    return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]));
}

function chunk(type: string, data: Buffer): Buffer {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length, 0);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body), 0);
    return Buffer.concat([length, body, crc]);
}

function crc32(bytes: Buffer): number {
    let crc = 0xffffffff;
    for (const byte of bytes) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    return (crc ^ 0xffffffff) >>> 0;
}

function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
        if (line !== '' && line.length + word.length + 1 > width) {
            lines.push(line);
            line = '';
        }
        line = line === '' ? word : `${line} ${word}`;
    }
    if (line !== '') lines.push(line);
    return lines;
}
