/**
 * The one composition root: settings plus a host's adapters become the core services, the same way in the plugin and
 * in every CLI command. The hosts differ only in their adapters (ObsidianVault or FsVault, where secrets, checkpoints,
 * spend and MCP consent are kept, how a person is told things, which hidden-folder reader finds `.claude/skills/`);
 * the wiring is here and nowhere else:
 *
 * - the exclusion gate of the current privacy settings ("exclude everything" while settings are locked), handed out
 *   live so a gate rebuilt after a settings change applies at once everywhere;
 * - the context builder with `settings.context` applied (budget share of the model's window, instructions note, embed
 *   depth, mention list limit) for chats and `ask`; jobs get the same settings through the queue;
 * - the skills catalog (the skills folder and `.claude/skills/`) and the custom commands catalog;
 * - the MCP hub (rebuilt when the MCP settings change), the spend control with the daily cap, the checkpoint store
 *   and the one rate-limit throttle;
 * - the relevance index of the visible notes (`find_notes`, `related_notes`, mentions by content);
 * - the review inbox's proposal store (in the proposals folder next to the jobs folder), which `propose` jobs and the
 *   vault's MCP server record into, and what reviewing a proposal needs (`review()`);
 * - the services a chat, an `ask` turn or a job session is built from, and the job queue with its extensions.
 */
import { unattended, type ApprovalGate } from '../agent/changes/approval';
import { ChangeController } from '../agent/changes/change-controller';
import type { CheckpointPersistence, OpenNoteEditors, ProposalOrigin } from '../agent/changes/change-ports';
import { CheckpointStore } from '../agent/changes/checkpoints';
import { Throttle } from '../agent/loop/throttle';
import type { ConsentStore } from '../agent/mcp/mcp-consent';
import { McpHub } from '../agent/mcp/mcp-hub';
import type { ToolCallGate } from '../agent/mcp/tool-call-gate';
import { createTransportFactory } from '../agent/mcp/transport-factory';
import { sessionModels, type ModelCatalog } from '../agent/model-catalog';
import type { ModelClient } from '../agent/model-client';
import type { SessionEngine, SessionServices } from '../agent/session-factory';
import type { RetryPolicy } from '../agent/turn-loop';
import { SpendControl } from '../agent/spend/spend-control';
import type { SpendLedger } from '../agent/spend/spend-ledger';
import type { PdfTextReader } from '../context/attachments';
import { contextBuilderFor, type ContextBuilder } from '../context/build-context';
import type { AttachmentReading } from '../context/mentions';
import { CommandCatalog } from '../context/commands';
import { ExclusionGate } from '../context/exclusions';
import type { HiddenFolderReader } from '../context/hidden-folder';
import type { ObsidianExcludedFiles } from '../context/obsidian-excluded-files';
import { SkillCatalog } from '../context/skills';
import { BatchJobs, type BatchPolling } from '../delegate/batch';
import { jobDrafter } from '../delegate/job-draft';
import { excludedJobNote } from '../delegate/job-spec';
import { JobQueue } from '../delegate/job-queue';
import type { QueueExtension } from '../delegate/queue-extension';
import type { JobQueueOptions } from '../delegate/queue-options';
import { Scheduler } from '../delegate/scheduler';
import { Triggers } from '../delegate/triggers';
import { live } from '../kernel/live';
import { systemClock, type Clock, type HttpPost, type Notifier } from '../kernel/ports';
import type { DeliverySettings } from '../kernel/delivery-settings';
import { Deliveries } from '../delegate/delivery';
import { DEFAULT_SETTINGS, type PrivacySettings, type Settings } from '../kernel/settings';
import { proposalsFolderFor } from '../kernel/review-folder';
import type { VaultPort } from '../kernel/vault-port';
import { NoteSearch } from '../search/note-search';
import type { ReviewServices } from '../review/proposal-review';
import { ProposalStore } from '../review/proposal-store';

