/**
 * What the endpoint can do. Anthropic's own API has every feature; an Anthropic-compatible server (LiteLLM,
 * Ollama, llama.cpp) often lacks some. Custom endpoints start optimistic and lose a flag the first time they answer
 * a feature with "unknown", so the engine stops asking and falls back (an estimate instead of a count, plain
 * requests instead of a batch).
 */
import { APIError } from '@anthropic-ai/sdk/core/error';
import { base64SourceTokens } from '../context/attachment-files';

/** The optional features the engine uses. */
export type Capability =
    'promptCaching' | 'countTokens' | 'batches' | 'modelsList' | 'serverCompaction' | 'documents' | 'citations';

/** The capabilities every endpoint starts with and may lose, in a stable order (what `snapshot` reports). */
export const CAPABILITIES: readonly Capability[] = [
    'promptCaching',
    'countTokens',
    'batches',
    'modelsList',
    'documents',
];

/**
 * PDFs as `document` blocks: on unless the settings say the endpoint cannot read them (`model.pdfDocuments`), and off
 * from the first time a custom endpoint rejects a document block. Without it a PDF goes as its extracted text.
 */
export const DOCUMENTS: Capability = 'documents';

/**
 * Server-side compaction (`context_management` with the `compact_20260112` edit, beta `compact-2026-01-12`): on for
 * Anthropic's endpoint, off for a custom one unless its settings say it has it, because a compatible server that
 * ignores the field would let the context overflow instead of answering "unknown".
 */
export const SERVER_COMPACTION: Capability = 'serverCompaction';

/** How an endpoint's flags start. */
export interface EndpointCapabilitiesOptions {
    /** Whether this is a custom (non-Anthropic) endpoint, whose flags can be learned. */
    custom: boolean;
    /** Overrides whether server-side compaction starts on (default: on for Anthropic, off for custom endpoints). */
    serverCompaction?: boolean;
    /** Whether the endpoint reads PDF `document` blocks (default: yes). */
    documents?: boolean;
}

/** Per-endpoint feature flags; one instance per model client. */
export class EndpointCapabilities {
    /** Whether this is a custom (non-Anthropic) endpoint, whose flags can be learned. */
    readonly custom: boolean;
    private readonly unsupported = new Set<Capability>();

    constructor({ custom, serverCompaction, documents }: EndpointCapabilitiesOptions) {
        this.custom = custom;
        if (!(serverCompaction ?? !custom)) this.unsupported.add(SERVER_COMPACTION);
        if (documents === false) this.unsupported.add(DOCUMENTS);
    }

    /** Whether the engine should use `capability` on this endpoint. */
    has(capability: Capability): boolean {
        return !this.unsupported.has(capability);
    }

    /** Records that the endpoint does not offer `capability`; it stays off for this client's lifetime. */
    markUnsupported(capability: Capability): void {
        this.unsupported.add(capability);
    }

    /**
     * Flips `capability` off when `error` is a custom endpoint saying it does not know the feature; returns whether
     * it did. Anthropic's endpoint is never downgraded: a 404 there means a wrong model name, not a missing feature.
     */
    learnFrom(capability: Capability, error: unknown): boolean {
        // A model without compaction says so in a 400 even on Anthropic's endpoint; our own summary then takes over.
        const rejectedCompaction = capability === SERVER_COMPACTION && isCompactionRejected(error);
        if (capability === DOCUMENTS) {
            // A compatible server names what it cannot read; Anthropic's endpoint reads documents on every model.
            if (!this.custom || !this.has(DOCUMENTS) || !isDocumentRejected(error)) return false;
        } else if (!rejectedCompaction && (!this.custom || !isUnsupportedResponse(error))) return false;
        this.markUnsupported(capability);
        return true;
    }

    /** The flags as plain data, for settings and diagnostics. */
    snapshot(): Record<Capability, boolean> {
        const flags = {} as Record<Capability, boolean>;
        for (const capability of CAPABILITIES) flags[capability] = this.has(capability);
        return flags;
    }
}

const UNKNOWN_FEATURE_TEXT =
    /unknown|unrecogni[sz]ed|not supported|unsupported|not implemented|extra inputs|no such|not found/i;

/**
 * Whether `error` is an endpoint saying "I don't have that": 404, 405 or 501, or a 400 whose message says unknown /
 * unsupported (how compatible servers reject fields such as `cache_control`).
 */
export function isUnsupportedResponse(error: unknown): boolean {
    const status = statusOf(error);
    if (status === 404 || status === 405 || status === 501) return true;
    if (status !== 400 && status !== 422) return false;
    const text = error instanceof APIError ? `${error.apiMessage ?? ''} ${error.message}` : String(error);
    return UNKNOWN_FEATURE_TEXT.test(text);
}

const COMPACTION_FIELD_TEXT = /context_management|compact/i;

/** Whether `error` is a 400 that rejects the compaction field or its beta (unknown field, model without it). */
export function isCompactionRejected(error: unknown): boolean {
    const status = statusOf(error);
    if (status !== 400 && status !== 422) return false;
    const text = error instanceof APIError ? `${error.apiMessage ?? ''} ${error.message}` : String(error);
    return COMPACTION_FIELD_TEXT.test(text);
}

const DOCUMENT_TEXT = /document|pdf/i;

/** Whether `error` is a 400 (or 422) that rejects a `document` block: the endpoint cannot read PDFs. */
export function isDocumentRejected(error: unknown): boolean {
    const status = statusOf(error);
    if (status !== 400 && status !== 422) return false;
    const text = error instanceof APIError ? `${error.apiMessage ?? ''} ${error.message}` : String(error);
    return DOCUMENT_TEXT.test(text);
}

function statusOf(error: unknown): number | undefined {
    if (typeof error !== 'object' || error === null) return undefined;
    const status = (error as { status?: unknown }).status;
    return typeof status === 'number' ? status : undefined;
}

/**
 * A rough input-token count for endpoints without `count_tokens`: characters / 4, rounded up. English prose runs
 * about four characters per token on Claude's tokenizers; code, non-Latin scripts and JSON run denser, so callers
 * budget with headroom. Counts the text of system, messages and tool definitions (as JSON).
 */
export function estimateTokens(params: { system?: unknown; messages?: unknown; tools?: unknown }): number {
    let chars = 0;
    for (const part of [params.system, params.messages, params.tools]) chars += textLength(part);
    return Math.ceil(chars / CHARS_PER_TOKEN);
}

/** The ratio `estimateTokens` assumes. */
export const CHARS_PER_TOKEN = 4;

function textLength(value: unknown): number {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'string') return value.length;
    if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
    if (typeof value === 'object') {
        const record = value as Record<string, unknown>;
        // Content blocks: count what the model reads, not the JSON scaffolding around it.
        if (typeof record.text === 'string') return record.text.length;
        // A base64 PDF or image: what it costs the model, in characters.
        const media = base64SourceTokens(record.source);
        if (media !== null) return media * CHARS_PER_TOKEN;
        if ('content' in record) return textLength(record.content);
        return JSON.stringify(value).length;
    }
    return typeof value === 'number' || typeof value === 'boolean' ? String(value).length : 0;
}
