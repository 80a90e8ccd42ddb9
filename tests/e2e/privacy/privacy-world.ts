/**
 * Wires every in-process route of the privacy suite onto ONE temp vault and ONE local Messages-API server: a chat
 * (ChatService with the real ContextBuilder, sessions from `createAgentSession`, the skills catalog, a vault-reading MCP
 * server behind the real McpHub, a chat store writing real files), and a job queue with its fan-out. Notices of every
 * part go to the leak recorder. The CLI routes run the built `dist/cli.js` on the same folder.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { Throttle } from '../../../src/agent/loop/throttle';
import { MapConsentStore } from '../../../src/agent/mcp/mcp-consent';
import { McpHub } from '../../../src/agent/mcp/mcp-hub';
import { createTransportFactory } from '../../../src/agent/mcp/transport-factory';
import { createModelClient, type ModelClient } from '../../../src/agent/model-client';
import { type SessionServices } from '../../../src/agent/session-factory';
import { SpendControl } from '../../../src/agent/spend/spend-control';
import { MemorySpendLedger } from '../../../src/agent/spend/spend-ledger';
import { ChatService } from '../../../src/chat/chat-service';
import { unpdfTextReader } from '../../../src/cli/pdf-text-node';
import { AdapterChatStore, type ChatFileAdapter } from '../../../src/chat/chat-store';
import { exclusionGate } from '../../../src/compose/core-services';
import { ContextBuilder } from '../../../src/context/build-context';
import { ExclusionGate } from '../../../src/context/exclusions';
import { FixedFocus } from '../../../src/context/focus';
import { SkillCatalog } from '../../../src/context/skills';
import { JobQueue } from '../../../src/delegate/job-queue';
import type { Notifier } from '../../../src/kernel/ports';
import { DEFAULT_MCP_SETTINGS } from '../../../src/kernel/mcp-settings';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/kernel/settings';
import type { VaultPort } from '../../../src/kernel/vault-port';
import { MemoryCheckpointPersistence } from '../../agent/changes/fixtures';
import { consentToAll, misbehavingServer, RecordingToolCallGate } from '../../agent/mcp/mcp-fixtures';
import type { LeakRecorder } from '../../support/canary';
import type { MessagesApiServer } from '../../support/messages-api-server';
import type { TempVault } from '../../support/temp-vault';
import { PRIVACY, SETTINGS_JSON } from './privacy-vault';
import { DEFAULT_MODEL } from '../../../src/kernel/default-model';

/** The model id tests use. */
export const TEST_MODEL = DEFAULT_MODEL;

/** Where the chat store keeps chats: the plugin's own state folder, always hidden from the agent. */
export const CHATS_FOLDER = '.obsidian/plugins/vault-agent/chats';

/** The in-process routes over the suite's vault. */
export interface PrivacyWorld {
    /** The chat the person types into. */
    chat: ChatService;
    /** The MCP servers of the chat (one that can read the vault by itself). */
    hub: McpHub;
    /** Every MCP tool call shown to the person. */
    toolCalls: RecordingToolCallGate;
    /** A job queue on the same vault. */
    queue(): JobQueue;
    /** Errors the chat showed the person. */
    errors: string[];
    /** Closes the MCP servers. */
    close(): Promise<void>;
}

