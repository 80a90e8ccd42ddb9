// The esbuild plugin that resolves `@opentelemetry/api` to `opentelemetry-noop.mjs` (see that module's note). Used by
// the plugin build in esbuild.config.mjs; the command-line bundle keeps the real package.
export const openTelemetryNoop = {
    name: 'opentelemetry-noop',
    setup(build) {
        build.onResolve({ filter: /^@opentelemetry\/api$/ }, () => ({
            path: new URL('./opentelemetry-noop.mjs', import.meta.url).pathname,
        }));
    },
};
