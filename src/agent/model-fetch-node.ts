/**
 * A `fetch` built on Node's `http`/`https`, for custom base URLs on desktop and for every endpoint of the CLI. Local
 * model servers (Ollama, LiteLLM, llama.cpp) send no CORS headers, so the renderer's own `fetch` is blocked from
 * reading their answers; Node's client has no such rule. In the CLI it is the lighter path: a request and its streamed
 * answer take less of the event loop than through Node's built-in `fetch` (decision 0030). It streams response bodies
 * (SSE) as they arrive and honours `AbortSignal`.
 *
 * Desktop only in the plugin: `model-client.ts` loads this file with a dynamic import, so the plugin bundle never
 * touches Node builtins on mobile.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';

/** Thrown for request bodies this fetch cannot send (the SDK only sends strings for the Messages API). */
export class UnsupportedBodyError extends Error {
    constructor(kind: string) {
        super(`The Node fetch cannot send a ${kind} request body.`);
        this.name = 'UnsupportedBodyError';
    }
}

/** Statuses whose responses have no body, per the Fetch standard; `Response` refuses a body for them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** A `fetch` over Node's `http`/`https` with streamed bodies and abort support. */
export const nodeFetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const signal = init?.signal ?? request?.signal ?? undefined;
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers ?? request?.headers);
    if (signal?.aborted) throw abortReason(signal);
    const body = encodeBody(init?.body);
    if (body !== undefined && !headers.has('content-length')) headers.set('content-length', String(body.length));

    return new Promise<Response>((resolve, reject) => {
        const transport = url.protocol === 'https:' ? https : http;
        const req = transport.request(url, { method, headers: Object.fromEntries(headers.entries()) });
        let settled = false;
        let onAbortBody: ((reason: Error) => void) | undefined;

        const onAbort = (): void => {
            const reason = abortReason(signal);
            req.destroy(reason);
            onAbortBody?.(reason);
            if (!settled) {
                settled = true;
                reject(reason);
            }
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const detach = (): void => signal?.removeEventListener('abort', onAbort);

        req.on('error', (error) => {
            if (settled) return;
            settled = true;
            detach();
            reject(error);
        });
        req.on('response', (res) => {
            if (settled) {
                res.destroy();
                return;
            }
            settled = true;
            const status = res.statusCode ?? 0;
            const responseHeaders = toHeaders(res.headers);
            const decoded = decode(res, responseHeaders);
            const hasBody = !NULL_BODY_STATUSES.has(status) && method !== 'HEAD';
            const stream = hasBody ? toWebStream(decoded, res, detach, (fn) => (onAbortBody = fn)) : null;
            if (!hasBody) {
                res.resume();
                detach();
            }
            resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        });
        req.end(body);
    });
};

/** Feeds a web `ReadableStream` from a Node stream, pausing the socket when the reader falls behind. */
function toWebStream(
    source: Readable,
    res: http.IncomingMessage,
    done: () => void,
    setAbortHandler: (fn: (reason: Error) => void) => void,
): ReadableStream<Uint8Array> {
    let finished = false;
    return new ReadableStream<Uint8Array>({
        start(controller) {
            const fail = (error: Error): void => {
                if (finished) return;
                finished = true;
                done();
                controller.error(error);
            };
            setAbortHandler(fail);
            source.on('data', (chunk: Buffer) => {
                if (finished) return;
                controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
                if ((controller.desiredSize ?? 1) <= 0) source.pause();
            });
            source.on('end', () => {
                if (finished) return;
                finished = true;
                done();
                controller.close();
            });
            source.on('error', fail);
            // A socket that closes before `end` is a lost connection, not a short body.
            res.on('close', () => {
                if (!res.complete) fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
            });
        },
        pull() {
            source.resume();
        },
        cancel() {
            finished = true;
            done();
            res.destroy();
        },
    });
}

function decode(res: http.IncomingMessage, headers: Headers): Readable {
    const encoding = (headers.get('content-encoding') ?? '').trim().toLowerCase();
    const decoder =
        encoding === 'gzip' || encoding === 'x-gzip'
            ? zlib.createGunzip()
            : encoding === 'deflate'
              ? zlib.createInflate()
              : encoding === 'br'
                ? zlib.createBrotliDecompress()
                : undefined;
    if (decoder === undefined) return res;
    // The body we hand on is decoded, so these would describe bytes the reader never sees.
    headers.delete('content-encoding');
    headers.delete('content-length');
    res.on('error', (error) => decoder.destroy(error));
    return res.pipe(decoder);
}

function encodeBody(body: RequestInit['body'] | undefined): Uint8Array | undefined {
    if (body === undefined || body === null) return undefined;
    if (typeof body === 'string') return new TextEncoder().encode(body);
    if (body instanceof URLSearchParams) return new TextEncoder().encode(body.toString());
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    throw new UnsupportedBodyError(Object.prototype.toString.call(body).slice(8, -1));
}

function toHeaders(raw: http.IncomingHttpHeaders): Headers {
    const headers = new Headers();
    for (const [name, value] of Object.entries(raw)) {
        if (value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    return headers;
}

function abortReason(signal: AbortSignal | undefined): Error {
    const reason: unknown = signal?.reason;
    if (reason instanceof Error && reason.name === 'AbortError') return reason;
    // The SDK recognises an abort by `name === 'AbortError'`, whatever the signal's reason was.
    return Object.assign(new Error('The request was aborted.', { cause: reason }), { name: 'AbortError' });
}
