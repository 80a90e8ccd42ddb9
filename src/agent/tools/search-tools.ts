/**
 * The tools that find notes: `search_notes` (text, line by line) and `notes_with_tag`. They look only inside notes
 * the exclusion gate lets through, so no snippet, path or count ever comes from an excluded note, and "no matches"
 * reads the same whether a word is nowhere or only in private notes. Each visible note is searched as `read_note`
 * shows it, with links to excluded notes replaced by a placeholder, so a hidden note's name neither appears in a
 * snippet nor makes a line match.
 */
import { redactHiddenLinks, type HiddenLinkPorts } from '../../context/hidden-links';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, MAX_SNIPPET_CHARS, plural, snippetAround } from './bounded';
import { defineTool, toolError, toolOk } from './define-tool';
import { readTextOrSkip, resolveFolder, unreadNote, visibleNotes, VisibleNotes } from './note-paths';
import { OFFSET_PROPERTY, pageFrom, pageOf, spanNote } from './paging';
import { regexEngine } from './regex-engine';
import { noteLines, type LineHit, type RegexSearch } from './regex-rules';
import { plainMatcher } from './plain-match';
import { collectScanned, matchPlainNote, recordMatches, type PlainQuery, type SearchTally } from './search-tally';
import type { Tool, ToolContext, ToolResult } from './tool';
import { hiddenIn, linkedSources } from './tool-sources';
import type { FileEntry } from '../../kernel/vault-port';

/** How long one search may run before it stops and says how far it got. */
export const SEARCH_TIME_BUDGET_MS = 3_000;

/**
 * Longest stretch of matching without letting other work run. A search over a big vault takes up to its budget; a
 * process serving other calls (the MCP server) answers them in between.
 */
const YIELD_EVERY_MS = 50;

/**
 * Notes a plain query searches on the calling thread before the vault's worker threads take the rest (where it has
 * them): a word common enough to fill a page does so here, in a few dozen notes, without a scan of the vault.
 */
export const HERE_FIRST = 2_000;

/** Notes read at once by `search_notes`. */
const READ_BATCH = 64;

/** Longest plain query accepted. */
const MAX_QUERY_CHARS = 1_000;

/** `search_notes` input. */
interface SearchNotesInput {
    /** Text to find (case-insensitive), or a pattern when `regex` is set. */
    query: string;
    /** Treat `query` as a regular expression. */
    regex?: boolean;
    /** Only search notes beneath this folder. */
    folder?: string;
    /** Most matches to return. */
    limit?: number;
    /** Matches to skip (paging). */
    offset?: number;
}

/** `notes_with_tag` input. */
interface NotesWithTagInput {
    /** The tag, with or without `#`. */
    tag: string;
    /** Notes to skip (paging). */
    offset?: number;
}

