/**
 * How a chat asks about a fetch the guard stopped: through the same card (tool-call gate) that asks about MCP tool
 * calls, showing the address and why it is asked, bound to exactly that address.
 */
import { sha256Utf16Hex } from '../changes/sha256';
import type { McpToolDefinition } from '../mcp/mcp-connection';
import type { ToolCallGate } from '../mcp/tool-call-gate';
import type { FetchQuestion } from './web-research';

/** What the person is shown about the fetch. */
export const FETCH_QUESTION_TEXT =
    'The model wants to fetch a web address that came from a note or a tool result, not from you or a web search. ' +
    'Fetching it sends a request to that host, and an address can carry text from your notes. Allow only if you ' +
    'trust the address.';

const SCHEMA = { type: 'object', properties: { url: { type: 'string' } }, required: ['url'] };

/** The definition the card shows: the API's web fetch tool, described for this question. */
export const FETCH_DEFINITION: McpToolDefinition = {
    name: 'web_fetch',
    description: FETCH_QUESTION_TEXT,
    inputSchema: SCHEMA,
    annotations: { readOnlyHint: true, openWorldHint: true },
    hash: sha256Utf16Hex(JSON.stringify(['web_fetch', FETCH_QUESTION_TEXT, SCHEMA])),
};

/** A question that asks through `gate`; an approval must name this exact address. */
export function fetchQuestion(gate: ToolCallGate): FetchQuestion {
    return async (url, signal) => {
        const input = { url };
        const binding = sha256Utf16Hex(JSON.stringify(['web_fetch', FETCH_DEFINITION.hash, url]));
        const decision = await gate.request(
            {
                server: 'web',
                offeredName: 'web_fetch',
                definition: FETCH_DEFINITION,
                input,
                reasons: ['untrusted-content'],
                binding,
            },
            { signal },
        );
        return decision.kind === 'allow' && decision.binding === binding;
    };
}
