/**
 * The API's server tools `web_search` and `web_fetch`, as documented: the model's call arrives as a
 * `server_tool_use` block (its input streamed as `input_json_delta`), the server runs it and the result follows in
 * the same response as a `web_search_tool_result` or `web_fetch_tool_result` block (whole, in its
 * `content_block_start`), or as an error object with an `error_code`. `usage.server_tool_use` counts the requests.
 * The server enforces what the request's tool definitions say: a fetch of a blocked domain (or one outside the
 * allowed domains) answers `url_not_allowed`, calls past `max_uses` answer `max_uses_exceeded`, and a tool the
 * request did not offer cannot be called at all (a test-script mistake).
 */
import type {
    ContentBlock,
    RawMessageStreamEvent,
    ServerToolUsage,
    WebFetchToolResultErrorCode,
    WebSearchResultBlock,
    WebSearchToolResultErrorCode,
} from '@anthropic-ai/sdk/resources/messages';

/** The model calls a server tool. */
export interface ScriptedServerToolUse {
    /** Discriminant. */
    type: 'server_tool_use';
    /** Which server tool. */
    name: 'web_search' | 'web_fetch';
    /** `{ query }` for a search, `{ url }` for a fetch. */
    input: { query: string } | { url: string };
    /** The block id (`srvtoolu_…`); generated when omitted. */
    id?: string;
}

/** What a search found, or why it failed. */
export interface ScriptedSearchResult {
    /** Discriminant. */
    type: 'web_search_tool_result';
    /** The `server_tool_use` id it answers. */
    tool_use_id: string;
    /** The results, or an error code. */
    results: { url: string; title: string; page_age?: string }[] | { error_code: WebSearchToolResultErrorCode };
}

/** What a fetch returned, or why it failed. */
export interface ScriptedFetchResult {
    /** Discriminant. */
    type: 'web_fetch_tool_result';
    /** The `server_tool_use` id it answers. */
    tool_use_id: string;
    /** The fetched address. */
    url: string;
    /** The page's text (a plain-text document), or an error code. */
    page: { title?: string; text: string } | { error_code: WebFetchToolResultErrorCode };
}

/** The server-tool blocks a scripted turn may hold. */
export type ScriptedServerBlock = ScriptedServerToolUse | ScriptedSearchResult | ScriptedFetchResult;

/** Whether a scripted block is one of these. */
export function isServerBlock(block: { type: string }): block is ScriptedServerBlock {
    return (
        block.type === 'server_tool_use' ||
        block.type === 'web_search_tool_result' ||
        block.type === 'web_fetch_tool_result'
    );
}

/** A search call and its results, as two scripted blocks. */
export function webSearch(
    query: string,
    results: ScriptedSearchResult['results'],
    id = `srvtoolu_${Math.random().toString(36).slice(2, 12)}`,
): [ScriptedServerToolUse, ScriptedSearchResult] {
    return [
        { type: 'server_tool_use', name: 'web_search', input: { query }, id },
        { type: 'web_search_tool_result', tool_use_id: id, results },
    ];
}

/** A fetch call and its page (or error), as two scripted blocks. */
export function webFetch(
    url: string,
    page: ScriptedFetchResult['page'],
    id = `srvtoolu_${Math.random().toString(36).slice(2, 12)}`,
): [ScriptedServerToolUse, ScriptedFetchResult] {
    return [
        { type: 'server_tool_use', name: 'web_fetch', input: { url }, id },
        { type: 'web_fetch_tool_result', tool_use_id: id, url, page },
    ];
}

/** What a request offered of the server tools. */
interface OfferedTool {
    type: string;
    allowed: string[] | undefined;
    blocked: string[] | undefined;
    maxUses: number | undefined;
}

/**
 * The turn's server-tool results as the server would produce them for this request: a fetch the tool's domain rules
 * forbid becomes `url_not_allowed`, a call past `max_uses` becomes `max_uses_exceeded`. Throws when the turn calls a
 * server tool the request did not offer, or when the request sets both allowed and blocked domains (the API's 400).
 */
export function enforceServerTools<T extends { type: string }>(content: T[], body: Record<string, unknown>): T[] {
    const offered = offeredTools(body);
    const calls = new Map<string, { name: string; url?: string; over: boolean }>();
    const used = new Map<string, number>();
    return content.map((block) => {
        if (block.type === 'server_tool_use') {
            const call = block as unknown as ScriptedServerToolUse;
            const tool = offered.get(call.name);
            if (tool === undefined) throw new Error(`the turn calls ${call.name}, which the request did not offer`);
            const count = (used.get(call.name) ?? 0) + 1;
            used.set(call.name, count);
            const url = 'url' in call.input ? call.input.url : undefined;
            calls.set(call.id ?? '', {
                name: call.name,
                url,
                over: tool.maxUses !== undefined && count > tool.maxUses,
            });
            return block;
        }
        if (block.type === 'web_fetch_tool_result') {
            const result = block as unknown as ScriptedFetchResult;
            const call = calls.get(result.tool_use_id);
            const tool = offered.get('web_fetch');
            if (call?.over === true) return { ...result, page: { error_code: 'max_uses_exceeded' } } as unknown as T;
            if (tool !== undefined && !domainAllowed(result.url, tool)) {
                return { ...result, page: { error_code: 'url_not_allowed' } } as unknown as T;
            }
        }
        if (block.type === 'web_search_tool_result') {
            const result = block as unknown as ScriptedSearchResult;
            if (calls.get(result.tool_use_id)?.over === true) {
                return { ...result, results: { error_code: 'max_uses_exceeded' } } as unknown as T;
            }
            const tool = offered.get('web_search');
            if (tool !== undefined && Array.isArray(result.results)) {
                const kept = result.results.filter((item) => domainAllowed(item.url, tool));
                return { ...result, results: kept } as unknown as T;
            }
        }
        return block;
    });
}

