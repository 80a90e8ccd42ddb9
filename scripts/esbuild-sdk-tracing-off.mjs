// The esbuild plugin that resolves the Anthropic SDK's tracing modules (`internal/tracing.mjs` and
// `lib/internal/tracing.mjs`) to `sdk-tracing-off.mjs` and `sdk-tracing-off-lib.mjs` (see their notes). Used by the
// plugin build in esbuild.config.mjs; the command-line bundle keeps the real modules.
import nodePath from 'node:path';

const SDK = /[\\/]@anthropic-ai[\\/]sdk[\\/]/;

export const sdkTracingOff = {
    name: 'sdk-tracing-off',
    setup(build) {
        build.onResolve({ filter: /[\\/]tracing\.mjs$/ }, (args) => {
            if (!SDK.test(args.importer)) return undefined;
            const target = nodePath.resolve(nodePath.dirname(args.importer), args.path).split(nodePath.sep).join('/');
            if (/\/@anthropic-ai\/sdk\/internal\/tracing\.mjs$/.test(target)) {
                return { path: new URL('./sdk-tracing-off.mjs', import.meta.url).pathname };
            }
            if (/\/@anthropic-ai\/sdk\/lib\/internal\/tracing\.mjs$/.test(target)) {
                return { path: new URL('./sdk-tracing-off-lib.mjs', import.meta.url).pathname };
            }
            return undefined;
        });
    },
};
