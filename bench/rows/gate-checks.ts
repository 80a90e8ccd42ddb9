/** Exclusion gate throughput: it runs for every listing, search and mention, over every path of the vault. */
import { ExclusionGate } from '../../src/context/exclusions';
import type { PrivacySettings } from '../../src/kernel/settings';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { median, type BenchContext, type BenchResult, type BenchRow } from '../bench-row';

const RUNS = 5;
const MIN_RUN_MS = 200;

/** Per run: checks per second of wall time and per second of this process's CPU time. */
interface Rates {
    wall: number[];
    cpu: number[];
}

/** Checks every path of the vault repeatedly for at least `MIN_RUN_MS`, `RUNS` times. */
async function measure(
    context: BenchContext,
    privacy: PrivacySettings,
): Promise<{ rates: Rates; paths: number; excluded: number }> {
    const vault = await context.openVault();
    const paths = (await vault.list()).map((file) => file.path);
    const gate = new ExclusionGate({ vault, privacy });
    const excluded = gate.partition(paths).excludedCount;
    const rates: Rates = { wall: [], cpu: [] };
    // One run untimed first: the compiler settles, and the collector finishes with what opening the vault left (its
    // threads' time would count against the gate).
    for (let run = -1; run < RUNS; run++) {
        let checks = 0;
        let hits = 0;
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        let elapsed = 0;
        while (elapsed < MIN_RUN_MS) {
            for (const path of paths) if (gate.isExcluded(path)) hits++;
            checks += paths.length;
            elapsed = performance.now() - started;
        }
        const cpu = process.cpuUsage(cpuBefore);
        // Using `hits` keeps the loop from being optimised away.
        if (hits !== excluded * (checks / paths.length)) throw new Error('the gate gave different answers');
        if (run < 0) continue;
        rates.wall.push(checks / (elapsed / 1000));
        rates.cpu.push(checks / ((cpu.user + cpu.system) / 1e6));
    }
    return { rates, paths: paths.length, excluded };
}

/**
 * The figure is checks per second of CPU time: the loop is single-threaded, so on an idle machine it equals wall
 * time, and on a shared one it measures the gate rather than the neighbours (GC threads count against it).
 */
function row(name: string, privacy: PrivacySettings, minimum: number, rules: string): BenchRow {
    return {
        name,
        async run(context): Promise<BenchResult> {
            const { rates, paths, excluded } = await measure(context, privacy);
            const rate = median(rates.cpu);
            const wall = Math.round(median(rates.wall)).toLocaleString('en-US');
            return {
                value: rate,
                unit: 'checks/CPU-s',
                target: `≥ ${minimum.toLocaleString('en-US')}/s`,
                pass: rate >= minimum,
                note:
                    `${rules}; ${paths} paths, ${excluded} excluded; median of ${RUNS} runs of ≥ ${MIN_RUN_MS} ms; ` +
                    `wall clock ${wall} checks/s`,
            };
        },
    };
}

/** The default rules: tag `private` only (a metadata lookup and one regex per tag for each note). */
export const gateDefaultRow = row('gate checks, default rules', DEFAULT_SETTINGS.privacy, 1_000_000, 'tag private');

/** A heavier rule set: tags, a folder and two globs (each glob is a minimatch match per path). */
export const gateGlobRow = row(
    'gate checks, folder + glob rules',
    { excludedTags: ['private', 'finance'], excludedFolders: ['Journal/', 'Clients/*/Private/**', '**/*.secret.md'] },
    250_000,
    'tags private, finance; folder Journal/; globs Clients/*/Private/**, **/*.secret.md',
);
