/**
 * Obsidian's Excluded files for the CLI and the MCP server: `<vault>/<config-dir>/app.json`, read again whenever the
 * file changed (size, modification or change time), so an edit takes effect on the next request of a long-running
 * `mcp` or `run --watch`. Only read when the settings honour the list.
 */
import { readFileSync, statSync } from 'node:fs';
import nodePath from 'node:path';
import { ObsidianExcludedFiles } from '../context/obsidian-excluded-files';
import type { PrivacySettings } from '../kernel/settings';

/** The path of Obsidian's `app.json` in a vault. */
export function appJsonPath(vaultRoot: string, configDir: string): string {
    return nodePath.join(vaultRoot, ...configDir.split('/'), 'app.json');
}

/** Reads the list from one vault's `app.json`, keeping the last reading while the file is unchanged. */
export class AppJsonExcludedFiles {
    private stamp = '';
    private list: ObsidianExcludedFiles = ObsidianExcludedFiles.NONE;

    constructor(private readonly file: string) {}

    /** The list for `privacy`: `null` when the settings do not honour it (or are locked). Never throws. */
    for(privacy: PrivacySettings | null): ObsidianExcludedFiles | null {
        if (privacy === null || privacy.obsidianExcludedFiles === false) return null;
        return this.current();
    }

    /** The list as the file says now. */
    current(): ObsidianExcludedFiles {
        let stamp: string;
        try {
            const stat = statSync(this.file, { bigint: true });
            stamp = `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.ino}`;
        } catch (error) {
            const code = codeOf(error);
            if (code === 'ENOENT' || code === 'ENOTDIR') return this.remember('none', ObsidianExcludedFiles.NONE);
            return ObsidianExcludedFiles.unreadable(`its app.json could not be read (${code})`);
        }
        if (stamp === this.stamp) return this.list;
        let text: string | null;
        try {
            text = readFileSync(this.file, 'utf8');
        } catch (error) {
            const code = codeOf(error);
            if (code === 'ENOENT') return this.remember('none', ObsidianExcludedFiles.NONE);
            return ObsidianExcludedFiles.unreadable(`its app.json could not be read (${code})`);
        }
        return this.remember(stamp, ObsidianExcludedFiles.fromAppJson(text));
    }

    private remember(stamp: string, list: ObsidianExcludedFiles): ObsidianExcludedFiles {
        this.stamp = stamp;
        this.list = list;
        return list;
    }
}

function codeOf(error: unknown): string {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : 'error';
}
