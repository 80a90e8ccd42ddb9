/**
 * Notes related to one note: the notes it links to and those linking to it, notes that link to the same notes, notes
 * sharing its tags, and notes whose names, headings and tags share its words (through the relevance index). Each
 * related note says why, so the person or the model can judge the suggestion.
 */
import type { VaultPort } from '../kernel/vault-port';
import { noteTitle } from './note-document';
import type { NoteSearch } from './note-search';

/** A related note and why. */
export interface RelatedNote {
    /** The vault path. */
    path: string;
    /** Higher is closer. */
    score: number;
    /** Short reasons, strongest first ("links here", "shares #garden"). */
    reasons: string[];
}

/** Targets and tags shared by more notes than this say little about any one pair. */
const MAX_FAN = 200;
/** Most outgoing links looked through. */
const MAX_TARGETS = 50;

/**
 * The notes most related to `path`, best first; only notes `admits` lets through, never `path` itself. Synchronous:
 * the index must be current (`NoteSearch.ready`).
 */
export function relatedNotes(
    search: NoteSearch,
    vault: VaultPort,
    path: string,
    admits: (path: string) => boolean,
    limit = 10,
): RelatedNote[] {
    const found = new Map<string, { score: number; reasons: [number, string][] }>();
    const credit = (other: string, score: number, reason: string): void => {
        if (other === path || !admits(other)) return;
        let entry = found.get(other);
        if (entry === undefined) found.set(other, (entry = { score: 0, reasons: [] }));
        entry.score += score;
        if (!entry.reasons.some(([, text]) => text === reason)) entry.reasons.push([score, reason]);
    };

    const metadata = vault.metadata(path);
    const targets = new Set<string>();
    for (const reference of [...(metadata?.links ?? []), ...(metadata?.embeds ?? [])]) {
        if (reference.link === '' || targets.size >= MAX_TARGETS) continue;
        const target = vault.resolveLink(reference.link, path);
        if (target !== null && target !== path) targets.add(target);
    }
    for (const target of targets) credit(target, 3, 'linked from this note');
    for (const source of vault.backlinks(path)) credit(source, 3, 'links to this note');
    for (const target of targets) {
        if (!admits(target)) continue;
        const citing = vault.backlinks(target);
        if (citing.length > MAX_FAN) continue;
        const weight = 1 / Math.log2(2 + citing.length);
        for (const source of citing) credit(source, weight, `also links to ${noteTitle(target)}`);
    }
    for (const tag of search.tagsOf(path)) {
        const tagged = search.notesTagged(tag);
        if (tagged.size > MAX_FAN) continue;
        const weight = 2 / Math.log2(2 + tagged.size);
        for (const other of tagged) credit(other, weight, `shares #${tag}`);
    }
    const words = [
        noteTitle(path),
        ...(metadata?.aliases ?? []),
        ...(metadata?.headings.map((heading) => heading.heading) ?? []),
        ...search.tagsOf(path),
    ].join(' ');
    const similar = search.rank(words, { admits: (other) => other !== path && admits(other) }).slice(0, 20);
    const best = similar[0]?.score ?? 0;
    for (const result of similar) {
        if (best > 0) credit(result.path, (2 * result.score) / best, 'similar words');
    }

    return [...found]
        .map(([other, entry]) => ({
            path: other,
            score: entry.score,
            reasons: entry.reasons.sort((a, b) => b[0] - a[0]).map(([, reason]) => reason),
        }))
        .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .slice(0, Math.max(0, limit));
}
