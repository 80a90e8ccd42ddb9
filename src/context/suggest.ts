/**
 * Mention suggestions for the chat input: notes by name, path and alias, folders and tags, fuzzy-ranked, recently
 * opened notes first; with a content ranking (the relevance index), notes whose headings, tags or text hold the words
 * typed rank too, and a name match that is also a content match ranks higher. Excluded notes are never suggested,
 * nor a folder or tag that only excluded notes carry.
 *
 * Built for every keystroke on a 20,000-note vault: keys are lowercased once and kept current from vault events;
 * a character mask rejects most candidates before any scoring; a query that extends the previous one only rescans
 * the previous matches; the best `limit` are kept in a small sorted array.
 */
import type { ExclusionGate } from './exclusions';
import { charMask, fuzzyScore, NO_MATCH } from './fuzzy';
import { isMarkdownPath, type VaultChange, type VaultPort } from '../kernel/vault-port';

/** One suggestion. */
export interface MentionSuggestion {
    /** What it names. */
    kind: 'note' | 'folder' | 'tag';
    /** What the person sees: the note's name, the folder path with `/`, the tag with `#`. */
    label: string;
    /** For a note its path; for a folder or tag how many visible notes carry it. */
    detail: string;
    /** The mention text to insert, e.g. `@[[Note]]`, `@[[Folder/]]`, `@#tag`. */
    insert: string;
    /** Ranking score (higher is better). */
    score: number;
}

/** What the suggester needs. */
export interface MentionSuggesterOptions {
    /** The vault to index. */
    vault: VaultPort;
    /** The current gate (a function, so a gate rebuilt after a settings change is used; call `rebuild` then). */
    gate: ExclusionGate | (() => ExclusionGate);
    /** Paths of recently opened notes, most recent first. */
    recent?: () => string[];
    /**
     * Notes ranked by content for a query of `CONTENT_MIN_CHARS` or more (best first, at most `limit`), from the
     * relevance index; without it notes are ranked by name, alias and path only.
     */
    content?: (query: string, limit: number) => readonly string[];
}

/** One indexed note. */
interface NoteEntry {
    path: string;
    /** Name without `.md`, as written. */
    name: string;
    nameLower: string;
    pathLower: string;
    aliases: string[];
    aliasesLower: string[];
    /** Character mask over path and aliases. */
    mask: number;
    folders: string[];
    tags: string[];
}

/** A folder or tag and how many visible notes carry it. */
interface SharedEntry {
    label: string;
    lower: string;
    mask: number;
    count: number;
}

const WEIGHT_NAME = 1;
const WEIGHT_ALIAS = 0.95;
const WEIGHT_PATH = 0.7;
/** A match in the name itself beats the same letters spread over the folders. */
const NAME_BONUS = 10;
const WEIGHT_FOLDER = 0.8;
const WEIGHT_TAG = 0.8;
/** Recent notes rank above every other match. */
const RECENT_BONUS = 1000;
/** Extra candidates kept for the final gate check. */
const GATE_SLACK = 5;
/** Shortest query ranked by content too: one or two letters say nothing about a note's text. */
export const CONTENT_MIN_CHARS = 3;
/** What a top content match adds to a name match (less for lower ranks). */
const CONTENT_BONUS = 25;
/** The score of a top content match whose name does not match (less for lower ranks). */
const CONTENT_ONLY = 20;

/** The suggestion engine. Call `rebuild()` once (and after the gate changes); `dispose()` stops listening. */
export class MentionSuggester {
    private readonly vault: VaultPort;
    private readonly gateOf: () => ExclusionGate;
    private readonly recent: () => string[];
    private readonly content: ((query: string, limit: number) => readonly string[]) | undefined;
    private readonly notes = new Map<string, NoteEntry>();
    private readonly folders = new Map<string, SharedEntry>();
    private readonly tags = new Map<string, SharedEntry>();
    private readonly nameCounts = new Map<string, number>();
    private readonly unsubscribe: () => void;
    private version = 0;
    private last: { query: string; version: number; notes: NoteEntry[]; count: number } | null = null;
    private entryList: NoteEntry[] = [];
    private entriesVersion = -1;
    private readonly bufferA: NoteEntry[] = [];
    private readonly bufferB: NoteEntry[] = [];

    constructor(options: MentionSuggesterOptions) {
        this.vault = options.vault;
        const gate = options.gate;
        this.gateOf = typeof gate === 'function' ? gate : () => gate;
        this.recent = options.recent ?? (() => []);
        this.content = options.content;
        const changes = this.vault.onChange((event) => this.onChange(event));
        // A note the gate excluded only because its tags were not known yet is judged again once they are.
        const known = this.vault.onTagsKnown?.((path) => this.onChange({ type: 'modify', path }));
        this.unsubscribe = () => {
            changes();
            known?.();
        };
    }

