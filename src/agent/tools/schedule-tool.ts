/**
 * `schedule_job`, a chat's way to offer a scheduled job ("every weekday at 8:30, brief me on #customer notes"). The
 * queue drafts the job note (`ToolContext.jobs`), and the ChangeController's `submitJobNote` shows it to the person
 * as an approval card in every mode: the job note is written only when they accept it there, never on the model's
 * word. Offered to chats only (registry.ts): a job or an MCP client may not create jobs.
 */
import { buildProposal } from '../changes/proposal';
import { defineTool, toolError } from './define-tool';
import type { Tool, ToolContext, ToolResult } from './tool';

/** `schedule_job` input. */
interface ScheduleJobInput {
    /** The job's name. */
    title: string;
    /** What each run should do. */
    brief: string;
    /** When it runs. */
    schedule: string;
    /** Context references. */
    context?: string[];
    /** Runs only read. */
    read_only?: boolean;
}

/** `schedule_job`: drafts a scheduled job note and asks the person to confirm it. */
export const scheduleJobTool: Tool = defineTool<ScheduleJobInput>(
    {
        name: 'schedule_job',
        description:
            'Offer the person a scheduled background job, e.g. a briefing every weekday morning. The job note is ' +
            'shown to the person, who accepts, edits or rejects it; nothing is scheduled unless they accept. Each ' +
            'run works unattended on the brief, reading the context again, and saves its answer as a new note.',
        inputSchema: {
            type: 'object',
            properties: {
                title: { type: 'string', minLength: 1, maxLength: 120, description: 'A short name for the job.' },
                brief: {
                    type: 'string',
                    minLength: 1,
                    maxLength: 8000,
                    description: 'What every run should do, written as instructions to an agent working alone.',
                },
                schedule: {
                    type: 'string',
                    minLength: 1,
                    description:
                        'When it runs, in local time: "daily 08:00", "weekdays 08:30", "weekly mon 09:00", or a ' +
                        '5-field cron expression ("30 8 * * 1-5").',
                },
                context: {
                    type: 'array',
                    items: { type: 'string', minLength: 1 },
                    maxItems: 20,
                    description: 'Notes, folders or tags each run reads: "[[Note]]", "Folder/", "#tag".',
                },
                read_only: {
                    type: 'boolean',
                    description: 'true: runs only read (their answer is still saved as the result note).',
                },
            },
            required: ['title', 'brief', 'schedule'],
            additionalProperties: false,
        },
        effect: 'write',
    },
    scheduleJob,
);

async function scheduleJob(input: ScheduleJobInput, context: ToolContext): Promise<ToolResult> {
    if (context.changes === null) {
        return toolError('Vault Agent is in read-only mode: no job can be scheduled. Nothing was scheduled.');
    }
    if (context.jobs === undefined) return toolError('Jobs cannot be scheduled from here. Nothing was scheduled.');
    const draft = await context.jobs.draft({
        title: input.title,
        brief: input.brief,
        schedule: input.schedule,
        context: input.context ?? [],
        mode: input.read_only === true ? 'read-only' : 'delegate',
    });
    if (!draft.ok) return toolError(`${draft.reason}. Nothing was scheduled.`);
    const first = draft.firstRun === null ? 'never' : new Date(draft.firstRun).toLocaleString();
    const proposal = buildProposal({
        kind: 'create',
        path: draft.path,
        base: null,
        proposed: draft.text,
        reason: `schedule "${input.schedule.trim()}", first run ${first}.`,
    });
    const outcome = await context.changes.submitJobNote(proposal, {
        turnId: context.turnId,
        signal: context.signal,
        ...(draft.warning !== undefined ? { warning: draft.warning } : {}),
    });
    const content = outcome.applied
        ? `Scheduled: the job note ${outcome.path} was created with the person's approval; its first run is ${first}.`
        : outcome.message;
    return {
        content,
        changed: outcome.changed,
        ...(outcome.applied ? {} : { notApplied: true }),
        ...(outcome.refusal !== undefined ? { refusal: outcome.refusal } : {}),
    };
}
