/**
 * The editable form of one MCP server (a draft holding both transports' fields, so switching back and forth loses
 * nothing typed) and its validation: a draft becomes a stored server only when `parseServer` accepts all of it and
 * no environment variable or header holds a key (docs/RELIABILITY.md row 23).
 */
import { parseServer, type McpServerConfig, type McpToolPolicy } from '../../kernel/mcp-settings';
import { isSecretEntry } from '../../kernel/read-groups';
import { fail, lines, ok, type Parsed } from './tab-kit';

/** `NAME=value`, one environment variable. */
export const ENV_LINE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** `Name: value`, one request header. */
export const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/;

/** Every field of a server, both transports' fields kept so switching back and forth loses nothing typed. */
export interface ServerDraft {
    /** Name. */ name: string;
    /** Transport. */ transport: 'stdio' | 'http';
    /** On or off. */ enabled: boolean;
    /** Whether the person says it can read the vault. */ readsVault: boolean;
    /** Program (stdio). */ command: string;
    /** Arguments (stdio). */ args: string[];
    /** Environment (stdio). */ env: Record<string, string>;
    /** Endpoint (http). */ url: string;
    /** Request headers (http). */ headers: Record<string, string>;
    /** Policy per tool. */ toolPolicies: Record<string, McpToolPolicy>;
    /** Tools the person vouches only read. */ readOnlyTools: string[];
}

/** The editable copy of a stored server. */
export function draftOf(server: McpServerConfig): ServerDraft {
    const base = {
        name: server.name,
        transport: server.transport,
        enabled: server.enabled,
        readsVault: server.readsVault,
        toolPolicies: { ...server.toolPolicies },
        readOnlyTools: [...server.readOnlyTools],
    };
    return server.transport === 'stdio'
        ? { ...base, command: server.command, args: [...server.args], env: { ...server.env }, url: '', headers: {} }
        : { ...base, command: '', args: [], env: {}, url: server.url, headers: { ...server.headers } };
}

/** A fresh server: on, named `server-N`, stdio on desktop and http elsewhere. */
export function newDraft(takenNames: readonly string[], isDesktop: boolean): ServerDraft {
    const taken = new Set(takenNames.map((n) => n.toLowerCase()));
    let n = 1;
    while (taken.has(`server-${n}`)) n++;
    return {
        name: `server-${n}`,
        transport: isDesktop ? 'stdio' : 'http',
        enabled: true,
        readsVault: false,
        command: '',
        args: [],
        env: {},
        url: '',
        headers: {},
        toolPolicies: {},
        readOnlyTools: [],
    };
}

/** The server to store, or what to tell the person. */
export function validateDraft(draft: ServerDraft, otherNames: readonly string[]): Parsed<McpServerConfig> {
    const settingsOf = draft.transport === 'stdio' ? draft.env : draft.headers;
    const secret = Object.entries(settingsOf).find(([name, value]) => isSecretEntry(name, value));
    if (secret !== undefined) {
        return fail(
            `"${secret[0]}" holds a key. Keys are not kept in settings, which sync between devices: give the ` +
                'server its key another way (its own config file or login).',
        );
    }
    const common = {
        name: draft.name.trim(),
        enabled: draft.enabled,
        readsVault: draft.readsVault,
        toolPolicies: draft.toolPolicies,
        readOnlyTools: draft.readOnlyTools,
    };
    const candidate =
        draft.transport === 'stdio'
            ? { ...common, transport: 'stdio', command: draft.command.trim(), args: draft.args, env: draft.env }
            : { ...common, transport: 'http', url: draft.url.trim(), headers: draft.headers };
    const parsed = parseServer(candidate);
    if (typeof parsed === 'string') return fail(`Not saved yet: ${parsed}`);
    if (otherNames.some((name) => name.toLowerCase() === parsed.name.toLowerCase())) {
        return fail(`Another server is already called "${parsed.name}".`);
    }
    return ok(parsed);
}

/** Pairs as lines, `name<separator>value`. */
export function pairsText(pairs: Record<string, string>, separator: string): string {
    return Object.entries(pairs)
        .map(([name, value]) => `${name}${separator}${value}`)
        .join('\n');
}

/** Parses `NAME=value` or `Name: value` lines into `set`, or says which line is wrong. */
export function setPairs(
    raw: string,
    pattern: RegExp,
    shape: string,
    set: (pairs: Record<string, string>) => void,
): Parsed<null> {
    const pairs: Record<string, string> = {};
    for (const line of lines(raw)) {
        const match = pattern.exec(line);
        if (match === null) return fail(`"${line}" is not in the form ${shape}.`);
        pairs[match[1] ?? ''] = match[2] ?? '';
    }
    set(pairs);
    return ok(null);
}
