/**
 * Consent on this device (docs/RELIABILITY.md row 20). Settings sync between devices, so a server that arrives in a
 * synced
 * `data.json` must not start anywhere until a person on THIS device has seen its exact command line and agreed. The
 * agreement is stored per device (localStorage in Obsidian, a file in the CLI's config folder, a map in tests) and
 * bound to a hash of the launch definition: any change to command, arguments, environment, URL or headers asks again.
 * The same per-device store remembers which tool definitions the person approved (row 19).
 */
import type { McpServerConfig } from '../../kernel/mcp-settings';
import { sha256Utf16Hex } from '../changes/sha256';

/** Per-device key-value storage for consent; never the synced settings. */
export interface ConsentStore {
    /** The value stored under `key`, or `null`. */
    get(key: string): Promise<string | null>;
    /** Stores `value` under `key`. */
    set(key: string, value: string): Promise<void>;
}

/** A `ConsentStore` held in memory: for tests, and for one-off CLI runs that must not remember consent. */
export class MapConsentStore implements ConsentStore {
    /** The stored values, visible so a test can inspect them. */
    readonly values = new Map<string, string>();

    async get(key: string): Promise<string | null> {
        return this.values.get(key) ?? null;
    }

    async set(key: string, value: string): Promise<void> {
        this.values.set(key, value);
    }
}

/** What the person is shown before a server is launched or connected for the first time, or after a change. */
export interface LaunchDescription {
    /** The server's name. */
    server: string;
    /** How it is reached. */
    transport: 'stdio' | 'http';
    /**
     * The exact command line (program and every argument, quoted where needed) or the URL. For stdio the variables
     * set in the environment are named here too, values hidden (they are often tokens).
     */
    commandLine: string;
    /** Names of the environment variables (stdio) or headers (http) that are set; their values are not shown. */
    settingNames: string[];
    /** Hash of the complete definition, values included: consent binds to it. */
    hash: string;
}

/** The description of `server` that consent is asked for and bound to. */
export function describeLaunch(server: McpServerConfig): LaunchDescription {
    if (server.transport === 'stdio') {
        const envNames = Object.keys(server.env).sort();
        const prefix = envNames.map((name) => `${name}=…`).join(' ');
        const line = [server.command, ...server.args].map(quoteArgument).join(' ');
        return {
            server: server.name,
            transport: 'stdio',
            commandLine: prefix === '' ? line : `${prefix} ${line}`,
            settingNames: envNames,
            hash: launchHash(server),
        };
    }
    return {
        server: server.name,
        transport: 'http',
        commandLine: server.url,
        settingNames: Object.keys(server.headers).sort(),
        hash: launchHash(server),
    };
}

/** Hash of everything that decides what runs or where requests go; a change in any value changes it. */
export function launchHash(server: McpServerConfig): string {
    const definition =
        server.transport === 'stdio'
            ? ['stdio', server.command, server.args, sortedEntries(server.env)]
            : ['http', server.url, sortedEntries(server.headers)];
    return sha256Utf16Hex(JSON.stringify(definition));
}

/** Whether the person on this device consented to exactly this launch definition. */
export async function hasLaunchConsent(store: ConsentStore, server: McpServerConfig): Promise<boolean> {
    return (await store.get(launchKey(server.name))) === launchHash(server);
}

/** Records consent for the definition the person was shown; a definition changed since then is not consented. */
export async function grantLaunchConsent(store: ConsentStore, shown: LaunchDescription): Promise<void> {
    await store.set(launchKey(shown.server), shown.hash);
}

/** Where the approved definition hash of one tool of one server is kept. */
export function toolApprovalKey(server: string, tool: string): string {
    return `mcp-tool:${server}\u0000${tool}`;
}

function launchKey(server: string): string {
    return `mcp-launch:${server}`;
}

function sortedEntries(record: Record<string, string>): [string, string][] {
    return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Control, zero-width and direction-changing characters, which could make a command line read as another one. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: they are spelled out.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * POSIX-shell style quoting, so what the person reads is unambiguous about where each argument starts and ends;
 * invisible characters are spelled out as `\u{…}` so nothing in the command is hidden from them.
 */
function quoteArgument(argument: string): string {
    if (argument !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
    const visible = argument.replace(INVISIBLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
    return `'${visible.replace(/'/g, `'\\''`)}'`;
}
