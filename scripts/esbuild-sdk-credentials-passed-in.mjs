// The esbuild plugin that resolves the Anthropic SDK client's `./lib/credentials/credential-chain.mjs` to
// `sdk-credentials-passed-in.mjs` (see that module's note). Used by the plugin build in esbuild.config.mjs; the
// command-line bundle keeps the real module.
export const sdkCredentialsPassedIn = {
    name: 'sdk-credentials-passed-in',
    setup(build) {
        build.onResolve({ filter: /credential-chain\.mjs$/ }, (args) =>
            /@anthropic-ai[\\/]sdk[\\/]client\.mjs$/.test(args.importer)
                ? { path: new URL('./sdk-credentials-passed-in.mjs', import.meta.url).pathname }
                : undefined,
        );
    },
};