/** What a host provides: its adapters. Everything else is built here. */
export interface HostAdapters {
    /** The vault (`ObsidianVault` in the plugin, `FsVault` in the CLI). */
    vault: VaultPort;
    /** How the person is told things (`Notice`, stderr). */
    notifier: Notifier;
    /** Where undo records are kept (the plugin's folder, the CLI's per-vault state file). */
    checkpoints: CheckpointPersistence;
    /** Where this device's spend is recorded (the daily cap counts chats and jobs together). */
    spendLedger: SpendLedger;
    /** This device's MCP consent (never in the vault, which syncs). */
    mcpConsent: ConsentStore;
    /** Whether stdio MCP servers may be started here (desktop and the CLI, never mobile). */
    allowStdio: boolean;
    /** The vault's folder on disk, when there is one (for MCP servers that take it). */
    vaultRoot?: string;
    /** Reads hidden folders (`.claude/skills/`) the vault port does not list; without it those skills are not found. */
    hiddenFolders?: HiddenFolderReader;
    /** The open notes' editors (Obsidian only), so the agent edits them without losing keystrokes. */
    editors?: OpenNoteEditors;
    /** Obsidian's own Excluded files (from `app.json`), for `privacy`; `null` when the settings do not honour them. */
    obsidianExcluded?: { for(privacy: PrivacySettings | null): ObsidianExcludedFiles | null };
    /** Time; a fake clock in tests. */
    clock?: Clock;
    /** HTTP POST for deliveries (`requestUrl` in the plugin, `fetch` in the CLI); without it nothing is delivered. */
    http?: HttpPost;
    /** The vault's name, for `obsidian://` links in deliveries. */
    vaultName?: string;
    /** Reads PDFs' text (Obsidian's PDF.js, `unpdf` in the CLI), for endpoints without documents and page ranges. */
    pdfText?: PdfTextReader;
}

/** A chat, `ask` or job session's services, as a host asks for them. */
export interface SessionRequest {
    /** The model client built from the settings and this device's key. */
    client: ModelClient;
    /** Who approves changes (the chat's cards, the terminal, a job's unattended gate). */
    approvals: ApprovalGate;
    /** Who approves MCP tool calls in a chat; without it a chat is offered no MCP tools. */
    toolCallGate?: ToolCallGate;
    /** How model calls are retried; the session's default when absent. */
    retry?: RetryPolicy;
    /** The model the session starts with, whose context window the context budget is a share of; the default's. */
    model?: string;
}

/** The queue's own knobs, as a host asks for them. */
export type QueueRequest = Pick<JobQueueOptions, 'client' | 'deviceId' | 'settings'> &
    Partial<
        Pick<JobQueueOptions, 'lockedReason' | 'refreshSettings' | 'localProcess' | 'maxAttempts' | 'retry' | 'pollMs'>
    > & {
        /** Whether trigger notes follow the vault's changes (the plugin, `run --watch`); true when absent. */
        followVault?: boolean;
        /** Waits between delivery tries (tests); the defaults when absent. */
        deliveryWaitsMs?: number[];
        /** How Message Batches are polled (`run --batch-poll`); every 30 s at first, slowing to every 10 min. */
        batchPolling?: Partial<BatchPolling>;
    };

/** What the extensions take from the host. */
export interface ExtensionRequest {
    /** Whether trigger notes follow the vault's changes. */
    followVault?: boolean;
    /** Deliveries: the host's HTTP POST, the settings now, the vault's name. */
    delivery?: { http: HttpPost | null; settings(): DeliverySettings | null; vaultName: string; waitsMs?: number[] };
    /** How Message Batches are polled. */
    batchPolling?: Partial<BatchPolling>;
}

/**
 * The queue's extensions, listed once: schedules (`schedule:` and `every:`), batch jobs (`batch: true`, collected
 * into Message Batches), trigger notes (`vault-agent: trigger`, following the vault's changes when `followVault`) and
 * deliveries (`deliver:`).
 */
export function queueExtensions(options: ExtensionRequest = {}): QueueExtension[] {
    return [
        new Scheduler(),
        new BatchJobs({ polling: options.batchPolling ?? {} }),
        new Triggers({ follow: options.followVault ?? true }),
        ...(options.delivery !== undefined ? [new Deliveries(options.delivery)] : []),
    ];
}

