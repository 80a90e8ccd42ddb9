/**
 * Builds the agent session one job runs in: its mode and scope, its budget, the `run_subtasks` fan-out, the skills it
 * names loaded up front, the MCP tools it allows, and the `files` budget (notes written). Kept apart from the run's
 * flow in `job-run.ts`; the sessions themselves (parent and sub-agents) come from the shared session factory.
 */
import type { AgentSession } from '../agent/agent-session';
import type { TurnBudget } from '../agent/loop/budgets';
import { addUsage, emptyUsage, type UsageTotals } from '../agent/loop/turn-events';
import { createAgentSession, type SessionServices } from '../agent/session-factory';
import { renderLoadedSkills } from '../context/skills';
import { VaultError, type VaultPort } from '../kernel/vault-port';
import type { JobMode } from './job-context';
import { jobTitle, type JobNote } from './job-note';
import { turnBudgetOf, UNATTENDED, type JobRunDeps } from './job-run';
import { runSubtasksTool } from './subtasks';

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
    // A `propose` job writes no note itself: its `files` budget caps the proposals it may leave waiting instead.
    const files = filesBudgetVault(
        deps.engine.vault,
        setup.mode === 'propose' ? undefined : job.budget.files,
        onFilesExceeded,
    );
    // The job's sessions get the shared services whole, with the job's client, view of the vault, model and gate; a
    // sub-agent only reads, with no skills and no MCP tools.
    const services = (vault: VaultPort, kind: 'parent' | 'child'): SessionServices => ({
        ...deps.engine,
        skills: kind === 'parent' ? deps.engine.skills : undefined,
        mcp: kind === 'parent' ? deps.engine.mcp : undefined,
        client: deps.client,
        vault,
        // The engine's gate function, not the job's gate: the session asks it before each request and rebuilds its
        // view (the jobs folder hidden) when the gate it returns is a new one (settings changed meanwhile).
        gate: deps.engine.gate,
        clock: deps.clock,
        settings: () => ({
            model: { defaultModel: setup.model, maxOutputTokens: deps.maxOutputTokens },
            delegate: { jobsFolder: deps.jobsFolder },
            context: deps.context,
            web: deps.web,
        }),
        approvals: UNATTENDED,
    });
    const spec = {
        id: job.id,
        outputFolder: setup.output,
        spentUsd: job.usage.usd,
        instructions: setup.instructions,
        title: jobTitle(job.path),
        proposalCap: job.budget.files,
    };
    let parent: AgentSession | null = null;
    const childSessions: AgentSession[] = [];
    // Sub-agents only read: no skills, no MCP tools, and what is left of the job's USD budget.
    const child = async (): Promise<AgentSession> => {
        const spent = (parent?.usage.costUsd ?? 0) + children.costUsd;
        const remaining = job.budget.usd === undefined ? undefined : Math.max(0, job.budget.usd - spent);
        const childBudget: TurnBudget = {
            maxModelCalls: deps.childTurns ?? DEFAULT_CHILD_TURNS,
            maxCostUsd: remaining,
            maxWallMs: budget.maxWallMs,
        };
        const built = await createAgentSession({
            services: services(deps.engine.vault, 'child'),
            kind: 'job',
            mode: 'read-only',
            job: { ...spec, budget: childBudget, budgetUsd: remaining },
        });
        childSessions.push(built.session);
        return built.session;
    };
    const subtasks = runSubtasksTool({ child, onUsage: (usage) => (children = addUsage(children, usage)) });
    // The loaded skills go into the first message (job-run.ts), so the factory only gets the catalog for `use_skill`.
    let skills = '';
    const catalog = deps.engine.skills;
    if (catalog !== undefined) {
        if (job.skills.length > 0) {
            const { loaded, missing } = await catalog.loadSkills(job.skills);
            skills = renderLoadedSkills(loaded);
            if (missing.length > 0) notes.push(`Skills not found: ${missing.join(', ')}.`);
        }
    } else if (job.skills.length > 0) {
        notes.push(`Skills are not available here, so ${job.skills.join(', ')} were not loaded.`);
    }
    const built = await createAgentSession({
        services: services(files.vault, 'parent'),
        kind: 'job',
        mode: setup.mode,
        job: {
            ...spec,
            budget,
            mcpTools: job.mcpTools,
            web: job.web,
            budgetUsd: job.budget.usd,
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
