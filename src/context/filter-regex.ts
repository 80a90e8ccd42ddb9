/**
 * How a `/…/` entry of Obsidian's Excluded files is evaluated in the CLI and the MCP server: on RE2 (`re2js`), in
 * linear time, so a filter cannot stall the gate of a process that serves other calls. The plugin's build puts
 * `src/obsidian/filter-regex-native.ts` in place of this module: JavaScript's own `RegExp`, as Obsidian itself
 * evaluates the list, each filter first tried on every path of the vault in a worker that is stopped at a time limit
 * (decision 0023).
 */
import { RE2JS } from 're2js';

/** Whether a compiled filter covers a vault path. */
export type PathTest = (path: string) => boolean;

/** The filter's expression (between the slashes) compiled, or `null` when it cannot be evaluated safely. */
export function compileFilterRegex(source: string): PathTest | null {
    try {
        const regex = RE2JS.compile(source);
        return (path) => regex.test(path);
    } catch {
        return null;
    }
}

/** What a filter that cannot be evaluated is refused with (lookaround, back-references, invalid syntax). */
export const FILTER_REFUSAL =
    'cannot be evaluated safely (lookaround, back-references and invalid expressions are not supported)';

/** RE2 runs in linear time: its filters need no trial on the vault's paths before use. */
export const FILTERS_NEED_TRIAL = false;
