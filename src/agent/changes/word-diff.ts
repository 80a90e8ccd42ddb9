/**
 * A word-level diff for showing an edit in the chat: words, punctuation, runs of spaces and newlines are the units,
 * so a changed word is highlighted instead of its whole line.
 */
import { diffWordsWithSpace } from 'diff';

/** One span of a word diff. */
export interface WordSpan {
    /** Whether the span is unchanged, added by the change, or removed by it. */
    kind: 'same' | 'added' | 'removed';
    /** The span's text, exactly as in the old or new text. */
    text: string;
}

/** Above this many milliseconds the word diff gives up and shows the whole old text removed and the new added. */
const WORD_DIFF_TIMEOUT_MS = 1000;

/**
 * The word-level differences from `oldText` to `newText`. Past `timeoutMs` the diff gives up and the whole old text
 * is shown removed and the new added (callers on the main thread pass a small budget).
 */
export function wordDiff(oldText: string, newText: string, timeoutMs = WORD_DIFF_TIMEOUT_MS): WordSpan[] {
    const changes = diffWordsWithSpace(oldText, newText, { timeout: timeoutMs });
    if (changes === undefined) {
        const spans: WordSpan[] = [];
        if (oldText !== '') spans.push({ kind: 'removed', text: oldText });
        if (newText !== '') spans.push({ kind: 'added', text: newText });
        return spans;
    }
    return changes
        .filter((change) => change.value !== '')
        .map((change) => ({
            kind: change.added ? 'added' : change.removed ? 'removed' : 'same',
            text: change.value,
        }));
}
