/**
 * Settings validation and migration: a pure function of whatever was stored (a synced `data.json` from any version,
 * hand-edited, half-written). It never throws; a field of the wrong type falls back to its default with a note,
 * except the exclusions, which fail closed (RELIABILITY row 14). API keys found in the raw value are dropped (row 23).
 */
import { parsePermissionMode, PERMISSION_MODE_NAMES } from './permission-mode-name';
import {
    DEFAULT_SETTINGS,
    SETTINGS_VERSION,
    type ChatSettings,
    type DelegateSettings,
    type ModelSettings,
    type PrivacySettings,
    type Settings,
} from './settings';

/** The outcome of reading stored settings: usable settings and what was fixed, or why they cannot be used. */
export type SettingsResult = { ok: true; settings: Settings; notes: string[] } | { ok: false; error: string };

/** Field names that hold a key, whatever the casing or separator (`apiKey`, `api_key`, `x-api-key`, `key`). */
const KEY_FIELD_NAME = /^(?:x[-_]?)?(?:anthropic[-_]?)?(?:api[-_]?)?key$/i;
/** The prefix of Anthropic API keys. */
const KEY_PREFIX = 'sk-ant-';

/** What a person is told when a key turned up in the settings file. */
export const KEY_DROPPED_NOTE =
    'An API key was found in the settings file and was not kept: set it in this device’s secret storage instead ' +
    '(the settings file syncs between devices; the key must not).';

/** True when `name: value` is, or contains, an API key. */
export function isSecretEntry(name: string, value: unknown): boolean {
    if (typeof value !== 'string') return false;
    return (KEY_FIELD_NAME.test(name) && value !== '') || value.includes(KEY_PREFIX);
}

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

/** Validates and upgrades a stored settings value. `null`/`undefined` (no file yet) gives the defaults. */
export function migrateSettings(raw: unknown): SettingsResult {
    if (raw === null || raw === undefined) return { ok: true, settings: structuredClone(DEFAULT_SETTINGS), notes: [] };
    if (!isRecord(raw)) {
        return { ok: false, error: `The settings file does not hold settings (found ${describeType(raw)}).` };
    }
    const notes: string[] = [];
    if (containsSecret(raw)) notes.push(KEY_DROPPED_NOTE);

    const privacy = readPrivacy(raw['privacy'], notes);
    if (typeof privacy === 'string') return { ok: false, error: privacy };

    const version = raw['version'];
    if (typeof version === 'number' && version > SETTINGS_VERSION) {
        notes.push(
            `The settings were written by a newer version of Vault Agent (${version}); unknown fields are ignored.`,
        );
    }
    const settings: Settings = {
        version: SETTINGS_VERSION,
        model: readModel(group(raw, 'model', notes), notes),
        privacy,
        chat: readChat(group(raw, 'chat', notes), notes),
        delegate: readDelegate(group(raw, 'delegate', notes), notes),
    };
    return { ok: true, settings, notes };
}

/** The exclusions, or an error message: present-but-invalid rules never turn into "no exclusions". */
function readPrivacy(value: unknown, notes: string[]): PrivacySettings | string {
    const defaults = DEFAULT_SETTINGS.privacy;
    if (value === undefined) {
        notes.push(`These settings have no exclusions section (an older version?); the default exclusions apply.`);
        return structuredClone(defaults);
    }
    if (!isRecord(value))
        return 'The exclusion settings are not readable, so nothing will be sent until they are fixed.';
    const tags = readRuleList(value, 'excludedTags', defaults.excludedTags, notes);
    const folders = readRuleList(value, 'excludedFolders', defaults.excludedFolders, notes);
    if (tags === null)
        return 'The excluded tags setting is not a list of tags, so nothing will be sent until it is fixed.';
    if (folders === null) {
        return 'The excluded folders setting is not a list of folders, so nothing will be sent until it is fixed.';
    }
    return { excludedTags: normaliseTags(tags), excludedFolders: normaliseFolders(folders) };
}