/** Builds the world; `recorder` hears every notice. */
export async function makePrivacyWorld(options: {
    temp: TempVault;
    server: MessagesApiServer;
    recorder: LeakRecorder;
}): Promise<PrivacyWorld> {
    const { temp, server, recorder } = options;
    const vault = temp.vault;
    const settings: Settings = {
        ...DEFAULT_SETTINGS,
        privacy: PRIVACY,
        model: { ...DEFAULT_SETTINGS.model, defaultModel: TEST_MODEL, baseUrl: server.baseURL, maxOutputTokens: 1024 },
        delegate: { ...DEFAULT_SETTINGS.delegate, ...SETTINGS_JSON.delegate },
    };
    // As `core-services.ts` builds it: job notes ask for files, they do not use them.
    const gate = (): ExclusionGate => exclusionGate(vault, PRIVACY, null, settings.delegate.jobsFolder);
    const notifier: Notifier = { notify: (message) => recorder.record('notice', message) };
    const client: ModelClient = await createModelClient({
        secrets: { get: (name) => Promise.resolve(name === settings.model.apiKeySecretName ? server.apiKey : null) },
        settings: settings.model,
    });
    const checkpoints = new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() });
    const throttle = new Throttle();

    const hub = new McpHub({
        settings: {
            ...DEFAULT_MCP_SETTINGS,
            connectTimeoutMs: 10_000,
            callTimeoutMs: 10_000,
            servers: [misbehavingServer(['--root', temp.root], { readsVault: true })],
        },
        consent: new MapConsentStore(),
        transports: createTransportFactory({ allowStdio: true }),
        notifier,
        vault,
        gate: gate(),
        vaultRoot: temp.root,
    });
    await consentToAll(hub);
    await hub.connectAll();
    const toolCalls = new RecordingToolCallGate();

    const services: SessionServices = {
        client,
        vault,
        gate,
        settings: () => settings,
        approvals: { request: (proposal) => Promise.resolve({ kind: 'approve', binding: proposal.binding }) },
        checkpoints,
        throttle,
        spend: new SpendControl({ ledger: new MemorySpendLedger() }),
        mcp: hub,
        toolCallGate: toolCalls,
        skills: new SkillCatalog({
            vault,
            exclusions: (v: VaultPort) => new ExclusionGate({ vault: v, privacy: PRIVACY }),
        }),
        retry: { random: () => 0, waits: { idleTimeoutMs: 10_000 } },
        pdfText: unpdfTextReader,
        // PDFs and images go as the endpoint takes them, as `core-services.ts` wires them for the plugin and the CLI.
        contextProvider: new ContextBuilder({
            vault,
            gate,
            embedDepth: settings.context.embedDepth,
            attachments: { pdf: unpdfTextReader, documents: () => client.capabilities.has('documents') },
        }),
    };
    const chat = new ChatService({
        store: new AdapterChatStore({ adapter: fsChatAdapter(temp.root), folder: CHATS_FOLDER }),
        // The person looks at a public note that embeds private ones, with the embeds selected.
        focus: new FixedFocus({
            note: 'Embeds.md',
            selection: { text: 'Whole: ![[Quokka]]\nHeading: ![[Narwhal#Secret heading]]', fromLine: 2, toLine: 3 },
            cursorLine: 3,
        }),
        checkpoints,
        defaults: () => ({ mode: 'ask', model: TEST_MODEL, attachFocusedNote: true }),
        services: () => Promise.resolve(services),
    });
    const errors: string[] = [];
    chat.subscribe((event) => {
        if (event.type !== 'error') return;
        errors.push(event.message);
        recorder.record('chat error shown to the person', event.message);
    });

    return {
        chat,
        errors,
        hub,
        toolCalls,
        queue: () =>
            new JobQueue({
                vault,
                gate,
                client: () => Promise.resolve(client),
                throttle,
                notifier,
                checkpoints,
                settings: () => ({ delegate: settings.delegate, model: settings.model }),
                deviceId: 'privacy-suite',
                pollMs: 50,
                settleMs: 5,
                retry: { random: () => 0, baseDelayMs: 10, maxDelayMs: 50, waits: { idleTimeoutMs: 10_000 } },
                jobRetryBaseMs: 10,
                pdfText: unpdfTextReader,
            }),
        close: () => hub.close(),
    };
}

/** The chat store's file access on a real folder (what Obsidian's DataAdapter does on desktop). */
function fsChatAdapter(root: string): ChatFileAdapter {
    const abs = (path: string): string => nodePath.join(root, ...path.split('/'));
    return {
        exists: (path) =>
            readdir(nodePath.dirname(abs(path))).then(
                (names) => names.includes(nodePath.basename(path)),
                () => false,
            ),
        read: (path) => readFile(abs(path), 'utf8'),
        write: async (path, data) => {
            await mkdir(nodePath.dirname(abs(path)), { recursive: true });
            await writeFile(abs(path), data);
        },
        list: async (path) => {
            const entries = await readdir(abs(path), { withFileTypes: true });
            const under = (name: string): string => `${path}/${name}`;
            return {
                files: entries.filter((e) => e.isFile()).map((e) => under(e.name)),
                folders: entries.filter((e) => e.isDirectory()).map((e) => under(e.name)),
            };
        },
        mkdir: async (path) => {
            await mkdir(abs(path), { recursive: true });
        },
    };
}

/** Every file under `root` (vault-relative, `/`-separated), config folder included. */
export async function allFiles(root: string, folder = ''): Promise<string[]> {
    const entries = await readdir(nodePath.join(root, ...folder.split('/').filter(Boolean)), { withFileTypes: true });
    const files: string[] = [];
    for (const entry of entries) {
        const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
        if (entry.isDirectory()) files.push(...(await allFiles(root, path)));
        else if (entry.isFile()) files.push(path);
    }
    return files;
}
