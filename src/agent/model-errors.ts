/**
 * Typed errors at the SDK boundary. Whatever the SDK or `fetch` throws becomes one `ModelError` subclass that says
 * whether the request may be sent again and what a person should read. The loop and the queue branch on the class,
 * never on message text.
 */
import { APIError, APIConnectionTimeoutError, APIUserAbortError } from '@anthropic-ai/sdk/core/error';
import { readTransportFailure, trimSentence } from './transport-failure';

/** What every model error carries. */
export interface ModelErrorFields {
    /** Whether sending the same request again can succeed (the caller still decides about side effects). */
    retryable: boolean;
    /** The endpoint's request id, for support tickets and logs. */
    requestId?: string;
    /** The HTTP status, when there was a response. */
    status?: number;
    /** What went wrong, in one plain sentence without the request id. */
    summary: string;
    /** The original error, for logs. */
    cause?: unknown;
}

/** The root of the tree: one sentence for people, flags for code. */
export abstract class ModelError extends Error {
    /** Whether sending the same request again can succeed. */
    readonly retryable: boolean;
    /** The endpoint's request id, when known. */
    readonly requestId?: string;
    /** The HTTP status, when there was a response. */
    readonly status?: number;
    /** One plain sentence, without the request id. */
    readonly summary: string;

    constructor(fields: ModelErrorFields) {
        super(fields.summary, fields.cause === undefined ? undefined : { cause: fields.cause });
        // Subclasses set `name` as a literal: a minified bundle renames classes, and logs should still say which.
        this.name = 'ModelError';
        this.retryable = fields.retryable;
        this.requestId = fields.requestId;
        this.status = fields.status;
        this.summary = fields.summary;
    }

    /** The sentence a person reads, with the request id when known. */
    get userMessage(): string {
        return `${this.summary}${requestSuffix(this.requestId)}`;
    }

    /**
     * The sentence a person reads while the caller waits `delayMs` before trying again, with which attempt comes next
     * when known: "… rate-limiting requests right now; retrying in 20 s (attempt 2 of 4)."
     */
    retryMessage(delayMs: number, attempt?: { next: number; of: number }): string {
        const seconds = Math.max(1, Math.round(delayMs / 1000));
        const which = attempt === undefined ? '' : ` (attempt ${attempt.next} of ${attempt.of})`;
        if (this.summary.endsWith('?'))
            return `${this.summary} Retrying in ${seconds} s${which}.${requestSuffix(this.requestId)}`;
        return `${this.summary.replace(/\.$/, '')}; retrying in ${seconds} s${which}.${requestSuffix(this.requestId)}`;
    }
}

/** 429: too many requests or tokens per minute; wait `retryAfterMs` when the endpoint said how long. */
export class RateLimited extends ModelError {
    override readonly name: string = 'RateLimited';
    /** How long the endpoint asked us to wait (from `retry-after-ms` or `retry-after`). */
    readonly retryAfterMs?: number;

    constructor(fields: Omit<ModelErrorFields, 'retryable'> & { retryAfterMs?: number }) {
        super({ ...fields, retryable: true });
        this.retryAfterMs = fields.retryAfterMs;
    }
}

/** A spend, credit or usage limit: waiting does not help, so never retried; the queue pauses. */
export class SpendCap extends ModelError {
    override readonly name: string = 'SpendCap';
}
/** 529 / 503: the service is busy; back off and retry. */
export class Overloaded extends ModelError {
    override readonly name: string = 'Overloaded';
}
/** 401 / 403: the key was rejected or may not do this. */
export class AuthError extends ModelError {
    override readonly name: string = 'AuthError';
}
/** No API key stored on this device; raised before any request is made. */
export class ApiKeyMissing extends ModelError {
    override readonly name: string = 'ApiKeyMissing';
}
/** 413, or a prompt longer than the model's context window. */
export class TooLarge extends ModelError {
    override readonly name: string = 'TooLarge';
}
/** 500, 502, 504 and other server-side failures. */
export class ServerError extends ModelError {
    override readonly name: string = 'ServerError';
}
/** No network, refused connection, or a host name that does not resolve. */
export class Offline extends ModelError {
    override readonly name: string = 'Offline';
}
/** The endpoint's TLS certificate is not trusted: nothing was sent, and trying again cannot help. */
export class UntrustedCertificate extends ModelError {
    override readonly name: string = 'UntrustedCertificate';
}
/** The connection broke after it was made (reset, socket hang up). */
export class ConnectionLost extends ModelError {
    override readonly name: string = 'ConnectionLost';
}
/** The request took longer than allowed. */
export class Timeout extends ModelError {
    override readonly name: string = 'Timeout';
}
/** We aborted the request (Stop pressed, job cancelled). */
export class Cancelled extends ModelError {
    override readonly name: string = 'Cancelled';
}
/** The endpoint refused the request as malformed or unknown (other 4xx). */
export class InvalidRequest extends ModelError {
    override readonly name: string = 'InvalidRequest';
}
/** Something we did not anticipate; not retried. */
export class UnexpectedError extends ModelError {
    override readonly name: string = 'UnexpectedError';
}

