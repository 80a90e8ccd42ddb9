/**
 * The endpoint's own list of models (`GET /v1/models` through the SDK), read once per endpoint for the session and
 * used for two things: the models the settings tab offers, and each model's context window (`max_input_tokens`)
 * instead of an assumed size. Many Anthropic-compatible local servers have no models route; then the list is the one
 * maintained default and the window the table's. Reading the list never fails a request: any failure, or an answer
 * slower than `timeoutMs`, means "not known", and a transient failure is asked again next time.
 */
import { contextWindowFor } from './compaction/context-window';
import type { ModelClient, ModelList } from './model-client';

/** How long a request waits for the models list before going on without it. */
export const MODEL_LIST_TIMEOUT_MS = 10_000;

/** Endpoint lists, cached per endpoint. */
export class ModelCatalog {
    private readonly lists = new Map<string, Promise<ModelList | null>>();

    constructor(private readonly options: { timeoutMs?: number } = {}) {}

    /** The endpoint's models (or the fallback list), `null` when the list could not be read in time. */
    async list(client: ModelClient): Promise<ModelList | null> {
        const key = client.baseUrl === '' ? 'anthropic' : client.baseUrl;
        let pending = this.lists.get(key);
        if (pending === undefined) {
            pending = read(client).then((list) => {
                // Keep what the endpoint said, and "it has no models route"; ask again after anything transient.
                const settled = list !== null && (list.source === 'endpoint' || !client.capabilities.has('modelsList'));
                if (!settled) this.lists.delete(key);
                return list;
            });
            this.lists.set(key, pending);
        }
        return withTimeout(pending, this.options.timeoutMs ?? MODEL_LIST_TIMEOUT_MS);
    }

    /** The context window of `model` on this endpoint: its `max_input_tokens` when listed, else the table's. */
    async contextWindow(client: ModelClient, model: string): Promise<number> {
        const list = await this.list(client);
        const listed = list?.models.find((entry) => entry.id === model.trim());
        return listed?.maxInputTokens ?? contextWindowFor(model);
    }

    /** Forgets every cached list (the settings tab's "refresh"). */
    clear(): void {
        this.lists.clear();
    }
}

/** The catalog of this process: the plugin's session, or one CLI run. */
export const sessionModels = new ModelCatalog();

async function read(client: ModelClient): Promise<ModelList | null> {
    try {
        return await client.listModels();
    } catch {
        // Cancelled, or a client without a models call: the request goes on with what is known.
        return null;
    }
}

function withTimeout<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), ms);
    });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
