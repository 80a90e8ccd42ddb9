import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

import type { MessageBatchResult } from '@anthropic-ai/sdk/resources/messages/batches';
import type { ModelInfo } from '@anthropic-ai/sdk/resources/models';

import { BatchStore } from './messages-api/batch-store';
import { AnswerWriter, Pacer } from './messages-api/answer-writer';
import { flatHeaders, isRecord, parseJson, readBody, sendError } from './messages-api/http';
import { PromptCache } from './messages-api/prompt-cache';
import { checkMedia } from './messages-api/documents';
import { decideCompaction, withCompactionBlock } from './messages-api/server-compaction';
import { randomId, renderTurn } from './messages-api/render';
import { invalidCitationsConfig } from './messages-api/citations';
import { enforceServerTools } from './messages-api/server-tools';
import * as routes from './messages-api/side-routes';
import type {
    MessagesApiServerOptions,
    RecordedRequest,
    Responder,
    ScriptedResponse,
    TurnResponse,
} from './messages-api/types';

export * from './messages-api/scripts';
export * from './messages-api/request-helpers';
export * from './messages-api/citations';
export { webFetch, webSearch } from './messages-api/server-tools';
export type * from './messages-api/types';
export { estimateTokens } from './messages-api/prompt-cache';
export { LISTED_MODELS, model as modelInfo } from './messages-api/side-routes';
export { COMPACTION_BETA, COMPACTION_EDIT } from './messages-api/server-compaction';
export { mediaBlocksOf, PDF_PAGE_TOKENS, type SentMedia } from './messages-api/documents';

/** A running local Messages API that the real SDK talks to over HTTP. */
export interface MessagesApiServer {
    /** Pass as the SDK's `baseURL`. */
    readonly baseURL: string;
    /** The key requests must carry. */
    readonly apiKey: string;
    /** Every request received, in order. */
    readonly requests: RecordedRequest[];
    /** Appends answers for `POST /v1/messages` (and batch entries), consumed first in, first out. */
    enqueue(...responses: ScriptedResponse[]): void;
    /** How many enqueued answers are still waiting. */
    pending(): number;
    /** The answer used when the queue is empty and the responder has none; `undefined` clears it. */
    setDefault(response: ScriptedResponse | undefined): void;
    /** Reacts to requests once the queue is empty; `undefined` removes it. */
    setResponder(responder: Responder | undefined): void;
    /** Latency added to every Messages response from now on, in ms. */
    setLatency(ms: number): void;
    /** The `POST /v1/messages` requests only. */
    messageRequests(): RecordedRequest[];
    /** From now on, a Message Batch ends once polled this many times (`Infinity`: they stay in progress). */
    setBatchPollsBeforeEnd(polls: number): void;
    /** How many requests hit a path (any method unless given). */
    countOf(path: string, method?: string): number;
    /** Every recorded header and body as one string, for canary scans. */
    allRequestText(): string;
    /** Forgets the simulated prompt cache. */
    clearPromptCache(): void;
    /** Stops the server and destroys every open socket, stalled streams included. */
    close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with a random port. */
export async function startMessagesApiServer(options: MessagesApiServerOptions = {}): Promise<MessagesApiServer> {
    const server = new LocalMessagesApi(options);
    await server.listen();
    return server;
}

class LocalMessagesApi implements MessagesApiServer {
    baseURL = '';
    readonly apiKey: string;
    readonly requests: RecordedRequest[] = [];
    private readonly queue: ScriptedResponse[] = [];
    private readonly http: Server;
    /** Whether the server speaks HTTPS. */
    private readonly tls: boolean;
    private readonly sockets = new Set<Socket>();
    private readonly cache: PromptCache;
    private readonly batches: BatchStore;
    private responder: Responder | undefined;
    private defaultResponse: ScriptedResponse | undefined;
    private latencyMs: number;
    private readonly pacer = new Pacer();
    private readonly writer: AnswerWriter;
    private readonly serverCompaction: boolean;
    private readonly documents: boolean;
    private readonly models: readonly ModelInfo[] | 'none';

