/**
 * The one place that builds the Anthropic SDK client. The key comes from this device's secret store and the host
 * from settings; both are fixed when the client is built, and nothing passed to its methods can change them
 * (docs/RELIABILITY.md row 18). SDK retries are off: the turn loop and the queue own retrying and throttling.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { BaseAnthropic } from '@anthropic-ai/sdk/client';
import { Messages } from '@anthropic-ai/sdk/resources/messages/messages';
import { Models, type ModelInfo } from '@anthropic-ai/sdk/resources/models';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { SecretStore } from '../kernel/ports';
import type { ModelSettings } from '../kernel/settings';
import { EndpointCapabilities, estimateTokens } from './capabilities';
import { DEFAULT_MODEL } from '../kernel/default-model';
import { ApiKeyMissing, Cancelled, classifyError, InvalidRequest, type ModelError } from './model-errors';

/** What the client needs: ports and settings, all fixed for the client's lifetime. */
export interface ModelClientOptions {
    /** Where the API key lives on this device. */
    secrets: SecretStore;
    /** Model, endpoint and the key's secret name. */
    settings: ModelSettings;
    /** A `fetch` to use instead of the platform's (tests; the CLI). */
    fetchImpl?: typeof fetch;
    /** True on Obsidian desktop: custom endpoints are then reached through Node's HTTP client (no CORS). */
    isDesktop?: boolean;
    /** Per-request time limit in ms; the SDK's default (10 minutes) when absent. */
    timeoutMs?: number;
    /** Whether the endpoint compacts server-side; default on for Anthropic's, off for a custom endpoint. */
    serverCompaction?: boolean;
}

/** Per-call options: only cancellation. Headers, host and key are not the caller's to choose. */
export interface CallOptions {
    /** Aborts the request; the error becomes `Cancelled`. */
    signal?: AbortSignal;
}

/** Server-side compaction asked for on one streamed turn; sent only where the endpoint has the capability. */
export interface ServerCompactionRequest {
    /** Input tokens past which the endpoint compacts; raised to the API's minimum. */
    triggerTokens: number;
}

/** Per-stream options: cancellation, and whether the endpoint may compact the history itself. */
export interface StreamOptions extends CallOptions {
    /** Ask the endpoint to compact older turns past a trigger (ignored where it lacks the capability). */
    compaction?: ServerCompactionRequest;
}

/** The beta that enables server-side compaction. */
export const COMPACTION_BETA = 'compact-2026-01-12';
/** The `context_management` edit that asks for server-side compaction. */
export const COMPACTION_EDIT_TYPE = 'compact_20260112';
/** The smallest trigger the API accepts, in input tokens. */
export const MIN_COMPACTION_TRIGGER = 50_000;

/** A model the endpoint offers. */
export interface ModelSummary {
    /** The id to send as `model`. */
    id: string;
    /** A name for people. */
    displayName: string;
    /** The most input tokens one request may carry (the context window), when the endpoint says. */
    maxInputTokens?: number;
}

/** The models to offer, and whether the endpoint listed them. */
export interface ModelList {
    /** Models, the configured default first. */
    models: ModelSummary[];
    /** `endpoint` when the endpoint listed them, `fallback` when it could not. */
    source: 'endpoint' | 'fallback';
    /** Why the endpoint's list was not used, when it was not. */
    error?: ModelError;
}

/** An input-token count, exact or estimated. */
export interface TokenCount {
    /** Input tokens the request would use. */
    inputTokens: number;
    /** True when the endpoint cannot count and this is the characters / 4 estimate. */
    estimated: boolean;
}

/** Messages-API parameters for a streamed turn. */
export type StreamParams = Anthropic.MessageStreamParams;
/** Messages-API parameters for a single non-streamed response. */
export type CreateParams = Anthropic.MessageCreateParamsNonStreaming;
/** Parameters for counting a request's input tokens. */
export type CountParams = Anthropic.MessageCountTokensParams;

/** One request of a Message Batch: an id of the caller's choosing and the Messages-API parameters. */
export type BatchRequest = Anthropic.Messages.BatchCreateParams.Request;
/** A Message Batch as the endpoint reports it. */
export type MessageBatch = Anthropic.Messages.MessageBatch;
/** One entry of an ended batch's results. */
export type BatchResultEntry = Anthropic.Messages.MessageBatchIndividualResponse;

/** The Message Batches API (half-price, asynchronous); every call rejects with a `ModelError`. */
export interface MessageBatches {
    /** Submits requests as one batch. */
    create(requests: BatchRequest[], options?: CallOptions): Promise<MessageBatch>;
    /** The batch as it is now (`processing_status` says whether it ended). */
    retrieve(id: string, options?: CallOptions): Promise<MessageBatch>;
    /** The results of an ended batch, one entry per request, read as they arrive. */
    results(id: string, options?: CallOptions): AsyncIterable<BatchResultEntry>;
    /** Asks the endpoint to stop a batch; requests already processed keep their results. */
    cancel(id: string, options?: CallOptions): Promise<MessageBatch>;
}