/** An `event: error` in the middle of a streamed response. */
export class StreamError extends ModelError {
    override readonly name: string = 'StreamError';
    /** The error type the stream named, e.g. `overloaded_error`. */
    readonly errorType: string;

    constructor(fields: ModelErrorFields & { errorType: string }) {
        super(fields);
        this.errorType = fields.errorType;
    }
}

/**
 * The endpoint asked for a longer pause than Vault Agent waits (see `maxRetryAfterMs`): the call ends now, and says
 * when to try again. A job is queued again for that moment.
 */
export class RetryLater extends ModelError {
    override readonly name: string = 'RetryLater';
    /** When the endpoint said requests may resume, ms since the epoch. */
    readonly retryAt: number;

    constructor(fields: Omit<ModelErrorFields, 'retryable'> & { retryAt: number }) {
        super({ ...fields, retryable: false });
        this.retryAt = fields.retryAt;
    }
}

/** A retryable error that kept coming back until the call's retry budget was spent; `last` is the final one. */
export class GaveUp extends ModelError {
    override readonly name: string = 'GaveUp';
    /** The last error before giving up. */
    readonly last: ModelError;

    constructor(fields: Omit<ModelErrorFields, 'retryable'> & { last: ModelError }) {
        super({ ...fields, retryable: fields.last.retryable, requestId: fields.last.requestId, cause: fields.last });
        this.last = fields.last;
    }
}

/** Context that makes messages precise. */
export interface ClassifyContext {
    /** Who answers, as people know it: "Anthropic", or the custom endpoint's host. */
    endpointName?: string;
    /** The custom endpoint's address as configured, to name it when nothing answers there. */
    endpointUrl?: string;
    /** Whether the device says it is online (`navigator.onLine` where there is one). */
    online?: boolean;
    /** Milliseconds since the epoch, for `retry-after` given as an HTTP date. */
    now?: number;
}

const SPEND_TEXT = /spend|credit balance|usage limit|billing|quota/i;
const TOO_LONG_TEXT = /too long|too large|context window|maximum context|exceeds? the (?:maximum|limit)/i;

/** Turns anything thrown at the SDK boundary into a `ModelError`; a `ModelError` passes through unchanged. */
export function classifyError(e: unknown, context: ClassifyContext = {}): ModelError {
    if (e instanceof ModelError) return e;
    const who = context.endpointName ?? 'Anthropic';
    if (e instanceof APIUserAbortError || isAbort(e)) {
        return new Cancelled({ retryable: false, summary: 'The request was stopped.', cause: e });
    }
    if (e instanceof APIError) {
        const apiError = e as APIError<number | undefined, Headers | undefined>;
        if (apiError.status !== undefined) return classifyStatus(apiError, apiError.status, who, context);
        if (apiError.headers !== undefined) return classifyStreamError(apiError, who, context);
    }
    if (e instanceof APIConnectionTimeoutError) {
        return new Timeout({ retryable: true, summary: `${who} took too long to answer.`, cause: e });
    }
    return classifyTransport(e, who, context);
}

function classifyStatus(e: APIError, status: number, who: string, context: ClassifyContext): ModelError {
    const base = { status, requestId: e.requestID ?? undefined, cause: e };
    const text = `${e.apiMessage ?? ''} ${e.errorCode ?? ''} ${e.message}`;
    const spendCode = e.errorCode !== null && /spend_limit|billing|credit/.test(e.errorCode);
    if (status === 402 || e.type === 'billing_error' || spendCode || (isSpendStatus(status) && SPEND_TEXT.test(text))) {
        return new SpendCap({
            ...base,
            retryable: false,
            summary: `${who} refused the request because a spend or credit limit was reached; the queue is paused until you raise it.`,
        });
    }
    if (status === 429) {
        const retryAfterMs = retryAfterFromHeaders(e.headers, context.now ?? Date.now());
        return new RateLimited({ ...base, retryAfterMs, summary: `${who} is rate-limiting requests right now.` });
    }
    if (status === 401) {
        return new AuthError({
            ...base,
            retryable: false,
            summary: 'The API key was rejected; check the key in this device’s settings.',
        });
    }
    if (status === 403) {
        return new AuthError({
            ...base,
            retryable: false,
            summary: 'This API key is not allowed to do that; check its permissions or workspace.',
        });
    }
    if (status === 413 || (status === 400 && TOO_LONG_TEXT.test(text))) {
        return new TooLarge({
            ...base,
            retryable: false,
            summary: 'The request is too large for the model; attach less context or start a new chat.',
        });
    }
    if (status === 529 || status === 503) {
        return new Overloaded({ ...base, retryable: true, summary: `${who} is overloaded right now.` });
    }
    if (status === 408) {
        return new Timeout({ ...base, retryable: true, summary: `${who} took too long to answer.` });
    }
    if (status >= 500) {
        return new ServerError({ ...base, retryable: true, summary: `${who} had a server error (${status}).` });
    }
    if (status === 404) {
        return new InvalidRequest({
            ...base,
            retryable: false,
            summary: `${who} does not know this model or route (404); check the model name and base URL.`,
        });
    }
    const detail = e.apiMessage !== null ? `: ${trimSentence(e.apiMessage)}` : '';
    return new InvalidRequest({
        ...base,
        retryable: false,
        summary: `${who} refused the request (${status})${detail}.`,
    });
}

