/**
 * Search workers for `FsVault.scanTexts`: up to two worker threads (one per core, two at most) that read notes and
 * search their lines, so a search over 100,000 notes uses both cores and keeps no note text in the serving thread
 * (decision 0024). Notes go out in chunks from one queue, so a thread that gets less of the machine simply takes fewer
 * chunks; the answers land by position, so results keep the order asked for. Node only.
 *
 * The workers start on the first scan and stay (not keeping the process alive between scans). A worker that fails
 * takes the pool out of use: every later scan answers `null`, and the caller searches on its own thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScannedNote, TextScanRequest, TextScanResult } from '../kernel/text-scan';
import type { ScanTarget } from './text-scan-file-node';
import type { ScanChunk, ScanChunkDone } from './text-scan-worker-node';

/** Notes per chunk: big enough that messages cost little, small enough that the deadline and the order hold. */
const CHUNK = 512;

/** A worker's heap: it holds one chunk's texts at a time (notes over `MAX_SCANNED_BYTES` are left to the caller). */
const WORKER_HEAP_MB = 64;

/** Hears what the pool did, one line a scan (`VAULT_AGENT_DEBUG=search`). */
export type TextScanTrace = (line: string) => void;

/** Worker threads searching notes' texts. */
export class TextScanPool {
    private workers: Worker[] | null = null;
    private broken = false;
    /** Scans run one after another: the workers are shared. */
    private tail: Promise<unknown> = Promise.resolve();

    private constructor(
        private readonly script: string,
        private readonly threads: number,
        private readonly trace: TextScanTrace | undefined,
    ) {}

    /**
     * A pool running `script` (the built worker program), or `null` when there is no such file to run. `threads`: one
     * per core, two at most, unless given; `trace` hears one line per scan.
     */
    static forScript(script: URL, options: { threads?: number; trace?: TextScanTrace } = {}): TextScanPool | null {
        const path = fileURLToPath(script);
        const threads = options.threads ?? Math.min(2, availableParallelism());
        return existsSync(path) ? new TextScanPool(path, Math.max(1, threads), options.trace) : null;
    }

    /**
     * Scans `targets` (one per requested path; `null` = the caller reads that note itself) for `request.needle`. `null`
     * when the pool cannot (a worker failed).
     */
    scan(targets: (ScanTarget | null)[], request: TextScanRequest): Promise<TextScanResult | null> {
        const run = this.tail.then(() => this.scanNow(targets, request));
        this.tail = run.catch(() => undefined);
        return run;
    }

    /** Starts the workers now (they load their program while nothing waits on them), so the first search finds them ready. */
    warm(): void {
        this.start();
    }

    /** Stops the workers. */
    async close(): Promise<void> {
        const workers = this.workers ?? [];
        this.workers = null;
        await Promise.all(workers.map((worker) => worker.terminate()));
    }

    private start(): Worker[] | null {
        if (this.broken) return null;
        if (this.workers !== null) return this.workers;
        try {
            this.workers = Array.from({ length: this.threads }, () => {
                const worker = new Worker(this.script, {
                    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 8 },
                    stdout: false,
                    stderr: false,
                });
                worker.unref();
                return worker;
            });
        } catch {
            this.broken = true;
            return null;
        }
        return this.workers;
    }

    /** Tells the trace what one scan did. */
    private report(result: TextScanResult, threads: number): void {
        if (this.trace === undefined) return;
        let searched = 0;
        let here = 0;
        for (const note of result.notes) {
            if (note !== undefined) searched++;
            if (note === 'read-here') here++;
        }
        this.trace(
            `search workers: ${searched} of ${result.notes.length} notes searched in ${threads} worker threads` +
                `${here > 0 ? `, ${here} left to the serving thread` : ''}${result.stopped ? ', stopped' : ''}`,
        );
    }

    private scanNow(targets: (ScanTarget | null)[], request: TextScanRequest): Promise<TextScanResult | null> {
        const workers = this.start();
        if (workers === null) return Promise.resolve(null);
        const notes: ScannedNote[] = new Array<ScannedNote>(targets.length);
        const chunks: Omit<ScanChunk, 'cancel' | 'needle' | 'screen' | 'deadline'>[] = [];
        for (let first = 0; first < targets.length; first += CHUNK) {
            const chunk = { first, abs: [] as string[], dev: [] as number[], ino: [] as number[] };
            for (let i = first; i < Math.min(first + CHUNK, targets.length); i++) {
                const target = targets[i];
                // A note the vault cannot vouch for by identity opens nothing there (no path): the worker answers
                // 'read-here', and the caller reads it with every check.
                chunk.abs.push(target?.abs ?? '');
                chunk.dev.push(target?.dev ?? -1);
                chunk.ino.push(target?.ino ?? -1);
            }
            chunks.push(chunk);
        }
        const cancel = new Int32Array(new SharedArrayBuffer(4));
        const { needle, screen, deadline, signal } = request;
        return new Promise((resolve) => {
            let next = 0;
            let busy = 0;
            let stopped = false;
            let settled = false;
            const onAbort = (): void => {
                Atomics.store(cancel, 0, 1);
            };
            signal?.addEventListener('abort', onAbort);
            if (signal?.aborted === true) onAbort();
            const finish = (result: TextScanResult | null): void => {
                if (settled) return;
                settled = true;
                if (result !== null) this.report(result, workers.length);
                signal?.removeEventListener('abort', onAbort);
                for (const worker of workers) {
                    worker.off('message', onMessage.get(worker) as (done: ScanChunkDone) => void);
                    worker.off('error', onFailure).off('exit', onFailure);
                    worker.unref();
                }
                resolve(result);
            };
            const onFailure = (): void => {
                // A worker that fails (out of memory, a missing file) takes the pool out of use.
                this.broken = true;
                this.trace?.('search workers: a worker failed; searches run on the serving thread from now on');
                Atomics.store(cancel, 0, 1);
                void this.close();
                finish(null);
            };
            const dispatch = (worker: Worker): void => {
                const chunk = chunks[next];
                if (stopped || chunk === undefined) {
                    if (busy === 0) finish({ notes, stopped });
                    return;
                }
                next++;
                busy++;
                worker.postMessage({ ...chunk, needle, screen, deadline, cancel } satisfies ScanChunk);
            };
            const onMessage = new Map<Worker, (done: ScanChunkDone) => void>();
            for (const worker of workers) {
                const listener = (done: ScanChunkDone): void => {
                    busy--;
                    for (let i = 0; i < done.notes.length; i++) notes[done.first + i] = done.notes[i];
                    if (done.stopped) stopped = true;
                    dispatch(worker);
                };
                onMessage.set(worker, listener);
                worker.on('message', listener).on('error', onFailure).on('exit', onFailure);
                // While a scan runs, the workers keep the process alive (a one-shot command awaits them).
                worker.ref();
            }
            for (const worker of workers) dispatch(worker);
        });
    }
}