/** What the engine uses to talk to the model. */
export interface ModelClient {
    /** The endpoint's origin for display: empty for Anthropic's own, else the configured base URL. */
    readonly baseUrl: string;
    /** Who answers, as error messages name it: "Anthropic" or the custom endpoint's host. */
    readonly endpointName: string;
    /** What this endpoint supports, learned as it answers. */
    readonly capabilities: EndpointCapabilities;
    /** Starts a streamed turn; errors surface from the stream and go through `classify`. */
    stream(params: StreamParams, options?: StreamOptions): MessageStream;
    /** One non-streamed response (compaction, titles). Rejects with a `ModelError`. */
    create(params: CreateParams, options?: CallOptions): Promise<Anthropic.Message>;
    /** Counts input tokens, or estimates them where the endpoint cannot count. Rejects with a `ModelError`. */
    countTokens(params: CountParams, options?: CallOptions): Promise<TokenCount>;
    /** The endpoint's models, or a fallback list when it has no models route or the call failed. */
    listModels(options?: CallOptions): Promise<ModelList>;
    /** The Message Batches API, with the same key, host and error classification. */
    readonly batches: MessageBatches;
    /** Classifies anything this client's calls threw, naming this endpoint in the message. */
    classify(error: unknown): ModelError;
}

/**
 * Models offered when the endpoint cannot list its own: the project's one maintained default (the configured
 * default is added first). A list kept here by hand would age; the endpoint's own list never does.
 */
export const FALLBACK_MODELS: readonly ModelSummary[] = [{ id: DEFAULT_MODEL, displayName: DEFAULT_MODEL }];

const MAX_LISTED_MODELS = 500;

/**
 * Builds the client. Fails with `ApiKeyMissing` before any request when this device has no key, and with
 * `InvalidRequest` when the base URL in settings is not an http(s) URL.
 */
export async function createModelClient(options: ModelClientOptions): Promise<ModelClient> {
    const { settings } = options;
    const apiKey = await readApiKey(options.secrets, settings.apiKeySecretName);
    const baseUrl = normaliseBaseUrl(settings.baseUrl);
    const custom = baseUrl !== '';
    const endpointName = custom ? new URL(baseUrl).host : 'Anthropic';
    const fetchImpl = options.fetchImpl ?? (custom && options.isDesktop === true ? await loadNodeFetch() : undefined);

    const sdk = new MessagesOnlyClient({
        apiKey,
        // null, not undefined: undefined would let ANTHROPIC_BASE_URL from the environment pick the host.
        baseURL: custom ? baseUrl : null,
        dangerouslyAllowBrowser: true,
        maxRetries: 0,
        ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
        ...(fetchImpl !== undefined ? { fetch: fetchImpl } : {}),
        // Fixed here so environment variables cannot turn on request logging (note text) or tracing headers.
        logLevel: 'warn',
        openTelemetry: false,
    });
    const capabilities = new EndpointCapabilities({
        custom,
        ...(options.serverCompaction !== undefined ? { serverCompaction: options.serverCompaction } : {}),
        documents: settings.pdfDocuments !== false,
    });
    const classify = (error: unknown): ModelError =>
        classifyError(error, { endpointName, ...(custom ? { endpointUrl: baseUrl } : {}) });
    const requestOptions = (call?: CallOptions): { signal?: AbortSignal } =>
        call?.signal !== undefined ? { signal: call.signal } : {};

    const client: ModelClient = {
        baseUrl,
        endpointName,
        capabilities,
        stream: (params, call) => {
            const compaction = capabilities.has('serverCompaction') ? call?.compaction : undefined;
            if (compaction === undefined) return sdk.messages.stream(params, requestOptions(call));
            // The beta travels as a header of this request only; the slim client carries no beta resources.
            return sdk.messages.stream(withCompaction(params, compaction), {
                ...requestOptions(call),
                headers: { 'anthropic-beta': COMPACTION_BETA },
            });
        },
        create: async (params, call) => {
            try {
                return await sdk.messages.create(params, requestOptions(call));
            } catch (e) {
                throw classify(e);
            }
        },
        countTokens: async (params, call) => {
            if (capabilities.has('countTokens')) {
                try {
                    const counted = await sdk.messages.countTokens(params, requestOptions(call));
                    return { inputTokens: counted.input_tokens, estimated: false };
                } catch (e) {
                    if (!capabilities.learnFrom('countTokens', e)) throw classify(e);
                }
            }
            return { inputTokens: estimateTokens(params), estimated: true };
        },
        listModels: async (call) => {
            if (!capabilities.has('modelsList')) return fallbackList(settings.defaultModel);
            try {
                const models: ModelSummary[] = [];
                for await (const info of sdk.models.list({ limit: 100 }, requestOptions(call))) {
                    models.push(summaryOf(info));
                    if (models.length >= MAX_LISTED_MODELS) break;
                }
                return { models: withDefaultFirst(models, settings.defaultModel), source: 'endpoint' };
            } catch (e) {
                const error = classify(e);
                if (error instanceof Cancelled) throw error;
                capabilities.learnFrom('modelsList', e);
                return { ...fallbackList(settings.defaultModel), error };
            }
        },
        batches: batchesOf(sdk.messages.batches, classify, requestOptions),
        classify,
    };
    return Object.freeze(client);
}

