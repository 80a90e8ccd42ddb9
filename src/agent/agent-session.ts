/**
 * One chat or one job: the model client, the vault tools of its permission mode, the ChangeController that every
 * write goes through, the conversation, and the turn loop. A view or a job runner holds a session, subscribes to its
 * events, sends messages and presses Stop; nothing here knows about UI.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { PdfTextReader } from '../context/attachments';
import type { ContextProvider } from '../context/build-context';
import type { ExclusionGate } from '../context/exclusions';
import type { Clock } from '../kernel/ports';
import { live } from '../kernel/live';
import { parsePermissionMode, type PermissionModeName } from '../kernel/permission-mode-name';
import type { VaultPort } from '../kernel/vault-port';
import type { NoteSearch } from '../search/note-search';
import type { ApprovalGate } from './changes/approval';
import { ChangeController } from './changes/change-controller';
import type { OpenNoteEditors, ProposalSink } from './changes/change-ports';
import type { CheckpointStore } from './changes/checkpoints';
import { ChangeLog, type ChangeRecord } from './compaction/compact-record';
import { ContextManager, type CompactionNotice, type CompactionSettings } from './compaction/context-manager';
import type { ContextMeterValue } from './compaction/context-window';
import type { TurnBudget } from './loop/budgets';

import { SessionBusyError, withExtraTools } from './loop/session-tools';

/** What `send` accepts, and the session's errors; defined beside the context turn and the tool set. */
export { SessionBusyError, ToolNameClashError } from './loop/session-tools';
export { NoContextProviderError, type SendContext, type SendOptions } from './loop/context-turn';
import { buildContextTurn, type ContextTurn, type SendContext, type SendOptions } from './loop/context-turn';
import { Conversation } from './loop/conversation';
import type { JobDrafter } from './tools/job-drafts';
import { PromptPrefix } from './loop/prompt-cache';
import { SYSTEM_PROMPT } from './loop/system-prompt';
import type { Throttle } from './loop/throttle';
import {
    addUsage,
    emptyUsage,
    type TurnEvent,
    type TurnListener,
    type TurnResult,
    type UsageTotals,
} from './loop/turn-events';
import type { ModelClient } from './model-client';
import type { PriceTable } from './pricing';
import { SessionSpend, type SessionSpendOptions } from './spend/session-spend';
import { sendSummaryCall } from './compaction/summary-call';
import type { UntrustedContent } from './mcp/tool-call-gate';
import { ReadLedger } from './tools/read-ledger';
import { VAULT_TOOLS, type ToolRegistry } from './tools/registry';
import type { Tool } from './tools/tool';
import { runTurn, type RetryPolicy, type TurnLoopOptions } from './turn-loop';
import type { WebResearch } from './web/web-research';

