/**
 * The one place that builds sessions, for the chat, the job runner and the CLI alike: the mode (a chat never runs in
 * `delegate` or `propose`, a job only in `delegate`, `propose` or `read-only`), the model and limits from settings, compaction at the
 * settings' share of the window, spend scoped to the chat or the job, the skills index and `use_skill`, and the MCP
 * tools of the surface, all sharing one untrusted-content tracker with the session. A job's named skills are loaded by
 * its prompt (`delegate/job-context.ts`), the one way they are loaded.
 */
import type { ContextProvider } from '../context/build-context';
import type { PdfTextReader } from '../context/attachments';
import type { ExclusionGate } from '../context/exclusions';
import { skillsIndex, type SkillCatalog } from '../context/skills';
import type { Clock } from '../kernel/ports';
import { DEFAULT_SETTINGS, type Settings } from '../kernel/settings';
import { parsePermissionMode, type PermissionModeName } from '../kernel/permission-mode-name';
import { proposalsFolderFor } from '../kernel/review-folder';
import type { VaultPort } from '../kernel/vault-port';
import type { NoteSearch } from '../search/note-search';
import { AgentSession, type AgentSessionOptions } from './agent-session';
import type { ApprovalGate } from './changes/approval';
import type { OpenNoteEditors, ProposalSink, ProposalSinks } from './changes/change-ports';
import type { CheckpointStore } from './changes/checkpoints';
import type { CompactionSettings } from './compaction/context-manager';
import type { TurnBudget } from './loop/budgets';
import type { Throttle } from './loop/throttle';
import type { McpHub } from './mcp/mcp-hub';
import { UntrustedContent, type ToolCallGate } from './mcp/tool-call-gate';
import type { ModelCatalog } from './model-catalog';
import type { ModelClient } from './model-client';
import type { PriceTable } from './pricing';
import type { SpendControl } from './spend/spend-control';
import { useSkillTool } from './tools/skill-tools';
import type { JobDrafter } from './tools/job-drafts';
import type { ToolRegistry } from './tools/registry';
import type { Tool } from './tools/tool';
import type { RetryPolicy } from './turn-loop';
import { fetchQuestion } from './web/fetch-question';
import { WebResearch } from './web/web-research';

/** The settings a session is built from: the model's, and optionally the context's and spend's. */
export interface SessionSettings {
    /** Default model and output limit. */
    model: Pick<Settings['model'], 'defaultModel' | 'maxOutputTokens'>;
    /** How deep attached notes' embeds go; absent = the session's default. */
    context?: Pick<Settings['context'], 'embedDepth'>;
    /** When to compact; absent = the engine's default. */
    spend?: Partial<Pick<Settings['spend'], 'compactAtShare'>>;
    /** Where job notes live: never written by any session, never seen by a job; absent = the default folder. */
    delegate?: Pick<Settings['delegate'], 'jobsFolder'>;
    /** Web research; absent or off = no web tools. */
    web?: Settings['web'];
}

/** Where a surface's MCP tools come from (the host's `McpHub`). */
export type McpToolSource = Pick<McpHub, 'tools'>;

/**
 * The services every session of one host shares, built once by the composition root (`compose/core-services.ts`) and
 * handed on whole: to a chat, to `ask`, to the queue and from it to every job (docs/ARCHITECTURE.md).
 */
export interface SessionEngine {
    /** The vault. */
    vault: VaultPort;
    /** The current exclusion gate (rebuilt when settings change). */
    gate: () => ExclusionGate;
    /** Records applied changes for undo. */
    checkpoints: CheckpointStore;
    /** The rate-limit throttle shared by every session. */
    throttle: Throttle;
    /** The device's spend control; absent = no daily cap and no per-chat or per-job spend limit. */
    spend?: SpendControl;
    /** The MCP servers, when any are set up. */
    mcp?: McpToolSource;
    /** The vault's skills. */
    skills?: SkillCatalog;
    /** Where the vault tools come from; the one registry (`VAULT_TOOLS`) when absent. */
    registry?: ToolRegistry;
    /** The endpoint's models: the session's context window is the model's `max_input_tokens` when listed. */
    models?: ModelCatalog;
    /** The open-note editors (Obsidian only). */
    editors?: OpenNoteEditors;
    /** Time; a fake clock in tests. */
    clock?: Clock;
    /** Price table. */
    prices?: PriceTable;
    /** Retry policy for model calls, with every wait's cap (`waits`, the stall timeout among them). */
    retry?: RetryPolicy;
    /** The host's PDF text reader, for `read_attachment` (PDF.js in the plugin, `unpdf` in the CLI). */
    pdfText?: PdfTextReader;
    /** The vault's relevance index, for `find_notes` and `related_notes`; without it they say they are unavailable. */
    search?: NoteSearch;
    /** The review inbox a `propose` job records its changes in; without it every write of such a job is refused. */
    proposals?: ProposalSinks;
}

