/**
 * A real queue for tests: the local Messages-API server, the real SDK through `createModelClient`, a real temp-folder
 * vault (FsVault), the real exclusion gate, throttle and checkpoints. Notices are captured; time is real unless a
 * test passes a clock (e.g. one running ahead, to play "later, after the lease expired").
 */
import { createModelClient } from '../../src/agent/model-client';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { ExclusionGate } from '../../src/context/exclusions';
import { JobQueue, type JobQueueOptions } from '../../src/delegate/job-queue';
import { systemClock, type Clock, type Notifier } from '../../src/kernel/ports';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../src/kernel/settings';
import type { VaultPort } from '../../src/kernel/vault-port';
import { FsVault } from '../../src/vault/fs-vault-node';
import {
    startMessagesApiServer,
    lastUserText,
    type MessagesApiServer,
    type RecordedRequest,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

/** The model id tests use. */
export const TEST_MODEL = DEFAULT_MODEL;

/** Notices, captured. */
export class CapturedNotices implements Notifier {
    /** Every notice in order. */
    readonly messages: { message: string; kind: 'info' | 'error' }[] = [];

    /** Records the notice. */
    notify(message: string, kind: 'info' | 'error' = 'info'): void {
        this.messages.push({ message, kind });
    }
}

/** A clock `offsetMs` ahead of real time: "later", without waiting. */
export function clockAhead(offsetMs: number): Clock {
    return { now: () => Date.now() + offsetMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

/** A job note as a person would write it. */
export function jobNote(brief: string, fields: Record<string, string> = {}): string {
    const defaults: Record<string, string> = {
        'vault-agent': 'job',
        status: 'queued',
        created: '"2026-11-21T08:00:00Z"',
        context: '[]',
        output: 'Agent/Outputs',
        mode: 'delegate',
        ...fields,
    };
    return ['---', ...Object.entries(defaults).map(([k, v]) => `${k}: ${v}`), '---', brief, ''].join('\n');
}

/** Options of `makeQueueHarness`. */
export interface HarnessOptions {
    /** Vault files. */
    files?: Record<string, string>;
    /** Privacy rules; default tag `private`. */
    privacy?: PrivacySettings;
    /** Jobs at once. */
    concurrency?: number;
    /** An existing server. */
    server?: MessagesApiServer;
    /** Latency of the server, ms. */
    latencyMs?: number;
}

/** A running harness. */
export interface QueueHarness {
    /** The local Messages API. */
    server: MessagesApiServer;
    /** The temp vault. */
    temp: TempVault;
    /** Notices of every queue made here. */
    notices: CapturedNotices;
    /** The privacy rules the gate reads (mutable: tests make notes private mid-way). */
    privacy: PrivacySettings;
    /** Makes a queue on this vault (another FsVault on the same folder when `ownVault`: a second device). */
    queue(options?: Partial<JobQueueOptions> & { ownVault?: boolean; vault?: VaultPort }): Promise<JobQueue>;
    /** Closes the server (if made here) and removes the vault. */
    cleanup(): Promise<void>;
}

/** Builds the harness. */
export async function makeQueueHarness(options: HarnessOptions = {}): Promise<QueueHarness> {
    const ownServer = options.server === undefined;
    const server = options.server ?? (await startMessagesApiServer({ latencyMs: options.latencyMs ?? 0 }));
    const temp = await makeTempVault(options.files ?? {});
    const notices = new CapturedNotices();
    const privacy: PrivacySettings = options.privacy ?? { excludedTags: ['private'], excludedFolders: [] };
    const throttle = new Throttle();
    const settings = {
        model: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL, maxOutputTokens: 1024 },
        delegate: { ...DEFAULT_SETTINGS.delegate, concurrency: options.concurrency ?? 3 },
    };
    let devices = 0;
    return {
        server,
        temp,
        notices,
        privacy,
        queue: async (extra = {}) => {
            const vault =
                extra.vault ??
                (extra.ownVault === true ? await FsVault.open(temp.root, { configDir: '.obsidian' }) : temp.vault);
            return new JobQueue({
                vault,
                gate: () => new ExclusionGate({ vault, privacy: { ...privacy } }),
                client: () =>
                    createModelClient({
                        secrets: { get: () => Promise.resolve(server.apiKey) },
                        settings: settings.model,
                    }),
                throttle,
                notifier: notices,
                checkpoints: new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() }),
                settings: () => settings,
                deviceId: `test-device-${++devices}`,
                pollMs: 50,
                settleMs: 5,
                retry: { random: () => 0, baseDelayMs: 10, maxDelayMs: 50, waits: { idleTimeoutMs: 5_000 } },
                jobRetryBaseMs: 10,
                offlineBaseMs: 50,
                ...extra,
            });
        },
        cleanup: async () => {
            if (ownServer) await server.close();
            await temp.cleanup();
        },
    };
}

/** The brief a Messages request carries (the `<job-brief>` of its first user message). */
export function briefOf(request: RecordedRequest): string {
    const body = request.body as { messages?: { role: string; content: unknown }[] };
    const first = body.messages?.[0];
    const text = typeof first?.content === 'string' ? first.content : JSON.stringify(first?.content ?? '');
    return /<job-brief>\\?n?([^<]*?)\\?n?<\/job-brief>/u.exec(text)?.[1]?.trim() ?? lastUserText(request);
}
