import type { ServerResponse } from 'node:http';

import type { MessageBatchIndividualResponse, MessageBatchResult } from '@anthropic-ai/sdk/resources/messages/batches';
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models';
import type { ErrorResponse } from '@anthropic-ai/sdk/resources/shared';

import type { BatchStore } from './batch-store';
import { countPromptTokens } from './prompt-cache';
import { errorBody, isRecord, sendError, sendJson } from './http';
import type { RecordedRequest, ScriptedResponse } from './types';

/** What the side routes need from the server. */
export interface SideRouteContext {
    /** The response to write. */
    res: ServerResponse;
    /** The request being answered. */
    request: RecordedRequest;
    /** This response's `request-id`. */
    requestId: string;
    /** The server's batches. */
    batches: BatchStore;
    /** What the Models API lists, newest first. */
    models: readonly ModelInfo[];
    /** Next scripted answer for a (batch) Messages request; `undefined` when nothing is scripted. */
    answerFor(request: RecordedRequest): Promise<ScriptedResponse | undefined>;
    /** Renders a turn as a non-streaming message for a batch request. */
    succeeded(response: ScriptedResponse & { kind: 'turn' }, params: Record<string, unknown>): MessageBatchResult;
}

/** The models `GET /v1/models` lists, newest first. */
export const LISTED_MODELS: ModelInfo[] = [
    model('claude-opus-4-7', 'Claude Opus 4.7', '2026-04-01T00:00:00Z'),
    model('claude-sonnet-4-6', 'Claude Sonnet 4.6', '2026-02-01T00:00:00Z'),
    model('claude-haiku-4-5', 'Claude Haiku 4.5', '2025-10-01T00:00:00Z'),
];

/** Answers `POST /v1/messages/count_tokens`. */
export function countTokens({ res, request, requestId }: SideRouteContext): void {
    const body = isRecord(request.body) ? request.body : {};
    sendJson(res, 200, { input_tokens: countPromptTokens(body) }, { 'request-id': requestId });
}

/** Answers `GET /v1/models` with the cursor-paginated page shape (`after_id`, `before_id`, `limit`). */
export function listModels({ res, request, requestId, models }: SideRouteContext): void {
    // The documented range of `limit` is 1–1000, default 20.
    const limit = Math.min(1000, Math.max(1, Number(request.query.limit ?? 20) || 20));
    const ids = models.map((m) => m.id);
    let start = 0;
    let end = models.length;
    if (request.query.after_id !== undefined) start = ids.indexOf(request.query.after_id) + 1;
    if (request.query.before_id !== undefined) end = Math.max(0, ids.indexOf(request.query.before_id));
    const before = request.query.before_id !== undefined;
    const from = before ? Math.max(start, end - limit) : start;
    const data = models.slice(from, Math.min(end, from + limit));
    const has_more = before ? from > start : from + limit < end;
    sendJson(
        res,
        200,
        { data, has_more, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null },
        { 'request-id': requestId },
    );
}

/** Answers `GET /v1/models/:id`. */
export function retrieveModel({ res, requestId, models }: SideRouteContext, id: string): void {
    const found = models.find((m) => m.id === id);
    if (found) sendJson(res, 200, found, { 'request-id': requestId });
    else notFound(res, requestId, `model: ${id}`);
}

/** Answers `POST /v1/messages/batches`: every request gets its scripted answer now; results come after polling. */
/** Most requests the Message Batches API takes in one batch. */
const MAX_BATCH_REQUESTS = 100_000;

