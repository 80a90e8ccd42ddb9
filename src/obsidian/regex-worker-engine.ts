/**
 * The regex engine of `search_notes` in the plugin: JavaScript's own `RegExp`, run in a Web Worker that is terminated
 * when the search's time is up. A pattern that backtracks for minutes (`(a?){25}a{25}b` on a line of `a`s) costs the
 * worker, never Obsidian's window: the window only posts texts and waits on a timer. The plugin's build puts this
 * module in place of `src/agent/tools/regex-engine.ts` (RE2, which the CLI and the MCP server keep), so `main.js`
 * carries no RE2 (decision 0023). Patterns are refused before compiling exactly as on RE2 (`regex-rules.ts`), and the
 * worker splits notes into lines and reports hits exactly as RE2's engine does.
 *
 * Where no Web Worker can be started, a pattern is refused with a sentence (fail closed: nothing runs on the window).
 */
import {
    refusal,
    refusedBeforeCompiling,
    type LineHit,
    type RegexEngine,
    type RegexSearch,
    type TextsSearched,
} from '../agent/tools/regex-rules';

/** What the window posts: one batch of texts for the pattern. */
interface WorkerRequest {
    source: string;
    flags: string;
    texts: readonly string[];
}

/**
 * The worker's whole program. It is started from its own source text (`String(regexWorkerMain)`), so it must not
 * refer to anything outside itself. For each text of a request it posts that text's hits (1-based line, start,
 * length), so what was found before a stop is kept; the window counts the replies.
 */
function regexWorkerMain(): void {
    const scope = globalThis as unknown as {
        onmessage: ((event: { data: WorkerRequest }) => void) | null;
        postMessage(message: unknown): void;
    };
    let compiled: RegExp | null = null;
    scope.onmessage = (event) => {
        const { source, flags, texts } = event.data;
        compiled ??= new RegExp(source, flags);
        for (const text of texts) {
            const lines = text.replace(/^\uFEFF/u, '').split(/\r?\n/u);
            const hits: [number, number, number][] = [];
            for (let i = 0; i < lines.length; i++) {
                const match = compiled.exec(lines[i] ?? '');
                if (match !== null) hits.push([i + 1, match.index, match[0].length]);
            }
            scope.postMessage(hits);
        }
    };
}

/** A worker running `regexWorkerMain`, or `null` where none can be started. */
function startWorker(): { worker: Worker; url: string } | null {
    if (typeof Worker === 'undefined' || typeof Blob === 'undefined' || typeof URL.createObjectURL !== 'function') {
        return null;
    }
    try {
        const program = `(${String(regexWorkerMain)})();`;
        const url = URL.createObjectURL(new Blob([program], { type: 'text/javascript' }));
        return { worker: new Worker(url), url };
    } catch {
        return null;
    }
}

/**
 * Runs `source` (with `flags`) over texts in a worker of its own, stopped at each call's deadline. After a stop the
 * worker is gone and every later call reports `stopped` at once.
 */
export class StoppableRegex implements RegexSearch {
    private running: { worker: Worker; url: string } | null;

    private constructor(
        private readonly source: string,
        private readonly flags: string,
        running: { worker: Worker; url: string },
    ) {
        this.running = running;
    }

    /** A stoppable regex, or `null` where no worker can be started. `source` and `flags` must already compile. */
    static start(source: string, flags: string): StoppableRegex | null {
        const running = startWorker();
        return running === null ? null : new StoppableRegex(source, flags, running);
    }

    searchTexts(texts: readonly string[], deadline: number, signal?: AbortSignal): Promise<TextsSearched> {
        const running = this.running;
        if (running === null || texts.length === 0) return Promise.resolve({ hits: [], stopped: running === null });
        return new Promise<TextsSearched>((resolve) => {
            const hits: LineHit[][] = [];
            const finish = (stopped: boolean): void => {
                clearTimeout(timer);
                signal?.removeEventListener('abort', onAbort);
                running.worker.onmessage = null;
                running.worker.onerror = null;
                if (stopped) this.close();
                resolve({ hits, stopped });
            };
            const onAbort = (): void => finish(true);
            // The window never waits on the worker: a timer ends the batch at the deadline, whatever the worker does.
            const timer = setTimeout(() => finish(true), Math.max(0, deadline - Date.now()));
            signal?.addEventListener('abort', onAbort);
            running.worker.onmessage = (event: MessageEvent<LineHit[]>) => {
                hits.push(event.data);
                if (hits.length === texts.length) finish(false);
            };
            running.worker.onerror = () => finish(true);
            const request: WorkerRequest = { source: this.source, flags: this.flags, texts };
            running.worker.postMessage(request);
        });
    }

    close(): void {
        if (this.running === null) return;
        this.running.worker.terminate();
        URL.revokeObjectURL(this.running.url);
        this.running = null;
    }
}

/**
 * The flags a search pattern compiles with: case-insensitive, in Unicode mode (code points, Unicode case folding,
 * as RE2 always is), or without `u` for a pattern only the older syntax accepts (`\-`, a lone `{`); `null` when the
 * pattern is not valid JavaScript at all. Compiling only parses: no text is matched on the window.
 */
export function searchFlags(pattern: string): { flags: string } | { problem: string } {
    let detail = '';
    for (const flags of ['iu', 'i']) {
        try {
            new RegExp(pattern, flags);
            return { flags };
        } catch (error) {
            detail ||= error instanceof Error ? error.message : 'invalid';
        }
    }
    return { problem: `it is not a valid regular expression (${detail})` };
}

/** JavaScript's engine in a stoppable worker. */
export const regexEngine: RegexEngine = {
    prepare(pattern) {
        const refused = refusedBeforeCompiling(pattern);
        if (refused !== null) return { ok: false, problem: refused };
        const checked = searchFlags(pattern);
        if ('problem' in checked) return { ok: false, problem: refusal(checked.problem) };
        const search = StoppableRegex.start(pattern, checked.flags);
        if (search === null) {
            return { ok: false, problem: refusal('regular expressions cannot run safely here (no background worker)') };
        }
        return { ok: true, search };
    },
};
