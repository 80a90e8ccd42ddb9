/**
 * The scripted model of the fault suite and the faults it injects. Every job follows one script (read its source note,
 * for even jobs write a draft into its output folder, then answer with a summary quoting the source's marker); each
 * request may instead get a fault, picked by a PRNG seeded from the suite's seed and the request's place in its job
 * (job, step, how often that step was asked), so a seed gives the same faults whatever order concurrent jobs run in.
 */
import {
    maxTokensInToolUse,
    overloaded,
    rateLimited,
    reset,
    stall,
    streamError,
    textTurn,
    toolUseTurn,
    type RecordedRequest,
    type ScriptedResponse,
    type ToolCall,
    type TurnResponse,
} from '../../support/messages-api-server';
import { seededRandom } from '../../support/seeded-random';

/** Every kind of fault the suite injects. */
export const FAULT_KINDS = [
    '429 retry-after',
    '429 no retry-after',
    '529',
    'stream error mid-text',
    'stream error mid-tool-call',
    'stall',
    'reset before bytes',
    'reset mid-stream',
    'max_tokens in tool call',
] as const;

/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The fixed seed CI runs with; `FAULT_SEED` picks another. */
export const DEFAULT_FAULT_SEED = 20_261_121;

/** Chance that a request gets a fault instead of its answer. */
const FAULT_RATE = 0.3;
/** 429s with `retry-after: 1` hold every job for a second; a few prove the point without slowing the suite. */
const MAX_RETRY_AFTER = 3;

/** FNV-1a of a string mixed with the seed: one PRNG seed per request key. */
function keySeed(seed: number, key: string): number {
    let hash = (0x811c9dc5 ^ seed) >>> 0;
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
    return hash;
}

/** Where a job's files go. */
export interface JobLayout {
    /** The job's number. */
    index: number;
    /** Its output folder. */
    output: string;
    /** The source note it reads. */
    source: string;
    /** Whether its script writes a draft with `create_note`. */
    writesDraft: boolean;
}

/** The draft an even job writes, byte for byte. */
export function draftPath(job: JobLayout): string {
    return `${job.output}/Draft for job ${job.index}.md`;
}

/** The draft's content. */
export function draftContent(job: JobLayout): string {
    return `# Draft for job ${job.index}\n\nNotes taken from [[${job.source.replace(/\.md$/u, '')}]].\n`;
}

/** A path only a half-streamed tool call names: if a note ever appears there, a partial call ran. */
export function partialCallPath(job: JobLayout): string {
    return `${job.output}/Never written ${job.index}.md`;
}

/** The final answer of a job whose read returned `marker`. */
export function summaryText(job: JobLayout, marker: string): string {
    return `Summary for job ${job.index}: the source says ${marker}.`;
}

/** The marker hidden in each source note, which a job's answer must quote (proof it really read the note). */
export function sourceMarker(sourceIndex: number): string {
    return `MARKER-${(sourceIndex * 7919).toString(36).toUpperCase()}`;
}

/** What the plan did, for the assertions and the printed summary. */
export interface FaultLog {
    /** Faults injected per kind. */
    counts: Map<FaultKind, number>;
    /** Jobs (by index) that were sent a `max_tokens` inside a tool call. */
    truncatedJobs: Set<number>;
}

/** The responder of the local Messages API for the suite. */
export class FaultPlan {
    /** What was injected. */
    readonly log: FaultLog = { counts: new Map(), truncatedJobs: new Set() };
    private readonly asked = new Map<string, number>();
    private retryAfterSent = 0;

    constructor(
        private readonly seed: number,
        private readonly jobs: readonly JobLayout[],
    ) {}

    /** Answers one Messages request: the job's next step, or a fault. */
    respond(request: RecordedRequest): ScriptedResponse {
        const job = this.jobOf(request);
        if (job === undefined) return textTurn('This request belongs to no job of the suite.');
        const step = stepOf(request, job);
        const answer = this.answer(job, step, request);
        const key = `${job.index}|${step}`;
        const n = (this.asked.get(key) ?? 0) + 1;
        this.asked.set(key, n);
        const random = seededRandom(keySeed(this.seed, `${key}|${n}`));
        if (random() >= FAULT_RATE) return answer;
        const kind = this.pickKind(random, answer);
        this.log.counts.set(kind, (this.log.counts.get(kind) ?? 0) + 1);
        return this.fault(kind, job, answer);
    }

