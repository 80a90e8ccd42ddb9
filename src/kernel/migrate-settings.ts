/**
 * Settings validation and migration: a pure function of whatever was stored (a synced `data.json` from any version,
 * hand-edited, half-written). It never throws; a field of the wrong type falls back to its default with a note,
 * except the exclusions, which fail closed when missing or invalid (docs/RELIABILITY.md row 14, decision 0001). API keys found in the raw value are dropped (row 23).
 */
import { readDelivery, readMcpJobs } from './delivery-settings';
import { parseMcpSettings, type McpSettings } from './mcp-settings';
import {
    describeType,
    group,
    isRecord,
    isSecretEntry,
    readChat,
    readContext,
    readDelegate,
    readGuidance,
    readModel,
    readSpend,
} from './read-groups';
import { readWeb } from './web-settings';
import { DEFAULT_SETTINGS, SETTINGS_VERSION, type PrivacySettings, type Settings } from './settings';

export { isSecretEntry } from './read-groups';

/** The outcome of reading stored settings: usable settings and what was fixed, or why they cannot be used. */
export type SettingsResult = { ok: true; settings: Settings; notes: string[] } | { ok: false; error: string };

/** What a person is told when a key turned up in the settings file. */
export const KEY_DROPPED_NOTE =
    'An API key was found in the settings file and was not kept: set it in this device’s secret storage instead ' +
    '(the settings file syncs between devices; the key must not).';

/** What a person is told when an MCP server's environment variable or header held a key. */
export const MCP_KEY_DROPPED_NOTE =
    'An MCP server setting that looked like a key (such as API_KEY or x-api-key) was not kept: the settings file ' +
    'syncs between devices. Give the server its key another way (its own config file or login).';

/** True when anything inside `raw` looks like an API key (see `isSecretEntry`). */
export function containsSecret(raw: unknown): boolean {
    return findSecret(raw, '', 0);
}

/**
 * A deep copy of `value` with every key-like entry removed: the one way settings are serialised for storage, so a
 * key can never be written to `data.json` even if one reached the settings object.
 */
export function stripSecrets(value: unknown): unknown {
    return strip(value, '', 0);
}

/**
 * Validates and upgrades a stored settings value. Only `undefined` (no settings file at all: a fresh install) gives the
 * defaults. A file that exists holds the person's exclusions or is refused: `null`, `{}`, an old copy without a
 * privacy section and a privacy section missing either list all fail closed (decision 0001), because the defaults
 * would silently drop the folders and tags the person excluded.
 */
export function migrateSettings(raw: unknown): SettingsResult {
    if (raw === undefined) return { ok: true, settings: structuredClone(DEFAULT_SETTINGS), notes: [] };
    if (raw === null) {
        return {
            ok: false,
            error:
                'The settings file exists but holds no settings (null), so it cannot be known which notes are ' +
                'private: nothing will be sent until it is fixed or the settings are reset.',
        };
    }
    if (!isRecord(raw)) {
        return { ok: false, error: `The settings file does not hold settings (found ${describeType(raw)}).` };
    }
    const notes: string[] = [];
    if (containsSecret(raw)) notes.push(KEY_DROPPED_NOTE);

    const privacy = readPrivacy(raw['privacy']);
    if (typeof privacy === 'string') return { ok: false, error: privacy };

    const version = raw['version'];
    if (typeof version === 'number' && version > SETTINGS_VERSION) {
        notes.push(
            `The settings were written by a newer version of Vault Agent (${version}); unknown fields are ignored.`,
        );
    }
    const current = upgrade(raw);
    const settings: Settings = {
        version: SETTINGS_VERSION,
        model: readModel(group(current, 'model', notes), notes),
        privacy,
        chat: readChat(group(current, 'chat', notes), notes),
        delegate: readDelegate(group(current, 'delegate', notes), notes),
        context: readContext(group(current, 'context', notes), notes),
        guidance: readGuidance(group(current, 'guidance', notes), notes),
        mcp: readMcp(current['mcp'], notes),
        spend: readSpend(group(current, 'spend', notes), notes),
        // Added without a version step: a file without them reads as "nothing delivered, no MCP jobs".
        delivery: readDelivery(current['delivery'], notes),
        mcpJobs: readMcpJobs(current['mcpJobs'], notes),
        web: readWeb(current['web'], notes),
    };
    return { ok: true, settings, notes };
}

/**
 * One step per stored version, from that version to the next, applied in order (Templater style: pure functions of
 * the raw value). A file without a version is a version 1 file: the first release wrote none.
 */
