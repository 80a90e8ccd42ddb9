/**
 * A PDF's text through PDF.js, whichever build the host has (Obsidian's own `loadPdfJs` in the plugin, the one inside
 * `unpdf` in the CLI): the host opens the document, this reads its pages' text. Only the few calls used are typed.
 */
import type { PdfText } from './attachments';

/** The part of PDF.js's `PDFDocumentProxy` used here. */
export interface PdfJsDocument {
    /** Page count. */
    numPages: number;
    /** Page `n`, 1-based. */
    getPage(n: number): Promise<PdfJsPage>;
    /** Frees the worker's copy (older PDF.js builds). */
    destroy?(): Promise<void>;
    /** The task that loaded it, whose `destroy` frees the document (newer builds). */
    loadingTask?: { destroy(): Promise<void> };
}

/** The part of PDF.js's `PDFPageProxy` used here. */
export interface PdfJsPage {
    /** The text runs of the page. */
    getTextContent(): Promise<{ items: readonly unknown[] }>;
    /** Frees the page's resources. */
    cleanup?(): unknown;
}

/** `document`'s pages as text: runs joined, a line break where PDF.js marks the end of a line. */
export function pdfJsText(document: PdfJsDocument): PdfText {
    return {
        pageCount: document.numPages,
        async pageText(page: number): Promise<string> {
            const proxy = await document.getPage(page);
            try {
                const content = await proxy.getTextContent();
                let text = '';
                for (const item of content.items) {
                    if (typeof item !== 'object' || item === null) continue;
                    const run = item as { str?: unknown; hasEOL?: unknown };
                    if (typeof run.str === 'string') text += run.str;
                    if (run.hasEOL === true) text += '\n';
                }
                return text.replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n');
            } finally {
                proxy.cleanup?.();
            }
        },
        close: async () => {
            if (document.loadingTask !== undefined) await document.loadingTask.destroy();
            else await document.destroy?.();
        },
    };
}