export async function createBatch(context: SideRouteContext): Promise<void> {
    const { res, request, requestId } = context;
    const requests = isRecord(request.body) ? request.body.requests : undefined;
    if (!Array.isArray(requests) || requests.length === 0) {
        sendError(res, requestId, invalid('requests: expected a non-empty array of { custom_id, params }'));
        return;
    }
    // The documented limits: at most 100,000 requests per batch, each custom_id 1–64 of [a-zA-Z0-9_-], all distinct.
    if (requests.length > MAX_BATCH_REQUESTS) {
        sendError(res, requestId, invalid(`requests: at most ${MAX_BATCH_REQUESTS} requests per batch`));
        return;
    }
    const results: MessageBatchIndividualResponse[] = [];
    const seen = new Set<string>();
    for (const entry of requests as unknown[]) {
        if (!isRecord(entry) || typeof entry.custom_id !== 'string' || !isRecord(entry.params)) {
            sendError(res, requestId, invalid('requests: every entry needs a string custom_id and params'));
            return;
        }
        if (!/^[a-zA-Z0-9_-]{1,64}$/u.test(entry.custom_id) || seen.has(entry.custom_id)) {
            sendError(res, requestId, invalid(`requests: custom_id "${entry.custom_id}" is invalid or repeated`));
            return;
        }
        seen.add(entry.custom_id);
        const inner: RecordedRequest = {
            ...request,
            path: '/v1/messages',
            body: entry.params,
            rawBody: JSON.stringify(entry.params),
            batchCustomId: entry.custom_id,
        };
        const answer = await context.answerFor(inner);
        if (answer === undefined) {
            const message = `messages-api-server: no scripted response for batch request '${entry.custom_id}'`;
            sendError(res, requestId, {
                status: 500,
                errorType: 'api_error',
                message,
                headers: { 'x-should-retry': 'false' },
            });
            return;
        }
        results.push({ custom_id: entry.custom_id, result: batchResult(context, answer, entry.params) });
    }
    sendJson(res, 200, context.batches.create(results), { 'request-id': requestId });
}

/** Answers the per-batch routes: retrieve (one poll), results (JSONL) and cancel. */
export function batchRoute(context: SideRouteContext, id: string, action: 'retrieve' | 'results' | 'cancel'): void {
    const { res, requestId, batches } = context;
    if (action === 'results') {
        const results = batches.resultsJsonl(id);
        if (results === undefined) notFound(res, requestId, `message batch: ${id}`);
        else if (results.jsonl === null) sendError(res, requestId, invalid(`batch ${id} is still in progress`));
        else {
            res.writeHead(200, { 'content-type': 'application/binary', 'request-id': requestId });
            res.end(results.jsonl);
        }
        return;
    }
    const batch = action === 'retrieve' ? batches.retrieve(id) : batches.cancel(id);
    if (batch) sendJson(res, 200, batch, { 'request-id': requestId });
    else notFound(res, requestId, `message batch: ${id}`);
}

/** Answers `GET /v1/messages/batches` (one page with everything). */
export function listBatches({ res, requestId, batches }: SideRouteContext): void {
    const data = batches.list();
    sendJson(
        res,
        200,
        { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null },
        { 'request-id': requestId },
    );
}

/** 404 not_found_error naming what was missing. */
export function notFound(res: ServerResponse, requestId: string, what: string): void {
    sendError(res, requestId, { status: 404, errorType: 'not_found_error', message: `Not found: ${what}` });
}

function batchResult(
    context: SideRouteContext,
    answer: ScriptedResponse,
    params: Record<string, unknown>,
): MessageBatchResult {
    if (answer.kind === 'turn') return context.succeeded(answer, params);
    const [type, message] =
        answer.kind === 'http-error' || answer.kind === 'stream-error'
            ? [answer.errorType, answer.message]
            : ['api_error', 'Internal server error'];
    // Scripts may name any error type; the SDK's union only lists the documented ones.
    const error = errorBody(type, message, context.requestId) as ErrorResponse;
    return { type: 'errored', error };
}

function invalid(message: string) {
    return { status: 400, errorType: 'invalid_request_error', message };
}

/** A model object as the Models API documents it; `limits` overrides `max_input_tokens` and `max_tokens`. */
export function model(
    id: string,
    display_name: string,
    created_at: string,
    limits: { max_input_tokens?: number | null; max_tokens?: number | null } = {},
): ModelInfo {
    return {
        id,
        display_name,
        created_at,
        type: 'model',
        capabilities: null,
        deprecated_at: null,
        lifecycle: 'active',
        line: null,
        max_input_tokens: 200_000,
        max_tokens: 64_000,
        retires_at: null,
        ...limits,
    };
}
