/**
 * One chat or one job: the model client, the vault tools of its permission mode, the ChangeController that every
 * write goes through, the conversation, and the turn loop. A view or a job runner holds a session, subscribes to its
 * events, sends messages and presses Stop; nothing here knows about UI.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ExclusionGate } from '../context/exclusions';
import type { Clock } from '../ports';
import { parsePermissionMode, type PermissionModeName } from '../settings/permission-mode-name';
import type { VaultPort } from '../vault/vault-port';
import type { ApprovalGate } from './changes/approval';
import { ChangeController } from './changes/change-controller';
import type { OpenNoteEditors } from './changes/change-ports';
import type { CheckpointStore } from './changes/checkpoints';
import type { TurnBudget } from './loop/budgets';
import { Conversation } from './loop/conversation';
import { PromptPrefix } from './loop/prompt-cache';
import { SYSTEM_PROMPT } from './loop/system-prompt';
import type { Throttle } from './loop/throttle';
import type { TurnListener, TurnResult } from './loop/turn-events';
import type { ModelClient } from './model-client';
import type { PriceTable } from './pricing';
import { ReadLedger } from './tools/read-ledger';
import { vaultTools, type Tool } from './tools/tool';
import { runTurn, type RetryPolicy, type TurnLoopOptions } from './turn-loop';

/** What a session is built from. */
export interface AgentSessionOptions {
    /** The model client; its key and host come from settings only. */
    client: ModelClient;
    /** The vault. */
    vault: VaultPort;
    /** The exclusion gate for every path the tools touch. */
    gate: ExclusionGate;
    /** The permission mode as stored (any string); an unknown value is read as `read-only`. */
    mode: string;
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
    /** Delegate mode: the job's output folder. */
    scope?: { outputFolder: string };
    /** The open-note editors. */
    editors?: OpenNoteEditors;
    /** Time; a fake clock in tests. */
    clock?: Clock;
    /** Silence after which a stream counts as stalled, in ms. */
    idleTimeoutMs?: number;
    /** Retry policy for model calls. */
    retry?: RetryPolicy;
    /** Limits per turn. */
    budget?: TurnBudget;
    /** Price table. */
    prices?: PriceTable;
    /** The compaction seam: called when the context window is full. */
    onContextFull?: TurnLoopOptions['onContextFull'];
}

/** Thrown by `send` while a turn is still running. */
export class SessionBusyError extends Error {
    override readonly name: string = 'SessionBusyError';

    constructor() {
        super('A turn is still running in this session; wait for it or press Stop.');
    }
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

    constructor(options: AgentSessionOptions) {
        this.mode = parsePermissionMode(options.mode);
        this.tools = vaultTools(this.mode);
        const changes =
            this.mode === 'read-only'
                ? null
                : new ChangeController({
                      vault: options.vault,
                      gate: options.gate,
                      approvals: options.approvals,
                      mode: this.mode,
                      checkpoints: options.checkpoints,
                      scope: options.scope,
                      editors: options.editors,
                  });
        this.loopOptions = {
            client: options.client,
            model: options.model,
            maxOutputTokens: options.maxOutputTokens,
            prefix: new PromptPrefix({
                systemPrompt: SYSTEM_PROMPT,
                instructions: options.instructions ?? '',
                tools: this.tools.map((tool) => tool.definition),
            }),
            tools: this.tools,
            toolContext: { vault: options.vault, gate: options.gate, reads: new ReadLedger(), changes },
            conversation: this.conversation,
            throttle: options.throttle,
            clock: options.clock,
            idleTimeoutMs: options.idleTimeoutMs,
            retry: options.retry,
            budget: options.budget,
            prices: options.prices,
            onContextFull: options.onContextFull,
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

    /** Runs one turn. Never rejects for model or tool failures (they are in the result); rejects when busy. */
    async send(
        content: string | Anthropic.ContentBlockParam[],
        options: { signal?: AbortSignal } = {},
    ): Promise<TurnResult> {
        if (this.current !== null) throw new SessionBusyError();
        const controller = new AbortController();
        this.current = controller;
        const outer = options.signal;
        const onAbort = (): void => controller.abort(outer?.reason);
        if (outer?.aborted === true) controller.abort(outer.reason);
        else outer?.addEventListener('abort', onAbort, { once: true });
        try {
            return await runTurn(this.loopOptions, {
                content,
                turnId: `${this.sessionId}-${++this.turns}`,
                signal: controller.signal,
                listener: (event) => {
                    for (const listener of this.listeners) listener(event);
                },
            });
        } finally {
            outer?.removeEventListener('abort', onAbort);
            this.current = null;
        }
    }

    /** Stop: ends the running turn within a second, mid-stream, mid-retry-wait or mid-approval alike. */
    stop(): void {
        this.current?.abort();
    }
}

function randomId(): string {
    // Web Crypto exists in Obsidian (desktop and mobile) and in Node.
    return crypto.randomUUID().slice(0, 8);
}
