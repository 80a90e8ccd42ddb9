/**
 * Settings: the stored shape, the defaults, and a pure migration from whatever was on disk. Settings live in the
 * plugin's `data.json`, which syncs between devices; the API key never does (see `secrets`).
 */
import { DEFAULT_MODEL } from './default-model';
import { DEFAULT_DELIVERY, DEFAULT_MCP_JOBS, type DeliverySettings, type McpJobSettings } from './delivery-settings';
import { DEFAULT_MCP_SETTINGS, type McpSettings } from './mcp-settings';
import type { PermissionModeName } from './permission-mode-name';
import { DEFAULT_WEB_SETTINGS, type WebSettings } from './web-settings';

/** The current version of the stored settings shape; `migrateSettings` upgrades anything older. */
export const SETTINGS_VERSION = 3;

/** Everything a person can set, grouped like the settings tab. */
export interface Settings {
    /** Shape version, for migration. */
    version: number;
    /** The model and the endpoint that serves it. */
    model: ModelSettings;
    /** What the agent may never see. */
    privacy: PrivacySettings;
    /** The co-pilot chat. */
    chat: ChatSettings;
    /** The delegate queue. */
    delegate: DelegateSettings;
    /** What goes into each request besides the person's message. */
    context: ContextSettings;
    /** Where skills and custom commands are kept. */
    guidance: GuidanceSettings;
    /** The MCP servers the agent may use. */
    mcp: McpSettings;
    /** Spending and conversation length. */
    spend: SpendSettings;
    /** Where word of a job's end is sent (opt-in per job or trigger); absent in older files: nowhere. */
    delivery?: DeliverySettings;
    /** Jobs MCP clients may queue; absent in older files: none. */
    mcpJobs?: McpJobSettings;
    /** Web research (off by default). */
    web: WebSettings;
}

/** The model and endpoint. */
export interface ModelSettings {
    /** Model id used when a chat or job names none. */
    defaultModel: string;
    /** API base URL; empty means Anthropic's own endpoint. Anthropic-compatible local servers work too. */
    baseUrl: string;
    /** Name under which the API key is kept in this device's secret storage (the key itself is never in settings). */
    apiKeySecretName: string;
    /** Upper bound on output tokens per model response. */
    maxOutputTokens: number;
    /**
     * Whether the endpoint reads PDFs as `document` blocks. Off (for endpoints that cannot, such as many local models)
     * sends a PDF's extracted text instead; a custom endpoint that rejects a document turns it off by itself.
     */
    pdfDocuments: boolean;
}

/** Exclusions: notes matching any rule do not exist for the agent. */
export interface PrivacySettings {
    /** Tags without `#`, case-insensitive and hierarchical: `private` also covers `#private/health`. */
    excludedTags: string[];
    /** Folders (`Journal/`) or minimatch globs (`**\/*.secret.md`) whose notes are excluded, subfolders included. */
    excludedFolders: string[];
    /**
     * Whether the files Obsidian excludes (Settings → Files and links → Excluded files) are excluded too; absent
     * counts as on. Only `false` turns it off.
     */
    obsidianExcludedFiles?: boolean;
}

/** The co-pilot chat. */
export interface ChatSettings {
    /** Permission mode a new chat starts in. */
    defaultMode: PermissionModeName;
    /** Whether a new chat attaches the focused note automatically. */
    attachFocusedNote: boolean;
}

/** The delegate queue. */
export interface DelegateSettings {
    /** Folder that holds job notes. */
    jobsFolder: string;
    /** Default folder for the notes jobs write. */
    outputFolder: string;
    /** How many jobs run at once. */
    concurrency: number;
    /** How many times a job is tried before it is marked failed (retries only when nothing was changed). */
    maxAttempts: number;
    /** The budget of a job that names none. */
    defaultBudget: DelegateBudget;
}

/** Limits of one job. */
export interface DelegateBudget {
    /** Most model calls. */
    turns: number;
    /** Most cost in USD. */
    usd: number;
}

/** What the context builder sends besides the person's message. */
export interface ContextSettings {
    /** A note used as the vault's instructions; empty = `AGENTS.md` at the vault root, else `CLAUDE.md`. */
    instructionsNote: string;
    /** Share of the model's context window that attached notes, mentions and instructions may fill. */
    budgetShare: number;
    /** How deep `![[embeds]]` inside attached notes are expanded; 0 = not expanded. */
    embedDepth: number;
    /** How many notes an @-mention of a folder or tag attaches at most. */
    mentionListLimit: number;
}

/** Folders of the notes that teach the agent. */
export interface GuidanceSettings {
    /** Folder of skills: one subfolder per skill, each with a `SKILL.md`. */
    skillsFolder: string;
    /** Folder of custom commands: one note per `/command`. */
    commandsFolder: string;
}

/** Spending and conversation length. */
export interface SpendSettings {
    /** Most USD spent per day on this device, chats and jobs together; 0 = no cap. */
    dailyCapUsd: number;
    /** Share of the model's context window at which a conversation is compacted. */
    compactAtShare: number;
}

/** The defaults a fresh install starts with. */
export const DEFAULT_SETTINGS: Settings = {
    version: SETTINGS_VERSION,
    model: {
        defaultModel: DEFAULT_MODEL,
        baseUrl: '',
        apiKeySecretName: 'vault-agent-anthropic-api-key',
        maxOutputTokens: 8192,
        pdfDocuments: true,
    },
    privacy: {
        excludedTags: ['private'],
        excludedFolders: [],
    },
    chat: {
        defaultMode: 'ask',
        attachFocusedNote: true,
    },
    delegate: {
        jobsFolder: 'Agent/Jobs',
        outputFolder: 'Agent/Outputs',
        concurrency: 3,
        maxAttempts: 3,
        defaultBudget: { turns: 30, usd: 0.5 },
    },
    context: {
        instructionsNote: '',
        budgetShare: 0.25,
        embedDepth: 3,
        mentionListLimit: 20,
    },
    guidance: {
        skillsFolder: 'Agent/Skills',
        commandsFolder: 'Agent/Commands',
    },
    mcp: structuredClone(DEFAULT_MCP_SETTINGS),
    spend: {
        dailyCapUsd: 0,
        compactAtShare: 0.8,
    },
    delivery: structuredClone(DEFAULT_DELIVERY),
    mcpJobs: structuredClone(DEFAULT_MCP_JOBS),
    web: structuredClone(DEFAULT_WEB_SETTINGS),
};
