/**
 * Delegation over MCP: `enqueue_job`, `job_status` and `job_result` for MCP clients. A job queued this way is an
 * ordinary job note (the same `createJobNote` as the dialog and `vault-agent enqueue`), marked with the client's name
 * as it gave it when it connected (`client:`), with the budget the person set for that client. It runs where a queue
 * runs (the plugin, `vault-agent run --watch`), under the vault's exclusions like every job; nothing runs in the MCP
 * server itself, and `job_status` says when no runner is alive.
 *
 * Refused with `isError`, nothing written: delegation over MCP turned off in the settings, locked settings, a mode
 * other than `delegate`, `read-only` or `propose` (no MCP client may start a job that edits), an output folder
 * outside the vault or otherwise unusable, an empty brief, `MCP_WAITING_JOBS` jobs from MCP clients not finished yet.
 * A client sees only the jobs it queued.
 */
import type { CallToolResult, Tool as McpToolDescription } from '@modelcontextprotocol/sdk/types.js';
import type { ExclusionGate } from '../context/exclusions';
import { jobTitle, readJobNote, type JobNote, type JobStatus } from '../delegate/job-note';
import { createJobNote, JobSpecError } from '../delegate/job-spec';
import { liveBeat } from '../delegate/runner-beat';
import { MCP_WAITING_JOBS, type McpJobSettings } from '../kernel/delivery-settings';
import { normalizeVaultPath } from '../kernel/path-policy';
import { VaultError, type VaultPort } from '../kernel/vault-port';
import { titleOf } from './enqueue-command';

/** The statuses of a job that has not finished. */
const WAITING: ReadonlySet<JobStatus> = new Set<JobStatus>(['queued', 'running', 'needs-approval', 'interrupted']);

/**
 * Which notes of the jobs folder are MCP clients' unfinished jobs, kept by one `vault-agent mcp` process from call to
 * call: a note is read again only when its time or size changed, so a busy jobs folder costs its listing, not its text.
 */
export class ClientJobs {
    private readonly known = new Map<string, { mtime: number; size: number; client: string; waiting: boolean }>();

    /** How many jobs queued by MCP clients (any of them) are waiting in `jobsFolder` now. */
    async waiting(vault: VaultPort, jobsFolder: string): Promise<number> {
        const prefix = `${jobsFolder.replace(/\/+$/u, '')}/`;
        const files = vault.listUnder
            ? await vault.listUnder(prefix)
            : (await vault.list()).filter((file) => file.path.startsWith(prefix));
        const present = new Set<string>();
        let count = 0;
        for (const file of files) {
            if (!file.path.endsWith('.md')) continue;
            present.add(file.path);
            let known = this.known.get(file.path);
            if (known === undefined || known.mtime !== file.mtime || known.size !== file.size) {
                let read: ReturnType<typeof readJobNote> = { kind: 'not-a-job' };
                try {
                    read = readJobNote(file.path, await vault.read(file.path));
                } catch (error) {
                    if (!(error instanceof VaultError)) throw error;
                }
                known = {
                    mtime: file.mtime,
                    size: file.size,
                    client: read.kind === 'job' ? read.job.client : '',
                    waiting: read.kind === 'job' && WAITING.has(read.job.status),
                };
                this.known.set(file.path, known);
            }
            if (known.client !== '' && known.waiting) count++;
        }
        for (const path of this.known.keys()) if (!present.has(path)) this.known.delete(path);
        return count;
    }
}

/** The modes an MCP client may ask for. */
export const MCP_JOB_MODES = ['delegate', 'read-only', 'propose'] as const;

/** What one job call runs against (fresh each call). */
export interface McpJobContext {
    /** The vault. */
    vault: VaultPort;
    /** The exclusion gate now. */
    gate: ExclusionGate;
    /** The delegate folders now; `null` while the settings are locked. */
    folders: { jobsFolder: string; outputFolder: string } | null;
    /** MCP job settings now. */
    jobs: McpJobSettings | null;
    /** Heartbeat files of runners on this machine, as read now (`null` = none there). */
    beats: (string | null)[];
    /** Whether a process id still runs here. */
    isRunning(pid: number): boolean;
    /** Time now, ms. */
    now: number;
    /** This server's record of the jobs folder, for the number of jobs MCP clients have waiting. */
    clientJobs: ClientJobs;
}