/**
 * The exclusion gate of `privacy` (and Obsidian's Excluded files, when honoured) over `vault`; `null` privacy (locked
 * settings) excludes everything.
 */
export function exclusionGate(
    vault: VaultPort,
    privacy: PrivacySettings | null,
    obsidianExcluded: ObsidianExcludedFiles | null = null,
    jobsFolder?: string,
): ExclusionGate {
    const requestFolders = jobsFolder === undefined ? [] : [jobsFolder, proposalsFolderFor(jobsFolder)];
    return new ExclusionGate({ vault, privacy, obsidianExcluded, requestFolders });
}

/**
 * The gate an MCP client gets from `gate` (the gate of `settings`): the same, without the proposals folder, which may
 * hold now-private text. Locked settings (`null`) keep it locked.
 */
export function clientGateOf(gate: ExclusionGate, settings: Settings | null): ExclusionGate {
    return settings === null ? gate : gate.withHiddenFolders([proposalsFolderFor(settings.delegate.jobsFolder)]);
}

/** The core services of one host, built from its adapters and the settings. */
export class CoreServices {
    /** The vault. */
    readonly vault: VaultPort;
    /** Notices. */
    readonly notifier: Notifier;
    /** One rate-limit throttle for every chat and job. */
    readonly throttle = new Throttle();
    /** The vault's checkpoint store (undo). */
    readonly checkpoints: CheckpointStore;
    /** The device's spend ledger and daily cap. */
    readonly spend: SpendControl;
    /** The exclusion gate as it is now, whichever instance that is (rebuilt when settings change). */
    readonly liveGate: ExclusionGate;
    /** The skills catalog as it is now. */
    readonly liveSkills: SkillCatalog;
    /** Skills of the current settings' folders (the skills folder and `.claude/skills/`). */
    skills: SkillCatalog;
    /** Custom commands of the current settings' folder. */
    commands: CommandCatalog;
    /** The MCP servers of the current settings (not connected until `connectMcp`/`hub.connectAll`). */
    hub: McpHub;
    /** The endpoint's models: context windows as the endpoint lists them. */
    readonly models: ModelCatalog = sessionModels;
    /**
     * The vault's relevance index (`find_notes`, `related_notes`, mentions by content), one for every chat, job, `ask`
     * turn and MCP call: built on first use, kept current from the vault's changes, judged by the gate as it is now.
     */
    readonly search: NoteSearch;
    /** The review inbox: proposals of `propose` jobs and MCP clients, judged by the gate when written and read. */
    readonly proposals: ProposalStore;
    private gateNow: ExclusionGate;
    /** The Obsidian list `gateNow` was built with, to see when it changed. */
    private gateList: ObsidianExcludedFiles | null = null;
    /** The client gate of the gate it was made of (`clientGate`). */
    private clientGateNow: { of: ExclusionGate; gate: ExclusionGate } | null = null;
    private current: Settings | null;
    private mcpShape = '';
    private readonly host: HostAdapters;

    /** `settings` is `null` while they are locked (unreadable): the gate then excludes everything. */
    constructor(host: HostAdapters, settings: Settings | null) {
        this.host = host;
        this.vault = host.vault;
        this.notifier = host.notifier;
        this.current = settings;
        this.gateNow = this.gateFor(host.vault);
        this.liveGate = live(() => this.gate());
        this.search = new NoteSearch({ vault: host.vault, gate: () => this.gate() });
        this.checkpoints = new CheckpointStore({
            vault: host.vault,
            persistence: host.checkpoints,
            clock: host.clock,
        });
        const shaping = settings ?? DEFAULT_SETTINGS;
        this.spend = new SpendControl({
            ledger: host.spendLedger,
            dailyCapUsd: shaping.spend.dailyCapUsd,
            clock: host.clock,
        });
        this.skills = this.skillCatalog(shaping);
        this.liveSkills = live(() => this.skills);
        this.commands = this.commandCatalog(shaping);
        this.hub = this.mcpHub(shaping);
        this.proposals = new ProposalStore({
            vault: host.vault,
            gate: () => this.gate(),
            folder: () => (this.current === null ? null : proposalsFolderFor(this.current.delegate.jobsFolder)),
            ...(host.clock !== undefined ? { clock: host.clock } : {}),
        });
    }