    constructor(options: MessagesApiServerOptions) {
        this.apiKey = options.apiKey ?? 'test-key';
        this.responder = options.responder;
        this.defaultResponse = options.defaultResponse;
        this.latencyMs = options.latencyMs ?? 0;
        this.serverCompaction = options.serverCompaction ?? true;
        this.documents = options.documents ?? true;
        this.models = options.models ?? routes.LISTED_MODELS;
        this.writer = new AnswerWriter({ pacer: this.pacer, eventDelayMs: options.eventDelayMs ?? 0 });
        this.cache = new PromptCache(options.minCacheableTokens ?? 0);
        this.batches = new BatchStore({
            pollsBeforeEnd: options.batchPollsBeforeEnd ?? 1,
            resultsUrl: (id) => `${this.baseURL}/v1/messages/batches/${id}/results`,
        });
        const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
        this.tls = options.tls !== undefined;
        this.http = options.tls === undefined ? createServer(handler) : createTlsServer(options.tls, handler);
        this.http.on('connection', (socket) => {
            this.sockets.add(socket);
            socket.on('close', () => this.sockets.delete(socket));
        });
    }

    async listen(): Promise<void> {
        await new Promise<void>((resolve, reject) => {
            this.http.once('error', reject);
            this.http.listen(0, '127.0.0.1', () => resolve());
        });
        const { port } = this.http.address() as AddressInfo;
        this.baseURL = `${this.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    }

    enqueue(...responses: ScriptedResponse[]): void {
        this.queue.push(...responses);
    }

    pending(): number {
        return this.queue.length;
    }

    setDefault(response: ScriptedResponse | undefined): void {
        this.defaultResponse = response;
    }

    setResponder(responder: Responder | undefined): void {
        this.responder = responder;
    }

    setLatency(ms: number): void {
        this.latencyMs = ms;
    }

    messageRequests(): RecordedRequest[] {
        return this.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages');
    }

    setBatchPollsBeforeEnd(polls: number): void {
        this.batches.setPollsBeforeEnd(polls);
    }

    countOf(path: string, method?: string): number {
        return this.requests.filter((r) => r.path === path && (method === undefined || r.method === method)).length;
    }

    allRequestText(): string {
        return this.requests
            .map((r) => {
                const headers = Object.entries(r.headers).map(([name, value]) => `${name}: ${value}`);
                return [`${r.method} ${r.path}`, ...headers, '', r.rawBody].join('\n');
            })
            .join('\n\n');
    }

    clearPromptCache(): void {
        this.cache.clear();
    }

    async close(): Promise<void> {
        this.pacer.stop();
        for (const socket of this.sockets) socket.destroy();
        await new Promise<void>((resolve) => this.http.close(() => resolve()));
    }

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const requestId = `req_${randomId()}`;
        res.setHeader('request-id', requestId);
        try {
            const request = await this.record(req);
            if (!this.authorised(request)) {
                const message = 'invalid x-api-key';
                sendError(res, requestId, { status: 401, errorType: 'authentication_error', message });
                return;
            }
            await this.route(request, res, requestId);
        } catch (error) {
            // A throw here is a mistake in a test script; say so loudly instead of hanging the client.
            const message = `messages-api-server: ${error instanceof Error ? error.message : String(error)}`;
            if (!res.headersSent) {
                sendError(res, requestId, { status: 500, errorType: 'api_error', message, headers: NO_RETRY });
            } else res.destroy();
        }
    }

    private async record(req: IncomingMessage): Promise<RecordedRequest> {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const headers = flatHeaders(req);
        const rawBody = await readBody(req);
        const request: RecordedRequest = {
            index: this.requests.length,
            method: req.method ?? 'GET',
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            headers,
            body: parseJson(rawBody),
            rawBody,
            time: Date.now(),
            anthropicVersion: headers['anthropic-version'],
        };
        this.requests.push(request);
        return request;
    }

    private authorised(request: RecordedRequest): boolean {
        return (
            request.headers['x-api-key'] === this.apiKey || request.headers.authorization === `Bearer ${this.apiKey}`
        );
    }

    private async route(request: RecordedRequest, res: ServerResponse, requestId: string): Promise<void> {
        const context: routes.SideRouteContext = {
            res,
            request,
            requestId,
            batches: this.batches,
            models: this.models === 'none' ? [] : this.models,
            answerFor: (inner) => this.answerFor(inner),
            succeeded: (answer, params) => this.batchSuccess(answer, params),
        };
        const { method, path } = request;
        const batch = /^\/v1\/messages\/batches\/([^/]+)(\/results|\/cancel)?$/.exec(path);
        const modelId = /^\/v1\/models\/([^/]+)$/.exec(path)?.[1];
        if (method === 'POST' && path === '/v1/messages') await this.messages(request, res, requestId);
        else if (method === 'POST' && path === '/v1/messages/count_tokens') routes.countTokens(context);
        else if (method === 'GET' && path === '/v1/models' && this.models !== 'none') routes.listModels(context);
        else if (method === 'GET' && modelId !== undefined && this.models !== 'none') {
            routes.retrieveModel(context, decodeURIComponent(modelId));
        } else if (method === 'POST' && path === '/v1/messages/batches') await routes.createBatch(context);
        else if (method === 'GET' && path === '/v1/messages/batches') routes.listBatches(context);
        else if (batch?.[1] !== undefined && method === (batch[2] === '/cancel' ? 'POST' : 'GET')) {
            const action = batch[2] === '/cancel' ? 'cancel' : batch[2] === '/results' ? 'results' : 'retrieve';
            routes.batchRoute(context, decodeURIComponent(batch[1]), action);
        } else routes.notFound(res, requestId, `${method} ${path}`);
    }

    private async answerFor(request: RecordedRequest): Promise<ScriptedResponse | undefined> {
        return this.queue.shift() ?? (await this.responder?.(request)) ?? this.defaultResponse;
    }

    private async messages(request: RecordedRequest, res: ServerResponse, requestId: string): Promise<void> {
        const body = request.body;
        const problem = invalidMessagesBody(body);
        if (problem !== undefined || !isRecord(body)) {
            const message = problem ?? 'body: expected a JSON object';
            sendError(res, requestId, { status: 400, errorType: 'invalid_request_error', message });
            return;
        }
        const media = await checkMedia(body, this.documents);
        if (media !== undefined) {
            sendError(res, requestId, { status: 400, errorType: 'invalid_request_error', message: media });
            return;
        }
        const citationProblem = invalidCitationsConfig(request);
        if (citationProblem !== undefined) {
            sendError(res, requestId, { status: 400, errorType: 'invalid_request_error', message: citationProblem });
            return;
        }
        const compaction = decideCompaction(body, request.headers, this.serverCompaction);
        if (compaction.kind === 'rejected') {
            sendError(res, requestId, { status: 400, errorType: 'invalid_request_error', message: compaction.message });
            return;
        }
        const answer = await this.answerFor(request);
        if (answer === undefined) {
            const message = `messages-api-server: no scripted response for request #${request.index} (POST /v1/messages); enqueue one or set a responder`;
            sendError(res, requestId, { status: 500, errorType: 'api_error', message, headers: NO_RETRY });
            return;
        }
        // The latency counts from the request's arrival: the server's own checks above are not the model's time.
        const due = (): Promise<boolean> =>
            this.pacer
                .sleep(request.time + this.latencyMs + (answer.latencyMs ?? 0) - Date.now())
                .then(() => !this.pacer.closed && !res.destroyed);
        if (answer.kind === 'http-error') {
            if (await due()) sendError(res, requestId, answer);
            return;
        }
        // The answer is made (and the prompt cache consulted) as the request arrives, and sent when it is due: a real
        // API does this work within its latency, on its own machines, so answers due together leave together rather
        // than one after another as this process renders them.
        let turn = { ...answer.turn, content: enforceServerTools(answer.turn.content, body) };
        if (compaction.kind === 'compact') {
            request.serverCompaction = compaction.record;
            turn = withCompactionBlock(turn, compaction.record.summary);
        }
        const rendered = renderTurn(turn, {
            model: typeof body.model === 'string' ? body.model : 'unknown',
            prompt: this.cache.account(body),
            serviceTier: 'standard',
        });
        if (!(await due())) return;
        if (body.stream === true) await this.writer.stream(answer, rendered, res);
        else await this.writer.whole(answer, rendered, res, requestId);
    }

    private batchSuccess(answer: TurnResponse, params: Record<string, unknown>): MessageBatchResult {
        const model = typeof params.model === 'string' ? params.model : 'unknown';
        const prompt = this.cache.account(params);
        return { type: 'succeeded', message: renderTurn(answer.turn, { model, prompt, serviceTier: 'batch' }).message };
    }
}

/** Tells the SDK not to retry: a missing script will not appear by asking again. */
const NO_RETRY = { 'x-should-retry': 'false' };

function invalidMessagesBody(body: unknown): string | undefined {
    if (!isRecord(body)) return 'body: expected a JSON object';
    if (typeof body.model !== 'string') return 'model: Field required';
    if (typeof body.max_tokens !== 'number') return 'max_tokens: Field required';
    if (!Array.isArray(body.messages)) return 'messages: Field required';
    return undefined;
}