/** `search_notes`: lines of notes that contain a text or match a pattern. */
export const searchNotesTool: Tool = defineTool<SearchNotesInput>(
    {
        name: 'search_notes',
        description:
            'Search the text of the notes for an exact phrase or a pattern, line by line, case-insensitively: ' +
            'every occurrence, in path order, not ranked. To find notes about a topic or question in your own ' +
            'words, use find_notes instead. Results read "path:line: snippet" ' +
            '(line numbers as in read_note). By default query is a plain substring; set regex for a regular ' +
            'expression in JavaScript syntax, without backtracking: no backreferences, lookahead or lookbehind. ' +
            'The result gives the number of matches, or, when more follow than the page holds, says so without ' +
            'counting them all; when more are left it ends "… more — call again with offset=K".',
        inputSchema: {
            type: 'object',
            properties: {
                query: { type: 'string', minLength: 1, maxLength: MAX_QUERY_CHARS, description: 'Text or pattern.' },
                regex: { type: 'boolean', description: 'Treat query as a regular expression. Default false.' },
                folder: { type: 'string', description: 'Only search beneath this vault-relative folder.' },
                limit: {
                    type: 'integer',
                    minimum: 1,
                    maximum: MAX_SEARCH_LIMIT,
                    description: `Most matches to return. Default ${DEFAULT_SEARCH_LIMIT}.`,
                },
                offset: { ...OFFSET_PROPERTY, description: `Skip this many matches. ${OFFSET_PROPERTY.description}` },
            },
            required: ['query'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    searchNotes,
);

/** `notes_with_tag`: notes carrying a tag or any tag beneath it. */
export const notesWithTagTool: Tool = defineTool<NotesWithTagInput>(
    {
        name: 'notes_with_tag',
        description:
            'List the notes that carry a tag, in the frontmatter or inline. Nested tags count: "project" also ' +
            'finds #project/alpha. A long list comes in pages: the result gives the total and ends ' +
            '"N more — call again with offset=K" while notes are left.',
        inputSchema: {
            type: 'object',
            properties: {
                tag: { type: 'string', minLength: 1, description: 'The tag, e.g. "project" or "#project".' },
                offset: OFFSET_PROPERTY,
            },
            required: ['tag'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    notesWithTag,
);

/** The tools of this file, in the order they are offered. */
export function searchTools(): Tool[] {
    return [searchNotesTool, notesWithTagTool];
}

async function searchNotes(input: SearchNotesInput, context: ToolContext): Promise<ToolResult> {
    const folder = resolveFolder(input.folder);
    if (!folder.ok) return folder.result;
    if (input.regex === true) {
        const prepared = regexEngine.prepare(input.query);
        if (!prepared.ok) return toolError(prepared.problem);
        try {
            return await searchWith(input, folder.path, context, prepared.search);
        } finally {
            prepared.search.close();
        }
    }
    return searchWith(input, folder.path, context, null);
}

/** `search_notes` in `folder`: a plain query when `regex` is `null`, else the prepared pattern. */
async function searchWith(
    input: SearchNotesInput,
    folderPath: string,
    context: ToolContext,
    regex: RegexSearch | null,
): Promise<ToolResult> {
    const matcher = plainMatcher(input.query);
    const folder = { path: folderPath };
    const limit = input.limit ?? DEFAULT_SEARCH_LIMIT;
    const offset = Math.max(0, Math.floor(input.offset ?? 0));

    // Each note is judged as the search comes to it: a common word fills its page within the first notes, so the
    // first search on a vault just opened does not wait for every note of the vault to be judged (decision 0028).
    const notes = await VisibleNotes.of(context, folder.path);
    // A page needs the matches up to `offset + limit`, and one more to know that more follow: the search stops there,
    // so a common word costs a page's worth of notes, not the whole vault (the total is then a lower bound).
    const enough = offset + limit;
    // A plain query can be ruled out on the raw text at once; redaction only swaps links for a placeholder, so a
    // note whose raw text lacks the query cannot match after it. Most notes stop here, before redaction and lines; in
    // the others only the lines holding the query are redacted and matched (a hidden link never spans lines).
    const needle = input.regex === true ? null : input.query.toLowerCase();
    const tally: SearchTally = {
        results: [],
        resultNotes: [],
        total: 0,
        notesWithMatches: 0,
        searched: 0,
        stopped: false,
        more: false,
        unread: 0,
    };
    // Links resolve the same way throughout one search: each (folder, link) is judged once.
    const links = { vault: context.vault, gate: context.gate, verdicts: new Map<string, boolean>() };
    const query = { needle, matcher, offset, limit, deadline: Date.now() + SEARCH_TIME_BUDGET_MS, enough };
    // Judging notes is not searching them: the time taken to judge (on a vault just opened, to take the notes into the
    // index) moves the deadline on, as when every note was judged before the search began.
    const judged = <T>(judge: () => T): T => {
        const started = Date.now();
        const out = judge();
        query.deadline += Date.now() - started;
        return out;
    };
    if (needle === null || context.vault.scanTexts === undefined) {
        const next = (count: number): FileEntry[] => judged(() => notes.take(count));
        if (!(await searchHere(next, query, regex, context, links, tally))) return cancelled();
    } else {
        // The first notes on this thread (a common word fills its page there); the rest, where the vault can, in its
        // worker threads (the CLI, the MCP server; decision 0024).
        const here = (count: number): FileEntry[] =>
            judged(() => notes.take(Math.min(count, HERE_FIRST - notes.taken)));
        if (!(await searchHere(here, query, null, context, links, tally))) return cancelled();
        const rest = tally.stopped || tally.more ? [] : judged(() => notes.rest());
        if (rest.length > 0) {
            const plain = { ...query, needle };
            const scanned = await context.vault.scanTexts({
                paths: rest.map((note) => note.path),
                needle,
                screen: context.gate.tagScreen(),
                deadline: query.deadline,
                signal: context.signal,
            });
            if (wasCancelled(context.signal)) return cancelled();
            const done =
                scanned === null
                    ? await searchHere(listed(rest), plain, null, context, links, tally)
                    : await collectScanned(rest, scanned, plain, context, links, tally);
            if (!done) return cancelled();
        }
    }
    const { results, resultNotes, total, notesWithMatches, searched, stopped } = tally;
    // Stopping at the very last note left nothing unsearched: the count is whole after all.
    const more = tally.more && (searched < notes.taken || notes.hasMore());
    const where = folder.path === '' ? '' : ` in "${folder.path}"`;
    const what = `${input.regex === true ? 'pattern' : 'text'} ${JSON.stringify(input.query)}`;
    const partial =
        (stopped
            ? `\n[Search stopped after ${SEARCH_TIME_BUDGET_MS / 1000} s, having searched ${searched} of ` +
              `${plural(notes.count(), 'note')}; narrow it with folder or a more specific query.]`
            : '') + unreadNote(tally, 'not searched');
    if (total === 0) return toolOk(`No matches for ${what}${where}.${partial}`);
    const counted = `${plural(total, 'match', 'matches')} in ${plural(notesWithMatches, 'note')} for ${what}${where}`;
    // The page holds the matches from `offset` on (at most `limit`); what the bounds cut is left for the next call.
    const page = pageFrom(results, offset, total, {
        header: (span) =>
            more
                ? `More than ${plural(enough, 'match', 'matches')} for ${what}${where} (${span.from.toLocaleString('en-US')}–${span.to.toLocaleString('en-US')}; the search stops once a page is full, so the total is not counted):`
                : `${counted}${spanNote(span)}:`,
        noun: 'match',
        nouns: 'matches',
        maxEntries: limit,
        openEnded: more,
    });
    const text = page.text;
    const shownNotes = new Set(resultNotes.slice(0, page.end - page.start));
    // A snippet may quote a link, so the notes the matching notes link to count as sources too.
    return { ...toolOk(text + partial), sources: linkedSources(context.vault, shownNotes, hiddenIn(context)) };
}

/**
 * Searches the notes `next` hands out on this thread, a batch of reads at a time, into `tally` (a pattern through
 * `regex`, else the plain `query.needle`). False when the search was cancelled.
 */
async function searchHere(
    next: (count: number) => FileEntry[],
    query: Omit<PlainQuery, 'needle'> & { needle: string | null },
    regex: RegexSearch | null,
    context: ToolContext,
    links: HiddenLinkPorts,
    tally: SearchTally,
): Promise<boolean> {
    const { needle } = query;
    let lastYield = Date.now();
    // Notes are read a batch at a time: one wait per batch, not per note.
    while (!tally.stopped && !tally.more) {
        if (context.signal?.aborted === true) return false;
        const batch = next(READ_BATCH);
        if (batch.length === 0) break;
        if (Date.now() > query.deadline) {
            tally.stopped = true;
            break;
        }
        const texts = await Promise.all(batch.map((note) => readTextOrSkip(note.path, context, tally)));
        // A pattern runs over the whole batch at once (in the plugin, in a worker): each note as `read_note` shows it.
        let regexHits: LineHit[][] = [];
        let shownTexts: string[] = [];
        let batchEnd = batch.length;
        if (regex !== null) {
            shownTexts = batch.map((note, i) => {
                const text = texts[i] ?? '';
                return text.includes('[') ? redactHiddenLinks(text, note.path, links).text : text;
            });
            const found = await regex.searchTexts(shownTexts, query.deadline, context.signal);
            if (wasCancelled(context.signal)) return false;
            regexHits = found.hits;
            if (found.stopped) {
                tally.stopped = true;
                batchEnd = found.hits.length;
                // The note time ran out in counts as searched, as it does for a plain query.
                if (batchEnd < batch.length) tally.searched++;
            }
        }
        for (let i = 0; i < batchEnd; i++) {
            if (Date.now() - lastYield > YIELD_EVERY_MS) {
                await new Promise<void>((resolve) => setTimeout(resolve, 0));
                lastYield = Date.now();
            }
            const path = (batch[i] as FileEntry).path;
            const text = texts[i] ?? null;
            tally.searched++;
            if (text === null) continue;
            if (needle !== null) {
                if (matchPlainNote(path, text, { ...query, needle }, context, links, tally)) break;
            } else {
                const hits = regexHits[i] ?? [];
                const lines = hits.length === 0 ? [] : noteLines(shownTexts[i] ?? '');
                const matched = hits.map(([line, start, length]): [number, () => string] => [
                    line,
                    () => snippetAround(lines[line - 1] ?? '', start, length, MAX_SNIPPET_CHARS),
                ]);
                // The note may have changed since it was listed (say, tagged private a moment ago): the text that
                // matched is judged itself, its tags parsed from it, before anything of it is shown.
                if (hits.length > 0 && !context.gate.isTextExcluded(path, text)) {
                    recordMatches(path, matched, query, tally);
                }
            }
            if (tally.total > query.enough) {
                tally.more = true;
                break;
            }
        }
    }
    return true;
}

/** The notes of `list`, `count` at a time. */
function listed(list: FileEntry[]): (count: number) => FileEntry[] {
    let at = 0;
    return (count) => list.slice(at, (at += count));
}

/** The answer to a search that was cancelled. */
function cancelled(): ToolResult {
    return toolError('Cancelled: the search was stopped.');
}

/** Whether `signal` has been aborted (read afresh after an `await`). */
function wasCancelled(signal: AbortSignal | undefined): boolean {
    return signal?.aborted === true;
}

async function notesWithTag(input: NotesWithTagInput, context: ToolContext): Promise<ToolResult> {
    const wanted = input.tag.trim().replace(/^#+/u, '').toLowerCase();
    if (wanted === '' || /\s/u.test(wanted)) {
        return toolError(`Invalid tag "${input.tag}": give one tag without spaces, e.g. "project".`);
    }
    const rows: string[] = [];
    const tagged: string[] = [];
    for (const note of (await visibleNotes(context)).notes) {
        // The tags Obsidian shows (the over-read ones of decision 0004 serve exclusion only).
        const metadata = context.vault.metadata(note.path);
        const tags = metadata?.shownTags ?? metadata?.tags ?? [];
        const matching = tags.filter((tag) => {
            const bare = tag.replace(/^#+/u, '').toLowerCase();
            return bare === wanted || bare.startsWith(`${wanted}/`);
        });
        if (matching.length > 0) {
            rows.push(`${note.path} (${[...new Set(matching)].join(' ')})`);
            tagged.push(note.path);
        }
    }
    if (rows.length === 0) return toolOk(`No notes tagged #${wanted}.`);
    const page = pageOf(rows, input.offset, {
        header: (span) => `${plural(rows.length, 'note')} tagged #${wanted}${spanNote(span)}:`,
        noun: 'note',
    });
    return { ...toolOk(page.text), sources: tagged.slice(page.start, page.end) };
}