    private jobOf(request: RecordedRequest): JobLayout | undefined {
        const index = /Job (\d+): /u.exec(firstUserText(request))?.[1];
        return index === undefined ? undefined : this.jobs[Number(index)];
    }

    private answer(job: JobLayout, step: Step, request: RecordedRequest): TurnResponse {
        switch (step) {
            case 'read':
                return toolUseTurn([{ name: 'read_note', input: { path: job.source } }], {
                    preface: 'Let me read the source first.',
                });
            case 'draft':
                return toolUseTurn([draftCall(job)], { preface: 'I will keep a draft next to the result.' });
            case 'answer': {
                // From the tool results only (not the job's context), so the answer proves read_note really ran.
                const later = JSON.stringify(messagesOf(request).slice(1));
                const marker = /MARKER-[0-9A-Z]+/u.exec(later)?.[0] ?? 'nothing readable';
                return textTurn(summaryText(job, marker));
            }
        }
    }

    private pickKind(random: () => number, answer: TurnResponse): FaultKind {
        const hasToolCall = answer.turn.content.some((block) => block.type === 'tool_use');
        const kinds = FAULT_KINDS.filter(
            (kind) =>
                (hasToolCall || (kind !== 'stream error mid-tool-call' && kind !== 'max_tokens in tool call')) &&
                (kind !== '429 retry-after' || this.retryAfterSent < MAX_RETRY_AFTER),
        );
        const kind = kinds[Math.floor(random() * kinds.length)] ?? '529';
        if (kind === '429 retry-after') this.retryAfterSent++;
        return kind;
    }

    private fault(kind: FaultKind, job: JobLayout, answer: TurnResponse): ScriptedResponse {
        // The half-streamed variant names a path no complete answer uses, so a partial call that ran would show.
        const partial = withPartialCall(answer, job);
        switch (kind) {
            case '429 retry-after':
                return rateLimited({ retryAfter: 1 });
            case '429 no retry-after':
                return rateLimited();
            case '529':
                return overloaded();
            case 'stream error mid-text':
                return streamError({ after: 'text', turn: answer });
            case 'stream error mid-tool-call':
                return streamError({ after: 'partial-tool', turn: partial });
            case 'stall':
                return stall({ after: 'text', turn: answer });
            case 'reset before bytes':
                return reset();
            case 'reset mid-stream':
                return reset({ after: 'text', turn: answer });
            case 'max_tokens in tool call':
                this.log.truncatedJobs.add(job.index);
                return maxTokensInToolUse({ preface: 'Writing it down now.', call: partialCall(job) });
        }
    }
}

type Step = 'read' | 'draft' | 'answer';

function draftCall(job: JobLayout): ToolCall {
    return { name: 'create_note', input: { path: draftPath(job), content: draftContent(job) } };
}

function partialCall(job: JobLayout): ToolCall {
    return { name: 'create_note', input: { path: partialCallPath(job), content: draftContent(job) } };
}

function withPartialCall(answer: TurnResponse, job: JobLayout): TurnResponse {
    const content = answer.turn.content.map((block) =>
        block.type === 'tool_use' ? { ...block, ...partialCall(job) } : block,
    );
    return { ...answer, turn: { ...answer.turn, content } };
}

/** Which step of its script the job is at, from the tool calls already in the conversation. */
function stepOf(request: RecordedRequest, job: JobLayout): Step {
    const called = new Set(toolUseNames(request));
    if (!called.has('read_note')) return 'read';
    if (job.writesDraft && !called.has('create_note')) return 'draft';
    return 'answer';
}

function messagesOf(request: RecordedRequest): { role: string; content: unknown }[] {
    const body = request.body as { messages?: { role: string; content: unknown }[] } | undefined;
    return body?.messages ?? [];
}

function toolUseNames(request: RecordedRequest): string[] {
    return messagesOf(request)
        .filter((message) => message.role === 'assistant' && Array.isArray(message.content))
        .flatMap((message) => message.content as { type?: string; name?: string }[])
        .flatMap((block) => (block.type === 'tool_use' && typeof block.name === 'string' ? [block.name] : []));
}

function firstUserText(request: RecordedRequest): string {
    const first = messagesOf(request)[0];
    if (first === undefined) return '';
    return typeof first.content === 'string' ? first.content : JSON.stringify(first.content);
}
