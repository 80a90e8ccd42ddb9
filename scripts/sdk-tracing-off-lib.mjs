// Build-time stand-in for the Anthropic SDK's tracing helpers (`lib/internal/tracing.mjs`) in the plugin bundle: see
// `sdk-tracing-off.mjs`. Each answers as the real one does for a client without a tracer, which is every client inside
// Obsidian. The command-line bundle keeps the real module.

/** What a `messages.create` span would start with; no span starts, so nothing reads more than its shape. */
export function messagesCreateSpanSettings(_client, request) {
    return { route: '/v1/messages', request, attributes: {} };
}
export function sessionsCreateSpanAttributes() {
    return {};
}
export function recordMessagesCreateRequest(_client, call) {
    return call;
}
export function recordMessagesCreateResponse() {}
export function recordStreamedMessageContent() {}
export function endAnthropicApiCallSpanWhenStreamEnds() {}

/** Trace headers exist only on a call with a span. */
export function takeTraceHeaders() {
    return [];
}
export function withoutTraceHeaders(middleware) {
    return middleware;
}

export function startEnvironmentWorkSpan() {
    return undefined;
}
export function endEnvironmentWorkSpan() {}
export function failEnvironmentWorkSpan() {}
export async function withEnvironmentWorkSpan(_client, _span, _signal, handle) {
    return handle();
}
export function startToolRunnerSpan() {
    return undefined;
}
export async function withToolUseSpan(_client, _tool, _toolUse, _options, run) {
    return run();
}
