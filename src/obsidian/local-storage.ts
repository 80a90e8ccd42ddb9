/**
 * What stays on this device and never syncs: MCP consent, the spend ledger and the runner's device id. Obsidian keeps
 * `app.loadLocalStorage`/`saveLocalStorage` per vault and per device, which is exactly the scope consent and the daily
 * cap need; a `data.json` arriving through Sync must never carry them (docs/RELIABILITY.md row 20).
 */
import type { App } from 'obsidian';
import type { ConsentStore } from '../agent/mcp/mcp-consent';
import type { KeyValueStorage } from '../agent/spend/spend-ledger';

/** The local storage keys of this plugin, prefixed so they cannot clash with another plugin's. */
export const LOCAL_KEYS = {
    /** MCP launch and tool-definition consent, one JSON object. */
    consent: 'vault-agent-consent',
    /** The spend ledger. */
    spend: 'vault-agent-spend',
    /** This device's runner id. */
    deviceId: 'vault-agent-device-id',
} as const;

/** The part of `App` that holds per-device values. */
export type LocalStorageHost = Pick<App, 'loadLocalStorage' | 'saveLocalStorage'>;

/** `app.loadLocalStorage` as the Web Storage shape the spend ledger takes; only strings are kept. */
export function localKeyValue(app: LocalStorageHost): KeyValueStorage {
    return {
        getItem: (key) => {
            const value: unknown = app.loadLocalStorage(key);
            return typeof value === 'string' ? value : null;
        },
        setItem: (key, value) => app.saveLocalStorage(key, value),
    };
}

/** Consent on this device, as one JSON object under one key; unreadable text counts as no consent at all. */
export class LocalConsentStore implements ConsentStore {
    private readonly storage: KeyValueStorage;

    constructor(options: { app: LocalStorageHost }) {
        this.storage = localKeyValue(options.app);
    }

    async get(key: string): Promise<string | null> {
        const value = this.all()[key];
        return typeof value === 'string' ? value : null;
    }

    async set(key: string, value: string): Promise<void> {
        this.storage.setItem(LOCAL_KEYS.consent, JSON.stringify({ ...this.all(), [key]: value }));
    }

    private all(): Record<string, unknown> {
        try {
            const parsed: unknown = JSON.parse(this.storage.getItem(LOCAL_KEYS.consent) ?? '{}');
            return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
        } catch {
            // Fail closed: a damaged record asks again rather than trusting what it might have said.
            return {};
        }
    }
}

/** This device's runner id, made once and kept: leases must name the same device across restarts. */
export function deviceIdOf(app: LocalStorageHost): string {
    const stored: unknown = app.loadLocalStorage(LOCAL_KEYS.deviceId);
    if (typeof stored === 'string' && stored !== '') return stored;
    const id = `device-${crypto.randomUUID().slice(0, 12)}`;
    app.saveLocalStorage(LOCAL_KEYS.deviceId, id);
    return id;
}
