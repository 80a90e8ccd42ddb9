/**
 * Our own summarising compaction. The older part of the history is summarised by the model in a request that
 * carries the SAME stable prefix (system, instructions, tools) and the same older messages as the turns did, so it
 * reads them from the prompt cache; only a short instruction is new. The newest messages are kept verbatim. A
 * history too long for one summarising request is folded: summarise a first chunk, then that summary with the next.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { HistoryMessage } from '../loop/conversation';
import { buildRequest, type PromptPrefix } from '../loop/prompt-cache';
import { RECORD_SUMMARY_HEADING } from './compact-record';
import { estimateMessageTokens } from './context-window';

/** What the model is asked at the end of a summarising request. */
export const SUMMARY_INSTRUCTION = [
    'Stop here: do not call any tool and do not answer the last message. Instead write a compact record of the',
    'conversation above, so that work can go on without it. Keep: what the person asked for and decided; open',
    'questions and what was still to be done; findings and facts from notes, each with the note path it came from;',
    'and any promises made. Leave out greetings and anything superseded. Do not list changes applied to the vault',
    'or notes read: they are recorded separately and exactly. Plain text or Markdown, no preamble.',
].join(' ');

/** Where to cut: `older` is summarised, `kept` stays verbatim after the record. */
export interface CompactionPlan {
    /** The messages to summarise, oldest first; starts with a user message and ends with one. */
    older: HistoryMessage[];
    /** The messages kept verbatim; empty, or starting with an assistant message. */
    kept: HistoryMessage[];
}

/**
 * Picks the cut: the oldest assistant message from which the rest fits in `keepTokens`; the newest turn is always
 * kept whole. The kept part always starts with an assistant message, so
 * the record (a user message) goes right before it and every `tool_result` keeps its `tool_use`. `null` when there is
 * nothing to gain: only the record itself, nothing, or fewer than `minOlderTokens` would be summarised.
 */
export function planCompaction(
    messages: readonly HistoryMessage[],
    keepTokens: number,
    minOlderTokens = 0,
): CompactionPlan | null {
    // The newest turn (from the person's latest message on) is never summarised: it is what the model works on.
    let newestTurn = messages.length - 1;
    while (newestTurn > 0 && !isPersonMessage(messages[newestTurn])) newestTurn--;
    const cuts: number[] = [];
    for (let i = 1; i < newestTurn; i++) if (messages[i]?.role === 'assistant') cuts.push(i);
    if (cuts.length === 0) return null;
    let cut = cuts[cuts.length - 1] ?? messages.length;
    for (const candidate of cuts) {
        if (estimateMessageTokens(messages.slice(candidate)) <= keepTokens) {
            cut = candidate;
            break;
        }
    }
    const older = messages.slice(0, cut);
    // Only the record, or no complete exchange at all: summarising would not make room.
    if (!older.some((message) => message.role === 'assistant')) return null;
    if (older.length === 1 && isRecordMessage(older[0])) return null;
    // Summarising less than a summary's worth of tokens would not make room.
    if (estimateMessageTokens(older) <= minOlderTokens) return null;
    return { older: [...older], kept: messages.slice(cut) };
}

/** One summarising request, sent by the caller (throttle, spend control and accounting are the session's). */
export type SummaryCall = (params: Anthropic.MessageCreateParamsNonStreaming, signal: AbortSignal) => Promise<string>;

/** What summarising needs. */
export interface SummariseOptions {
    /** The session's stable prefix, byte for byte. */
    prefix: PromptPrefix;
    /** Model id. */
    model: string;
    /** `max_tokens` of the summary. */
    maxSummaryTokens: number;
    /** Most history tokens one summarising request may carry (window minus prefix, summary and headroom). */
    chunkTokens: number;
    /** Whether to mark cache breakpoints. */
    caching: boolean;
    /** Sends a request and returns the summary's text. */
    call: SummaryCall;
    /** Stop. */
    signal: AbortSignal;
}

/** Summarises `older`, folding chunk by chunk when it does not fit one request; returns the summary text. */
export async function summarise(older: readonly HistoryMessage[], options: SummariseOptions): Promise<string> {
    let carried: string | null = null;
    let start = 0;
    while (start < older.length) {
        const lead: HistoryMessage[] =
            carried === null ? [] : [{ role: 'user', content: [{ type: 'text', text: carried }] }];
        const end = chunkEnd(older, start, lead, options.chunkTokens);
        carried = await summariseChunk([...lead, ...older.slice(start, end)], options);
        start = end;
    }
    return carried ?? '';
}

/** The furthest end (an assistant index, or the end) such that the chunk fits; at least one step forward. */
function chunkEnd(older: readonly HistoryMessage[], start: number, lead: HistoryMessage[], budget: number): number {
    let best = -1;
    let tokens = estimateMessageTokens(lead);
    for (let i = start; i < older.length; i++) {
        tokens += estimateMessageTokens(older.slice(i, i + 1));
        const next = i + 1;
        const validEnd = next === older.length || older[next]?.role === 'assistant';
        if (!validEnd) continue;
        if (tokens > budget && best > start) break;
        best = next;
        if (tokens > budget) break;
    }
    return best > start ? best : older.length;
}

async function summariseChunk(chunk: HistoryMessage[], options: SummariseOptions): Promise<string> {
    const last = chunk[chunk.length - 1];
    // The instruction joins the final user message (a copy): same-role neighbours would be merged by the API anyway.
    const messages =
        last?.role === 'user'
            ? [...chunk.slice(0, -1), { role: 'user' as const, content: [...last.content, instructionBlock()] }]
            : [...chunk, { role: 'user' as const, content: [instructionBlock()] }];
    const streamed = buildRequest({
        model: options.model,
        maxTokens: options.maxSummaryTokens,
        prefix: options.prefix,
        messages,
        previousLast: -1,
        caching: options.caching,
    });
    const { model, max_tokens, system, tools } = streamed;
    const params: Anthropic.MessageCreateParamsNonStreaming = {
        model,
        max_tokens,
        messages: streamed.messages,
        ...(system !== undefined ? { system } : {}),
        ...(tools !== undefined ? { tools } : {}),
    };
    return options.call(params, options.signal);
}

function instructionBlock(): Anthropic.TextBlockParam {
    return { type: 'text', text: SUMMARY_INSTRUCTION };
}

/** A user message that is not tool results: the person speaking (or a record, which opens the history). */
function isPersonMessage(message: HistoryMessage | undefined): boolean {
    return message?.role === 'user' && !message.content.some((block) => block.type === 'tool_result');
}

function isRecordMessage(message: HistoryMessage | undefined): boolean {
    const first = message?.content[0];
    return first?.type === 'text' && first.text.startsWith(RECORD_SUMMARY_HEADING);
}
