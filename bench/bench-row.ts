/**
 * The shape of one benchmark row. Each row lives in its own file under `bench/rows/` and is listed in
 * `bench/rows/index.ts`; later work adds a row by adding a file and one line there.
 */
import type { FsVault } from '../src/vault/fs-vault-node';
import type { GeneratedVault } from './generate-vault';

/** One measured figure and whether it met its target. */
export interface BenchResult {
    /** The figure, in `unit`. */
    value: number;
    /** Unit of `value`, e.g. `ms`, `KB`, `checks/s`. */
    unit: string;
    /** The target as a person reads it, e.g. `≤ 2000 ms`. */
    target: string;
    /** Whether the figure meets the target; `null` when the row only reports. */
    pass: boolean | null;
    /** How it was measured, and what might flatter or hurt the figure. */
    note?: string;
}

/** What every row may use. */
export interface BenchContext {
    /** True for `--quick` and `--ci` (a smaller vault and fewer repetitions). */
    quick: boolean;
    /** True for `--ci`: targets that only make sense at full size are reported, not checked. */
    ci: boolean;
    /** The repository root (where `main.js` is built). */
    repoRoot: string;
    /** The generated vault the rows measure. */
    vault: GeneratedVault;
    /** The vault's config folder. */
    configDir: string;
    /** An FsVault opened once on the generated vault and shared by rows that need a warm index. */
    openVault(): Promise<FsVault>;
}

/** One row of the table. */
export interface BenchRow {
    /** Short name shown in the first column. */
    name: string;
    /** The target is for the full 20,000-note vault: in `--ci` the figure is reported, not checked. */
    fullSizeOnly?: boolean;
    /** Wall-clock figures a shared machine disturbs: in `--ci` a miss runs 3 times, reported by the median. */
    noisy?: boolean;
    /** Measures and returns the figure. */
    run(context: BenchContext): Promise<BenchResult>;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    if (sorted.length === 0) return Number.NaN;
    return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