/** What a session is built from. */
export interface AgentSessionOptions {
    /** The model client; its key and host come from settings only. */
    client: ModelClient;
    /** The vault. */
    vault: VaultPort;
    /**
     * The exclusion gate for every path the tools touch; a function returns the CURRENT gate (rebuilt when settings
     * change), and every tool call, every change and the history re-check before each request then use that one.
     */
    gate: ExclusionGate | (() => ExclusionGate);
    /** The permission mode as stored (any string); an unknown value is read as `read-only`. */
    mode: string;
    /** The host's PDF text reader, for `read_attachment`; without it a PDF is read only whole, as a document. */
    pdfText?: PdfTextReader;
    /** Asks the person about changes. */
    approvals: ApprovalGate;
    /** Records applied changes for undo. */
    checkpoints: CheckpointStore;
    /** The rate-limit throttle shared by every session. */
    throttle: Throttle;
    /** Model id. */
    model: string;
    /** Output token limit per response. */
    maxOutputTokens: number;
    /** The vault's instructions for the agent, part of the cached prefix. */
    instructions?: string;
    /** `propose` mode: where changes are recorded for review instead of being written. */
    proposals?: ProposalSink;
    /** Delegate mode: the job's output folder. */
    scope?: { outputFolder: string };
    /** The delegate jobs folder, which no change of this session may touch. */
    jobsFolder?: string;
    /** Drafts scheduled job notes for `schedule_job` (a chat's; written only on the person's approval). */
    jobs?: JobDrafter;
    /** The open-note editors. */
    editors?: OpenNoteEditors;
    /** Time; a fake clock in tests. */
    clock?: Clock;
    /** Retry policy for model calls, with every wait's cap (`waits`, the stall timeout among them). */
    retry?: RetryPolicy;
    /** Limits per turn. */
    budget?: TurnBudget;
    /** Price table. */
    prices?: PriceTable;
    /**
     * Called when the endpoint says the context window is full; replaces the session's own answer (compact, then
     * retry once) when given.
     */
    onContextFull?: TurnLoopOptions['onContextFull'];
    /** Where the vault tools come from (the one registry unless a test or host hands another). */
    registry?: ToolRegistry;
    /** Who the session serves, for the registry: a chat or a job (default: `delegate` is a job, the rest chats). */
    audience?: 'chat' | 'job';
    /** Tools offered next to the vault tools (MCP tools, `use_skill`, `run_subtasks`); names must not clash. */
    extraTools?: readonly Tool[];
    /** Deterministic text appended to the cached system prefix (the skills index); must not change per request. */
    prefixExtras?: string;
    /** Compaction settings, or `false` to send requests as they are (the turn then stops at `context-full`). */
    compaction?: CompactionSettings | false;
    /** Spend control: the device's daily cap and this chat's or job's budget. Absent = no spend limits. */
    spend?: SessionSpendOptions;
    /** Builds the context of a message sent with `send(…, { context })`; `SendOptions.context.provider` wins. */
    contextProvider?: ContextProvider;
    /** How deep attached notes' embeds are expanded (settings `context.embedDepth`), for the provenance of context. */
    embedDepth?: number;
    /** The vault's relevance index, handed to the tools (`find_notes`, `related_notes`). */
    search?: NoteSearch;
    /**
     * Which turns carry untrusted text, shared with the MCP tools: marked at turn start when notes are attached or the
     * history holds vault text, and after every tool result.
     */
    untrusted?: UntrustedContent;
    /** Web research for this session (server-side search and fetch, with the fetch guard); absent = off. */
    web?: WebResearch;
}

/** One conversation with the agent. */
export class AgentSession {
    /** The mode this session runs in, after reading unknown values as `read-only`. */
    readonly mode: PermissionModeName;
    /** The tools offered to the model. */
    readonly tools: readonly Tool[];
    /** The history. */
    readonly conversation = new Conversation();
    private readonly loopOptions: TurnLoopOptions;
    private readonly listeners = new Set<TurnListener>();
    private current: AbortController | null = null;
    private turns = 0;
    private readonly sessionId = randomId();
    private readonly context: ContextManager;
    private readonly changeLog = new ChangeLog();
    /** What the tools have shown of the vault (for `rewrite_note`, compaction records and a job's provenance). */
    private readonly reads = new ReadLedger();
    private readonly spend: SessionSpend | null;
    private totals: UsageTotals = emptyUsage();
    private currentTurnId: string | null = null;
    private readonly currentGate: () => ExclusionGate;
    private readonly prefix: PromptPrefix;
    /** The notes behind the context's instructions in the prefix, re-checked like the history. */
    private instructionSources: string[] = [];

