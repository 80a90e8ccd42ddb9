// Build-time stand-in for the MCP SDK's client OAuth module (`client/auth.js`) in the plugin bundle. The SDK's
// Streamable HTTP transport imports it statically, but calls into it only when an `authProvider` is given, and the
// plugin never gives one: an MCP server that needs a sign-in is configured with headers (a bearer token) instead.
// So the OAuth flow (discovery, dynamic client registration, PKCE, token refresh; about 17 KB) can never run inside
// Obsidian. This module keeps the three names the transport imports; the two functions say plainly that OAuth
// sign-in is not available in the plugin, should a future caller ever reach them. The command-line bundle keeps the
// real module.

/** Thrown by the transport when a server answers 401 to a client with an auth provider; same shape as the SDK's. */
export class UnauthorizedError extends Error {
    constructor(message) {
        super(message ?? 'Unauthorized');
    }
}

function notAvailable() {
    throw new UnauthorizedError(
        'OAuth sign-in for MCP servers is not available in the plugin; give the server a token in its headers.',
    );
}

/** The OAuth flow; never reached without an auth provider. */
export async function auth() {
    notAvailable();
}

/** Parses a `WWW-Authenticate` challenge for the OAuth flow; never reached without an auth provider. */
export function extractWWWAuthenticateParams() {
    notAvailable();
}
