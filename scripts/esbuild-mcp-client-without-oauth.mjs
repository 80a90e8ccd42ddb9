// The esbuild plugin that resolves the MCP SDK client's `./auth.js`, as the Streamable HTTP transport imports it, to
// `mcp-client-without-oauth.mjs` (see that module's note). Used by the plugin build in esbuild.config.mjs; the
// command-line bundle keeps the real module.
export const mcpClientWithoutOAuth = {
    name: 'mcp-client-without-oauth',
    setup(build) {
        build.onResolve({ filter: /^\.\/auth\.js$/ }, (args) =>
            /@modelcontextprotocol[\\/]sdk[\\/].*[\\/]client[\\/]streamableHttp\.js$/.test(args.importer)
                ? { path: new URL('./mcp-client-without-oauth.mjs', import.meta.url).pathname }
                : undefined,
        );
    },
};
