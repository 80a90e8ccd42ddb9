/**
 * Shared pieces for the MCP client tests: server definitions for the real peer (`server-everything`) and the
 * misbehaving fixture, a recording ToolCallGate, and a hub on a real temp vault whose tools are called the way the
 * turn loop calls them (by offered name, with raw input and a ToolContext).
 */
import nodePath from 'node:path';
import { McpHub, type McpHubOptions, type McpToolsOptions } from '../../../src/agent/mcp/mcp-hub';
import { MapConsentStore } from '../../../src/agent/mcp/mcp-consent';
import type { ToolCallDecision, ToolCallGate, ToolCallRequest } from '../../../src/agent/mcp/tool-call-gate';
import { createTransportFactory } from '../../../src/agent/mcp/transport-factory';
import { ReadLedger } from '../../../src/agent/tools/read-ledger';
import type { Tool, ToolContext, ToolResult } from '../../../src/agent/tools/tool';
import { ExclusionGate } from '../../../src/context/exclusions';
import type { Notifier } from '../../../src/kernel/ports';
import { DEFAULT_MCP_SETTINGS, type McpSettings, type StdioMcpServer } from '../../../src/kernel/mcp-settings';
import { makeTempVault, type TempVault } from '../../support/temp-vault';

const REPO = nodePath.resolve(__dirname, '../../..');

/** The script of the misbehaving fixture server. */
export const MISBEHAVING_SCRIPT = nodePath.join(REPO, 'tests/fixtures/mcp/misbehaving-server.mjs');

/** `server-everything` over stdio, exactly as a person would configure it. */
export function everythingServer(overrides: Partial<StdioMcpServer> = {}): StdioMcpServer {
    return {
        name: 'everything',
        transport: 'stdio',
        command: process.execPath,
        args: [nodePath.join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
        env: {},
        enabled: true,
        toolPolicies: {},
        readOnlyTools: [],
        readsVault: false,
        ...overrides,
    };
}

/** The misbehaving fixture, with extra arguments. */
export function misbehavingServer(extraArgs: string[] = [], overrides: Partial<StdioMcpServer> = {}): StdioMcpServer {
    return {
        name: 'shady',
        transport: 'stdio',
        command: process.execPath,
        args: [MISBEHAVING_SCRIPT, ...extraArgs],
        env: {},
        enabled: true,
        toolPolicies: {},
        readOnlyTools: [],
        readsVault: false,
        ...overrides,
    };
}

/** Records every request and answers with the scripted decision (allow exactly what is shown by default). */
export class RecordingToolCallGate implements ToolCallGate {
    /** Every request shown to the person, in order. */
    readonly requests: ToolCallRequest[] = [];

    constructor(private readonly answer: (request: ToolCallRequest) => ToolCallDecision = allowShown) {}

    /** Records and answers. */
    async request(request: ToolCallRequest): Promise<ToolCallDecision> {
        this.requests.push(request);
        return this.answer(request);
    }
}

/** Allows exactly the request shown. */
export function allowShown(request: ToolCallRequest): ToolCallDecision {
    return { kind: 'allow', binding: request.binding };
}

/** Captures notices. */
export class CapturedNotices implements Notifier {
    /** Every notice. */
    readonly messages: string[] = [];

    notify(message: string): void {
        this.messages.push(message);
    }
}

/** A hub on a temp vault, ready to connect. */
export interface HubHarness {
    /** The hub. */
    hub: McpHub;
    /** Its per-device consent store. */
    consent: MapConsentStore;
    /** Notices shown to the person. */
    notices: CapturedNotices;
    /** The temp vault. */
    temp: TempVault;
    /** The tool context the loop would pass. */
    context(turnId?: string): ToolContext;
    /** The tools for `options`, by offered name. */
    toolsByName(options: McpToolsOptions): Map<string, Tool>;
    /** Runs the tool offered as `name`. */
    run(tools: Map<string, Tool>, name: string, input: unknown, turnId?: string): Promise<ToolResult>;
    /** Closes the hub and removes the vault. */
    cleanup(): Promise<void>;
}

/** Builds a hub for `settings` on a temp vault holding `files`. */
export async function makeHubHarness(
    servers: McpSettings['servers'],
    options: {
        files?: Record<string, string>;
        settings?: Partial<McpSettings>;
        consent?: MapConsentStore;
        hub?: Partial<McpHubOptions>;
    } = {},
): Promise<HubHarness> {
    const temp = await makeTempVault(options.files ?? {});
    const gate = new ExclusionGate({
        vault: temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    });
    const consent = options.consent ?? new MapConsentStore();
    const notices = new CapturedNotices();
    const hub = new McpHub({
        settings: {
            ...DEFAULT_MCP_SETTINGS,
            connectTimeoutMs: 10_000,
            callTimeoutMs: 10_000,
            ...options.settings,
            servers,
        },
        consent,
        transports: createTransportFactory({ allowStdio: true }),
        notifier: notices,
        vault: temp.vault,
        gate,
        vaultRoot: temp.root,
        ...options.hub,
    });
    const context = (turnId = 'turn-1'): ToolContext => ({
        vault: temp.vault,
        gate,
        reads: new ReadLedger(),
        changes: null,
        turnId,
    });
    return {
        hub,
        consent,
        notices,
        temp,
        context,
        toolsByName: (toolOptions) => new Map(hub.tools(toolOptions).map((tool) => [tool.definition.name, tool])),
        async run(tools, name, input, turnId) {
            const tool = tools.get(name);
            if (tool === undefined) throw new Error(`${name} is not offered; offered: ${[...tools.keys()].join(', ')}`);
            return tool.run(input, context(turnId));
        },
        async cleanup() {
            await hub.close();
            await temp.cleanup();
        },
    };
}

/** Consents to every pending launch, as the person would after reading each command line. */
export async function consentToAll(hub: McpHub): Promise<void> {
    for (const launch of await hub.launchesNeedingConsent()) await hub.grantConsent(launch);
}
