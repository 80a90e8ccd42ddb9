/**
 * Settings: the stored shape, the defaults, and a pure migration from whatever was on disk. Settings live in the
 * plugin's `data.json`, which syncs between devices; the API key never does (see `secrets`).
 */
import type { PermissionModeName } from './permission-mode-name';

/** The current version of the stored settings shape; `migrateSettings` upgrades anything older. */
export const SETTINGS_VERSION = 1;

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
}

/** Exclusions: notes matching any rule do not exist for the agent. */
export interface PrivacySettings {
    /** Tags without `#`, case-insensitive and hierarchical: `private` also covers `#private/health`. */
    excludedTags: string[];
    /** Folders (`Journal/`) or minimatch globs (`**\/*.secret.md`) whose notes are excluded, subfolders included. */
    excludedFolders: string[];
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
}

/** The defaults a fresh install starts with. */
export const DEFAULT_SETTINGS: Settings = {
    version: SETTINGS_VERSION,
    model: {
        defaultModel: 'claude-sonnet-5-5',
        baseUrl: '',
        apiKeySecretName: 'vault-agent-anthropic-api-key',
        maxOutputTokens: 8192,
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
    },
};
