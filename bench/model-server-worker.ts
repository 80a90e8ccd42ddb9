/**
 * The local Messages API in a worker thread, for the queue rows: the real API is another machine, so its work (parsing
 * requests, simulating the prompt cache, writing streams) must not share the event loop of the queue it serves. The
 * first `burst` requests are answered with a 429 (retry-after 1 s), every other one with a short text turn, each
 * `latencyMs` after it arrived. Messages: `'count'` answers `{ count }` (model requests so far), `'times'` answers
 * `{ times }` (when each model request arrived, `Date.now()` ms, in order), `'close'` answers `{ closed: true }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { rateLimited, startMessagesApiServer, textTurn } from '../tests/support/messages-api-server';

const { latencyMs, burst } = workerData as { latencyMs: number; burst: number };
const port = parentPort;
if (port === null) throw new Error('model-server-worker.ts runs as a worker thread.');
const server = await startMessagesApiServer({ latencyMs });
let limited = 0;
server.setResponder(() => {
    if (limited < burst) {
        limited++;
        return rateLimited({ retryAfter: 1 });
    }
    return textTurn('A short summary.');
});
port.on('message', (message: unknown) => {
    if (message === 'count') port.postMessage({ count: server.messageRequests().length });
    if (message === 'times') port.postMessage({ times: server.messageRequests().map((request) => request.time) });
    if (message === 'close') void server.close().then(() => port.postMessage({ closed: true }));
});
port.postMessage({ baseURL: server.baseURL, apiKey: server.apiKey });
