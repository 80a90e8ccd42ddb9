/**
 * What a custom endpoint's rejection teaches the turn loop: an endpoint that cannot read PDF documents gets their text
 * (the history is changed, so this request too); one that rejects `cache_control`, citable documents or the
 * compaction field loses that part of the request from now on (`ModelCapabilities.learnFrom`). Each time the same
 * request then goes again, which is safe: a rejected call had no effect.
 */
import type { ModelClient } from '../model-client';
import type { Conversation, HistoryMessage } from './conversation';
import { carriesPdf, documentsAsText } from './documents-as-text';
import { hasDocuments } from './streamed-blocks';

/** The request that was rejected, as the loop built it. */
export interface RejectedRequest {
    /** The history it carried. */
    messages: readonly HistoryMessage[];
    /** The request's parameters. */
    params: { messages: readonly { content: unknown }[] };
    /** Whether it carried `cache_control`. */
    caching: boolean;
    /** Whether it sent notes as citable documents. */
    citing: boolean;
    /** Whether it asked the endpoint to compact. */
    compacting: boolean;
}

/** Whether `raw` (the endpoint's error) taught the loop to send the request differently; then it goes again. */
export async function learnedFromRejection(
    raw: unknown,
    request: RejectedRequest,
    deps: { client: ModelClient; conversation: Conversation; notice: (message: string) => void },
): Promise<boolean> {
    const { capabilities, endpointName } = deps.client;
    if (carriesPdf(request.messages) && capabilities.learnFrom('documents', raw)) {
        if ((await documentsAsText(deps.conversation)) > 0) {
            deps.notice(`${endpointName} does not read PDF documents; their text is sent instead.`);
            return true;
        }
    }
    if (request.caching && capabilities.learnFrom('promptCaching', raw)) return true;
    if (request.citing && hasDocuments(request.params) && capabilities.learnFrom('citations', raw)) return true;
    return request.compacting && capabilities.learnFrom('serverCompaction', raw);
}
