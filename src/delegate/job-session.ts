/**
 * Builds the agent session one job runs in: its mode and scope, its budget, the `run_subtasks` fan-out, the skills it
 * names loaded up front, the MCP tools it allows, and the `files` budget (notes written). Kept apart from the run's
 * flow in `job-run.ts`; the sessions themselves (parent and sub-agents) come from the shared session factory.
 */
import type { AgentSession } from '../agent/agent-session';
import type { TurnBudget } from '../agent/loop/budgets';
import { addUsage, emptyUsage, type UsageTotals } from '../agent/loop/turn-events';
import type { McpToolsOptions } from '../agent/mcp/mcp-hub';
import type { ModelCatalog } from '../agent/model-catalog';
import { createAgentSession, type SessionServices } from '../agent/session-factory';
import type { SpendControl } from '../agent/spend/spend-control';
import type { ToolRegistry } from '../agent/tools/registry';
import type { Tool } from '../agent/tools/tool';
import { renderLoadedSkills, type SkillCatalog } from '../context/skills';
import type { ProposalSinks } from '../agent/changes/change-ports';
import { VaultError, type VaultPort } from '../kernel/vault-port';
import type { JobMode } from './job-context';
import { jobTitle, type JobNote } from './job-note';
import { turnBudgetOf, UNATTENDED, type JobRunDeps } from './job-run';
import { runSubtasksTool } from './subtasks';

/** Where a job's MCP tools come from (the plugin's `McpHub`). */
export interface McpToolSource {
    /** The tools of the connected servers that this surface (and job) allows. */
    tools(options: McpToolsOptions): Tool[];
}

/** What a job may use besides the vault tools; every part is optional. */
export interface JobExtras {
    /** The skills a job's `skills:` names are loaded from here. */
    skills?: SkillCatalog;
    /** The MCP tools a job's `mcp-tools:` allows come from here. */
    mcp?: McpToolSource;
    /** The device's spend control (daily cap), shared with chats. */
    spend?: SpendControl;
    /** Model calls of one sub-agent. */
    childTurns?: number;
    /** Where the vault tools come from; the one registry when absent. */
    tools?: ToolRegistry;
    /** The endpoint's models: a job's context window is its model's `max_input_tokens` when listed. */
    models?: ModelCatalog;
    /** The review inbox a `propose` job records its changes in; without it such a job can change nothing. */
    proposals?: ProposalSinks;
}

/** A job's session and what the run needs to know about it. */
export interface JobSession {
    /** The session. */
    session: AgentSession;
    /** The loaded skills, for the first message ('' when none). */
    skills: string;
    /** Lines for the job's log: skills or MCP tools that were named but are not available. */
    notes: string[];
    /** What the sub-agents used so far. */
    childUsage(): UsageTotals;
    /** The notes the sub-agents' tools read (for the provenance), minus any excluded now. */
    childReads(): string[];
}

/** Sub-agent model calls when nothing else is set. */
export const DEFAULT_CHILD_TURNS = 6;

