/**
 * Wires a real engine for integration tests: the local Messages-API server, the real SDK through `createModelClient`,
 * a real temp-folder vault, the real exclusion gate, ChangeController and checkpoints, and an `AgentSession` whose
 * events are recorded. Only the person (the approval gate) and time (a fake clock, when asked) are scripted.
 */
import { createModelClient, type ModelClient } from '../../../src/agent/model-client';
import { AgentSession, type AgentSessionOptions } from '../../../src/agent/agent-session';
import type { ApprovalGate } from '../../../src/agent/changes/approval';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { Throttle } from '../../../src/agent/loop/throttle';
import type { TurnEvent } from '../../../src/agent/loop/turn-events';
import { ExclusionGate } from '../../../src/context/exclusions';
import type { Clock } from '../../../src/kernel/ports';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../../src/kernel/settings';
import { startMessagesApiServer, type MessagesApiServer } from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import { MemoryCheckpointPersistence, ScriptedApprovalGate, type ScriptedAnswer } from '../changes/fixtures';
import { DEFAULT_MODEL } from '../../../src/kernel/default-model';

/** The model id tests use (an older id triggers an SDK deprecation warning). */
export const TEST_MODEL = DEFAULT_MODEL;

/** The API key the server accepts; a canary too: it must never appear in a request body. */
export const TEST_KEY = 'sk-engine-test-key-4c1d9e';

/** Time that passes only when slept: sleeps return at once and are recorded. */
export class FakeClock implements Clock {
    /** Every sleep asked for, in ms. */
    readonly sleeps: number[] = [];
    private time = Date.UTC(2026, 10, 21, 8);

    /** The fake time. */
    now(): number {
        return this.time;
    }

    /** Advances the fake time at once; rejects when the signal is aborted. */
    async sleep(ms: number, signal?: AbortSignal): Promise<void> {
        if (signal?.aborted === true) throw new Error('Aborted');
        this.sleeps.push(ms);
        this.time += ms;
        await Promise.resolve();
    }
}

/** What `makeEngine` accepts. */
export interface EngineOptions {
    /** Vault files, path → text. */
    files?: Record<string, string>;
    /** Permission mode (any string: unknown values must read as read-only). */
    mode?: string;
    /** Scripted approval answers (the rest approve what is shown). */
    script?: ScriptedAnswer[];
    /** Another approval gate (e.g. one that never answers). */
    approvals?: ApprovalGate;
    /** Privacy rules; default: tag `private`, folder `Journal/`. */
    privacy?: PrivacySettings;
    /** An existing server to use (not closed by `cleanup`). */
    server?: MessagesApiServer;
    /** An existing throttle (shared between sessions). */
    throttle?: Throttle;
    /** Extra session options. */
    session?: Partial<AgentSessionOptions>;
}

/** A running engine. */
export interface Engine {
    /** The local Messages API. */
    server: MessagesApiServer;
    /** The temp vault. */
    temp: TempVault;
    /** The model client. */
    client: ModelClient;
    /** The session under test. */
    session: AgentSession;
    /** The scripted approval gate (when no other was given). */
    approvals: ScriptedApprovalGate;
    /** Checkpoints of applied changes. */
    checkpoints: CheckpointStore;
    /** Every event the session emitted. */
    events: TurnEvent[];
    /** Builds another session on the same vault, server and client. */
    another(options?: Partial<AgentSessionOptions>): AgentSession;
    /** Closes the server (if made here) and removes the vault. */
    cleanup(): Promise<void>;
}

/** Starts an engine on a fresh temp vault. */
export async function makeEngine(options: EngineOptions = {}): Promise<Engine> {
    const ownServer = options.server === undefined;
    const server = options.server ?? (await startMessagesApiServer({ apiKey: TEST_KEY }));
    const temp = await makeTempVault(options.files ?? {});
    const client = await createModelClient({
        secrets: {
            get: (name) => Promise.resolve(name === DEFAULT_SETTINGS.model.apiKeySecretName ? server.apiKey : null),
        },
        settings: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL },
    });
    const gate = new ExclusionGate({
        vault: temp.vault,
        privacy: options.privacy ?? { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    });
    const approvals = new ScriptedApprovalGate(options.script ?? []);
    const checkpoints = new CheckpointStore({ vault: temp.vault, persistence: new MemoryCheckpointPersistence() });
    const throttle = options.throttle ?? new Throttle();
    const events: TurnEvent[] = [];
    const build = (extra: Partial<AgentSessionOptions> = {}): AgentSession =>
        new AgentSession({
            client,
            vault: temp.vault,
            gate,
            mode: options.mode ?? 'ask',
            approvals: options.approvals ?? approvals,
            checkpoints,
            throttle,
            model: TEST_MODEL,
            maxOutputTokens: 1024,
            retry: { random: () => 0, waits: { idleTimeoutMs: 5_000 } },
            ...options.session,
            ...extra,
        });
    const session = build();
    session.subscribe((event) => events.push(event));
    return {
        server,
        temp,
        client,
        session,
        approvals,
        checkpoints,
        events,
        another: build,
        cleanup: async () => {
            if (ownServer) await server.close();
            await temp.cleanup();
        },
    };
}

/** The text of every message the model was sent, request by request. */
export function requestBodies(server: MessagesApiServer): Record<string, unknown>[] {
    return server.messageRequests().map((request) => request.body as Record<string, unknown>);
}

/** The `messages` array of the `index`-th Messages request. */
export function messagesOf(server: MessagesApiServer, index: number): { role: string; content: unknown[] }[] {
    const body = requestBodies(server)[index];
    return (body?.messages ?? []) as { role: string; content: unknown[] }[];
}
