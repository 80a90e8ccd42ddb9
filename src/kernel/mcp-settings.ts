/**
 * The MCP servers a person configures, and a pure validation of whatever was stored for them. Like the rest of the
 * settings this syncs between devices, which is exactly why nothing here is trusted to launch anything on its own:
 * consent to launch lives on each device (see `agent/mcp/mcp-consent.ts`), keyed by the launch definition below.
 */

/** What happens when the model wants a server's tool: ask each time, run without asking, or never offer it. */
export type McpToolPolicy = 'ask' | 'allow' | 'deny';

/** The policies a person can choose from, in the order the settings tab lists them. */
export const MCP_TOOL_POLICIES: readonly McpToolPolicy[] = ['ask', 'allow', 'deny'];

/** What every configured server has, whatever its transport. */
interface McpServerCommon {
    /** The person's name for the server; tools are offered as `mcp__<name>__<tool>`. Unique among servers. */
    name: string;
    /** Off = never launched or connected. */
    enabled: boolean;
    /** Policy per tool, keyed by the server's own tool name; a tool not listed uses the surface's default. */
    toolPolicies: Record<string, McpToolPolicy>;
    /**
     * Tools the PERSON vouches are read-only. Only these may auto-run (`allow`) once untrusted content is in the
     * turn; a server's own `readOnlyHint` never counts (docs/RELIABILITY.md rows 18 and 19).
     */
    readOnlyTools: string[];
    /** The person says this server can read the vault by itself, so its results are scanned for excluded content. */
    readsVault: boolean;
}

/** A server started as a child process on this computer (desktop and CLI only). */
export interface StdioMcpServer extends McpServerCommon {
    /** Transport kind. */
    transport: 'stdio';
    /** The program to run, as typed (looked up on PATH). */
    command: string;
    /** Its arguments, one per entry, passed without a shell. */
    args: string[];
    /** Extra environment variables for the process. */
    env: Record<string, string>;
}

/** A server reached over Streamable HTTP (everywhere, mobile included). */
export interface HttpMcpServer extends McpServerCommon {
    /** Transport kind. */
    transport: 'http';
    /** The server's endpoint, `http:` or `https:`. */
    url: string;
    /** Extra request headers. */
    headers: Record<string, string>;
}

/** One configured server. */
export type McpServerConfig = StdioMcpServer | HttpMcpServer;

/** The MCP section of the settings. */
export interface McpSettings {
    /** The configured servers, in the order the person added them. */
    servers: McpServerConfig[];
    /** How long a server may take to start and answer the handshake and tool listing, in ms. */
    connectTimeoutMs: number;
    /** How long one tool call may take, in ms. */
    callTimeoutMs: number;
}

/** Defaults: no servers; generous timeouts because `npx`-launched servers can take a while on first start. */
export const DEFAULT_MCP_SETTINGS: McpSettings = {
    servers: [],
    connectTimeoutMs: 30_000,
    callTimeoutMs: 60_000,
};

/** The usable MCP settings and what was dropped or fixed on the way, in words for the person. */
export interface McpSettingsResult {
    /** Settings to use. Servers that did not validate are left out (never launched half-understood). */
    settings: McpSettings;
    /** One sentence per fix. */
    notes: string[];
}

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MIN_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 600_000;

