/**
 * The quick test that decides whether a note's text is worth parsing for excluded tags: only a text that names one of
 * the excluded tags (or may name it in a form a plain search misses) is parsed. The exclusion gate and the search
 * worker (`text-scan-worker-node.ts`) share it, so a text judged on another thread is screened exactly as the gate
 * screens it.
 */
import type { TagScreen } from '../kernel/text-scan';

/** Whether `text` (`lower` is its lowercase) may name an excluded tag, so its tags must be parsed and judged. */
export function mayNameExcludedTag(screen: TagScreen, text: string, lower: string = text.toLowerCase()): boolean {
    if (screen.rules.length === 0) return false;
    // An escaped character can spell a tag in YAML (`"\x70rivate"`).
    if (screen.nonAscii || text.includes('\\')) return true;
    return screen.rules.some((rule) => lower.includes(rule));
}
