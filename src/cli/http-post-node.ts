/** Node's `fetch` as the core's `HttpPost` port (deliveries from `vault-agent run`). */
import type { HttpPost } from '../kernel/ports';

/** How long one delivery request may take before it counts as not answered. */
const TIMEOUT_MS = 10_000;

/** POSTs with Node's `fetch`, each request bounded by a timeout. */
export const nodeHttpPost: HttpPost = {
    async post(url, body, headers) {
        // The CLI runs in Node, never inside Obsidian: `requestUrl` does not exist here.
        // eslint-disable-next-line no-restricted-globals
        const response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        // The body is not needed; reading it lets the connection be reused or closed.
        await response.arrayBuffer().catch(() => undefined);
        return { status: response.status };
    },
};