/** Validates a stored MCP section; `undefined` (older settings) gives the defaults. Never throws. */
export function parseMcpSettings(raw: unknown): McpSettingsResult {
    const notes: string[] = [];
    if (raw === undefined || raw === null) return { settings: structuredClone(DEFAULT_MCP_SETTINGS), notes };
    if (!isRecord(raw)) {
        notes.push('The MCP settings were not readable; no MCP server is used until they are set again.');
        return { settings: structuredClone(DEFAULT_MCP_SETTINGS), notes };
    }
    const servers: McpServerConfig[] = [];
    const list = Array.isArray(raw['servers']) ? (raw['servers'] as unknown[]) : [];
    if (raw['servers'] !== undefined && !Array.isArray(raw['servers'])) notes.push('mcp.servers was not a list.');
    const taken = new Set<string>();
    list.forEach((entry, index) => {
        const parsed = parseServer(entry);
        if (typeof parsed === 'string') {
            notes.push(`MCP server ${index + 1} was left out: ${parsed}`);
            return;
        }
        const key = parsed.name.toLowerCase();
        if (taken.has(key)) {
            notes.push(`MCP server ${index + 1} was left out: the name "${parsed.name}" is already used.`);
            return;
        }
        taken.add(key);
        servers.push(parsed);
    });
    return {
        settings: {
            servers,
            connectTimeoutMs: timeout(raw['connectTimeoutMs'], DEFAULT_MCP_SETTINGS.connectTimeoutMs, 'connect', notes),
            callTimeoutMs: timeout(raw['callTimeoutMs'], DEFAULT_MCP_SETTINGS.callTimeoutMs, 'call', notes),
        },
        notes,
    };
}

/** One server, or why it cannot be used. */
export function parseServer(raw: unknown): McpServerConfig | string {
    if (!isRecord(raw)) return 'it is not a server definition.';
    const name = raw['name'];
    if (typeof name !== 'string' || !SERVER_NAME.test(name)) {
        return 'its name must be 1–40 letters, digits, spaces, dots, dashes or underscores.';
    }
    const common = {
        name,
        enabled: raw['enabled'] !== false,
        toolPolicies: parsePolicies(raw['toolPolicies']),
        readOnlyTools: stringList(raw['readOnlyTools']),
        readsVault: raw['readsVault'] === true,
    };
    if (raw['transport'] === 'stdio') {
        const command = raw['command'];
        if (typeof command !== 'string' || command.trim() === '') return `"${name}" has no command.`;
        const args = raw['args'] ?? [];
        if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
            return `the arguments of "${name}" are not a list of strings.`;
        }
        const env = stringRecord(raw['env'], ENV_NAME);
        if (env === null) return `the environment of "${name}" is not a set of NAME=value pairs.`;
        return { ...common, transport: 'stdio', command, args: [...args] as string[], env };
    }
    if (raw['transport'] === 'http') {
        const url = raw['url'];
        if (typeof url !== 'string' || !isHttpUrl(url)) return `"${name}" has no http(s) URL.`;
        const headers = stringRecord(raw['headers'], HEADER_NAME);
        if (headers === null) return `the headers of "${name}" are not a set of name: value pairs.`;
        return { ...common, transport: 'http', url, headers };
    }
    return `"${name}" has no transport ("stdio" or "http").`;
}

function parsePolicies(raw: unknown): Record<string, McpToolPolicy> {
    const out: Record<string, McpToolPolicy> = {};
    if (!isRecord(raw)) return out;
    for (const [tool, policy] of Object.entries(raw)) {
        // An unknown policy value asks: the safe reading of a value we do not understand.
        out[tool] = MCP_TOOL_POLICIES.find((known) => known === policy) ?? 'ask';
    }
    return out;
}

function stringList(raw: unknown): string[] {
    return Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : [];
}

function stringRecord(raw: unknown, keyPattern: RegExp): Record<string, string> | null {
    if (raw === undefined) return {};
    if (!isRecord(raw)) return null;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (!keyPattern.test(key) || typeof value !== 'string') return null;
        out[key] = value;
    }
    return out;
}

function timeout(raw: unknown, fallback: number, which: string, notes: string[]): number {
    if (raw === undefined) return fallback;
    if (typeof raw === 'number' && Number.isFinite(raw) && raw >= MIN_TIMEOUT_MS && raw <= MAX_TIMEOUT_MS) {
        return Math.round(raw);
    }
    notes.push(`The MCP ${which} timeout was not between 1 s and 10 min; the default is used.`);
    return fallback;
}

function isHttpUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
        return false;
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
