/**
 * Obsidian's own *Settings → Files and links → Excluded files*: the `userIgnoreFilters` list in the config folder's
 * `app.json`, read as one more exclusion source (docs/decisions/0015-obsidian-excluded-files.md). Obsidian reads
 * each entry in one of two ways, and so does this:
 *
 * - `/…/` (starts and ends with a slash): a regular expression, matched anywhere in the vault path. The CLI evaluates
 *   it with RE2 (`re2js`, linear time, so a filter cannot stall the gate), the plugin as Obsidian does, after trying
 *   it on every path in a stoppable worker (`filter-regex.ts`, decision 0023); a filter the engine cannot read
 *   (on RE2: lookaround, back-references, a syntax error) cannot be honoured exactly.
 * - anything else: a path prefix (`Archive/` covers the folder, `Archive` also `Archive 2019.md`), compared without
 *   regard to case, as the gate compares folder rules (a leading `/` is ignored: vault paths have none).
 *
 * Fails closed: when the list cannot be read (`app.json` damaged, `userIgnoreFilters` not a list of text, a filter
 * RE2 cannot read), `problem` says why and the gate excludes every note until it is fixed or the setting is off.
 * A missing `app.json`, or one without the key, means "no filters".
 */
import { compileFilterRegex, FILTER_REFUSAL, type PathTest } from './filter-regex';

/** One filter as compiled. */
type Filter = { text: string; prefix: string } | { text: string; regex: PathTest };

/** The list as read from one `app.json`. */
export class ObsidianExcludedFiles {
    /** No `app.json`, or no filters in it. */
    static readonly NONE = new ObsidianExcludedFiles([], null);

    private constructor(
        private readonly compiled: readonly Filter[],
        /** Why the list cannot be honoured, in words for the person; `null` when it can. */
        readonly problem: string | null,
    ) {}

    /** The filters as written in Obsidian's settings. */
    get filters(): string[] {
        return this.compiled.map((filter) => filter.text);
    }

    /** Reads the text of `app.json`; `null` when the file does not exist. Never throws. */
    static fromAppJson(text: string | null): ObsidianExcludedFiles {
        if (text === null) return ObsidianExcludedFiles.NONE;
        let raw: unknown;
        try {
            raw = JSON.parse(text);
        } catch {
            return ObsidianExcludedFiles.unreadable('its app.json is not valid JSON');
        }
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
            return ObsidianExcludedFiles.unreadable('its app.json does not hold settings');
        }
        const list = (raw as Record<string, unknown>).userIgnoreFilters;
        if (list === undefined || list === null) return ObsidianExcludedFiles.NONE;
        if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
            return ObsidianExcludedFiles.unreadable('userIgnoreFilters in app.json is not a list of filters');
        }
        return ObsidianExcludedFiles.fromFilters(list as string[]);
    }

    /** Compiles the filters as Obsidian's settings list them. */
    static fromFilters(list: readonly string[]): ObsidianExcludedFiles {
        const compiled: Filter[] = [];
        for (const text of list) {
            if (text.trim() === '') continue;
            // `//` is the empty expression, which matches every path, as it does in Obsidian.
            if (text.length >= 2 && text.startsWith('/') && text.endsWith('/')) {
                const regex = compileFilterRegex(text.slice(1, -1));
                if (regex === null) return new ObsidianExcludedFiles(compiled, `the filter ${text} ${FILTER_REFUSAL}`);
                compiled.push({ text, regex });
            } else {
                // Vault paths have no leading slash; `/Archive` is read as `Archive` (it can only exclude more).
                const prefix = text.replace(/^\/+/, '').normalize('NFC').toLowerCase();
                compiled.push({ text, prefix: prefix === '' ? text : prefix });
            }
        }
        return new ObsidianExcludedFiles(compiled, null);
    }

    /** The expressions of the `/…/` filters (between the slashes), in order. */
    get expressions(): string[] {
        return this.compiled.flatMap((filter) => ('regex' in filter ? [filter.text.slice(1, -1)] : []));
    }

    /** A list that could not be read at all (the file exists but cannot be opened): every note is excluded. */
    static unreadable(why: string): ObsidianExcludedFiles {
        return new ObsidianExcludedFiles([], why);
    }

    /** The filter that covers the vault path `path` (canonical form), or `null`. */
    match(path: string): string | null {
        let lower: string | null = null;
        for (const filter of this.compiled) {
            if ('prefix' in filter) {
                lower ??= path.toLowerCase();
                if (lower.startsWith(filter.prefix)) return filter.text;
            } else if (filter.regex(path)) {
                return filter.text;
            }
        }
        return null;
    }
}
