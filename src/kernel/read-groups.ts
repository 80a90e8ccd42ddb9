/**
 * Readers for the settings groups other than privacy: each takes the stored group (any shape) and returns a valid
 * group, taking the default for every field that is missing or wrong and noting the wrong ones (Dataview style: never
 * throw). Split from `migrate-settings.ts`, which keeps the fail-closed exclusions and the key stripping.
 */
import { normalizeVaultPath } from './path-policy';
import { parsePermissionMode, PERMISSION_MODE_NAMES } from './permission-mode-name';
import {
    DEFAULT_SETTINGS,
    type ChatSettings,
    type ContextSettings,
    type DelegateBudget,
    type DelegateSettings,
    type GuidanceSettings,
    type ModelSettings,
    type SpendSettings,
} from './settings';

/** Field names that hold a key, whatever the casing or separator (`apiKey`, `api_key`, `x-api-key`, `key`). */
const KEY_FIELD_NAME = /^(?:x[-_]?)?(?:anthropic[-_]?)?(?:api[-_]?)?key$/i;
/** The prefix of Anthropic API keys. */
const KEY_PREFIX = 'sk-ant-';

/** True when `name: value` is, or contains, an API key. */
export function isSecretEntry(name: string, value: unknown): boolean {
    if (typeof value !== 'string') return false;
    return (KEY_FIELD_NAME.test(name) && value !== '') || value.includes(KEY_PREFIX);
}

/** Bounds of the numeric fields, shared with the settings tab so both say the same. */
export const LIMITS = {
    budgetShare: { min: 0.05, max: 0.9 },
    embedDepth: { min: 0, max: 10 },
    mentionListLimit: { min: 1, max: 200 },
    compactAtShare: { min: 0.5, max: 0.95 },
    dailyCapUsd: { min: 0, max: 10_000 },
    maxAttempts: { min: 1, max: 10 },
    budgetTurns: { min: 1, max: 1_000 },
    budgetUsd: { min: 0.01, max: 1_000 },
    concurrency: { min: 1, max: 16 },
} as const;

/** Reads the model group. */
export function readModel(raw: Record<string, unknown>, notes: string[]): ModelSettings {
    const d = DEFAULT_SETTINGS.model;
    return {
        defaultModel: field(raw, 'model.defaultModel', d.defaultModel, isNonEmptyString, notes),
        baseUrl: field(raw, 'model.baseUrl', d.baseUrl, isBaseUrl, notes),
        apiKeySecretName: field(raw, 'model.apiKeySecretName', d.apiKeySecretName, isNonEmptyString, notes),
        maxOutputTokens: field(raw, 'model.maxOutputTokens', d.maxOutputTokens, isPositiveInteger, notes),
        pdfDocuments: field(raw, 'model.pdfDocuments', d.pdfDocuments, isBoolean, notes),
    };
}

