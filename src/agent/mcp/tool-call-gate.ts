/**
 * Asking the person before an MCP tool runs. A sibling of the ApprovalGate for note changes: the request carries
 * the tool's full description (docs/RELIABILITY.md row 19) and the complete input (row 18), and an approval is bound to
 * a hash of exactly that, so it cannot be replayed for another input or a changed definition.
 */
import { sha256Utf16Hex } from '../changes/sha256';
import { canonicalJson, type McpToolDefinition } from './mcp-connection';

/** Why the person is asked. More than one can apply. */
export type ToolCallReason =
    /** The tool's policy is `ask`. */
    | 'policy'
    /** The person has not approved this tool's definition on this device yet. */
    | 'new-definition'
    /** The server changed the tool's name, description, schema or hints since the person approved it. */
    | 'definition-changed'
    /**
     * The policy is `allow`, but untrusted text (a note, a tool result) is in the turn and the person has not
     * vouched for the tool as read-only: it could be acting on instructions hidden in that text.
     */
    | 'untrusted-content';

/** What the person is shown. */
export interface ToolCallRequest {
    /** The configured server. */
    server: string;
    /** The name the model used (`mcp__server__tool`). */
    offeredName: string;
    /** The tool's definition exactly as the server sent it, description in full. */
    definition: McpToolDefinition;
    /** The complete input the model wants to send. */
    input: Record<string, unknown>;
    /** Why the person is asked. */
    reasons: ToolCallReason[];
    /** The hash an approval must name. */
    binding: string;
}

/** The person's answer. An `allow` naming another binding counts as a denial. */
export type ToolCallDecision = { kind: 'allow'; binding: string } | { kind: 'deny'; reason?: string };

/** The port that asks: a card in the chat, a y/n prompt in the terminal, scripted answers in tests. */
export interface ToolCallGate {
    /** Shows the request and resolves with the decision; rejects or denies when `signal` aborts. */
    request(request: ToolCallRequest, options: { signal?: AbortSignal }): Promise<ToolCallDecision>;
}

/** The hash binding an approval to this tool, definition and input. */
export function toolCallBinding(offeredName: string, definition: McpToolDefinition, input: unknown): string {
    return sha256Utf16Hex(canonicalJson([offeredName, definition.hash, input]));
}

/**
 * Whether untrusted content has entered a turn. The MCP tools mark their own results; the host marks the rest (vault
 * tool results, attached notes). Without a tracker, every turn counts as untrusted, the safe reading.
 */
export class UntrustedContent {
    private readonly turns = new Set<string>();

    /** Notes that untrusted text entered `turnId`. */
    mark(turnId: string): void {
        this.turns.add(turnId);
        // Only the recent turns matter; a long chat must not grow this forever.
        if (this.turns.size > 100) {
            const oldest = this.turns.values().next().value;
            if (oldest !== undefined) this.turns.delete(oldest);
        }
    }

    /** True once untrusted text is in `turnId`. */
    has(turnId: string): boolean {
        return this.turns.has(turnId);
    }
}