    /** What opening, applying, rejecting and undoing a proposal needs: the same checkpoints and gate as the chat. */
    review(): ReviewServices {
        return {
            store: this.proposals,
            vault: this.vault,
            gate: () => this.gate(),
            checkpoints: this.checkpoints,
            jobsFolder: () => (this.current ?? DEFAULT_SETTINGS).delegate.jobsFolder,
            ...(this.host.editors !== undefined ? { editors: this.host.editors } : {}),
        };
    }

    /** The settings as they are now; `null` while locked. */
    get settings(): Settings | null {
        return this.current;
    }

    /**
     * The exclusion gate as it is now: rebuilt when the settings change, and when Obsidian's Excluded files read
     * differently (the CLI rereads `app.json` when it changed; the plugin when it refreshes its copy).
     */
    gate(): ExclusionGate {
        const list = this.host.obsidianExcluded?.for(this.current?.privacy ?? null) ?? null;
        if (list !== this.gateList) this.gateNow = this.gateFor(this.vault);
        return this.gateNow;
    }

    /** The rules of the current settings over `vault` (the vault itself, or the skill catalog's view of it). */
    gateFor(vault: VaultPort): ExclusionGate {
        const privacy = this.current?.privacy ?? null;
        const list = this.host.obsidianExcluded?.for(privacy) ?? null;
        if (vault === this.vault) this.gateList = list;
        return exclusionGate(vault, privacy, list, this.current?.delegate.jobsFolder);
    }

    /**
     * Applies changed settings (`null` = locked): a new gate, catalogs and daily cap, and a new MCP hub when the MCP
     * settings changed. Returns the replaced hub, which the caller closes (and reconnects the new one if it runs).
     */
    apply(settings: Settings | null): { replacedHub: McpHub | null } {
        this.current = settings;
        this.gateNow = this.gateFor(this.vault);
        const shaping = settings ?? DEFAULT_SETTINGS;
        this.spend.setDailyCap(shaping.spend.dailyCapUsd);
        this.skills = this.skillCatalog(shaping);
        this.commands = this.commandCatalog(shaping);
        if (JSON.stringify(shaping.mcp) === this.mcpShape) return { replacedHub: null };
        const old = this.hub;
        this.hub = this.mcpHub(shaping);
        return { replacedHub: old };
    }

    /**
     * The context builder of `settings.context` for a model with a `windowTokens` context window; with `client`, PDFs
     * and images are sent as that endpoint takes them.
     */
    contextBuilder(settings: Settings, windowTokens: number, client?: ModelClient): ContextBuilder {
        return contextBuilderFor({
            vault: this.vault,
            gate: () => this.gate(),
            settings: settings.context,
            windowTokens,
            ...(client !== undefined ? { attachments: this.attachmentReading(client) } : {}),
        });
    }

    /** How PDFs and images go to `client`'s endpoint: the host's PDF reader, and whether it reads documents now. */
    attachmentReading(client: ModelClient): AttachmentReading {
        return { pdf: this.host.pdfText, documents: () => client.capabilities.has('documents') };
    }

    /** What a chat or `ask` session is built from, for `settings` (not locked ones: nothing is sent then). */
    async sessionServices(settings: Settings, request: SessionRequest): Promise<SessionServices> {
        const model = request.model !== undefined && request.model !== '' ? request.model : settings.model.defaultModel;
        // The attached context gets its share of this model's window as the endpoint lists it (200k when unknown).
        const window = await this.models.contextWindow(request.client, model);
        return {
            ...this.engine(),
            client: request.client,
            settings: () => this.current ?? settings,
            approvals: request.approvals,
            contextProvider: this.contextBuilder(settings, window, request.client),
            toolCallGate: request.toolCallGate,
            retry: request.retry,
            jobs: jobDrafter(
                this.vault,
                () => {
                    const { jobsFolder, outputFolder, defaultBudget } = (this.current ?? settings).delegate;
                    return { jobsFolder, outputFolder, budget: defaultBudget };
                },
                this.host.clock ?? systemClock,
                (text) => excludedJobNote(this.gate().checkTextTags(text), 'queue'),
            ),
        };
    }

