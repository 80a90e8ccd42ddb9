/**
 * Builds the agent session one job runs in: its mode and scope, its budget, the `run_subtasks` fan-out, the skills it
 * names loaded up front, the MCP tools it allows, and the `files` budget (notes written). Kept apart from the run's
 * flow in `job-run.ts`; when a shared session factory exists, this is the part that moves there.
 */
import { AgentSession } from '../agent/agent-session';
import type { TurnBudget } from '../agent/loop/budgets';
import { addUsage, emptyUsage, type UsageTotals } from '../agent/loop/turn-events';
import type { McpToolsOptions } from '../agent/mcp/mcp-hub';
import type { SpendControl } from '../agent/spend/spend-control';
import { useSkillTool } from '../agent/tools/skill-tools';
import type { Tool } from '../agent/tools/tool';
import { renderLoadedSkills, type SkillCatalog } from '../context/skills';
import { VaultError, type VaultPort } from '../vault/vault-port';
import type { JobNote } from './job-note';
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
}

/** Sub-agent model calls when nothing else is set. */
export const DEFAULT_CHILD_TURNS = 6;

/** Builds `job`'s session. `onFilesExceeded` runs when the job tries to write past its `files` budget. */
export async function buildJobSession(
    deps: JobRunDeps,
    job: JobNote,
    setup: { mode: 'delegate' | 'read-only'; output: string; model: string; instructions: string },
    onFilesExceeded: () => void,
): Promise<JobSession> {
    const notes: string[] = [];
    let children = emptyUsage();
    const budget = turnBudgetOf(job.budget, deps.defaultTurns);
    const files = filesBudgetVault(deps.vault, job.budget.files, onFilesExceeded);
    const spend = (budgetUsd?: number) =>
        deps.spend === undefined
            ? undefined
            : { control: deps.spend, scope: { kind: 'job' as const, id: job.id }, budgetUsd, spentUsd: job.usage.usd };
    const common = {
        client: deps.client,
        gate: deps.gate,
        approvals: UNATTENDED,
        checkpoints: deps.checkpoints,
        throttle: deps.throttle,
        model: setup.model,
        maxOutputTokens: deps.maxOutputTokens,
        instructions: setup.instructions,
        clock: deps.clock,
        retry: deps.retry,
        idleTimeoutMs: deps.idleTimeoutMs,
    };
    let parent: AgentSession | null = null;
    const child = (): AgentSession => {
        const spent = (parent?.usage.costUsd ?? 0) + children.costUsd;
        const remaining = job.budget.usd === undefined ? undefined : Math.max(0, job.budget.usd - spent);
        const childBudget: TurnBudget = {
            maxModelCalls: deps.childTurns ?? DEFAULT_CHILD_TURNS,
            ...(remaining !== undefined ? { maxCostUsd: remaining } : {}),
            ...(budget.maxWallMs !== undefined ? { maxWallMs: budget.maxWallMs } : {}),
        };
        return new AgentSession({
            ...common,
            vault: deps.vault,
            mode: 'read-only',
            budget: childBudget,
            spend: spend(remaining),
        });
    };
    const extraTools: Tool[] = [runSubtasksTool({ child, onUsage: (usage) => (children = addUsage(children, usage)) })];
    let skills = '';
    if (deps.skills !== undefined) {
        extraTools.push(useSkillTool(deps.skills));
        if (job.skills.length > 0) {
            const { loaded, missing } = await deps.skills.loadSkills(job.skills);
            skills = renderLoadedSkills(loaded);
            if (missing.length > 0) notes.push(`Skills not found: ${missing.join(', ')}.`);
        }
    } else if (job.skills.length > 0) {
        notes.push(`Skills are not available here, so ${job.skills.join(', ')} were not loaded.`);
    }
    if (job.mcpTools.length > 0) {
        const all = deps.mcp?.tools({ surface: 'job', gate: null, jobAllows: job.mcpTools }) ?? [];
        // A read-only job gets only the MCP tools that only read, whatever the job note allows.
        const offered = setup.mode === 'read-only' ? all.filter((tool) => tool.definition.effect === 'read') : all;
        extraTools.push(...offered);
        const names = new Set(all.map((tool) => tool.definition.name));
        const absent = job.mcpTools.filter((name) => !names.has(name));
        const writing = all.filter((tool) => !offered.includes(tool)).map((tool) => tool.definition.name);
        if (absent.length > 0) notes.push(`MCP tools not available: ${absent.join(', ')}.`);
        if (writing.length > 0)
            notes.push(`Not offered to a read-only job (they change things): ${writing.join(', ')}.`);
    }
    parent = new AgentSession({
        ...common,
        vault: files.vault,
        mode: setup.mode,
        scope: { outputFolder: setup.output },
        budget,
        extraTools,
        spend: spend(job.budget.usd),
    });
    return { session: parent, skills, notes, childUsage: () => ({ ...children }) };
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
