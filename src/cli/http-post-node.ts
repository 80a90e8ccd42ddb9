/**
 * Node's own HTTP as the core's `HttpPost` port (deliveries from `vault-agent run`): the `fetch` built on Node's
 * `http`/`https` that the model client uses for custom endpoints, each request bounded by a timeout.
 */
import { nodeFetch } from '../agent/model-fetch-node';
import type { HttpPost } from '../kernel/ports';

/** How long one delivery request may take before it counts as not answered. */
const TIMEOUT_MS = 10_000;

/** POSTs through Node's HTTP stack. */
export const nodeHttpPost: HttpPost = {
    async post(url, body, headers) {
        const response = await nodeFetch(url, {
            method: 'POST',
            body,
            headers,
            signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        // The body is not needed; reading it lets the connection be reused or closed.
        await response.arrayBuffer().catch(() => undefined);
        return { status: response.status };
    },
};