/** The `server_tool_use` counts of a turn's blocks, or `null` when it used none. */
export function serverToolUsage(content: readonly { type: string; name?: string }[]): ServerToolUsage | null {
    const calls = content.filter((block) => block.type === 'server_tool_use');
    if (calls.length === 0) return null;
    return {
        web_search_requests: calls.filter((block) => block.name === 'web_search').length,
        web_fetch_requests: calls.filter((block) => block.name === 'web_fetch').length,
    };
}

/** The block as `content_block_start` carries it (a call starts with an empty input). */
export function serverStartBlock(block: ScriptedServerBlock & { id: string }): ContentBlock {
    if (block.type === 'server_tool_use') {
        return { type: 'server_tool_use', id: block.id, name: block.name, input: {}, caller: { type: 'direct' } };
    }
    return serverFinalBlock(block);
}

/** The block as the whole message carries it. */
export function serverFinalBlock(block: ScriptedServerBlock & { id: string }): ContentBlock {
    if (block.type === 'server_tool_use') {
        return {
            type: 'server_tool_use',
            id: block.id,
            name: block.name,
            input: block.input,
            caller: { type: 'direct' },
        };
    }
    if (block.type === 'web_search_tool_result') {
        const content:
            | WebSearchResultBlock[]
            | { type: 'web_search_tool_result_error'; error_code: WebSearchToolResultErrorCode } = Array.isArray(
            block.results,
        )
            ? block.results.map((result) => ({
                  type: 'web_search_result',
                  url: result.url,
                  title: result.title,
                  page_age: result.page_age ?? null,
                  encrypted_content: Buffer.from(result.url).toString('base64'),
              }))
            : { type: 'web_search_tool_result_error', error_code: block.results.error_code };
        return { type: 'web_search_tool_result', tool_use_id: block.tool_use_id, content, caller: { type: 'direct' } };
    }
    const page = block.page;
    const content =
        'error_code' in page
            ? { type: 'web_fetch_tool_result_error' as const, error_code: page.error_code }
            : {
                  type: 'web_fetch_result' as const,
                  url: block.url,
                  retrieved_at: new Date(0).toISOString(),
                  content: {
                      type: 'document' as const,
                      title: page.title ?? null,
                      citations: { enabled: true },
                      source: { type: 'text' as const, media_type: 'text/plain' as const, data: page.text },
                  },
              };
    return {
        type: 'web_fetch_tool_result',
        tool_use_id: block.tool_use_id,
        content,
        caller: { type: 'direct' },
    } as unknown as ContentBlock;
}

/** The deltas between a server block's start and stop: the call's input JSON; results come whole in their start. */
export function serverDeltas(block: ScriptedServerBlock, index: number): RawMessageStreamEvent[] {
    if (block.type !== 'server_tool_use') return [];
    const json = JSON.stringify(block.input);
    const half = Math.ceil(json.length / 2);
    return [json.slice(0, half), json.slice(half)].map((partial_json) => ({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json },
    }));
}

/** Characters of a server block, for the output token estimate. */
export function serverBlockChars(block: ScriptedServerBlock): number {
    return block.type === 'server_tool_use' ? JSON.stringify(block.input).length : 0;
}

function offeredTools(body: Record<string, unknown>): Map<string, OfferedTool> {
    const offered = new Map<string, OfferedTool>();
    const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
    for (const tool of tools) {
        if (typeof tool !== 'object' || tool === null) continue;
        const record = tool as Record<string, unknown>;
        const type = typeof record.type === 'string' ? record.type : '';
        if (!type.startsWith('web_search_') && !type.startsWith('web_fetch_')) continue;
        const allowed = stringList(record.allowed_domains);
        const blocked = stringList(record.blocked_domains);
        if (allowed !== undefined && blocked !== undefined) {
            throw new Error(`${String(record.name)}: allowed_domains and blocked_domains cannot both be set`);
        }
        offered.set(String(record.name), {
            type,
            allowed,
            blocked,
            maxUses: typeof record.max_uses === 'number' ? record.max_uses : undefined,
        });
    }
    return offered;
}

function stringList(value: unknown): string[] | undefined {
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** A domain rule matches the host itself and its subdomains. */
function domainAllowed(url: string, tool: OfferedTool): boolean {
    let host: string;
    try {
        host = new URL(url).hostname.toLowerCase();
    } catch {
        return false;
    }
    const matches = (rule: string): boolean => {
        const domain = rule
            .toLowerCase()
            .replace(/^https?:\/\//u, '')
            .replace(/\/.*$/u, '');
        return host === domain || host.endsWith(`.${domain}`);
    };
    if (tool.blocked?.some(matches) === true) return false;
    if (tool.allowed !== undefined && !tool.allowed.some(matches)) return false;
    return true;
}