/** Reads the chat group; an unknown mode is read as `read-only`, the safest. */
export function readChat(raw: Record<string, unknown>, notes: string[]): ChatSettings {
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

/** Reads the delegate group. */
export function readDelegate(raw: Record<string, unknown>, notes: string[]): DelegateSettings {
    const d = DEFAULT_SETTINGS.delegate;
    return {
        jobsFolder: trimFolder(field(raw, 'delegate.jobsFolder', d.jobsFolder, isFolder, notes)),
        outputFolder: trimFolder(field(raw, 'delegate.outputFolder', d.outputFolder, isFolder, notes)),
        concurrency: field(raw, 'delegate.concurrency', d.concurrency, integerIn(LIMITS.concurrency), notes),
        maxAttempts: field(raw, 'delegate.maxAttempts', d.maxAttempts, integerIn(LIMITS.maxAttempts), notes),
        defaultBudget: readBudget(group(raw, 'delegate.defaultBudget', notes), notes),
    };
}

function readBudget(raw: Record<string, unknown>, notes: string[]): DelegateBudget {
    const d = DEFAULT_SETTINGS.delegate.defaultBudget;
    return {
        turns: field(raw, 'delegate.defaultBudget.turns', d.turns, integerIn(LIMITS.budgetTurns), notes),
        usd: moneyField(raw, 'delegate.defaultBudget.usd', d.usd, LIMITS.budgetUsd, notes),
    };
}

/** Reads the context group. */
export function readContext(raw: Record<string, unknown>, notes: string[]): ContextSettings {
    const d = DEFAULT_SETTINGS.context;
    const note = field(raw, 'context.instructionsNote', d.instructionsNote, isOptionalNotePath, notes);
    return {
        instructionsNote: note === '' ? '' : normalisedPath(note),
        budgetShare: field(raw, 'context.budgetShare', d.budgetShare, numberIn(LIMITS.budgetShare), notes),
        embedDepth: field(raw, 'context.embedDepth', d.embedDepth, integerIn(LIMITS.embedDepth), notes),
        mentionListLimit: field(
            raw,
            'context.mentionListLimit',
            d.mentionListLimit,
            integerIn(LIMITS.mentionListLimit),
            notes,
        ),
    };
}

/** Reads the guidance group (skills and commands folders). */
export function readGuidance(raw: Record<string, unknown>, notes: string[]): GuidanceSettings {
    const d = DEFAULT_SETTINGS.guidance;
    return {
        skillsFolder: normalisedPath(field(raw, 'guidance.skillsFolder', d.skillsFolder, isSafeFolder, notes)),
        commandsFolder: normalisedPath(field(raw, 'guidance.commandsFolder', d.commandsFolder, isSafeFolder, notes)),
    };
}

/** Reads the spend group. */
export function readSpend(raw: Record<string, unknown>, notes: string[]): SpendSettings {
    const d = DEFAULT_SETTINGS.spend;
    return {
        dailyCapUsd: moneyField(raw, 'spend.dailyCapUsd', d.dailyCapUsd, LIMITS.dailyCapUsd, notes),
        compactAtShare: field(raw, 'spend.compactAtShare', d.compactAtShare, numberIn(LIMITS.compactAtShare), notes),
    };
}

/**
 * A settings group as a record; a group of the wrong type is read as empty (every field then takes its default).
 * `path` may be dotted (`delegate.defaultBudget`); its last part is looked up in `raw`.
 */
export function group(raw: Record<string, unknown>, path: string, notes: string[]): Record<string, unknown> {
    const value = raw[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) return {};
    if (isRecord(value)) return value;
    notes.push(`The ${path} settings were not readable (${describeType(value)}); the defaults are used.`);
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
    const name = path.slice(path.lastIndexOf('.') + 1);
    const value = raw[name];
    if (value === undefined) return fallback;
    // The key note was already added once; a key is never echoed, and never kept even in a field that takes text.
    if (isSecretEntry(name, value)) return fallback;
    if (valid(value)) return value;
    notes.push(`${path} was not valid (${describeType(value)}); the default is used.`);
    return fallback;
}

/** True for a plain object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
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

/**
 * An amount of money the person set as a limit, read as they meant it when written by hand: `5`, `"5"`, `"$5"`,
 * `"5.50 USD"`. One above the most allowed is held at that most, never dropped: a dropped spend cap is no cap at all.
 */
function moneyField(
    raw: Record<string, unknown>,
    path: string,
    fallback: number,
    range: { min: number; max: number },
    notes: string[],
): number {
    const value = raw[path.slice(path.lastIndexOf('.') + 1)];
    if (value === undefined) return fallback;
    const amount = typeof value === 'number' ? value : typeof value === 'string' ? amountOf(value) : Number.NaN;
    if (!Number.isFinite(amount) || amount < range.min) {
        notes.push(`${path} was not valid (${describeType(value)}); the default (${fallback}) is used.`);
        return fallback;
    }
    if (amount > range.max) {
        notes.push(`${path} is above the most allowed, ${range.max}; ${range.max} is used.`);
        return range.max;
    }
    return amount;
}

/** `"$5"`, `"5.50 USD"`, `"5,50"` as a number; `NaN` for anything else. */
function amountOf(text: string): number {
    const match = /^\s*(?:US)?\$?\s*(\d{1,9}(?:[.,]\d{1,6})?)\s*(?:usd|dollars?)?\s*$/iu.exec(text);
    return match?.[1] === undefined ? Number.NaN : Number(match[1].replace(',', '.'));
}

function integerIn(range: { min: number; max: number }): (value: unknown) => value is number {
    return (value): value is number =>
        typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max;
}

function numberIn(range: { min: number; max: number }): (value: unknown) => value is number {
    return (value): value is number =>
        typeof value === 'number' && Number.isFinite(value) && value >= range.min && value <= range.max;
}

function isFolder(value: unknown): value is string {
    return isNonEmptyString(value) && trimFolder(value) !== '';
}

/** A folder that stays inside the vault (no `..`, not absolute). */
function isSafeFolder(value: unknown): value is string {
    return isFolder(value) && normalizeVaultPath(trimFolder(value)).ok;
}

/** Empty (the default instruction notes) or a vault-relative path. */
function isOptionalNotePath(value: unknown): value is string {
    return typeof value === 'string' && (value.trim() === '' || normalizeVaultPath(trimFolder(value)).ok);
}

function normalisedPath(value: string): string {
    const checked = normalizeVaultPath(trimFolder(value));
    return checked.ok ? checked.path : value;
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

/** A folder path without surrounding spaces or slashes. */
export function trimFolder(value: string): string {
    return value.trim().replace(/^\/+|\/+$/g, '');
}

/** A type description that never echoes the value itself (it may be something private). */
export function describeType(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'a list';
    return `a ${typeof value}`;
}
