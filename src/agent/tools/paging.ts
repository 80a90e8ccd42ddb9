/**
 * Paging for the listing tools (`list_notes`, `note_links`, `notes_with_tag`, `search_notes`): a result shows as many
 * entries as fit the result bounds (`bounded.ts`), says how many there are in all, and when some are left, ends with
 * "N more — call again with offset=K", so the model can always ask for the rest.
 */
import { MAX_LIST_ENTRIES, MAX_RESULT_CHARS, plural } from './bounded';

/** The `offset` input of a listing tool. */
export const OFFSET_PROPERTY = {
    type: 'integer',
    minimum: 0,
    description:
        'Skip this many entries: to read on after a result that ends "call again with offset=K", repeat the call ' +
        'with offset K. Default 0.',
} as const;

/** Where a page lies in the whole list (1-based `from`, inclusive `to`). */
export interface PageSpan {
    from: number;
    to: number;
    total: number;
}

/** One page of a listing. */
export interface Page {
    /** The header, the entries shown, and the "more" line when some are left. */
    text: string;
    /** Indexes (0-based) of the entries shown: `[start, end)`. */
    start: number;
    end: number;
}

/**
 * The page of `entries` from `offset` on: as many whole entries as fit `maxChars` and `maxEntries` (at least one, so
 * every call moves on), under `header(span)`, and "[N more <nouns> — call again with offset=K]" when some are left.
 * An offset past the end shows no entries and says how many there are.
 */
export function pageOf(entries: readonly string[], offset: number | undefined, options: PageOptions): Page {
    const start = Math.max(0, Math.floor(offset ?? 0));
    return pageFrom(entries.slice(start), start, entries.length, options);
}

/** What a page looks like. */
export interface PageOptions {
    /** The first line, given where the page lies. */
    header: (span: PageSpan) => string;
    /** What an entry is called ("note"), and more than one ("notes" unless given). */
    noun: string;
    nouns?: string;
    /** The most entries on a page (`MAX_LIST_ENTRIES` unless given). */
    maxEntries?: number;
    /** The most characters of a page (`MAX_RESULT_CHARS` unless given). */
    maxChars?: number;
    /** `total` is only a lower bound (a search that stopped once its page was full): the "more" line has no count. */
    openEnded?: boolean;
}

/**
 * Like `pageOf`, for a list only partly at hand: `entries` are the entries from index `start` on (a search keeps only
 * the matches from its offset), and `total` counts them all.
 */
export function pageFrom(entries: readonly string[], start: number, total: number, options: PageOptions): Page {
    const maxEntries = options.maxEntries ?? MAX_LIST_ENTRIES;
    const maxChars = options.maxChars ?? MAX_RESULT_CHARS;
    const nouns = options.nouns ?? `${options.noun}s`;
    if (start >= total && total > 0) {
        const are = total === 1 ? 'is' : 'are';
        const past = `[offset ${start} is past the end: there ${are} ${plural(total, options.noun, nouns)}; call again with a smaller offset]`;
        // The header counts them all and names no range: this page shows none of them.
        return { text: `${options.header({ from: 1, to: total, total })}\n${past}`, start, end: start };
    }
    // The header and the "more" line take room too; both are short.
    let used = options.header({ from: total, to: total, total }).length + 200;
    let shown = 0;
    while (shown < entries.length && shown < maxEntries) {
        const length = (entries[shown] ?? '').length + 1;
        if (shown > 0 && used + length > maxChars) break;
        used += length;
        shown++;
    }
    const end = start + shown;
    const lines = [options.header({ from: start + 1, to: end, total }), ...entries.slice(0, shown)];
    if (options.openEnded === true) {
        lines.push(`[more ${nouns} — call again with offset=${end}]`);
    } else if (end < total) {
        lines.push(`[${plural(total - end, `more ${options.noun}`, `more ${nouns}`)} — call again with offset=${end}]`);
    }
    return { text: lines.join('\n'), start, end };
}

/** ` (1–187 of 2,919)` for a page that does not show everything; `''` when it does. */
export function spanNote(span: PageSpan): string {
    if (span.from <= 1 && span.to >= span.total) return '';
    return ` (${span.from.toLocaleString('en-US')}–${span.to.toLocaleString('en-US')} of ${span.total.toLocaleString('en-US')})`;
}
