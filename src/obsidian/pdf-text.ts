/**
 * The plugin's PDF text reader: Obsidian's own PDF.js (`loadPdfJs`), so no PDF library is bundled. Desktop and mobile
 * alike.
 */
import { loadPdfJs } from 'obsidian';
import type { PdfTextReader } from '../context/attachments';
import { pdfJsText, type PdfJsDocument } from '../context/pdf-js-text';

/** The part of PDF.js's module used here. */
interface PdfJsModule {
    getDocument(source: { data: Uint8Array; isEvalSupported?: boolean }): { promise: Promise<PdfJsDocument> };
}

/** Reads PDFs' text with the PDF.js Obsidian ships, loaded on first use. */
export const obsidianPdfTextReader: PdfTextReader = {
    async open(bytes: Uint8Array) {
        const pdfjs = (await loadPdfJs()) as PdfJsModule;
        const document = await pdfjs.getDocument({ data: bytes, isEvalSupported: false }).promise;
        return pdfJsText(document);
    },
};