/** What the sessions of one surface are built from: the shared engine plus the surface's client, settings and gates. */
export interface SessionServices extends SessionEngine {
    /** The model client; key and host from settings. */
    client: ModelClient;
    /** The current settings (only the parts sessions use; a job passes its own). */
    settings: () => SessionSettings;
    /** Asks the person about changes (a job passes its unattended gate). */
    approvals: ApprovalGate;
    /** Asks the person before an MCP tool runs in a chat; without it a chat is offered no MCP tools. */
    toolCallGate?: ToolCallGate;
    /** Builds the context of chat messages sent with `send(…, { context })`. */
    contextProvider?: ContextProvider;
    /** Drafts scheduled job notes for a chat's `schedule_job`; chats are offered nothing to schedule with without it. */
    jobs?: JobDrafter;
}

/** What a job adds. */
export interface JobSessionSpec {
    /** The job's id (its spend scope). */
    id: string;
    /** The only folder a `delegate` job may create notes in. */
    outputFolder: string;
    /** The job's `budget.usd`; 0 or absent = only the daily cap applies. */
    budgetUsd?: number;
    /** USD the job spent in earlier runs. */
    spentUsd?: number;
    /** MCP tools the job allows, by offered name (`mcp__server__tool`). */
    mcpTools?: readonly string[];
    /** The job's limits per turn. */
    budget?: TurnBudget;
    /** Instructions resolved for the job (its vault instructions), for the prefix. */
    instructions?: string;
    /** The job's title, as the review inbox names the proposals of a `propose` job. */
    title?: string;
    /** Most proposals a `propose` job may leave waiting (its `files` budget); the inbox's default when absent. */
    proposalCap?: number;
    /** The job's note says `web: true`: it may research the web when the settings allow it. */
    web?: boolean;
}

/** One session to build. */
export interface CreateSessionOptions {
    /** What every session is built from. */
    services: SessionServices;
    /** A chat (a person in the loop) or a job (nobody to ask). */
    kind: 'chat' | 'job';
    /** The permission mode as stored; unknown values, and modes the surface does not offer, read as `read-only`. */
    mode: string;
    /** Model id; the settings' default when absent or empty. */
    model?: string;
    /** The chat's id, for its spend scope; a fresh one when absent. */
    chatId?: string;
    /** Required for `kind: 'job'`. */
    job?: JobSessionSpec;
    /** Tools appended after the ones the factory builds (e.g. `run_subtasks`); a name clash is rejected. */
    extraTools?: readonly Tool[];
}

/** A built session and what building it found. */
export interface CreatedSession {
    /** The session. */
    session: AgentSession;
    /** The tracker the session and its MCP tools share. */
    untrusted: UntrustedContent;
    /** MCP tools of the surface that were not offered because the session is read-only and they change things. */
    withheldMcpTools: string[];
}

/** Thrown when a job session is asked for without its job. */
export class MissingJobError extends Error {
    override readonly name: string = 'MissingJobError';

    constructor() {
        super('A job session needs its job (id, output folder).');
    }
}

/** Builds a chat or job session with everything wired. */
export async function createAgentSession(options: CreateSessionOptions): Promise<CreatedSession> {
    const { services, kind } = options;
    const job = options.job;
    if (kind === 'job' && job === undefined) throw new MissingJobError();
    const settings = services.settings();
    const mode = surfaceMode(kind, options.mode);
    const model = options.model !== undefined && options.model !== '' ? options.model : settings.model.defaultModel;
    const untrusted = new UntrustedContent();
    const jobsFolder = settings.delegate?.jobsFolder ?? DEFAULT_SETTINGS.delegate.jobsFolder;
    // A job never sees the jobs folder (its own brief is given to it directly); chats may read it, never write it.
    // No session sees the proposals folder: it may hold text of a note made private since, which only the review
    // store may judge and withhold.
    const proposalsFolder = proposalsFolderFor(jobsFolder);
    const gate = hidingFolder(services.gate, kind === 'job' ? [jobsFolder, proposalsFolder] : [proposalsFolder]);

    const extraTools: Tool[] = [];
    const extras: string[] = [];
    // A job's named skills are loaded by its prompt (`delegate/job-context.ts`), placed before the brief they serve.
    if (services.skills !== undefined) {
        extras.push(skillsIndex((await services.skills.scan()).skills));
        extraTools.push(useSkillTool(services.skills));
    }
    const mcp = mcpTools(services, kind, mode, untrusted, job);
    const web = webResearchFor(settings, kind, job, services.toolCallGate);
    extraTools.push(...mcp.offered, ...(options.extraTools ?? []));

    const sessionOptions: AgentSessionOptions = {
        client: services.client,
        vault: services.vault,
        gate,
        mode,
        approvals: services.approvals,
        checkpoints: services.checkpoints,
        throttle: services.throttle,
        model,
        maxOutputTokens: settings.model.maxOutputTokens,
        audience: kind,
        registry: services.registry,
        search: services.search,
        extraTools,
        prefixExtras: extras.filter((text) => text.trim() !== '').join('\n\n'),
        compaction: {
            ...compactionOf(settings),
            windowTokens: await services.models?.contextWindow(services.client, model),
        },
        spend:
            services.spend === undefined
                ? undefined
                : {
                      control: services.spend,
                      scope:
                          job === undefined
                              ? { kind: 'chat', id: options.chatId ?? randomId() }
                              : { kind: 'job', id: job.id },
                      budgetUsd: job?.budgetUsd,
                      spentUsd: job?.spentUsd,
                  },
        untrusted,
        embedDepth: settings.context?.embedDepth,
        scope: job === undefined ? undefined : { outputFolder: job.outputFolder },
        jobsFolder,
        budget: job?.budget,
        instructions: job?.instructions,
        contextProvider: kind === 'chat' ? services.contextProvider : undefined,
        editors: services.editors,
        proposals: proposalSink(services, mode, job),
        clock: services.clock,
        prices: services.prices,
        retry: services.retry,
        pdfText: services.pdfText,
        jobs: kind === 'chat' ? services.jobs : undefined,
        web,
    };
    return { session: new AgentSession(sessionOptions), untrusted, withheldMcpTools: mcp.withheld };
}

