/** Every benchmark row, in table order. Add a row: write `bench/rows/<name>.ts` and list it here. */
import type { BenchRow } from '../bench-row';
import { compactionCacheRow, compactionInputRow } from '../compaction-rows';
import { contextSuggestRow } from '../context-suggest';
import { renderStreamingRow } from '../render-streaming';
import { cacheShareRow, loopOverheadRow } from '../engine-rows';
import { bundleSizeRow } from './bundle-size';
import { coldIndexRow } from './cold-index';
import { gateDefaultRow, gateGlobRow } from './gate-checks';
import { warmRescanRow } from './warm-rescan';
import { queueRateLimitRow, queueThroughputRow } from '../queue-throughput';

/** The rows `bench/run.ts` runs, top to bottom. */
export const BENCH_ROWS: BenchRow[] = [
    bundleSizeRow,
    coldIndexRow,
    warmRescanRow,
    gateDefaultRow,
    gateGlobRow,
    contextSuggestRow,
    renderStreamingRow,
    cacheShareRow,
    loopOverheadRow,
    queueThroughputRow,
    queueRateLimitRow,
    compactionInputRow,
    compactionCacheRow,
];
