/**
 * How a `/…/` entry of Obsidian's Excluded files is evaluated in the plugin: with JavaScript's own `RegExp`, as
 * Obsidian itself evaluates the list (no flags, matched anywhere in the path). The plugin's build puts this module in
 * place of `src/context/filter-regex.ts` (RE2). Before a list is used, `AdapterExcludedFiles` runs each filter over
 * every path of the vault in a worker stopped at a time limit (`vetFilters`), so a filter that backtracks on this
 * vault's paths is refused (every note excluded) instead of run on the window (decision 0023).
 */
import type { PathTest } from '../context/filter-regex';

export type { PathTest } from '../context/filter-regex';

/** The filter's expression compiled as Obsidian compiles it, or `null` when JavaScript cannot read it. */
export function compileFilterRegex(source: string): PathTest | null {
    try {
        const regex = new RegExp(source);
        return (path) => regex.test(path);
    } catch {
        return null;
    }
}

/** What a filter that cannot be evaluated is refused with. */
export const FILTER_REFUSAL = 'cannot be evaluated (it is not a valid regular expression here)';

/** A backtracking engine: each filter is tried on the vault's paths in a stoppable worker before it is used. */
export const FILTERS_NEED_TRIAL = true;
