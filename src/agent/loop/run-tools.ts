/**
 * Runs the complete tool calls of one response, in order, and turns them into `tool_result` blocks. Write tools may
 * wait for the person's approval inside the ChangeController; Stop ends the wait at once (the controller itself
 * refuses to write once the turn's signal is aborted, so an approval that arrives later changes nothing). Every
 * `tool_use` gets a result, even the ones that never ran, so the history stays valid for the next request.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Tool, ToolContext, ToolResult } from '../tools/tool';
import type { ToolCallRecord, TurnListener } from './turn-events';

/** A complete tool call from the model. */
export interface ToolCall {
    /** The `tool_use` id. */
    id: string;
    /** The tool name. */
    name: string;
    /** The parsed input; `undefined` when the JSON could not be parsed. */
    input: unknown;
}

/** What running a response's calls produced. */
export interface ToolRunOutcome {
    /** One result block per call, in order. */
    results: Anthropic.ToolResultBlockParam[];
    /** The vault paths each result carries (`ToolResult.sources`), parallel to `results`. */
    sources: (string[] | undefined)[];
    /** True when the turn was stopped before every call finished. */
    stopped: boolean;
}

/** Runs `calls` in order with the tools offered in this session. */
export async function runToolCalls(input: {
    calls: ToolCall[];
    tools: ReadonlyMap<string, Tool>;
    context: ToolContext;
    signal: AbortSignal;
    emit: TurnListener;
    records: ToolCallRecord[];
}): Promise<ToolRunOutcome> {
    const { calls, tools, context, signal, emit, records } = input;
    for (const call of calls) emit({ type: 'tool-proposed', id: call.id, name: call.name, input: call.input });
    const results: Anthropic.ToolResultBlockParam[] = [];
    const sources: (string[] | undefined)[] = [];
    let stopped = false;
    for (const call of calls) {
        const record: ToolCallRecord = { id: call.id, name: call.name, input: call.input, result: null };
        records.push(record);
        if (signal.aborted) {
            stopped = true;
            results.push(resultBlock(call.id, { content: 'Not run: the person stopped the turn.', isError: true }));
            sources.push(undefined);
            continue;
        }
        emit({ type: 'tool-running', id: call.id, name: call.name });
        const result = await runOne(call, tools, context, signal);
        if (result === null) {
            stopped = true;
            results.push(resultBlock(call.id, { content: 'Stopped: the person stopped the turn.', isError: true }));
            sources.push(undefined);
            continue;
        }
        record.result = result;
        emit({ type: 'tool-done', id: call.id, name: call.name, result });
        results.push(resultBlock(call.id, result));
        sources.push(result.sources);
    }
    return { results, sources, stopped };
}

/** The tool's result, or `null` when Stop came first. */
async function runOne(
    call: ToolCall,
    tools: ReadonlyMap<string, Tool>,
    context: ToolContext,
    signal: AbortSignal,
): Promise<ToolResult | null> {
    const tool = tools.get(call.name);
    if (tool === undefined) {
        const offered = [...tools.keys()].join(', ');
        return {
            content: `Unknown tool "${call.name}": it is not offered here. Offered tools: ${offered}.`,
            isError: true,
        };
    }
    if (call.input === undefined) {
        return { content: `Invalid input for ${call.name}: it was not valid JSON. Nothing was done.`, isError: true };
    }
    const running = tool.run(call.input, context);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<null>((resolve) => {
        onAbort = (): void => resolve(null);
        signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
        // A tool's `run` never throws by contract; a late result after Stop is dropped (the controller wrote nothing).
        return await Promise.race([running, aborted]);
    } finally {
        if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
        void running.catch(() => undefined);
    }
}

function resultBlock(id: string, result: ToolResult): Anthropic.ToolResultBlockParam {
    return {
        type: 'tool_result',
        tool_use_id: id,
        content: [
            { type: 'text', text: result.content === '' ? '(empty result)' : result.content },
            ...(result.blocks ?? []),
        ],
        ...(result.isError === true ? { is_error: true } : {}),
    };
}