/**
 * Web research when the settings turn it on: every chat, and a job whose note says `web: true`. A chat asks the
 * person (through the tool-call gate) before fetching an address nobody vouched for; a job refuses it.
 */
function webResearchFor(
    settings: SessionSettings,
    kind: 'chat' | 'job',
    job: JobSessionSpec | undefined,
    gate: ToolCallGate | undefined,
): WebResearch | undefined {
    const web = settings.web;
    if (web?.enabled !== true) return undefined;
    if (kind === 'job' && job?.web !== true) return undefined;
    const ask = kind === 'chat' && gate !== undefined ? fetchQuestion(gate) : undefined;
    return new WebResearch(web, ask);
}

/**
 * The mode a surface runs in: chats offer ask, auto-edits and read-only; jobs delegate, propose and read-only. A mode
 * of the other surface reads as `read-only`, the safest.
 */
export function surfaceMode(kind: 'chat' | 'job', stored: string): PermissionModeName {
    const mode = parsePermissionMode(stored);
    const jobModes: readonly PermissionModeName[] = ['delegate', 'propose'];
    if (kind === 'job') return jobModes.includes(mode) ? mode : 'read-only';
    return jobModes.includes(mode) ? 'read-only' : mode;
}

/** The MCP tools of the surface; in read-only mode only the ones the person vouched for as read-only. */
function mcpTools(
    services: SessionServices,
    kind: 'chat' | 'job',
    mode: PermissionModeName,
    untrusted: UntrustedContent,
    job: JobSessionSpec | undefined,
): { offered: Tool[]; withheld: string[] } {
    const none = { offered: [], withheld: [] };
    const hub = services.mcp;
    if (hub === undefined) return none;
    let tools: Tool[];
    if (kind === 'chat') {
        if (services.toolCallGate === undefined) return none;
        tools = hub.tools({ surface: 'chat', gate: services.toolCallGate, untrusted });
    } else {
        const allows = job?.mcpTools ?? [];
        if (allows.length === 0) return none;
        tools = hub.tools({ surface: 'job', gate: null, untrusted, jobAllows: allows });
    }
    if (mode !== 'read-only') return { offered: tools, withheld: [] };
    const offered = tools.filter((tool) => tool.definition.effect === 'read');
    const withheld = tools.filter((tool) => !offered.includes(tool)).map((tool) => tool.definition.name);
    return { offered, withheld };
}

/** The gate as it is now with `folders` hidden; derived once per gate, since the gate is asked on every path. */
function hidingFolder(current: () => ExclusionGate, folders: readonly string[]): () => ExclusionGate {
    let base: ExclusionGate | null = null;
    let derived: ExclusionGate | null = null;
    return () => {
        const now = current();
        if (now !== base || derived === null) {
            base = now;
            derived = now.withHiddenFolders(folders);
        }
        return derived;
    };
}

/** A `propose` job's sink into the review inbox, bound to the job and its cap; none for any other session. */
function proposalSink(
    services: SessionServices,
    mode: PermissionModeName,
    job: JobSessionSpec | undefined,
): ProposalSink | undefined {
    if (mode !== 'propose' || job === undefined || services.proposals === undefined) return undefined;
    return services.proposals.sinkFor({ kind: 'job', id: job.id, title: job.title ?? job.id }, job.proposalCap);
}

/** Compaction at the settings' share of the window; the engine's default when the value is unusable. */
function compactionOf(settings: SessionSettings): CompactionSettings {
    const share = settings.spend?.compactAtShare;
    return typeof share === 'number' && Number.isFinite(share) && share > 0 && share <= 1 ? { threshold: share } : {};
}

function randomId(): string {
    // Web Crypto exists in Obsidian (desktop and mobile) and in Node.
    return crypto.randomUUID().slice(0, 8);
}