    constructor(private readonly options: AgentSessionOptions) {
        this.mode = parsePermissionMode(options.mode);
        const given = options.gate;
        this.currentGate = typeof given === 'function' ? given : () => given;
        const gate = live(this.currentGate);
        const registry = options.registry ?? VAULT_TOOLS;
        const audience = options.audience ?? (this.mode === 'delegate' ? 'job' : 'chat');
        this.tools = withExtraTools(registry.toolsFor(audience, this.mode), options.extraTools ?? [], registry.names());
        const changes =
            this.mode === 'read-only'
                ? null
                : new ChangeController({
                      vault: options.vault,
                      gate,
                      approvals: options.approvals,
                      mode: this.mode,
                      checkpoints: options.checkpoints,
                      scope: options.scope,
                      jobsFolder: options.jobsFolder,
                      editors: options.editors,
                      ...(options.proposals !== undefined ? { proposals: options.proposals } : {}),
                  });
        const prefix = (this.prefix = new PromptPrefix({
            systemPrompt: SYSTEM_PROMPT,
            instructions: options.instructions ?? '',
            tools: this.tools.map((tool) => tool.definition),
            extras: options.prefixExtras,
        }));
        this.spend = options.spend === undefined ? null : new SessionSpend(options.spend, options.model);
        const client = options.client;
        this.context = new ContextManager({
            prefix,
            model: options.model,
            maxOutputTokens: options.maxOutputTokens,
            settings: options.compaction === false ? {} : options.compaction,
            caching: () => client.capabilities.has('promptCaching'),
            serverCompaction: () => client.capabilities.has('serverCompaction'),
            call: (params, signal) =>
                sendSummaryCall({
                    client,
                    params,
                    signal,
                    throttle: options.throttle,
                    spend: this.spend,
                    spentUsd: this.totals.costUsd,
                    prices: options.prices,
                    clock: options.clock,
                    account: (usage) => (this.totals = addUsage(this.totals, usage)),
                }),
            facts: () => this.facts(),
            count: async (messages, signal) => {
                if (!client.capabilities.has('countTokens')) return null;
                const system = prefix.system(false);
                const tools = prefix.tools(false);
                const params = {
                    model: options.model,
                    system,
                    messages: [...messages],
                    ...(tools.length > 0 ? { tools } : {}),
                };
                const counted = await client.countTokens(params, { signal });
                return counted.estimated ? null : counted.inputTokens;
            },
        });
        const compacting = options.compaction !== false;
        this.loopOptions = {
            client,
            model: options.model,
            maxOutputTokens: options.maxOutputTokens,
            prefix,
            tools: this.tools,
            toolContext: {
                vault: options.vault,
                gate,
                reads: this.reads,
                changes,
                attachments: { pdf: options.pdfText, documents: () => client.capabilities.has('documents') },
                search: options.search,
                jobs: options.jobs,
            },
            conversation: this.conversation,
            throttle: options.throttle,
            clock: options.clock,
            retry: options.retry,
            budget: options.budget,
            prices: options.prices,
            onContextFull:
                options.onContextFull ??
                (compacting
                    ? async (_, signal) => (await this.compactWith('context-full', signal)) !== null
                    : undefined),
            context: compacting ? this.context : undefined,
            spend: this.spend?.forLoop(() => this.totals.costUsd),
            recheck: (conversation) => this.recheck(conversation),
            ...(options.web !== undefined ? { web: options.web } : {}),
        };
    }

    /** Tokens, cost and model calls of every turn and every compaction of this session so far. */
    get usage(): UsageTotals {
        return { ...this.totals };
    }

    /** How full the context is for the next request (the chat footer, the job view). */
    contextMeter(): ContextMeterValue {
        return this.context.meter(this.conversation.snapshot());
    }

    /** The notes this session's tools showed text of (read, outlined), minus any excluded now; sorted. */
    notesRead(): string[] {
        const gate = this.currentGate();
        return this.reads.notesRead().filter((path) => !gate.isExcluded(path));
    }

    /** Every change applied in this session, in order (what a compaction record lists). */
    changes(): readonly ChangeRecord[] {
        return this.changeLog.all();
    }

    /** `/compact`: older turns become a record (`null`: nothing to compact); rejects when busy or on failure. */
    async compact(options: { signal?: AbortSignal } = {}): Promise<CompactionNotice | null> {
        const claim = this.claim(options.signal);
        try {
            return await this.compactWith('requested', claim.signal);
        } finally {
            claim.release();
        }
    }

    /** Takes the session for one turn or compaction (busy otherwise), with a Stop signal linked to the caller's. */
    private claim(outer: AbortSignal | undefined): { signal: AbortSignal; release(): void } {
        if (this.current !== null) throw new SessionBusyError();
        const controller = new AbortController();
        this.current = controller;
        const onAbort = (): void => controller.abort(outer?.reason);
        if (outer?.aborted === true) controller.abort(outer.reason);
        else outer?.addEventListener('abort', onAbort, { once: true });
        return {
            signal: controller.signal,
            release: () => {
                outer?.removeEventListener('abort', onAbort);
                this.current = null;
            },
        };
    }

    /** Whether a turn is running. */
    get busy(): boolean {
        return this.current !== null;
    }

