/**
 * The one model id the project chooses by itself: the default of fresh settings, the fallback when an endpoint cannot
 * list its models, and what the example vault, the browser harness and the tests use. Keep it a current model with no
 * announced end of life; the SDK warns on every call to a deprecated one. Nothing else in the code names a model as a
 * default (per-model facts such as prices are tables, not choices).
 */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';
