/**
 * Obsidian's Excluded files for the plugin: `<configDir>/app.json`, read through the vault adapter (the config folder
 * is not part of the vault's file list). Read when the plugin loads and again before every chat turn and job, so an
 * edit to the list counts from the next request; the plugin rebuilds its gate when the list changed.
 *
 * The plugin evaluates `/…/` filters with JavaScript's own engine, as Obsidian does (decision 0023). A new list is
 * first tried on every path of the vault in a worker that is stopped at `FILTER_TRIAL_MS`: a filter that does not
 * finish there would stall the window, so the list is refused and every note excluded, as for any filter that cannot
 * be honoured (decision 0015).
 */
import type { DataAdapter } from 'obsidian';
import { FILTERS_NEED_TRIAL } from '../context/filter-regex';
import { ObsidianExcludedFiles } from '../context/obsidian-excluded-files';
import { StoppableRegex } from './regex-worker-engine';
import type { PrivacySettings } from '../kernel/settings';

/** The adapter calls this needs. */
export type AppJsonAdapter = Pick<DataAdapter, 'exists' | 'read'>;

/** How long the filters of a new list may take, together, over every path of the vault. */
export const FILTER_TRIAL_MS = 2_000;

/** The list from the config folder's `app.json`, as last read. */
export class AdapterExcludedFiles {
    private list: ObsidianExcludedFiles = ObsidianExcludedFiles.NONE;
    private key = '';

    constructor(
        private readonly adapter: AppJsonAdapter,
        private readonly configDir: string,
        /** Every path of the vault, which a new list's expressions are tried on before use. */
        private readonly paths: () => string[] = () => [],
    ) {}

    /** The list for `privacy`: `null` when the settings do not honour it (or are locked). */
    for(privacy: PrivacySettings | null): ObsidianExcludedFiles | null {
        if (privacy === null || privacy.obsidianExcludedFiles === false) return null;
        return this.list;
    }

    /** The list as last read, whether or not the settings honour it (the settings tab shows it). */
    get current(): ObsidianExcludedFiles {
        return this.list;
    }

    /** Reads `app.json` again; resolves to true when the list (or its problem) changed. Never rejects. */
    async refresh(): Promise<boolean> {
        const file = `${this.configDir}/app.json`;
        let next: ObsidianExcludedFiles;
        try {
            next = (await this.adapter.exists(file))
                ? ObsidianExcludedFiles.fromAppJson(await this.adapter.read(file))
                : ObsidianExcludedFiles.NONE;
        } catch {
            next = ObsidianExcludedFiles.unreadable('its app.json could not be read');
        }
        const key = JSON.stringify([next.filters, next.problem]);
        if (key === this.key) return false;
        this.key = key;
        this.list = FILTERS_NEED_TRIAL ? await trialOf(next, this.paths) : next;
        return true;
    }
}

/**
 * `list` if each of its expressions finishes over every path (`paths`, asked only when there is an expression) within
 * `FILTER_TRIAL_MS` (in a worker, never on the window), else a list that excludes everything and says which did not.
 */
export async function trialOf(list: ObsidianExcludedFiles, allPaths: () => string[]): Promise<ObsidianExcludedFiles> {
    if (list.problem !== null || list.expressions.length === 0) return list;
    const paths = allPaths();
    const deadline = Date.now() + FILTER_TRIAL_MS;
    for (const expression of list.expressions) {
        const trial = StoppableRegex.start(expression, '');
        if (trial === null) {
            return ObsidianExcludedFiles.unreadable(
                `the filter /${expression}/ cannot be tried safely here (no background worker)`,
            );
        }
        try {
            const { stopped } = await trial.searchTexts(paths, deadline);
            if (stopped) {
                return ObsidianExcludedFiles.unreadable(
                    `the filter /${expression}/ took more than ${FILTER_TRIAL_MS / 1000} s over this vault's paths, ` +
                        'so it cannot be evaluated without freezing Obsidian',
                );
            }
        } finally {
            trial.close();
        }
    }
    return list;
}