const UPGRADES: Record<number, (raw: Record<string, unknown>) => Record<string, unknown>> = {
    // Version 2 added context, guidance, MCP and spend settings, and job attempts and budgets: defaults for all.
    1: (raw) => ({
        ...raw,
        context: raw['context'] === undefined ? structuredClone(DEFAULT_SETTINGS.context) : raw['context'],
        guidance: raw['guidance'] === undefined ? structuredClone(DEFAULT_SETTINGS.guidance) : raw['guidance'],
        mcp: raw['mcp'] === undefined ? structuredClone(DEFAULT_SETTINGS.mcp) : raw['mcp'],
        spend: raw['spend'] === undefined ? structuredClone(DEFAULT_SETTINGS.spend) : raw['spend'],
        delegate: isRecord(raw['delegate'])
            ? {
                  maxAttempts: DEFAULT_SETTINGS.delegate.maxAttempts,
                  defaultBudget: structuredClone(DEFAULT_SETTINGS.delegate.defaultBudget),
                  ...raw['delegate'],
              }
            : raw['delegate'],
        version: 2,
    }),
    // Version 3 added web research, off.
    2: (raw) => ({
        ...raw,
        web: raw['web'] === undefined ? structuredClone(DEFAULT_SETTINGS.web) : raw['web'],
        version: 3,
    }),
};

function upgrade(raw: Record<string, unknown>): Record<string, unknown> {
    const stored = raw['version'];
    let version = typeof stored === 'number' && Number.isInteger(stored) && stored >= 1 ? stored : 1;
    let current = raw;
    while (version < SETTINGS_VERSION) {
        const step = UPGRADES[version];
        if (step === undefined) break;
        current = step(current);
        version += 1;
    }
    return current;
}

/** The MCP section, key-like env and header entries removed first (they would otherwise sync to every device). */
function readMcp(raw: unknown, notes: string[]): McpSettings {
    if (containsSecret(raw)) notes.push(MCP_KEY_DROPPED_NOTE);
    const parsed = parseMcpSettings(stripSecrets(raw));
    notes.push(...parsed.notes);
    return parsed.settings;
}

/** The exclusions, or an error message: missing or invalid rules never turn into "no exclusions" or the defaults. */
function readPrivacy(value: unknown): PrivacySettings | string {
    if (value === undefined) {
        return (
            'These settings have no exclusions (privacy) section (an empty or very old settings file?), so it cannot ' +
            'be known which notes are private: nothing will be sent until they are fixed or reset.'
        );
    }
    if (!isRecord(value))
        return 'The exclusion settings are not readable, so nothing will be sent until they are fixed.';
    const tags = readRuleList(value, 'excludedTags');
    const folders = readRuleList(value, 'excludedFolders');
    // A list that is there but wrong is named first: that is what the person has to fix.
    if (tags === null)
        return 'The excluded tags setting is not a list of tags, so nothing will be sent until it is fixed.';
    if (folders === null) {
        return 'The excluded folders setting is not a list of folders, so nothing will be sent until it is fixed.';
    }
    if (tags === undefined || folders === undefined) {
        const missing = tags === undefined ? 'excluded tags' : 'excluded folders';
        return `The exclusion settings have no ${missing} list, so nothing will be sent until they are fixed or reset.`;
    }
    const privacy: PrivacySettings = { excludedTags: normaliseTags(tags), excludedFolders: normaliseFolders(folders) };
    // Only an explicit `false` turns Obsidian's own list off; absent or anything else honours it (sends less).
    if (value.obsidianExcludedFiles === false) privacy.obsidianExcludedFiles = false;
    return privacy;
}

/** A list of strings, `undefined` when absent, or `null` when present but invalid. */
function readRuleList(record: Record<string, unknown>, name: string): string[] | null | undefined {
    const value = record[name];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return null;
    return value;
}

function normaliseTags(tags: string[]): string[] {
    const cleaned = tags.map((tag) => tag.trim().replace(/^#+/, '').trim().toLowerCase()).filter((tag) => tag !== '');
    return [...new Set(cleaned)];
}

function normaliseFolders(folders: string[]): string[] {
    // `/` alone is the vault's root (every note), never a blank rule: the gate reads each rule's spelling.
    const cleaned = folders
        .map((folder) => folder.trim())
        .map((folder) => (/^\/+$/u.test(folder) ? '/' : folder.replace(/^\/+/, '')))
        .filter((folder) => folder !== '');
    return [...new Set(cleaned)];
}

/** Nesting deeper than this is not settings; treat it as suspicious rather than recurse without end. */
const MAX_DEPTH = 32;

function findSecret(value: unknown, name: string, depth: number): boolean {
    if (isSecretEntry(name, value)) return true;
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return depth > MAX_DEPTH;
    if (Array.isArray(value)) return value.some((item) => findSecret(item, '', depth + 1));
    return Object.entries(value).some(([key, item]) => findSecret(item, key, depth + 1));
}

function strip(value: unknown, name: string, depth: number): unknown {
    if (depth > MAX_DEPTH) return undefined;
    if (Array.isArray(value)) {
        return value.filter((item) => !isSecretEntry('', item)).map((item) => strip(item, '', depth + 1));
    }
    if (isRecord(value)) {
        const copy: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) {
            if (!isSecretEntry(key, item)) copy[key] = strip(item, key, depth + 1);
        }
        return copy;
    }
    return isSecretEntry(name, value) ? undefined : value;
}
