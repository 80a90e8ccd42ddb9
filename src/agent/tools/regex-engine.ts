/**
 * The regex engine of `search_notes` in the CLI and the MCP server: RE2 (`safe-regex.ts`), whose matching time grows
 * linearly with the text, so a pattern runs on the calling thread, a line (or a slice of a long one) at a time, with
 * the clock read in between and the event loop let through every 50 ms. The plugin's bundle replaces this module with
 * `src/obsidian/regex-worker-engine.ts`, JavaScript's own engine in a worker it can stop (decision 0023).
 */
import { compileSafeRegex, findInLine } from './safe-regex';
import { noteLines, type LineHit, type RegexEngine, type TextsSearched } from './regex-rules';

/** Longest stretch of matching before the event loop is let through (other MCP calls are answered meanwhile). */
const YIELD_EVERY_MS = 50;

/** RE2, on this thread. */
export const regexEngine: RegexEngine = {
    prepare(pattern) {
        const compiled = compileSafeRegex(pattern);
        if (!compiled.ok) return compiled;
        const searchTexts = async (
            texts: readonly string[],
            deadline: number,
            signal?: AbortSignal,
        ): Promise<TextsSearched> => {
            const hits: LineHit[][] = [];
            let lastYield = Date.now();
            for (const text of texts) {
                if (Date.now() - lastYield > YIELD_EVERY_MS) {
                    await new Promise<void>((resolve) => setTimeout(resolve, 0));
                    lastYield = Date.now();
                }
                if (signal?.aborted === true) return { hits, stopped: true };
                const lines = noteLines(text);
                const found: LineHit[] = [];
                for (let i = 0; i < lines.length; i++) {
                    // Checking the clock on every line costs more than the matching; every 256 lines bounds the overrun.
                    if ((i & 255) === 255 && Date.now() > deadline) return { hits, stopped: true };
                    const hit = findInLine(compiled, lines[i] ?? '', deadline);
                    if (hit === 'out-of-time') return { hits, stopped: true };
                    if (hit !== null) found.push([i + 1, hit[0], hit[1]]);
                }
                hits.push(found);
            }
            return { hits, stopped: false };
        };
        return { ok: true, search: { searchTexts, close: () => undefined } };
    },
};