    /** Hears every turn's events; returns the unsubscribe function. */
    subscribe(listener: TurnListener): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /**
     * Runs one turn. Never rejects for model or tool failures (they are in the result); rejects when busy, and when
     * the context asked for cannot be built (no provider, an unreadable vault).
     */
    async send(content: string | Anthropic.ContentBlockParam[], options: SendOptions = {}): Promise<TurnResult> {
        const claim = this.claim(options.signal);
        const turnId = `${this.sessionId}-${++this.turns}`;
        this.currentTurnId = turnId;
        try {
            let sources: (string[] | undefined)[] | undefined = options.sources;
            let attached = sources?.some((paths) => paths !== undefined && paths.length > 0) ?? false;
            if (options.context !== undefined) {
                const built = await this.attachContext(content, options.context);
                content = built.blocks;
                sources = built.sources;
                attached = built.attached;
            }
            // Notes in this message, or vault text earlier in the history: an MCP tool must not act on it unasked.
            if (attached || this.conversation.holdsVaultText()) this.options.untrusted?.mark(turnId);
            return await runTurn(this.loopOptions, {
                content,
                sources,
                turnId,
                signal: claim.signal,
                listener: (event) => this.hear(event),
            });
        } finally {
            await this.collectChanges(turnId);
            this.currentTurnId = null;
            claim.release();
        }
    }

    /** Stop: ends the running turn within a second, mid-stream, mid-retry-wait or mid-approval alike. */
    stop(): void {
        this.current?.abort();
    }

    /** Builds the message's context now: instructions into the prefix, the notes into the turn's blocks. */
    private async attachContext(
        content: string | Anthropic.ContentBlockParam[],
        context: SendContext,
    ): Promise<ContextTurn> {
        const turn = await buildContextTurn({
            content,
            context,
            provider: context.provider ?? this.options.contextProvider,
            vault: this.options.vault,
            gate: this.currentGate(),
            embedDepth: this.options.embedDepth,
        });
        this.prefix.setContextInstructions(turn.instructions);
        this.instructionSources = turn.instructionSources;
        this.hear(turn.event);
        return turn;
    }

    /**
     * Withholds history blocks (and the prefix's context instructions) that carry a now-excluded note. The notes they
     * carry are looked at again on disk first (where the vault can, without a scan), so a note tagged private since it
     * was read is judged by what it says now and is gone from the very next request.
     */
    private async recheck(conversation: Conversation): Promise<number> {
        await this.options.vault.revalidate?.([...conversation.allSources(), ...this.instructionSources]);
        const gate = this.currentGate();
        const excluded = (path: string): boolean => gate.isExcluded(path);
        let replaced = conversation.withhold(excluded);
        if (this.instructionSources.some(excluded)) {
            this.prefix.setContextInstructions('');
            this.instructionSources = [];
            replaced++;
        }
        return replaced;
    }

    private async compactWith(
        reason: CompactionNotice['reason'],
        signal: AbortSignal,
    ): Promise<CompactionNotice | null> {
        const notice = await this.context.compact(this.conversation, reason, signal);
        if (notice !== null) this.hear({ type: 'compacted', notice });
        return notice;
    }

    /** Keeps the session's own totals, then tells every listener. */
    private hear(event: TurnEvent): void {
        if (event.type === 'usage') {
            this.totals = addUsage(this.totals, event.call);
        }
        // Whatever a tool returned is text nobody vetted; MCP tools check this before acting without asking.
        if (event.type === 'tool-done' && this.currentTurnId !== null) this.options.untrusted?.mark(this.currentTurnId);
        for (const listener of this.listeners) {
            try {
                listener(event);
            } catch {
                // A listener's failure (a view that was closed) must not end the turn.
            }
        }
    }

    /** The facts a compaction record lists, including changes of the turn still running. */
    private async facts(): Promise<{ changes: readonly ChangeRecord[]; notesRead: readonly string[] }> {
        if (this.currentTurnId !== null) await this.collectChanges(this.currentTurnId);
        // A note made private since it was read is not named in the record.
        const gate = this.currentGate();
        return {
            changes: this.changeLog.all(),
            notesRead: this.reads.notesRead().filter((path) => !gate.isExcluded(path)),
        };
    }

    private async collectChanges(turnId: string): Promise<void> {
        try {
            this.changeLog.add(await this.options.checkpoints.list(turnId));
        } catch {
            // Unreadable checkpoint persistence: the record then lists what was collected before.
        }
    }
}

function randomId(): string {
    // Web Crypto exists in Obsidian (desktop and mobile) and in Node.
    return crypto.randomUUID().slice(0, 8);
}
