/**
 * The CLI's PDF text reader: `unpdf` (a maintained PDF.js build for Node). Imported only here, on Node, so the plugin
 * bundle never carries it; the plugin reads PDFs with Obsidian's own PDF.js (`obsidian/pdf-text.ts`).
 */
import type { PdfTextReader } from '../context/attachments';
import { pdfJsText } from '../context/pdf-js-text';

/** Reads PDFs' text with `unpdf`, loaded on first use. */
export const unpdfTextReader: PdfTextReader = {
    async open(bytes: Uint8Array) {
        const { getDocumentProxy } = await import('unpdf');
        const document = await getDocumentProxy(bytes, { verbosity: 0 });
        return pdfJsText(document);
    },
};