/** Stream error types that say the request itself is wrong: sending it again cannot help. */
const FINAL_STREAM_TYPES = new Set([
    'invalid_request_error',
    'authentication_error',
    'permission_error',
    'not_found_error',
    'request_too_large',
]);

/**
 * An `event: error` in the middle of a stream. The API sends `{"type":"error","error":{"type","message"}}`; gateways
 * in front of it send other shapes (`{"error":"…"}`, `{"message":"…"}`, plain text), and their message is kept too.
 * Rate limits and spend limits keep their meaning; a server-side type (`overloaded_error`, `api_error`, a timeout) or
 * one the stream did not name is retried, a request the endpoint calls wrong is not.
 */
function classifyStreamError(e: APIError, who: string, context: ClassifyContext): ModelError {
    const { type, message } = streamErrorBody(e);
    const errorType = type ?? 'unknown_error';
    const detail = message !== null ? `: ${trimSentence(message)}` : '';
    const base = { requestId: e.requestID ?? undefined, cause: e };
    if (errorType === 'billing_error' || (message !== null && /spend_limit|credit balance/i.test(message))) {
        return new SpendCap({
            ...base,
            retryable: false,
            summary: `${who} stopped the response because a spend or credit limit was reached${detail}.`,
        });
    }
    if (errorType === 'rate_limit_error') {
        const retryAfterMs = retryAfterFromHeaders(e.headers, context.now ?? Date.now());
        return new RateLimited({
            ...base,
            retryAfterMs,
            summary: `${who} is rate-limiting requests right now${detail}.`,
        });
    }
    // A stream that named no type is not called "unknown_error": its own words say more.
    const named = type === null ? '' : ` (${type})`;
    return new StreamError({
        ...base,
        errorType,
        retryable: !FINAL_STREAM_TYPES.has(errorType),
        summary: `${who} stopped the response midway${named}${detail}.`,
    });
}

/** The error type and message of a stream's error event, whatever shape the sender gave it. */
function streamErrorBody(e: APIError): { type: string | null; message: string | null } {
    const body: unknown = e.error;
    const text = (value: unknown): string | null =>
        typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
    if (typeof body === 'string') return { type: e.type ?? null, message: text(body) };
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const inner = record.error;
    const innerRecord = (typeof inner === 'object' && inner !== null ? inner : {}) as Record<string, unknown>;
    const ownType = text(record.type);
    const type = e.type ?? text(innerRecord.type) ?? text(innerRecord.code) ?? (ownType !== 'error' ? ownType : null);
    const message = e.apiMessage ?? text(innerRecord.message) ?? text(inner) ?? text(record.message);
    return { type, message };
}

function classifyTransport(e: unknown, who: string, context: ClassifyContext): ModelError {
    const failure = readTransportFailure(e, who, { ...context, apiError: e instanceof APIError });
    const fields = { retryable: failure.retryable, summary: failure.summary, cause: e };
    if (failure.kind === 'certificate') return new UntrustedCertificate(fields);
    if (failure.kind === 'offline') return new Offline(fields);
    if (failure.kind === 'timeout') return new Timeout(fields);
    if (failure.kind === 'lost') return new ConnectionLost(fields);
    return new UnexpectedError(fields);
}

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date), or `undefined`. */
export function retryAfterFromHeaders(headers: Headers | undefined, now: number): number | undefined {
    const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
    if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
    const raw = headers?.get('retry-after')?.trim();
    if (raw === undefined || raw === '') return undefined;
    const seconds = Number(raw);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(raw);
    return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** How backoff spreads and bounds its waits. */
export interface BackoffOptions {
    /** First ceiling in ms; doubles with every attempt. */
    base?: number;
    /** Largest ceiling in ms for computed waits. */
    max?: number;
    /** A number in [0, 1); injectable so tests are exact. */
    random?: () => number;
    /** What the endpoint asked for; honoured even above `max`, since an earlier retry would be refused again. */
    retryAfterMs?: number;
}

/**
 * How long to wait before attempt `attempt + 1` (0-based). Full jitter — a uniform wait below an exponential
 * ceiling — keeps parallel jobs from retrying in lockstep. With `retryAfterMs` the wait is at least that long, plus
 * up to `base` of jitter for the same reason.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
    const base = options.base ?? 1000;
    const max = options.max ?? 60_000;
    const random = options.random ?? Math.random;
    if (options.retryAfterMs !== undefined) return Math.round(options.retryAfterMs + random() * base);
    const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt));
    return Math.round(random() * ceiling);
}

function isSpendStatus(status: number): boolean {
    return status === 429 || status === 400;
}

function isAbort(e: unknown): boolean {
    return typeof e === 'object' && e !== null && 'name' in e && e.name === 'AbortError';
}

function requestSuffix(requestId: string | undefined): string {
    return requestId === undefined ? '' : ` (request ${requestId})`;
}
