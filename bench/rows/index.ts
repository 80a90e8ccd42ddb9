/**
 * Every benchmark row, in table order. Add a row: write `bench/rows/<name>.ts` and list it here. Whether a row's
 * target holds only at full size, or its figure is noisy on a shared machine, is said here (see `--ci` in run.ts).
 */
import type { BenchRow } from '../bench-row';
import { attachmentCacheRow } from '../attachment-rows';
import { compactionCacheRow, compactionInputRow } from '../compaction-rows';
import { contextSuggestRow } from '../context-suggest';
import { memoryIndexRow } from '../memory-index';
import { onloadTimeRow } from '../onload-time';
import { renderStreamingRow } from '../render-streaming';
import { inlineStreamingRow } from '../inline-streaming';
import { cacheShareRow, loopOverheadRow } from '../engine-rows';
import { ripgrepSearchRow } from '../ripgrep-search';
import { batchJobsRow } from './batch-jobs';
import {
    retrievalBigRow,
    retrievalBuildRow,
    retrievalMemoryRow,
    retrievalNdcgRow,
    retrievalQueryRow,
    retrievalRecallRow,
} from '../retrieval-rows';
import { contextSuggestContentRow } from '../context-suggest';
import { bundleSizeRow } from './bundle-size';
import { coldIndexRow } from './cold-index';
import { gateDefaultRow, gateGlobRow } from './gate-checks';
import { mcpReadNoteRow } from './mcp-read-note';
import { mcpColdStartRow, mcpPeakMemoryRow, mcpSearchRow } from './mcp-product';
import { reviewApplyRow, reviewInboxListRow } from './review-inbox';
import { warmRescanRow } from './warm-rescan';
import { queueRateLimitRow, queueThroughputRow } from '../queue-throughput';
import { queueCliLongRow, queueCliLivedInRow, queueCliRow } from './queue-cli';
import { pluginTagsNextStartRow, pluginTagsRow } from './plugin-tags';

/** A row whose wall-clock figure a busy machine can spoil: in CI a miss is measured 3 times and reported by its median. */
function noisy(row: BenchRow): BenchRow {
    return { ...row, noisy: true };
}

/** A row whose target is stated for the 20,000-note vault: CI reports its figure without checking it. */
function fullSizeOnly(row: BenchRow): BenchRow {
    return { ...row, fullSizeOnly: true };
}

/** The rows `bench/run.ts` runs, top to bottom. */
export const BENCH_ROWS: BenchRow[] = [
    bundleSizeRow,
    noisy(onloadTimeRow),
    fullSizeOnly(noisy(pluginTagsRow)),
    noisy(pluginTagsNextStartRow),
    fullSizeOnly(coldIndexRow),
    fullSizeOnly(warmRescanRow),
    noisy(mcpReadNoteRow),
    fullSizeOnly(noisy(mcpColdStartRow)),
    fullSizeOnly(noisy(mcpSearchRow)),
    fullSizeOnly(mcpPeakMemoryRow),
    memoryIndexRow,
    noisy(gateDefaultRow),
    noisy(gateGlobRow),
    noisy(contextSuggestRow),
    noisy(contextSuggestContentRow),
    retrievalRecallRow,
    retrievalNdcgRow,
    noisy(fullSizeOnly(retrievalBuildRow)),
    noisy(fullSizeOnly(retrievalQueryRow)),
    fullSizeOnly(retrievalMemoryRow),
    noisy(retrievalBigRow),
    noisy(ripgrepSearchRow),
    noisy(renderStreamingRow),
    noisy(inlineStreamingRow),
    cacheShareRow,
    noisy(loopOverheadRow),
    noisy(queueThroughputRow),
    noisy(queueRateLimitRow),
    noisy(queueCliRow),
    noisy(queueCliLongRow),
    noisy(queueCliLivedInRow),
    batchJobsRow,
    compactionInputRow,
    compactionCacheRow,
    attachmentCacheRow,
    noisy(reviewInboxListRow),
    noisy(reviewApplyRow),
];