/** `params` with the compaction edit; the field is not in the stable SDK's types, so it is added as plain JSON. */
function withCompaction(params: StreamParams, compaction: ServerCompactionRequest): StreamParams {
    const value = Math.max(MIN_COMPACTION_TRIGGER, Math.floor(compaction.triggerTokens));
    const edit = { type: COMPACTION_EDIT_TYPE, trigger: { type: 'input_tokens', value } };
    return { ...params, context_management: { edits: [edit] } } as StreamParams;
}

/** The SDK's batches with every failure classified, so batch jobs react to errors like streamed turns do. */
function batchesOf(
    batches: Anthropic['messages']['batches'],
    classify: (error: unknown) => ModelError,
    requestOptions: (call?: CallOptions) => { signal?: AbortSignal },
): MessageBatches {
    const classified = async <T>(call: () => Promise<T>): Promise<T> => {
        try {
            return await call();
        } catch (e) {
            throw classify(e);
        }
    };
    return Object.freeze({
        create: (requests: BatchRequest[], call?: CallOptions) =>
            classified(() => batches.create({ requests }, requestOptions(call))),
        retrieve: (id: string, call?: CallOptions) =>
            classified(() => batches.retrieve(id, null, requestOptions(call))),
        cancel: (id: string, call?: CallOptions) => classified(() => batches.cancel(id, null, requestOptions(call))),
        results: async function* (id: string, call?: CallOptions): AsyncGenerator<BatchResultEntry> {
            const decoder = await classified(() => batches.results(id, undefined, requestOptions(call)));
            try {
                for await (const entry of decoder) yield entry;
            } catch (e) {
                throw classify(e);
            }
        },
    });
}

async function readApiKey(secrets: SecretStore, name: string): Promise<string> {
    let key: string | null;
    try {
        key = await secrets.get(name);
    } catch (e) {
        throw new ApiKeyMissing({
            retryable: false,
            summary: 'The API key could not be read from this device’s secret storage.',
            cause: e,
        });
    }
    const trimmed = key?.trim() ?? '';
    if (trimmed === '') {
        throw new ApiKeyMissing({
            retryable: false,
            summary: 'API key not set on this device; add it in Vault Agent’s settings.',
        });
    }
    return trimmed;
}

/** '' for Anthropic's own endpoint; otherwise the configured URL without trailing slashes. */
function normaliseBaseUrl(raw: string): string {
    const trimmed = raw.trim().replace(/\/+$/, '');
    if (trimmed === '') return '';
    let url: URL;
    try {
        url = new URL(trimmed);
    } catch {
        throw invalidBaseUrl(raw);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidBaseUrl(raw);
    return trimmed;
}

function invalidBaseUrl(raw: string): InvalidRequest {
    return new InvalidRequest({
        retryable: false,
        summary: `The base URL in settings (“${raw.trim()}”) is not an http or https address.`,
    });
}

async function loadNodeFetch(): Promise<typeof fetch> {
    const module = await import('./model-fetch-node');
    return module.nodeFetch;
}

/** A listed model as the engine keeps it; a window is kept only when it is a positive whole number. */
function summaryOf(info: ModelInfo): ModelSummary {
    const summary: ModelSummary = { id: info.id, displayName: info.display_name || info.id };
    const window = (info as { max_input_tokens?: unknown }).max_input_tokens;
    if (typeof window === 'number' && Number.isSafeInteger(window) && window > 0) summary.maxInputTokens = window;
    return summary;
}

function fallbackList(defaultModel: string): ModelList {
    return { models: withDefaultFirst([...FALLBACK_MODELS], defaultModel), source: 'fallback' };
}

function withDefaultFirst(models: ModelSummary[], defaultModel: string): ModelSummary[] {
    const id = defaultModel.trim();
    if (id === '') return models;
    const rest = models.filter((model) => model.id !== id);
    const own = models.find((model) => model.id === id) ?? { id, displayName: id };
    return [own, ...rest];
}

/**
 * The SDK client with only the resources we use (messages with token counting and batches, models). The full
 * `Anthropic` class carries every beta resource too, about 250 KB of the plugin bundle that no request needs.
 */
class MessagesOnlyClient extends BaseAnthropic {
    /** Messages, token counting, batches. */
    messages: Messages = new Messages(this);
    /** The models list. */
    models: Models = new Models(this);
}
