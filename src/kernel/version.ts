/**
 * The package's version, as `vault-agent --version` prints it and the MCP server and client announce it. The build
 * injects it from `package.json` (esbuild `define`), so the number is written in one place only (Obsidian's
 * `manifest.json` must carry it too; a test keeps the two equal).
 */
declare const __VAULT_AGENT_VERSION__: string | undefined;

/** The version of this build, or `unknown` when the code runs unbundled (a unit test importing the source). */
export const VERSION: string = typeof __VAULT_AGENT_VERSION__ === 'string' ? __VAULT_AGENT_VERSION__ : 'unknown';
