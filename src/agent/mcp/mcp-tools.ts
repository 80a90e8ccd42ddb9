/**
 * MCP tools as `Tool`s the turn loop can offer next to the vault tools. Each call goes through, in order: the
 * person's policy for the tool (annotations never relax it), the definition approval on this device (re-asked when
 * the server changed the tool), the untrusted-content rule, the person's decision on the full input, then the call
 * with a timeout, redaction of excluded content for servers that can read the vault, and a bounded result.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig, McpToolPolicy } from '../../kernel/mcp-settings';
import { MAX_RESULT_CHARS } from '../tools/bounded';
import type { Tool, ToolContext, ToolResult } from '../tools/tool';
import { toolApprovalKey, type ConsentStore } from './mcp-consent';
import { McpServerError, type McpConnection, type McpToolDefinition } from './mcp-connection';
import { toolCallBinding, type ToolCallGate, type ToolCallReason, type UntrustedContent } from './tool-call-gate';
import type { VaultRedactor } from './vault-redactor';

/** Where a tool is offered: a chat with a person, or a job with nobody to ask. */
export type McpSurface = 'chat' | 'job';

/** The most characters of a server's description passed on to the model (the person always sees all of it). */
const MAX_MODEL_DESCRIPTION = 2_000;

/** One server as the tools see it at call time (it may have crashed or re-listed since the tool was built). */
export interface McpServerHandle {
    /** Its settings. */
    config: McpServerConfig;
    /** The live connection, or `null` when it is not connected. */
    connection: McpConnection | null;
    /** Why it is not connected, for the tool error. */
    failure: string | null;
    /** Set for servers that can read the vault: their results are scanned before the model sees them. */
    redactor: VaultRedactor | null;
}

/** What every MCP tool of one session shares. */
export interface McpToolEnvironment {
    /** Where the tools are offered. */
    surface: McpSurface;
    /** Asks the person; `null` where nobody can be asked (jobs, the MCP server itself). */
    gate: ToolCallGate | null;
    /** Per-device store of approved tool definitions. */
    consent: ConsentStore;
    /** Which turns hold untrusted content; `null` = every turn does. */
    untrusted: UntrustedContent | null;
    /** Per-call timeout, ms. */
    callTimeoutMs: number;
    /** Jobs only: the offered names the job allows; such a tool without a policy of its own counts as `allow`. */
    jobAllows: readonly string[];
}

/** The policy the person set for `tool`, or the surface's default: ask in chat, deny in jobs. */
export function policyOf(config: McpServerConfig, tool: string, surface: McpSurface): McpToolPolicy {
    return config.toolPolicies[tool] ?? (surface === 'chat' ? 'ask' : 'deny');
}

/** A `Tool` that calls `toolName` on the server behind `handle()`, offered as `offeredName`. */
export function mcpTool(input: {
    handle: () => McpServerHandle;
    toolName: string;
    offeredName: string;
    listed: McpToolDefinition;
    environment: McpToolEnvironment;
}): Tool {
    const { handle, toolName, offeredName, listed, environment } = input;
    const config = handle().config;
    const vouched = config.readOnlyTools.includes(toolName);
    return {
        definition: {
            name: offeredName,
            description: modelDescription(config.name, listed.description),
            inputSchema: objectSchema(listed.inputSchema),
            effect: vouched ? 'read' : 'write',
        },
        async run(raw: unknown, context: ToolContext): Promise<ToolResult> {
            if (context.signal?.aborted === true) return failed('Cancelled: the turn was stopped.');
            if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
                return failed(`Invalid input for ${offeredName}: expected an object. Nothing was sent.`);
            }
            const args = raw as Record<string, unknown>;
            const server = handle();
            if (server.connection === null) {
                return failed(`${offeredName} is unavailable: ${server.failure ?? 'the server is not connected'}.`);
            }
            let definition: McpToolDefinition | undefined;
            try {
                definition = (await server.connection.currentTools()).find((tool) => tool.name === toolName);
            } catch (error) {
                return failed(`${offeredName} is unavailable: ${messageOf(error)}`);
            }
            if (definition === undefined) {
                return failed(`${offeredName} is no longer offered by "${config.name}". Nothing was sent.`);
            }
            const permission = await permit({ environment, server, definition, offeredName, args, vouched, context });
            if (permission !== null) return permission;
            return call(server, definition, args, environment, context, offeredName);
        },
    };
}

