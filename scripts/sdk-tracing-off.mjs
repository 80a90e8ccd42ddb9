// Build-time stand-in for the Anthropic SDK's OpenTelemetry tracing (`internal/tracing.mjs`) in the plugin bundle.
// The SDK records a span for each API call only when a tracer is registered, and the plugin resolves
// `@opentelemetry/api` to its no-op answers (`opentelemetry-noop.mjs`): inside Obsidian no tracer can exist, so the
// client never has one, no call gets a span, and the tracing code (attribute tables, content recording, stream
// observers: about 15 KB) never runs there. This module keeps the names the SDK's bundled modules import, each
// answering as the real one does for a client without a tracer; `sdk-tracing-off-lib.mjs` does the same for the
// helpers in `lib/internal/tracing.mjs`. The command-line bundle keeps the real modules.

/** The client's settled `openTelemetry` option: traces off (there is no tracer to record them). */
export function resolveOpenTelemetryOptions() {
    return Object.freeze({
        tracerProvider: undefined,
        propagation: true,
        traces: Object.freeze({ enabled: false, contentMode: 'metadata_only', maxContentBytes: 750000 }),
    });
}

/** No tracer: the client's calls run untraced. */
export function getTracer() {
    return undefined;
}

/** Runs a step of tracing; what it throws never fails an API call. */
export function guardTracing(_client, step) {
    try {
        return step();
    } catch {
        return undefined;
    }
}

/** The span a helper already started for the call (none ever is), else none: the client has no tracer. */
export function startApiCallSpan(_client, _name, options) {
    return options?.__span || undefined;
}

/** The SDK calls these only for a call with a span, which no call has here. */
export function endApiCallSpan() {}
export function setCreatedIDAttribute() {}
export function recordAttempt() {}
export function setErrorStatus() {}
export function setResponseAttributes() {}
export function setResponseHeaderAttributes() {}
export function injectTraceHeaders(_span, headers) {
    return headers;
}
export function endApiCallSpanWhenStreamEnds(_span, stream) {
    return stream;
}
export function observeStream(stream) {
    return stream;
}
