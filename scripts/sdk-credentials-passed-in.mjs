// Build-time stand-in for the Anthropic SDK's credential chain (`lib/credentials/credential-chain.mjs`) in the plugin
// bundle. The SDK's client imports it statically, to find a credential in environment variables and in the machine's
// credential and profile files when none is passed in code. The plugin always passes the key it read from Obsidian's
// secret storage (the model client fails with "no API key" before building a client without one), so the chain never
// runs inside Obsidian, and the plugin must not read the machine's credential files anyway. This module keeps the two
// names the client imports, without the chain's file reading, token exchange and OAuth refresh (about 10 KB): with no
// profile it finds nothing, as the chain does when no file holds a credential, and a profile or a credentials config
// is refused with a plain reason. The command-line bundle keeps the real module.

const NOT_IN_THE_PLUGIN =
    'Anthropic credential files, profiles and credential configs are not read by the plugin; set the API key in its settings.';

/** The chain's answer when nothing supplies a credential (`null`); a named profile is refused. */
export async function defaultCredentials(_options, profile) {
    if (profile !== undefined && profile !== null) throw new Error(NOT_IN_THE_PLUGIN);
    return null;
}

/** A credential config passed in code; the plugin never passes one. */
export function resolveCredentialsFromConfig() {
    throw new Error(NOT_IN_THE_PLUGIN);
}