    /** Indexes every visible note from scratch. */
    async rebuild(): Promise<void> {
        this.notes.clear();
        this.folders.clear();
        this.tags.clear();
        this.nameCounts.clear();
        for (const file of await this.vault.list()) this.add(file.path);
        this.version++;
    }

    /** Stops following vault changes. */
    dispose(): void {
        this.unsubscribe();
    }

    /** Up to `limit` suggestions for `query` (the text after `@`; a leading `#` asks for tags only). */
    suggest(query: string, limit = 10): MentionSuggestion[] {
        const trimmed = query.replace(/^\[\[/, '').trim();
        const tagsOnly = trimmed.startsWith('#');
        const q = (tagsOnly ? trimmed.slice(1) : trimmed).toLowerCase();
        // Room for a few extra, so that notes the gate refuses at the last moment do not leave the list short.
        const top = new TopK(limit + GATE_SLACK);
        if (!tagsOnly) {
            this.suggestNotes(q, top, limit);
            this.suggestShared(q, this.folders, WEIGHT_FOLDER, top, 'folder');
        }
        this.suggestShared(q, this.tags, WEIGHT_TAG, top, 'tag');
        // The index follows vault events; the gate is still asked for what is shown, in case metadata moved first.
        const gate = this.gateOf();
        return top
            .items()
            .filter((item) => item.kind !== 'note' || !gate.isExcluded(item.detail))
            .slice(0, Math.max(0, limit));
    }

    private suggestNotes(q: string, top: TopK, limit: number): void {
        const byContent = new Map<string, number>();
        if (this.content !== undefined && q.trim().length >= CONTENT_MIN_CHARS) {
            const hits = this.content(q, limit);
            hits.forEach((path, rank) => byContent.set(path, 1 - rank / (hits.length + 1)));
        }
        const recent = this.recent();
        const recentRank = new Map<string, number>();
        recent.forEach((path, index) => recentRank.set(path, recent.length - index));
        const qMask = charMask(q);
        const previous = this.last;
        const extends_ = previous !== null && previous.version === this.version && q.startsWith(previous.query);
        const pool = extends_ ? previous.notes : this.entries();
        const poolLength = extends_ ? previous.count : pool.length;
        // Two buffers swap roles, so a keystroke allocates no array of matches.
        const matched = pool === this.bufferA ? this.bufferB : this.bufferA;
        let count = 0;
        for (let n = 0; n < poolLength; n++) {
            const note = pool[n] as NoteEntry;
            if ((note.mask & qMask) !== qMask) continue;
            // The path holds the name, so a name match always outranks the path's; the path is scored only without one.
            const byName = fuzzyScore(note.nameLower, q);
            let score = byName !== NO_MATCH ? byName * WEIGHT_NAME + NAME_BONUS : NO_MATCH;
            if (score === NO_MATCH) {
                const byPath = fuzzyScore(note.pathLower, q);
                if (byPath !== NO_MATCH) score = byPath * WEIGHT_PATH;
            }
            let alias = -1;
            for (let i = 0; i < note.aliasesLower.length; i++) {
                const byAlias = fuzzyScore(note.aliasesLower[i] as string, q);
                if (byAlias !== NO_MATCH && byAlias * WEIGHT_ALIAS > score) {
                    score = byAlias * WEIGHT_ALIAS;
                    alias = i;
                }
            }
            if (score === NO_MATCH) continue;
            matched[count++] = note;
            const content = byContent.get(note.path);
            if (content !== undefined) {
                score += CONTENT_BONUS * content;
                byContent.delete(note.path);
            }
            const rank = recentRank.get(note.path);
            if (rank !== undefined) score += RECENT_BONUS + rank;
            if (top.wouldTake(score)) top.add(this.noteSuggestion(note, alias, score));
        }
        this.last = { query: q, version: this.version, notes: matched, count };
        // Notes found by their content alone (the name does not match what was typed).
        for (const [path, weight] of byContent) {
            const note = this.notes.get(path);
            if (note === undefined) continue;
            const rank = recentRank.get(path);
            const score = CONTENT_ONLY * weight + (rank !== undefined ? RECENT_BONUS + rank : 0);
            if (top.wouldTake(score)) top.add(this.noteSuggestion(note, -1, score));
        }
    }

    /** Every indexed note as an array, rebuilt only after the index changed. */
    private entries(): NoteEntry[] {
        if (this.entriesVersion !== this.version) {
            this.entryList = Array.from(this.notes.values());
            this.entriesVersion = this.version;
        }
        return this.entryList;
    }

    private suggestShared(
        q: string,
        map: Map<string, SharedEntry>,
        weight: number,
        top: TopK,
        kind: 'folder' | 'tag',
    ): void {
        const qMask = charMask(q);
        for (const entry of map.values()) {
            if ((entry.mask & qMask) !== qMask) continue;
            const raw = fuzzyScore(entry.lower, q);
            if (raw === NO_MATCH) continue;
            const score = raw * weight;
            if (!top.wouldTake(score)) continue;
            const label = kind === 'folder' ? `${entry.label}/` : `#${entry.label}`;
            const insert = kind === 'tag' ? `@#${entry.label}` : /\s/.test(label) ? `@[[${label}]]` : `@${label}`;
            top.add({ kind, label, detail: `${entry.count} note${entry.count === 1 ? '' : 's'}`, insert, score });
        }
    }

    private noteSuggestion(note: NoteEntry, alias: number, score: number): MentionSuggestion {
        const unique = (this.nameCounts.get(note.nameLower) ?? 0) <= 1;
        const link = unique ? note.name : note.path.replace(/\.md$/i, '');
        const aliasText = note.aliases[alias];
        const insert = aliasText === undefined ? `@[[${link}]]` : `@[[${link}|${aliasText}]]`;
        return { kind: 'note', label: aliasText ?? note.name, detail: note.path, insert, score };
    }

    private onChange(event: VaultChange): void {
        if (event.type === 'rename') this.remove(event.oldPath);
        this.remove(event.path);
        if (event.type !== 'delete') this.add(event.path);
        this.version++;
    }

    private add(path: string): void {
        if (!isMarkdownPath(path) || this.gateOf().isExcluded(path)) return;
        const metadata = this.vault.metadata(path);
        const name = path.slice(path.lastIndexOf('/') + 1).replace(/\.md$/i, '');
        const aliases = metadata?.aliases ?? [];
        const folders = ancestors(path);
        const tags = [...new Set((metadata?.shownTags ?? metadata?.tags ?? []).map((t) => t.replace(/^#+/, '')))];
        const pathLower = path.toLowerCase();
        const aliasesLower = aliases.map((a) => a.toLowerCase());
        const mask = aliasesLower.reduce((m, a) => m | charMask(a), charMask(pathLower));
        const entry: NoteEntry = {
            path,
            name,
            nameLower: name.toLowerCase(),
            pathLower,
            aliases,
            aliasesLower,
            mask,
            folders,
            tags,
        };
        this.notes.set(path, entry);
        this.nameCounts.set(entry.nameLower, (this.nameCounts.get(entry.nameLower) ?? 0) + 1);
        for (const folder of folders) share(this.folders, folder, folder.toLowerCase(), 1);
        for (const tag of tags) share(this.tags, tag, tag.toLowerCase(), 1);
    }

    private remove(path: string): void {
        const entry = this.notes.get(path);
        if (entry === undefined) return;
        this.notes.delete(path);
        this.nameCounts.set(entry.nameLower, (this.nameCounts.get(entry.nameLower) ?? 1) - 1);
        for (const folder of entry.folders) share(this.folders, folder, folder.toLowerCase(), -1);
        for (const tag of entry.tags) share(this.tags, tag, tag.toLowerCase(), -1);
    }
}

/** Adjusts how many visible notes carry a folder or tag, forgetting it at zero. */
function share(map: Map<string, SharedEntry>, label: string, lower: string, delta: number): void {
    const entry = map.get(lower);
    if (entry === undefined) {
        if (delta > 0) map.set(lower, { label, lower, mask: charMask(lower), count: delta });
        return;
    }
    entry.count += delta;
    if (entry.count <= 0) map.delete(lower);
}

/** `A`, `A/B` for `A/B/note.md`. */
function ancestors(path: string): string[] {
    const segments = path.split('/').slice(0, -1);
    return segments.map((_, i) => segments.slice(0, i + 1).join('/'));
}

/** The best `limit` suggestions, kept sorted (best first); `limit` is small, so insertion is cheap. */
class TopK {
    private readonly list: MentionSuggestion[] = [];
    constructor(private readonly limit: number) {}

    /** True when a suggestion with `score` would make the list. */
    wouldTake(score: number): boolean {
        if (this.limit <= 0) return false;
        return this.list.length < this.limit || score > (this.list[this.list.length - 1] as MentionSuggestion).score;
    }

    add(item: MentionSuggestion): void {
        let at = this.list.length;
        while (at > 0 && (this.list[at - 1] as MentionSuggestion).score < item.score) at--;
        this.list.splice(at, 0, item);
        if (this.list.length > this.limit) this.list.pop();
    }

    items(): MentionSuggestion[] {
        return [...this.list];
    }
}