/** A list of strings, the default when absent (with a note), or `null` when present but invalid. */
function readRuleList(
    record: Record<string, unknown>,
    name: string,
    fallback: string[],
    notes: string[],
): string[] | null {
    const value = record[name];
    if (value === undefined) {
        notes.push(`privacy.${name} was missing; the default is used.`);
        return [...fallback];
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return null;
    return value;
}

function normaliseTags(tags: string[]): string[] {
    const cleaned = tags.map((tag) => tag.trim().replace(/^#+/, '').trim().toLowerCase()).filter((tag) => tag !== '');
    return [...new Set(cleaned)];
}

function normaliseFolders(folders: string[]): string[] {
    const cleaned = folders.map((folder) => folder.trim().replace(/^\/+/, '')).filter((folder) => folder !== '');
    return [...new Set(cleaned)];
}

function readModel(raw: Record<string, unknown>, notes: string[]): ModelSettings {
    const d = DEFAULT_SETTINGS.model;
    return {
        defaultModel: field(raw, 'model.defaultModel', d.defaultModel, isNonEmptyString, notes),
        baseUrl: field(raw, 'model.baseUrl', d.baseUrl, isBaseUrl, notes),
        apiKeySecretName: field(raw, 'model.apiKeySecretName', d.apiKeySecretName, isNonEmptyString, notes),
        maxOutputTokens: field(raw, 'model.maxOutputTokens', d.maxOutputTokens, isPositiveInteger, notes),
    };
}

function readChat(raw: Record<string, unknown>, notes: string[]): ChatSettings {
    const d = DEFAULT_SETTINGS.chat;
    const mode = raw['defaultMode'];
    let defaultMode = d.defaultMode;
    if (mode !== undefined) {
        defaultMode = parsePermissionMode(mode);
        if (defaultMode !== mode) {
            notes.push(`chat.defaultMode is not one of ${PERMISSION_MODE_NAMES.join(', ')}; read-only is used.`);
        }
    }
    return {
        defaultMode,
        attachFocusedNote: field(raw, 'chat.attachFocusedNote', d.attachFocusedNote, isBoolean, notes),
    };
}

function readDelegate(raw: Record<string, unknown>, notes: string[]): DelegateSettings {
    const d = DEFAULT_SETTINGS.delegate;
    return {
        jobsFolder: trimFolder(field(raw, 'delegate.jobsFolder', d.jobsFolder, isFolder, notes)),
        outputFolder: trimFolder(field(raw, 'delegate.outputFolder', d.outputFolder, isFolder, notes)),
        concurrency: field(raw, 'delegate.concurrency', d.concurrency, isConcurrency, notes),
    };
}

/** A settings group as a record; a group of the wrong type is read as empty (every field then takes its default). */
function group(raw: Record<string, unknown>, name: string, notes: string[]): Record<string, unknown> {
    const value = raw[name];
    if (value === undefined) return {};
    if (isRecord(value)) return value;
    notes.push(`The ${name} settings were not readable (${describeType(value)}); the defaults are used.`);
    return {};
}

/** One field: the stored value when valid and not a secret, else the default (with a note when something was there). */
function field<T>(
    raw: Record<string, unknown>,
    path: string,
    fallback: T,
    valid: (value: unknown) => value is T,
    notes: string[],
): T {
    const name = path.slice(path.indexOf('.') + 1);
    const value = raw[name];
    if (value === undefined) return fallback;
    // The key note was already added once; a key is never echoed, and never kept even in a field that takes text.
    if (isSecretEntry(name, value)) return fallback;
    if (valid(value)) return value;
    notes.push(`${path} was not valid (${describeType(value)}); the default is used.`);
    return fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
    return typeof value === 'string' && value.trim() !== '';
}

function isBoolean(value: unknown): value is boolean {
    return typeof value === 'boolean';
}

function isPositiveInteger(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isConcurrency(value: unknown): value is number {
    return isPositiveInteger(value) && value <= 16;
}

function isFolder(value: unknown): value is string {
    return isNonEmptyString(value) && trimFolder(value) !== '';
}

/** Empty (Anthropic's endpoint) or an http(s) URL. */
function isBaseUrl(value: unknown): value is string {
    if (typeof value !== 'string') return false;
    if (value === '') return true;
    try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
        return false;
    }
}

function trimFolder(value: string): string {
    return value.trim().replace(/^\/+|\/+$/g, '');
}

/** A type description that never echoes the value itself (it may be something private). */
function describeType(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'a list';
    return `a ${typeof value}`;
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
