import type { IncomingMessage, ServerResponse } from 'node:http';

/** The API's error body. */
export interface ErrorBody {
    /** Always `error`. */
    type: 'error';
    /** What went wrong. */
    error: { type: string; message: string; details?: { error_code: string } };
    /** Same value as the `request-id` header. */
    request_id: string;
}

/** Builds the API's error body; `errorCode` goes to `error.details.error_code`, which the SDK maps to a class. */
export function errorBody(type: string, message: string, requestId: string, errorCode?: string): ErrorBody {
    const error: ErrorBody['error'] = { type, message };
    if (errorCode !== undefined) error.details = { error_code: errorCode };
    return { type: 'error', error, request_id: requestId };
}

/** Writes a JSON response unless the client already went away. */
export function sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
): void {
    if (res.destroyed || res.headersSent) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        ...headers,
    });
    res.end(text);
}

/** Writes an API error response. */
export function sendError(
    res: ServerResponse,
    requestId: string,
    error: { status: number; errorType: string; message: string; errorCode?: string; headers?: Record<string, string> },
): void {
    sendJson(res, error.status, errorBody(error.errorType, error.message, requestId, error.errorCode), error.headers);
}

/** Starts an SSE response and pushes the headers out, so a client sees them even if nothing follows. */
export function startSse(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
}

/** Writes and waits until the bytes are handed to the socket (so a following reset does not swallow them). */
export function writeFlushed(res: ServerResponse, text: string): Promise<void> {
    return new Promise((resolve) => {
        if (res.destroyed || text.length === 0) {
            resolve();
            return;
        }
        res.write(text, () => resolve());
    });
}

/** Reads the whole request body as UTF-8. */
export async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const piece of req) chunks.push(typeof piece === 'string' ? Buffer.from(piece) : (piece as Buffer));
    return Buffer.concat(chunks).toString('utf8');
}

/** Header names lowercased (Node already does), repeated values joined. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return headers;
}

/** The HTTP status the API uses for an error type (for stream errors that hit a non-streaming request). */
export function statusForErrorType(type: string): number {
    return STATUS_BY_TYPE[type] ?? 500;
}

const STATUS_BY_TYPE: Record<string, number> = {
    invalid_request_error: 400,
    authentication_error: 401,
    billing_error: 402,
    permission_error: 403,
    not_found_error: 404,
    request_too_large: 413,
    rate_limit_error: 429,
    api_error: 500,
    timeout_error: 504,
    overloaded_error: 529,
};

/** Parses JSON, or `undefined` when the text is empty or not JSON. */
export function parseJson(text: string): unknown {
    if (text.length === 0) return undefined;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
