// Build-time stand-in for `@opentelemetry/api` in the plugin bundle. The Anthropic SDK imports the OpenTelemetry API
// statically to trace its requests when an application registers a tracer provider. Inside Obsidian nobody does, and
// the real API then answers every call with its no-op tracer, span and propagator. This module gives those same
// no-op answers for the names the SDK uses, without the ~10 KB of the API's registry. The command-line bundle keeps
// the real package, so a person who registers OpenTelemetry in Node still gets traces.

const ROOT = Object.freeze({
    getValue: () => undefined,
    setValue: () => ROOT,
    deleteValue: () => ROOT,
});

const INVALID_SPAN_CONTEXT = Object.freeze({
    traceId: '00000000000000000000000000000000',
    spanId: '0000000000000000',
    traceFlags: 0,
});

class NonRecordingSpan {
    spanContext() {
        return INVALID_SPAN_CONTEXT;
    }
    setAttribute() {
        return this;
    }
    setAttributes() {
        return this;
    }
    addEvent() {
        return this;
    }
    addLink() {
        return this;
    }
    addLinks() {
        return this;
    }
    setStatus() {
        return this;
    }
    updateName() {
        return this;
    }
    end() {}
    isRecording() {
        return false;
    }
    recordException() {}
}

const tracer = Object.freeze({
    startSpan: () => new NonRecordingSpan(),
    startActiveSpan: (...args) => args[args.length - 1](new NonRecordingSpan()),
});
const provider = Object.freeze({ getTracer: () => tracer });

export const context = Object.freeze({
    active: () => ROOT,
    with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args),
    bind: (_context, target) => target,
});

export const trace = Object.freeze({
    getTracerProvider: () => provider,
    getTracer: () => tracer,
    setSpan: (ctx) => ctx,
    getSpan: () => undefined,
    getActiveSpan: () => undefined,
    isSpanContextValid: () => false,
    wrapSpanContext: () => new NonRecordingSpan(),
});

export const propagation = Object.freeze({
    inject: () => undefined,
    extract: (ctx) => ctx,
    fields: () => [],
});

export const SpanKind = Object.freeze({ INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 });
export const SpanStatusCode = Object.freeze({ UNSET: 0, OK: 1, ERROR: 2 });
