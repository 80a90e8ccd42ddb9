/**
 * Obsidian's `requestUrl` as the core's `HttpPost` port: deliveries from the plugin go through the app's own request
 * function (no CORS limits, and the same on desktop and mobile), never through `fetch`.
 */
import { requestUrl } from 'obsidian';
import type { HttpPost } from '../kernel/ports';

/** POSTs with `requestUrl`; any status is an answer (the caller decides), no answer rejects. */
export const obsidianHttpPost: HttpPost = {
    async post(url, body, headers) {
        const response = await requestUrl({ url, method: 'POST', body, headers, throw: false });
        return { status: response.status };
    },
};
