/**
 * What a failure below HTTP was, read from what Node, undici, OpenSSL and browsers throw: the codes and messages along
 * `cause` chains and `AggregateError.errors`. `model-errors.ts` turns the kind into its `ModelError` class; this file
 * knows nothing of those classes.
 */

/** The kinds of transport failure, each with its own `ModelError` class. */
export type TransportFailureKind = 'certificate' | 'offline' | 'timeout' | 'lost' | 'unexpected';

/** A transport failure as a person reads it. */
export interface TransportFailure {
    kind: TransportFailureKind;
    /** Whether sending the same request again can succeed. */
    retryable: boolean;
    /** What happened, in a sentence or two. */
    summary: string;
}

/** What makes the summaries precise. */
export interface TransportContext {
    /** The custom endpoint's address as configured, to name it when nothing answers there. */
    endpointUrl?: string;
    /** Whether the device says it is online (`navigator.onLine` where there is one). */
    online?: boolean;
    /** The SDK wrapped the failure as an API error without a status (a connection error). */
    apiError?: boolean;
}

const MAX_CAUSE_DEPTH = 6;
const OFFLINE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN']);
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set([
    'ETIMEDOUT',
    'ESOCKETTIMEDOUT',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
]);
/** OpenSSL's and Node's codes for a certificate that does not verify. */
const CERTIFICATE_CODES = new Set([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'CERT_UNTRUSTED',
    'CERT_REJECTED',
    'CERT_REVOKED',
    'CERT_SIGNATURE_FAILURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Reads `e`, thrown below HTTP while talking to `who`. */
export function readTransportFailure(e: unknown, who: string, context: TransportContext): TransportFailure {
    const { codes, text, said } = collectCauses(e);
    const first = (set: Set<string>): string | undefined => codes.find((code) => set.has(code));
    const certificate = first(CERTIFICATE_CODES);
    if (certificate !== undefined) {
        // No retry can make a certificate trusted, and the request never left: the key was not sent.
        const reason = trimSentence(said.get(certificate) ?? certificate);
        return {
            kind: 'certificate',
            retryable: false,
            summary:
                `The certificate of ${context.endpointUrl ?? who} is not trusted (${reason}), so nothing was sent. ` +
                'If your network inspects encrypted traffic, its certificate has to be trusted (for the command ' +
                'line: NODE_EXTRA_CA_CERTS).',
        };
    }
    const online = context.online ?? deviceOnline();
    if (online === false || first(OFFLINE_CODES) !== undefined) {
        const dns = codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN');
        const refused = codes.includes('ECONNREFUSED');
        const summary = dns
            ? `Can’t find ${who} (the host name does not resolve); check your connection and the base URL.`
            : refused
              ? `Nothing answers at ${context.endpointUrl ?? who}: is the server running?`
              : `Can’t reach ${who}; check your connection (or that the server is running).`;
        return { kind: 'offline', retryable: true, summary };
    }
    if (first(TIMEOUT_CODES) !== undefined || /timed? ?out/i.test(text)) {
        return { kind: 'timeout', retryable: true, summary: `${who} took too long to answer.` };
    }
    if (
        first(LOST_CODES) !== undefined ||
        /socket hang up|other side closed|terminated|connection (?:was )?(?:reset|closed)/i.test(text)
    ) {
        return { kind: 'lost', retryable: true, summary: `The connection to ${who} was lost.` };
    }
    if (context.apiError === true || /fetch failed|failed to fetch|load failed|network|connection error/i.test(text)) {
        return { kind: 'offline', retryable: true, summary: `Can’t reach ${who}; check your connection.` };
    }
    return {
        kind: 'unexpected',
        retryable: false,
        summary: `Something unexpected went wrong talking to ${who}: ${trimSentence(text || String(e))}.`,
    };
}

/** `text` on one line, without a final full stop, at most 200 characters. */
export function trimSentence(text: string): string {
    const oneLine = text.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    return oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine;
}

function deviceOnline(): boolean | undefined {
    // Node (the CLI, tests) has no navigator.onLine; only a browser-like host can say it is offline.
    if (typeof navigator === 'undefined') return undefined;
    const onLine: unknown = (navigator as { onLine?: unknown }).onLine;
    return typeof onLine === 'boolean' ? onLine : undefined;
}

/** Walks `cause` chains and `AggregateError.errors`, collecting error codes, messages, and the message of each code. */
function collectCauses(e: unknown): { codes: string[]; text: string; said: Map<string, string> } {
    const codes: string[] = [];
    const texts: string[] = [];
    const said = new Map<string, string>();
    const visit = (value: unknown, depth: number): void => {
        if (depth > MAX_CAUSE_DEPTH || typeof value !== 'object' || value === null) {
            if (typeof value === 'string') texts.push(value);
            return;
        }
        const record = value as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
        if (typeof record.code === 'string') {
            codes.push(record.code);
            if (typeof record.message === 'string' && !said.has(record.code)) said.set(record.code, record.message);
        }
        if (typeof record.message === 'string') texts.push(record.message);
        visit(record.cause, depth + 1);
        if (Array.isArray(record.errors)) for (const inner of record.errors) visit(inner, depth + 1);
    };
    visit(e, 0);
    return { codes, text: texts.join(' '), said };
}
