/**
 * The Message Batches API's limits on one batch, and the grouping of requests under them. The API takes at most
 * 100,000 requests or 256 MB of request body in one batch; a collection larger than that is sent as several batches,
 * each as full as the limits allow, in order.
 */
import type { BatchRequest } from '../agent/model-client';

/** What one batch may hold. */
export interface BatchLimits {
    /** Most requests in one batch. */
    maxRequests: number;
    /** Most bytes of the request body (`{"requests":[…]}`, UTF-8) in one batch. */
    maxBytes: number;
}

/** The API's documented limits: 100,000 requests and 256 MB per batch. */
export const MESSAGE_BATCH_LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

/** Bytes of JSON around the requests (`{"requests":[` and `]}`). */
const ENVELOPE_BYTES = 16;

/**
 * `entries` split, in order, into as few groups as `limits` allow (each group one batch). An entry whose request alone
 * is over the byte limit gets a group of its own, for the API to refuse it with its reason.
 */
export function groupBatchRequests<T>(
    entries: readonly T[],
    requestOf: (entry: T) => BatchRequest,
    limits: Partial<BatchLimits> = {},
): T[][] {
    const { maxRequests, maxBytes } = { ...MESSAGE_BATCH_LIMITS, ...limits };
    const encoder = new TextEncoder();
    const groups: T[][] = [];
    let group: T[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const entry of entries) {
        // One more comma between requests.
        const size = encoder.encode(JSON.stringify(requestOf(entry))).length + 1;
        if (group.length > 0 && (group.length >= maxRequests || bytes + size > maxBytes)) {
            groups.push(group);
            group = [];
            bytes = ENVELOPE_BYTES;
        }
        group.push(entry);
        bytes += size;
    }
    if (group.length > 0) groups.push(group);
    return groups;
}
