/**
 * Attachments for tests: real PDFs built with `pdf-lib` (text on every page, so PDF.js reads it back), PDFs written by
 * hand with uncompressed content streams (the text of each page literally in the file's bytes, so a scan of the bytes
 * finds it), and PNG images written by hand (signature, IHDR, a deflated IDAT, IEND, each with its CRC), optionally
 * carrying a text chunk.
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

/**
 * A PDF written by hand, one page per entry of `pages`, each page's text drawn in Helvetica by an UNcompressed content
 * stream: the text stands literally in the file (`(text) Tj`), where a scan of the bytes sees it, and PDF.js reads it
 * back as the page's text. Cross-reference table with exact offsets, so strict readers open it too.
 */
export function makeRawPdf(pages: readonly string[]): Uint8Array {
    const objects: string[] = [];
    const pageIds = pages.map((_, i) => 4 + i * 2);
    objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
    objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
    objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
    pages.forEach((text, i) => {
        const id = pageIds[i] as number;
        const lines = wrap(text, 90).map((line, n) => `1 0 0 1 40 ${800 - n * 14} Tm (${pdfString(line)}) Tj`);
        const stream = `BT /F1 10 Tf\n${lines.join('\n')}\nET`;
        objects[id] =
            '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] ' +
            `/Resources << /Font << /F1 3 0 R >> >> /Contents ${id + 1} 0 R >>`;
        objects[id + 1] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`;
    });
    let out = '%PDF-1.4\n';
    const offsets: number[] = [];
    for (let id = 1; id < objects.length; id++) {
        offsets[id] = Buffer.byteLength(out, 'latin1');
        out += `${id} 0 obj\n${objects[id] ?? ''}\nendobj\n`;
    }
    const xref = Buffer.byteLength(out, 'latin1');
    out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
    for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
    out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    return new Uint8Array(Buffer.from(out, 'latin1'));
}

/** A PDF literal string's body: backslashes and parentheses escaped. */
function pdfString(text: string): string {
    return text.replace(/[\\()]/g, (c) => `\\${c}`);
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
