/**
 * What the chat asks the relevance index while the person works: the notes related to the focused note (the context
 * chips) and the notes ranked by content for an @-mention. Synchronous (they run per keystroke), so they answer from
 * the index as it is and let it catch up with the latest changes for the next call; both only ever name notes the
 * gate lets through at the moment of asking, so a note made private since the index last caught up is never offered.
 */
import type { ExclusionGate } from '../context/exclusions';
import { isMarkdownPath, type VaultPort } from '../kernel/vault-port';
import type { NoteSearch } from './note-search';
import { relatedNotes, type RelatedNote } from './related';

/** The visible notes closest to `path` (links, tags, words); none while `path` is hidden or not indexed yet. */
export function visibleRelated(
    search: NoteSearch,
    vault: VaultPort,
    gate: ExclusionGate,
    path: string,
    limit = 3,
): RelatedNote[] {
    void search.ready();
    if (gate.isExcluded(path) || !search.has(path)) return [];
    const admits = (other: string): boolean => isMarkdownPath(other) && !gate.isExcluded(other);
    return relatedNotes(search, vault, path, admits, limit);
}

/** The visible notes ranked by content for a mention query (typing: whole words, rare words only), best first. */
export function notesByContent(search: NoteSearch, gate: ExclusionGate, query: string, limit: number): string[] {
    void search.ready();
    return search
        .rank(query, { typing: true, admits: (path) => !gate.isExcluded(path) })
        .slice(0, limit)
        .map((note) => note.path);
}
