import type { MessageBatch, MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';

import { randomId } from './render';

/** One stored batch: what the API reports about it plus the answers it will give. */
interface StoredBatch {
    /** The batch as `retrieve` last reported it. */
    batch: MessageBatch;
    /** One result per request, decided when the batch was created. */
    results: MessageBatchIndividualResponse[];
    /** `retrieve` calls so far. */
    polls: number;
}

/** Message Batches for one server: each batch ends after a fixed number of polls. */
export class BatchStore {
    private readonly batches = new Map<string, StoredBatch>();
    private pollsBeforeEnd: number;
    private readonly resultsUrl: (id: string) => string;

    /** @param ports.resultsUrl where a batch's JSONL results can be fetched (an absolute URL on this server) */
    constructor(ports: { pollsBeforeEnd: number; resultsUrl: (id: string) => string }) {
        this.pollsBeforeEnd = ports.pollsBeforeEnd;
        this.resultsUrl = ports.resultsUrl;
    }

    /** From now on, a batch ends at its next poll after `polls` polls in all (`Infinity`: batches never end). */
    setPollsBeforeEnd(polls: number): void {
        this.pollsBeforeEnd = polls;
    }

    /** Stores a new in-progress batch whose results are already known. */
    create(results: MessageBatchIndividualResponse[]): MessageBatch {
        const now = new Date();
        const batch: MessageBatch = {
            id: `msgbatch_${randomId()}`,
            type: 'message_batch',
            processing_status: 'in_progress',
            request_counts: { processing: results.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
            created_at: now.toISOString(),
            expires_at: new Date(now.getTime() + 24 * 3600 * 1000).toISOString(),
            ended_at: null,
            archived_at: null,
            cancel_initiated_at: null,
            results_url: null,
        };
        this.batches.set(batch.id, { batch, results, polls: 0 });
        return batch;
    }

    /** One poll: the batch ends once it has been polled `pollsBeforeEnd` times before, or after a cancel. */
    retrieve(id: string): MessageBatch | undefined {
        const stored = this.batches.get(id);
        if (!stored) return undefined;
        stored.polls += 1;
        const canceling = stored.batch.processing_status === 'canceling';
        if (stored.batch.processing_status !== 'ended' && (canceling || stored.polls > this.pollsBeforeEnd)) {
            this.end(stored, canceling);
        }
        return stored.batch;
    }

    /** Starts a cancel; requests not yet done end as `canceled` at the next poll. */
    cancel(id: string): MessageBatch | undefined {
        const stored = this.batches.get(id);
        if (!stored) return undefined;
        if (stored.batch.processing_status === 'in_progress') {
            stored.batch = { ...stored.batch, processing_status: 'canceling', cancel_initiated_at: now() };
        }
        return stored.batch;
    }

    /** The results as JSONL (`null` until the batch has ended); `undefined` for an unknown id. */
    resultsJsonl(id: string): { jsonl: string | null } | undefined {
        const stored = this.batches.get(id);
        if (!stored) return undefined;
        if (stored.batch.processing_status !== 'ended') return { jsonl: null };
        return { jsonl: stored.results.map((result) => JSON.stringify(result)).join('\n') + '\n' };
    }

    /** Every batch, newest first, as the list endpoint reports them. */
    list(): MessageBatch[] {
        return [...this.batches.values()].map((stored) => stored.batch).reverse();
    }

    private end(stored: StoredBatch, canceled: boolean): void {
        if (canceled)
            stored.results = stored.results.map((r) => ({ custom_id: r.custom_id, result: { type: 'canceled' } }));
        const count = (type: string) => stored.results.filter((r) => r.result.type === type).length;
        stored.batch = {
            ...stored.batch,
            processing_status: 'ended',
            ended_at: now(),
            results_url: this.resultsUrl(stored.batch.id),
            request_counts: {
                processing: 0,
                succeeded: count('succeeded'),
                errored: count('errored'),
                canceled: count('canceled'),
                expired: count('expired'),
            },
        };
    }
}

function now(): string {
    return new Date().toISOString();
}
