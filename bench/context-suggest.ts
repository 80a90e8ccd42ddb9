/**
 * Mention-suggestion latency: the person types `@` and a query one keystroke at a time on the generated vault; every
 * keystroke asks the suggester for 10 suggestions. Reports p95 per keystroke (p50 in the note); target ≤ 5 ms.
 *
 * The queries are prefixes of real note names, paths and tags from the vault (so they match), plus a few that match
 * nothing and a few fuzzy abbreviations, picked with a fixed seed.
 */
import { ExclusionGate } from '../src/context/exclusions';
import { MentionSuggester } from '../src/context/suggest';
import { NoteSearch } from '../src/search/note-search';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import type { BenchContext, BenchResult, BenchRow } from './bench-row';
import { seededRandom } from '../tests/support/seeded-random';

const TARGET_MS = 5;
const QUERIES = 60;
const WARMUP_QUERIES = 5;

/** Queries a person might type, from the vault's own names. */
function typedQueries(paths: string[], seed: number): string[] {
    const random = seededRandom(seed);
    const pick = (): string => paths[Math.floor(random() * paths.length)] ?? '';
    const queries: string[] = [];
    for (let i = 0; i < QUERIES; i++) {
        const path = pick();
        const name = path.slice(path.lastIndexOf('/') + 1).replace(/\.md$/i, '');
        const roll = random();
        if (roll < 0.6) queries.push(name.slice(0, 4 + Math.floor(random() * 8)));
        else if (roll < 0.75) queries.push(path.slice(0, 6 + Math.floor(random() * 10)));
        else if (roll < 0.9)
            queries.push(
                name
                    .split(/\s+/)
                    .map((word) => word.slice(0, 2))
                    .join(''),
            );
        else queries.push(i % 2 === 0 ? 'xqzw' : '#pro');
    }
    return queries;
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** The row: p95 of per-keystroke suggestion time on the generated vault (by name, alias and path). */
export const contextSuggestRow: BenchRow = suggestRow('mention suggestions per keystroke (p95)', false);

/**
 * The same keystrokes with the relevance index ranking notes by content too, as the plugin's suggester does (the
 * index built before the first keystroke, as the plugin builds it when the layout is ready).
 */
export const contextSuggestContentRow: BenchRow = suggestRow('mention suggestions with content ranking (p95)', true);

function suggestRow(name: string, withContent: boolean): BenchRow {
    return { name, run: (context) => measureSuggestions(context, withContent) };
}

async function measureSuggestions(context: BenchContext, withContent: boolean): Promise<BenchResult> {
    {
        const vault = await context.openVault();
        const gate = new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
        const notes = (await vault.list()).map((file) => file.path).filter((path) => path.endsWith('.md'));
        const recent = notes.slice(0, 20);
        let search: NoteSearch | null = null;
        if (withContent) {
            search = new NoteSearch({ vault, gate: () => gate });
            await search.ready();
        }
        const index = search;
        const suggester = new MentionSuggester({
            vault,
            gate,
            recent: () => recent,
            ...(index !== null
                ? {
                      content: (query: string, limit: number) =>
                          index
                              .rank(query, { typing: true, admits: (path) => !gate.isExcluded(path) })
                              .slice(0, limit)
                              .map((note) => note.path),
                  }
                : {}),
        });
        const built = performance.now();
        await suggester.rebuild();
        const buildMs = performance.now() - built;
        const queries = typedQueries(gate.partition(notes).visible, context.vault.seed);
        const times: number[] = [];
        for (const [index, query] of queries.entries()) {
            for (let length = 1; length <= query.length; length++) {
                const started = performance.now();
                const shown = suggester.suggest(query.slice(0, length), 10);
                const elapsed = performance.now() - started;
                if (shown.length > 10) throw new Error('more suggestions than asked for');
                if (index >= WARMUP_QUERIES) times.push(elapsed);
            }
        }
        suggester.dispose();
        search?.dispose();
        times.sort((a, b) => a - b);
        const p95 = percentile(times, 0.95);
        return {
            value: p95,
            unit: 'ms',
            target: `≤ ${TARGET_MS} ms`,
            pass: p95 <= TARGET_MS,
            note:
                `${notes.length} notes; ${times.length} keystrokes over ${queries.length - WARMUP_QUERIES} typed queries; ` +
                `p50 ${percentile(times, 0.5).toFixed(2)} ms, max ${(times.at(-1) ?? 0).toFixed(2)} ms; ` +
                `index built in ${buildMs.toFixed(0)} ms`,
        };
    }
}