/** Builds `job`'s session through the session factory. `onFilesExceeded` runs when the job writes past `files`. */
export async function buildJobSession(
    deps: JobRunDeps,
    job: JobNote,
    setup: { mode: JobMode; output: string; model: string; instructions: string },
    onFilesExceeded: () => void,
): Promise<JobSession> {
    const notes: string[] = [];
    let children = emptyUsage();
    const budget = turnBudgetOf(job.budget, deps.defaultTurns);
    // A `propose` job writes nothing itself: its `files` budget caps the proposals it may have waiting instead.
    const files = filesBudgetVault(
        deps.vault,
        setup.mode === 'propose' ? undefined : job.budget.files,
        onFilesExceeded,
    );
    const proposals =
        setup.mode === 'propose' && deps.proposals !== undefined
            ? deps.proposals.sinkFor({ kind: 'job', id: job.id, title: jobTitle(job.path) }, job.budget.files)
            : undefined;
    const services = (vault: VaultPort, extras: Pick<SessionServices, 'skills' | 'mcp'>): SessionServices => ({
        client: deps.client,
        vault,
        gate: () => deps.gate,
        settings: () => ({
            model: { defaultModel: setup.model, maxOutputTokens: deps.maxOutputTokens },
            delegate: { jobsFolder: deps.jobsFolder },
            ...(deps.context !== undefined ? { context: deps.context } : {}),
        }),
        approvals: UNATTENDED,
        checkpoints: deps.checkpoints,
        throttle: deps.throttle,
        clock: deps.clock,
        ...extras,
        ...(deps.tools !== undefined ? { tools: deps.tools } : {}),
        ...(deps.spend !== undefined ? { spend: deps.spend } : {}),
        ...(deps.models !== undefined ? { models: deps.models } : {}),
        ...(deps.retry !== undefined ? { retry: deps.retry } : {}),
        ...(deps.idleTimeoutMs !== undefined ? { idleTimeoutMs: deps.idleTimeoutMs } : {}),
    });
    const spec = { id: job.id, outputFolder: setup.output, spentUsd: job.usage.usd, instructions: setup.instructions };
    let parent: AgentSession | null = null;
    const childSessions: AgentSession[] = [];
    // Sub-agents only read: no skills, no MCP tools, and what is left of the job's USD budget.
    const child = async (): Promise<AgentSession> => {
        const spent = (parent?.usage.costUsd ?? 0) + children.costUsd;
        const remaining = job.budget.usd === undefined ? undefined : Math.max(0, job.budget.usd - spent);
        const childBudget: TurnBudget = {
            maxModelCalls: deps.childTurns ?? DEFAULT_CHILD_TURNS,
            ...(remaining !== undefined ? { maxCostUsd: remaining } : {}),
            ...(budget.maxWallMs !== undefined ? { maxWallMs: budget.maxWallMs } : {}),
        };
        const built = await createAgentSession({
            services: services(deps.vault, {}),
            kind: 'job',
            mode: 'read-only',
            job: { ...spec, budget: childBudget, ...(remaining !== undefined ? { budgetUsd: remaining } : {}) },
        });
        childSessions.push(built.session);
        return built.session;
    };
    const subtasks = runSubtasksTool({ child, onUsage: (usage) => (children = addUsage(children, usage)) });
    // The loaded skills go into the first message (job-run.ts), so the factory only gets the catalog for `use_skill`.
    let skills = '';
    if (deps.skills !== undefined) {
        if (job.skills.length > 0) {
            const { loaded, missing } = await deps.skills.loadSkills(job.skills);
            skills = renderLoadedSkills(loaded);
            if (missing.length > 0) notes.push(`Skills not found: ${missing.join(', ')}.`);
        }
    } else if (job.skills.length > 0) {
        notes.push(`Skills are not available here, so ${job.skills.join(', ')} were not loaded.`);
    }
    const built = await createAgentSession({
        services: {
            ...services(files.vault, {
                ...(deps.skills !== undefined ? { skills: deps.skills } : {}),
                ...(deps.mcp !== undefined ? { mcp: deps.mcp } : {}),
            }),
            ...(proposals !== undefined ? { proposals } : {}),
        },
        kind: 'job',
        mode: setup.mode,
        job: {
            ...spec,
            budget,
            mcpTools: job.mcpTools,
            ...(job.budget.usd !== undefined ? { budgetUsd: job.budget.usd } : {}),
        },
        extraTools: [subtasks],
    });
    parent = built.session;
    if (job.mcpTools.length > 0) {
        const known = new Set([...parent.tools.map((tool) => tool.definition.name), ...built.withheldMcpTools]);
        const absent = job.mcpTools.filter((name) => !known.has(name));
        if (absent.length > 0) notes.push(`MCP tools not available: ${absent.join(', ')}.`);
        if (built.withheldMcpTools.length > 0)
            notes.push(`Not offered to a read-only job (they change things): ${built.withheldMcpTools.join(', ')}.`);
    }
    return {
        session: parent,
        skills,
        notes,
        childUsage: () => ({ ...children }),
        childReads: () => [...new Set(childSessions.flatMap((session) => session.notesRead()))],
    };
}

/**
 * The vault as the job's session sees it: `create` counts the notes written and refuses (nothing written) once the
 * `files` budget is used up. Reserved before the write, so parallel tool calls cannot slip past the limit together.
 */
function filesBudgetVault(vault: VaultPort, limit: number | undefined, onExceeded: () => void): { vault: VaultPort } {
    let written = 0;
    if (limit === undefined) return { vault };
    const create = async (path: string, text: string): Promise<void> => {
        if (written >= limit) {
            onExceeded();
            throw new VaultError('protected', `The job's budget allows ${limit} new note(s); nothing was written.`);
        }
        written++;
        try {
            await vault.create(path, text);
        } catch (e) {
            written--;
            throw e;
        }
    };
    const wrapped = new Proxy(vault, {
        get(target, property) {
            if (property === 'create') return create;
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
    });
    return { vault: wrapped };
}
