/**
 * What the turn loop reads off a finished model call: its tool calls, its blocks as history, the characters it
 * produced, and its usage, estimated from the text where the endpoint reported none for a response with content.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { CHARS_PER_TOKEN, estimateTokens } from '../capabilities';
import type { UsageLike } from '../pricing';
import type { ToolCall } from './run-tools';
import type { StreamedBlock, StreamedCall } from './stream-turn';

/** Whether a request carries any document block (a note sent citable). */
export function hasDocuments(params: { messages: readonly { content: unknown }[] }): boolean {
    return params.messages.some(
        (message) =>
            Array.isArray(message.content) && message.content.some((b: { type?: string }) => b.type === 'document'),
    );
}

/** The tool calls among a call's blocks, in order. */
export function toolCallsOf(blocks: StreamedBlock[]): ToolCall[] {
    return blocks.flatMap((block) =>
        block.type === 'tool_use' ? [{ id: block.id, name: block.name, input: block.input }] : [],
    );
}

/** A streamed block as the history keeps it (and sends it back). */
export function toParam(block: StreamedBlock): Anthropic.ContentBlockParam {
    switch (block.type) {
        case 'text':
            return { type: 'text', text: block.text };
        case 'thinking':
            return { type: 'thinking', thinking: block.thinking, signature: block.signature };
        case 'redacted_thinking':
            return { type: 'redacted_thinking', data: block.data };
        case 'tool_use':
            return { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
        case 'other':
            return block.block;
    }
}

/** Characters of a streamed block the model produced (what the output tokens were spent on). */
function blockChars(block: StreamedBlock): number {
    switch (block.type) {
        case 'text':
            return block.text.length;
        case 'thinking':
            return block.thinking.length;
        case 'tool_use':
            return block.name.length + block.json.length;
        case 'redacted_thinking':
            return block.data.length;
        default:
            return 0;
    }
}

/**
 * The call's usage as the endpoint reported it, or estimated from the text where it reported none for a response
 * with content (some gateways send zeros): input from the request, output from what arrived, four characters a
 * token. An estimate says so (`estimated`).
 */
export function reportedOrEstimated(
    call: StreamedCall,
    params: { system?: unknown; messages?: unknown; tools?: unknown },
): UsageLike & { estimated?: true } {
    const usage = call.usage;
    const outputChars = call.blocks.reduce((sum, block) => sum + blockChars(block), 0);
    if (outputChars === 0) return usage;
    const input =
        (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
    const noInput = input === 0;
    const noOutput = (usage.output_tokens ?? 0) === 0;
    if (!noInput && !noOutput) return usage;
    const estimated: UsageLike & { estimated: true } = { ...usage, estimated: true };
    if (noInput) estimated.input_tokens = estimateTokens(params);
    if (noOutput) estimated.output_tokens = Math.ceil(outputChars / CHARS_PER_TOKEN);
    return estimated;
}
