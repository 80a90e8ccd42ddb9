/**
 * `search_notes` against ripgrep on the same files. Our side is the real tool through `Tool.run` with a real gate and
 * a warm FsVault (it reads every visible note, skips excluded ones, redacts links to them, and collects bounded
 * snippets); ripgrep (`rg`, Debian's package) runs as people run it: a fresh process per query, fixed-string,
 * case-insensitive, line numbers, over every `.md` file (excluded notes included — it has no gate). Several queries,
 * 3 rounds after a warm-up; the figure is the median over rounds of (our time for the query set) / (ripgrep's).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ReadLedger } from '../src/agent/tools/read-ledger';
import { searchNotesTool } from '../src/agent/tools/search-tools';
import type { ToolContext } from '../src/agent/tools/tool';
import { ExclusionGate } from '../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import { median, type BenchResult, type BenchRow } from './bench-row';

const run = promisify(execFile);
const MAX_RATIO = 2;
/** Words of the generated vault: common, rarer, accented, a phrase, and one that is nowhere. */
const QUERIES = ['meeting', 'postmortem', 'Zürich', 'weekly review', 'ångström', 'xqzwvk'];

/** `rg`'s path, or null when it is not installed. */
async function ripgrep(): Promise<string | null> {
    try {
        await run('rg', ['--version']);
        return 'rg';
    } catch {
        return null;
    }
}

async function timeRipgrep(root: string, query: string): Promise<{ ms: number; lines: number }> {
    const started = performance.now();
    const result = await run(
        'rg',
        ['--fixed-strings', '--ignore-case', '--line-number', '--no-heading', '--glob', '*.md', '--', query, root],
        {
            maxBuffer: 1 << 28,
        },
    ).catch((error: { code?: number; stdout?: string }) => {
        // Exit code 1 means "no match", not a failure.
        if (error.code === 1) return { stdout: error.stdout ?? '' };
        throw error;
    });
    const ms = performance.now() - started;
    return { ms, lines: result.stdout === '' ? 0 : result.stdout.trimEnd().split('\n').length };
}

/** The row. */
export const ripgrepSearchRow: BenchRow = {
    name: 'search_notes vs ripgrep',
    async run(context): Promise<BenchResult> {
        const target = `≤ ${MAX_RATIO}× ripgrep`;
        if ((await ripgrep()) === null) {
            return {
                value: Number.NaN,
                unit: '× rg',
                target,
                pass: false,
                note: 'ripgrep is not installed (Debian: apt-get install -y ripgrep)',
            };
        }
        const vault = await context.openVault();
        const gate = new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
        const tool: ToolContext = { vault, gate, reads: new ReadLedger(), changes: null, turnId: 'bench' };
        const rounds = 3;
        const ours: number[] = [];
        const theirs: number[] = [];
        let ourMatches = 0;
        let theirLines = 0;
        let stopped: string | null = null;
        // The first round warms the JIT, the file cache and the vault's index for both; it is not counted.
        for (let round = 0; round <= rounds; round++) {
            let ourMs = 0;
            let rgMs = 0;
            ourMatches = 0;
            theirLines = 0;
            for (const query of QUERIES) {
                const started = performance.now();
                const result = await searchNotesTool.run({ query, limit: 50 }, tool);
                ourMs += performance.now() - started;
                if (result.isError === true) throw new Error(`search_notes failed on "${query}": ${result.content}`);
                // The tool stops at its time budget and says so: then it did not search every note.
                stopped ??= /\[Search stopped[^\]]*\]/u.exec(result.content)?.[0] ?? null;
                ourMatches += Number(
                    (/^(?:More than )?([\d,]+) match/u.exec(result.content)?.[1] ?? '0').replace(/,/gu, ''),
                );
                const rg = await timeRipgrep(context.vault.root, query);
                rgMs += rg.ms;
                theirLines += rg.lines;
            }
            if (round > 0) {
                ours.push(ourMs);
                theirs.push(rgMs);
            }
        }
        const ratios = ours.map((ms, i) => ms / (theirs[i] ?? Number.NaN));
        const ratio = median(ratios);
        return {
            value: ratio,
            unit: '× rg',
            target,
            pass: ratio <= MAX_RATIO && stopped === null,
            note:
                (stopped === null ? '' : `search_notes hit its time budget (${stopped}); `) +
                `${QUERIES.length} queries (${QUERIES.join(', ')}), median of ${rounds} rounds: search_notes ` +
                `${median(ours).toFixed(0)} ms, rg ${median(theirs).toFixed(0)} ms per set; ${ourMatches} matching lines ` +
                `in visible notes vs ${theirLines} in all notes (rg has no exclusions); rg is a fresh process per ` +
                'query and uses every core, search_notes one thread',
        };
    },
};
