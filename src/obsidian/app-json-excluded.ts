/**
 * Obsidian's Excluded files for the plugin: `<configDir>/app.json`, read through the vault adapter (the config folder
 * is not part of the vault's file list). Read when the plugin loads and again before every chat turn and job, so an
 * edit to the list counts from the next request; the plugin rebuilds its gate when the list changed.
 */
import type { DataAdapter } from 'obsidian';
import { ObsidianExcludedFiles } from '../context/obsidian-excluded-files';
import type { PrivacySettings } from '../kernel/settings';

/** The adapter calls this needs. */
export type AppJsonAdapter = Pick<DataAdapter, 'exists' | 'read'>;

/** The list from the config folder's `app.json`, as last read. */
export class AdapterExcludedFiles {
    private list: ObsidianExcludedFiles = ObsidianExcludedFiles.NONE;
    private key = '';

    constructor(
        private readonly adapter: AppJsonAdapter,
        private readonly configDir: string,
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
        this.list = next;
        return true;
    }
}