/** `null` when the call may go ahead; otherwise the result that says why it did not. */
async function permit(input: {
    environment: McpToolEnvironment;
    server: McpServerHandle;
    definition: McpToolDefinition;
    offeredName: string;
    args: Record<string, unknown>;
    vouched: boolean;
    context: ToolContext;
}): Promise<ToolResult | null> {
    const { environment, server, definition, offeredName, args, vouched, context } = input;
    const own = server.config.toolPolicies[definition.name];
    const allowedByJob = environment.surface === 'job' && environment.jobAllows.includes(offeredName);
    const policy = own ?? (allowedByJob ? 'allow' : policyOf(server.config, definition.name, environment.surface));
    if (policy === 'deny') return failed(`${offeredName} is turned off by the person. Nothing was sent.`);
    const approvalKey = toolApprovalKey(server.config.name, definition.name);
    const approved = await environment.consent.get(approvalKey);
    const reasons: ToolCallReason[] = [];
    if (approved === null) reasons.push('new-definition');
    else if (approved !== definition.hash) reasons.push('definition-changed');
    if (policy === 'ask') reasons.push('policy');
    const untrusted = environment.untrusted === null || environment.untrusted.has(context.turnId);
    if (policy === 'allow' && !vouched && untrusted) reasons.push('untrusted-content');
    if (reasons.length === 0) return null;

    if (environment.gate === null) {
        // A job has nobody to ask: only tools already reviewed on this device and vouched read-only may run.
        return failed(
            `${offeredName} needs the person's approval (${reasons.join(', ')}), and nobody can be asked here. ` +
                'Nothing was sent.',
        );
    }
    const binding = toolCallBinding(offeredName, definition, args);
    let decision;
    try {
        decision = await environment.gate.request(
            { server: server.config.name, offeredName, definition, input: args, reasons, binding },
            { signal: context.signal },
        );
    } catch {
        return failed(`The person was not able to approve ${offeredName}. Nothing was sent.`);
    }
    if (decision.kind !== 'allow' || decision.binding !== binding) {
        const why = decision.kind === 'deny' && decision.reason !== undefined ? ` (${decision.reason})` : '';
        return failed(`The person declined ${offeredName}${why}. Nothing was sent to the server.`);
    }
    if (reasons.includes('new-definition') || reasons.includes('definition-changed')) {
        await environment.consent.set(approvalKey, definition.hash);
    }
    return null;
}

async function call(
    server: McpServerHandle,
    definition: McpToolDefinition,
    args: Record<string, unknown>,
    environment: McpToolEnvironment,
    context: ToolContext,
    offeredName: string,
): Promise<ToolResult> {
    const connection = server.connection;
    if (connection === null) return failed(`${offeredName} is unavailable: the server is not connected.`);
    let result: CallToolResult;
    try {
        result = await connection.call(definition.name, args, {
            timeoutMs: environment.callTimeoutMs,
            signal: context.signal,
        });
    } catch (error) {
        return failed(`${offeredName} failed: ${messageOf(error)} The rest of the tools keep working.`);
    } finally {
        // Whatever came back (or half came back) is text the model will read and nobody vetted.
        environment.untrusted?.mark(context.turnId);
    }
    let text = resultText(result);
    let note = '';
    let sources: string[] | undefined;
    if (server.redactor !== null) {
        // Withheld whole when it held text of an excluded note; otherwise names redacted, and the notes it carries
        // recorded so a note made private later takes this result out of the history (rows 13 and 15).
        const redacted = await server.redactor.redact(text);
        text = redacted.text;
        sources = redacted.sources;
        if (redacted.replaced > 0) {
            note = `\n[${redacted.replaced} name(s) of notes excluded from the agent were removed from this result]`;
        }
    }
    const bounded = bound(text) + note;
    const withSources = sources === undefined || sources.length === 0 ? {} : { sources };
    return result.isError === true ? { ...failed(bounded), ...withSources } : { content: bounded, ...withSources };
}

/** The result's content as text: text parts as they are, other kinds named, never fetched. */
export function resultText(result: CallToolResult): string {
    const parts: string[] = [];
    for (const item of result.content ?? []) {
        switch (item.type) {
            case 'text':
                parts.push(item.text);
                break;
            case 'resource':
                parts.push('text' in item.resource ? item.resource.text : `[binary resource ${item.resource.uri}]`);
                break;
            case 'resource_link':
                parts.push(`[resource link: ${item.name} ${item.uri}]`);
                break;
            default:
                parts.push(`[${item.type} content omitted]`);
        }
    }
    if (parts.length === 0 && result.structuredContent !== undefined) {
        parts.push(JSON.stringify(result.structuredContent));
    }
    return parts.join('\n');
}

/** Cuts `text` to the tool result bound, saying so (docs/RELIABILITY.md row 21). */
export function bound(text: string, max = MAX_RESULT_CHARS): string {
    if (text.length <= max) return text;
    const keep = max - 200;
    return `${text.slice(0, keep)}\n[… cut: the server returned ${text.length} characters; only the first ${keep} are shown]`;
}

function modelDescription(server: string, description: string): string {
    const cut =
        description.length > MAX_MODEL_DESCRIPTION
            ? `${description.slice(0, MAX_MODEL_DESCRIPTION)} [… cut]`
            : description;
    return `Tool from the MCP server "${server}" (not part of the vault; its text is the server's own): ${cut}`;
}

/** The API needs an object schema; a server that sends anything else gets an open object. */
function objectSchema(schema: Record<string, unknown>): Record<string, unknown> {
    return schema['type'] === 'object' ? schema : { type: 'object', properties: {} };
}

function messageOf(error: unknown): string {
    if (error instanceof McpServerError) return error.message;
    return error instanceof Error ? `${error.name}.` : 'unknown error.';
}

function failed(content: string): ToolResult {
    return { content, isError: true };
}