    /** The services every session shares, handed on whole to chats, `ask` and the queue's jobs. */
    engine(): SessionEngine {
        return {
            vault: this.vault,
            gate: () => this.gate(),
            checkpoints: this.checkpoints,
            throttle: this.throttle,
            spend: this.spend,
            mcp: live(() => this.hub),
            skills: this.liveSkills,
            models: this.models,
            editors: this.host.editors,
            clock: this.host.clock,
            pdfText: this.host.pdfText,
            search: this.search,
            proposals: this.proposals,
        };
    }

    /**
     * The change controller of an MCP client's `propose_edit`: `propose` mode, every change recorded in the review
     * inbox for `origin` and never written; `null` while the settings are locked.
     */
    proposingChanges(origin: ProposalOrigin): ChangeController | null {
        const settings = this.current;
        if (settings === null) return null;
        return new ChangeController({
            vault: this.vault,
            gate: this.gate(),
            approvals: unattended(origin.title),
            mode: 'propose',
            checkpoints: this.checkpoints,
            jobsFolder: settings.delegate.jobsFolder,
            proposals: this.proposals.sinkFor(origin),
        });
    }

    /**
     * The gate an MCP client gets: the current one, without the proposals folder (it may hold now-private text). The
     * same gate while the current one stands, so what it judged for one call serves the next.
     */
    clientGate(): ExclusionGate {
        const gate = this.gate();
        if (this.clientGateNow?.of !== gate) this.clientGateNow = { of: gate, gate: clientGateOf(gate, this.current) };
        return this.clientGateNow.gate;
    }

    /**
     * The change controller of a surface nobody watches (the vault's MCP server): delegate's policy, creates inside
     * `outputFolder` only, never the jobs folder, checkpointed; `null` while the settings are locked.
     */
    unattendedChanges(outputFolder: string, who: string): ChangeController | null {
        const settings = this.current;
        if (settings === null) return null;
        return new ChangeController({
            vault: this.vault,
            gate: this.gate(),
            approvals: unattended(who),
            mode: 'delegate',
            checkpoints: this.checkpoints,
            scope: { outputFolder },
            jobsFolder: settings.delegate.jobsFolder,
        });
    }

    /** The delegate queue over these services, with its extensions; jobs get `settings.context` like chats. */
    jobQueue(request: QueueRequest): JobQueue {
        const { followVault, deliveryWaitsMs, batchPolling, ...queue } = request;
        return new JobQueue({
            ...this.engine(),
            ...queue,
            notifier: this.notifier,
            extensions: queueExtensions({
                batchPolling,
                followVault: followVault ?? true,
                delivery: {
                    http: this.host.http ?? null,
                    settings: () => (this.current === null ? null : (this.current.delivery ?? null)),
                    vaultName: this.host.vaultName ?? '',
                    ...(deliveryWaitsMs !== undefined ? { waitsMs: deliveryWaitsMs } : {}),
                },
            }),
        });
    }

    private skillCatalog(settings: Settings): SkillCatalog {
        return new SkillCatalog({
            vault: this.vault,
            exclusions: (vault) => this.gateFor(vault),
            hidden: this.host.hiddenFolders,
            skillsFolder: settings.guidance.skillsFolder,
        });
    }

    private commandCatalog(settings: Settings): CommandCatalog {
        return new CommandCatalog({
            vault: this.vault,
            gate: () => this.gate(),
            commandsFolder: settings.guidance.commandsFolder,
        });
    }

    private mcpHub(settings: Settings): McpHub {
        this.mcpShape = JSON.stringify(settings.mcp);
        return new McpHub({
            settings: settings.mcp,
            consent: this.host.mcpConsent,
            transports: createTransportFactory({ allowStdio: this.host.allowStdio }),
            notifier: this.notifier,
            vault: this.vault,
            gate: this.liveGate,
            vaultRoot: this.host.vaultRoot,
        });
    }
}
