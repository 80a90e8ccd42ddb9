/**
 * Gathers one turn's citations as its answer streams: each kept text block's citations with the documents of the
 * request that produced them (plus the pages fetched in the same response), then resolves, verifies and falls back.
 */
import type { ExclusionGate } from '../../context/exclusions';
import type { VaultPort } from '../../kernel/vault-port';
import type { StreamedBlock } from '../loop/stream-turn';
import {
    noteLevelSources,
    resolveCitations,
    verifyPassages,
    type AnswerSources,
    type RawCitation,
} from './answer-sources';
import { requestDocuments, type RequestDocument } from './documents';

/** One turn's citations. */
export class CitationCollector {
    private documents: RequestDocument[] = [];
    private readonly raw: RawCitation[] = [];
    private readonly given = new Set<string>();
    private readonly pages = new Map<string, string>();

    /** A request is about to go: its documents are what the next response's citations point into. */
    request(messages: readonly { content: unknown }[]): void {
        this.documents = requestDocuments(messages);
        for (const document of this.documents) {
            if (document.path !== null) this.given.add(document.path);
            if (document.url !== null) this.pages.set(document.url, document.text);
        }
    }

    /** Blocks of the response that are kept: their citations are recorded. */
    response(blocks: readonly StreamedBlock[]): void {
        const fetched = requestDocuments([{ content: blocks.flatMap((b) => (b.type === 'other' ? [b.block] : [])) }]);
        for (const page of fetched) if (page.url !== null) this.pages.set(page.url, page.text);
        const documents = [
            ...this.documents,
            ...fetched.map((page, i) => ({ ...page, index: this.documents.length + i })),
        ];
        for (const block of blocks) {
            if (block.type !== 'text') continue;
            for (const citation of block.citations ?? []) this.raw.push({ citation, documents });
        }
    }

    /**
     * The turn's sources: its cited passages checked against the sources now; with no citations, the notes it was
     * given and read (said so); `undefined` when the answer rested on no notes at all.
     */
    async finish(source: {
        vault: VaultPort;
        gate: ExclusionGate;
        read: readonly string[];
    }): Promise<AnswerSources | undefined> {
        const passages = resolveCitations(this.raw);
        if (passages.length > 0) {
            const checked = await verifyPassages(passages, { ...source, pages: this.pages });
            return { passages: checked, notes: [] };
        }
        const notes = [...this.given, ...source.read].filter((path) => !source.gate.isExcluded(path));
        return notes.length === 0 ? undefined : noteLevelSources(notes);
    }
}
