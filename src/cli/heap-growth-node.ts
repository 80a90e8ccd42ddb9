/**
 * How far V8 lets the heap of a long-running `vault-agent` process grow past what it holds live before it collects
 * (docs/decisions/0026). V8 sizes that room by itself, up to four times the live heap, which is cheap for short
 * commands and costly for a server that keeps a vault of 100,000 notes: its searches allocate large listings that only
 * a full collection frees, so its resident memory grew to several times what it used. The flag below is V8's own
 * setting for that factor; it is read at every collection, so setting it once the process runs takes effect. Node
 * only.
 */
import { setFlagsFromString } from 'node:v8';

/** The heap may grow to this percent above the live heap before a full collection. */
export const HEAP_GROWING_PERCENT = 30;

/** Bounds this process's heap growth (see above); a no-op where the flag is unknown. */
export function boundHeapGrowth(): void {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
