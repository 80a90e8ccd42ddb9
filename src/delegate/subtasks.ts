/**
 * Fan-out for jobs: the `run_subtasks` tool runs read-only child sessions over parts of a job's input ("summarise each
 * of these 40 notes"), a few at a time, and hands each child's final answer back to the parent, which then
 * synthesises. Children share the job's gate, vault, client, throttle and spend control, never write (read-only
 * mode), get a small budget each, and stop with the parent. The notes a subtask names are read through the
 * `read_note` tool itself, so an excluded note is "not found" for the child, exactly like a missing one.
 */
import type { AgentSession } from '../agent/agent-session';
import type { TurnResult, UsageTotals } from '../agent/loop/turn-events';
import { defineTool, toolError, toolOk } from '../agent/tools/define-tool';
import { ReadLedger } from '../agent/tools/read-ledger';
import { readTools } from '../agent/tools/read-tools';
import type { Tool, ToolContext } from '../agent/tools/tool';

/** The tool's name. */
export const RUN_SUBTASKS_TOOL = 'run_subtasks';
/** Children running at once when the model names no number. */
export const DEFAULT_PARALLEL = 4;
/** The most children running at once, whatever the model asks. */
export const MAX_PARALLEL = 8;
/** The most subtasks one call may start. */
export const MAX_SUBTASKS = 50;
/** The most notes one subtask may name. */
export const MAX_NOTES_PER_SUBTASK = 20;
/**
 * The most characters all answers of one call bring back. Larger than an ordinary tool result's bound because
 * bringing the children's answers back is the whole point of the call; each answer gets its share and a cut marker.
 */
export const MAX_SUBTASK_RESULT_CHARS = 32_000;
/** The most characters of one child's answer, when there are few children. */
export const MAX_CHILD_ANSWER_CHARS = 4_000;

/** What the tool needs from the job that offers it. */
export interface SubtasksOptions {
    /** Builds a fresh read-only child session (same gate, vault, client, throttle and spend; a small budget). */
    child: () => AgentSession | Promise<AgentSession>;
    /** Hears what each child used when it ends, to add to the job's usage. */
    onUsage: (usage: UsageTotals) => void;
}

interface SubtaskInput {
    tasks: { instruction: string; notes?: string[] }[];
    max_parallel?: number;
}

interface ChildAnswer {
    text: string;
    sources: string[];
}

const PREAMBLE =
    'You are a sub-agent of a delegated job, running unattended and read-only: nobody will answer questions. ' +
    'Do the subtask below with the notes given (read more with the read tools only if you must). Reply with the ' +
    'result alone; it goes back to the job that asked for it.';

/** The `run_subtasks` tool for one job. */
export function runSubtasksTool(options: SubtasksOptions): Tool {
    return defineTool<SubtaskInput>(
        {
            name: RUN_SUBTASKS_TOOL,
            description:
                'Splits work into read-only sub-agents that run in parallel, e.g. "summarise each of these notes". ' +
                'Each task gets its own fresh context with the notes it names (read for it in full) and returns its ' +
                'final answer; answers come back in task order, cut when long. Use it for many notes or large ones, ' +
                'then synthesise from the answers. Sub-agents cannot change the vault.',
            effect: 'read',
            inputSchema: {
                type: 'object',
                properties: {
                    tasks: {
                        type: 'array',
                        minItems: 1,
                        maxItems: MAX_SUBTASKS,
                        description: 'One entry per sub-agent.',
                        items: {
                            type: 'object',
                            properties: {
                                instruction: { type: 'string', minLength: 1, description: 'What this sub-agent does.' },
                                notes: {
                                    type: 'array',
                                    maxItems: MAX_NOTES_PER_SUBTASK,
                                    items: { type: 'string', minLength: 1 },
                                    description: 'Vault paths of the notes it works on.',
                                },
                            },
                            required: ['instruction'],
                            additionalProperties: false,
                        },
                    },
                    max_parallel: {
                        type: 'integer',
                        minimum: 1,
                        maximum: MAX_PARALLEL,
                        description: `Sub-agents running at once (default ${DEFAULT_PARALLEL}).`,
                    },
                },
                required: ['tasks'],
                additionalProperties: false,
            },
        },
        async (input, context) => {
            const parallel = Math.min(MAX_PARALLEL, input.max_parallel ?? DEFAULT_PARALLEL, input.tasks.length);
            const answers: ChildAnswer[] = [];
            let next = 0;
            const worker = async (): Promise<void> => {
                while (next < input.tasks.length && context.signal?.aborted !== true) {
                    const index = next++;
                    const task = input.tasks[index];
                    if (task !== undefined) answers[index] = await runChild(options, task, context);
                }
            };
            await Promise.all(Array.from({ length: parallel }, worker));
            if (context.signal?.aborted === true)
                return toolError('Cancelled: the job was stopped during the subtasks.');
            const share = Math.max(
                600,
                Math.min(MAX_CHILD_ANSWER_CHARS, Math.floor(MAX_SUBTASK_RESULT_CHARS / input.tasks.length)),
            );
            const parts = answers.map(
                (answer, i) => `<subtask-result index="${i + 1}">\n${cut(answer.text, share)}\n</subtask-result>`,
            );
            const sources = [...new Set(answers.flatMap((answer) => answer.sources))];
            return { ...toolOk(parts.join('\n\n')), sources };
        },
    );
}

/** Runs one child to its end; its failures become its answer, never the parent's error. */
async function runChild(
    options: SubtasksOptions,
    task: SubtaskInput['tasks'][number],
    context: ToolContext,
): Promise<ChildAnswer> {
    const notes = await readNotes(task.notes ?? [], context);
    const prompt = [PREAMBLE, ...notes.blocks, `<subtask>\n${task.instruction.trim()}\n</subtask>`].join('\n\n');
    const session = await options.child();
    let result: TurnResult;
    try {
        result = await session.send(prompt, context.signal !== undefined ? { signal: context.signal } : {});
    } finally {
        options.onUsage(session.usage);
    }
    const read = result.toolCalls.flatMap((call) => call.result?.sources ?? []);
    const sources = [...notes.sources, ...read];
    if (result.outcome === 'done') return { text: result.text.trim(), sources };
    const partial = result.text.trim() === '' ? '' : `\n${result.text.trim()}`;
    return { text: `[This subtask did not finish (${result.outcome}): ${result.message}]${partial}`, sources };
}

/** The notes a subtask names, each read through `read_note` (gate, path policy and redaction included). */
async function readNotes(
    paths: readonly string[],
    context: ToolContext,
): Promise<{ blocks: string[]; sources: string[] }> {
    const readNote = readTools().find((tool) => tool.definition.name === 'read_note');
    if (readNote === undefined) return { blocks: [], sources: [] };
    const own: ToolContext = { ...context, reads: new ReadLedger(), changes: null };
    const blocks: string[] = [];
    const sources: string[] = [];
    for (const raw of paths) {
        const path = raw.trim().replace(/^!?\[\[([^\]|#^]+)(?:[|#^][^\]]*)?\]\]$/u, '$1');
        const result = await readNote.run({ path }, own);
        sources.push(...(result.sources ?? []));
        blocks.push(`<note path="${path.replace(/"/gu, '&quot;')}">\n${result.content}\n</note>`);
    }
    // The job had these notes' text: its provenance lists them (not its rewrite permission, hence the own ledger).
    for (const read of own.reads.notesRead()) context.reads.recordSeen(read);
    return { blocks, sources };
}

function cut(text: string, max: number): string {
    if (text.length <= max) return text;
    return `${text.slice(0, max)}\n[… cut: ${text.length - max} more characters of this answer]`;
}
