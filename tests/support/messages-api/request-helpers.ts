import type { RecordedRequest } from './types';

/** A `tool_result` block the client sent back, with its content flattened to text. */
export interface SentToolResult {
    /** The `tool_use` id it answers. */
    toolUseId: string;
    /** The result text (text blocks joined with newlines). */
    text: string;
    /** Whether the client marked it as an error. */
    isError: boolean;
}

/** The tool results in the request's last user message: what a "curious model" reads before choosing its next call. */
export function toolResultsOf(request: RecordedRequest): SentToolResult[] {
    const last = messagesOf(request)
        .filter((message) => message.role === 'user')
        .at(-1);
    if (!last || !Array.isArray(last.content)) return [];
    return (last.content as unknown[]).flatMap((block) => {
        if (!isRecord(block) || block.type !== 'tool_result') return [];
        return [
            { toolUseId: String(block.tool_use_id), text: textOf(block.content), isError: block.is_error === true },
        ];
    });
}

/** The text of the request's last user message (text blocks and tool results alike). */
export function lastUserText(request: RecordedRequest): string {
    const last = messagesOf(request)
        .filter((message) => message.role === 'user')
        .at(-1);
    return last ? textOf(last.content) : '';
}

/** The system prompt as plain text. */
export function systemTextOf(request: RecordedRequest): string {
    return isRecord(request.body) ? textOf(request.body.system) : '';
}

function messagesOf(request: RecordedRequest): Record<string, unknown>[] {
    const messages = isRecord(request.body) ? request.body.messages : undefined;
    return Array.isArray(messages) ? (messages as unknown[]).filter(isRecord) : [];
}

function textOf(content: unknown): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return (content as unknown[])
        .map((block) => {
            if (!isRecord(block)) return '';
            if (typeof block.text === 'string') return block.text;
            // A plain-text document (a note sent citable) is text the model reads too.
            if (block.type === 'document' && isRecord(block.source) && typeof block.source.data === 'string') {
                return block.source.type === 'text' ? block.source.data : '';
            }
            return block.type === 'tool_result' ? textOf(block.content) : '';
        })
        .filter((text) => text.length > 0)
        .join('\n');
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