/** The job tools' descriptions. */
export const JOB_TOOL_DESCRIPTIONS: McpToolDescription[] = [
    {
        name: 'enqueue_job',
        description:
            "Queues a job for Vault Agent's delegate queue: a brief, optional context (note links like [[Note]], " +
            'folders like Folder/, tags like #tag), an output folder inside the vault, and a mode: delegate (writes ' +
            'new notes in its output folder), read-only, or propose (changes wait for the owner to review). The job ' +
            "runs where Obsidian with Vault Agent or `vault-agent run --watch` is running, under the owner's " +
            'exclusions and the budget set for this client. Returns the job id to poll with job_status.',
        inputSchema: {
            type: 'object',
            properties: {
                brief: { type: 'string', description: 'What the job should do.' },
                context: { type: 'array', items: { type: 'string' }, description: '[[Note]], Folder/ or #tag.' },
                output: { type: 'string', description: 'Output folder inside the vault; the default when empty.' },
                mode: {
                    type: 'string',
                    enum: [...MCP_JOB_MODES],
                    description: 'delegate (default), read-only, propose.',
                },
                title: { type: 'string', description: 'The job note name; from the brief when absent.' },
            },
            required: ['brief'],
        },
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    {
        name: 'job_status',
        description: 'Where a job queued with enqueue_job stands, and whether a runner is active to run it.',
        inputSchema: {
            type: 'object',
            properties: { job: { type: 'string', description: 'The job id enqueue_job returned.' } },
            required: ['job'],
        },
        annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    {
        name: 'job_result',
        description: 'The result note of a finished job queued with enqueue_job (unless the owner excluded it).',
        inputSchema: {
            type: 'object',
            properties: { job: { type: 'string', description: 'The job id enqueue_job returned.' } },
            required: ['job'],
        },
        annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
];

/** True for the job tools' names. */
export function isJobTool(name: string): boolean {
    return JOB_TOOL_DESCRIPTIONS.some((tool) => tool.name === name);
}

/** Runs one job tool call for `client`. */
export async function callJobTool(
    name: string,
    args: Record<string, unknown>,
    client: string,
    context: McpJobContext,
): Promise<CallToolResult> {
    if (context.folders === null || context.jobs === null) {
        return refuse("Vault Agent's settings cannot be read right now, so no job can be queued or read.");
    }
    if (name === 'enqueue_job') return enqueue(args, client, context, context.folders, context.jobs);
    const job = await ownJob(args, client, context, context.folders.jobsFolder);
    if (typeof job === 'string') return refuse(job);
    if (name === 'job_status') return text(JSON.stringify(statusOf(job, context), null, 2));
    return result(job, context);
}

async function enqueue(
    args: Record<string, unknown>,
    client: string,
    context: McpJobContext,
    folders: { jobsFolder: string; outputFolder: string },
    settings: McpJobSettings,
): Promise<CallToolResult> {
    if (!settings.enabled) {
        return refuse(
            'The owner of this vault has not allowed MCP clients to queue jobs (Vault Agent settings, "Jobs from ' +
                'MCP clients").',
        );
    }
    const brief = typeof args.brief === 'string' ? args.brief.trim() : '';
    if (brief === '') return refuse('The brief is empty: say what the job should do.');
    const mode = args.mode === undefined ? 'delegate' : args.mode;
    if (typeof mode !== 'string' || !(MCP_JOB_MODES as readonly string[]).includes(mode)) {
        return refuse(
            `The mode ${JSON.stringify(mode)} is not offered: a job queued over MCP runs as delegate, read-only or propose, ` +
                'never in a mode that edits notes without the owner.',
        );
    }
    const output = typeof args.output === 'string' ? args.output.trim() : '';
    if (output !== '') {
        const checked = normalizeVaultPath(output);
        if (!checked.ok || output.startsWith('/') || /^[A-Za-z]:[\\/]/u.test(output)) {
            return refuse(`The output folder "${output}" is not a folder inside the vault.`);
        }
    }
    const contextRefs = Array.isArray(args.context)
        ? args.context.filter((item): item is string => typeof item === 'string' && item.trim() !== '')
        : [];
    const waiting = await context.clientJobs.waiting(context.vault, folders.jobsFolder);
    if (waiting >= MCP_WAITING_JOBS) {
        return refuse(
            `Not queued: ${waiting} jobs queued over MCP are waiting to run or running (at most ${MCP_WAITING_JOBS} ` +
                'at once). Ask job_status, and queue more once some are done.',
        );
    }
    const budget = settings.clients[client] ?? settings.budget;
    const title = typeof args.title === 'string' && args.title.trim() !== '' ? args.title : brief;
    let path: string;
    try {
        path = await createJobNote(
            context.vault,
            folders.jobsFolder,
            {
                title: titleOf(title),
                brief,
                context: contextRefs,
                output,
                mode: mode as (typeof MCP_JOB_MODES)[number],
                budget: { turns: budget.turns, usd: budget.usd },
                client,
            },
            context.now,
            folders.outputFolder,
        );
    } catch (e) {
        if (e instanceof JobSpecError || e instanceof VaultError) return refuse(`Not queued: ${e.message}`);
        throw e;
    }
    const runner = runnerNow(context, []);
    return text(
        JSON.stringify(
            {
                job: jobIdOf(path, folders.jobsFolder),
                status: 'queued',
                runner: runner.active ? 'active' : 'none',
                message: runner.message,
            },
            null,
            2,
        ),
    );
}

/** The job `args.job` names, when this client queued it; else why not. */
async function ownJob(
    args: Record<string, unknown>,
    client: string,
    context: McpJobContext,
    jobsFolder: string,
): Promise<JobNote | string> {
    const id = typeof args.job === 'string' ? args.job.trim() : '';
    const path = `${jobsFolder.replace(/\/+$/u, '')}/${id.replace(/\.md$/iu, '')}.md`;
    const checked = normalizeVaultPath(path);
    if (id === '' || id.includes('/') || !checked.ok) return `"${id}" is not a job id enqueue_job gave.`;
    let note: string;
    try {
        note = await context.vault.read(checked.path);
    } catch {
        return `There is no job "${id}".`;
    }
    const read = readJobNote(checked.path, note);
    if (read.kind !== 'job' || read.job.client !== client) return `There is no job "${id}" queued by this client.`;
    return read.job;
}

function statusOf(job: JobNote, context: McpJobContext): Record<string, unknown> {
    const runner = runnerNow(context, [job]);
    return {
        job: jobTitle(job.path),
        status: job.status,
        attempts: job.attempts,
        ...(job.error !== '' ? { error: job.error } : {}),
        ...(job.artifact !== '' ? { result: job.artifact } : {}),
        runner: runner.active ? 'active' : 'none',
        ...(job.status === 'queued' || job.status === 'interrupted' ? { message: runner.message } : {}),
    };
}

async function result(job: JobNote, context: McpJobContext): Promise<CallToolResult> {
    if (job.status !== 'done' || job.artifact === '') {
        return text(`The job has no result yet (status: ${job.status}). Ask job_status until it is done.`);
    }
    const path = `${job.artifact.replace(/^\[\[|\]\]$/gu, '').split('|')[0] ?? ''}.md`;
    let note: string;
    try {
        note = await context.vault.read(path);
    } catch {
        return refuse('The result note is no longer there.');
    }
    // Judged on the text now, as every read over MCP is.
    if (context.gate.isTextExcluded(path, note)) return refuse('The result note is excluded by the owner.');
    return text(note);
}

/** Whether a runner is alive: a current heartbeat on this machine, or a job held under a current lease. */
function runnerNow(context: McpJobContext, jobs: JobNote[]): { active: boolean; message: string } {
    const isRunning = (pid: number): boolean => context.isRunning(pid);
    const beating = context.beats.some((beat) => liveBeat(beat, context.now, isRunning) !== null);
    const leased = jobs.some((job) => job.lease !== null && Date.parse(job.lease.until) > context.now);
    if (beating || leased) return { active: true, message: 'A runner is active; the job runs in turn.' };
    return {
        active: false,
        message:
            'No runner is active: the job waits until Obsidian with Vault Agent is open on a device with this vault, ' +
            'or `vault-agent run --watch` runs on it.',
    };
}

function jobIdOf(path: string, jobsFolder: string): string {
    return path.slice(jobsFolder.replace(/\/+$/u, '').length + 1).replace(/\.md$/iu, '');
}

function text(content: string): CallToolResult {
    return { content: [{ type: 'text', text: content }] };
}

function refuse(message: string): CallToolResult {
    return { content: [{ type: 'text', text: message }], isError: true };
}
