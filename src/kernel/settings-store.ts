/**
 * Holds the current settings and the locked state (docs/RELIABILITY.md row 14): when the stored settings cannot be read
 * or validated, the store is locked, `settings` is `null`, and callers send nothing and pause the queue. Pure: the
 * file behind it comes in as a `SettingsPersistence` (Obsidian's `loadData`/`saveData`, or the CLI's file).
 */
import { containsSecret, migrateSettings, stripSecrets } from './migrate-settings';
import type { Settings } from './settings';

/**
 * Where the settings live. `load` resolves `undefined` only when there is no settings file at all (a fresh install:
 * the defaults), and rejects when it cannot be read. A file that holds `null` resolves `null`, which is refused.
 */
export interface SettingsPersistence {
    /** The stored value, `undefined` when no file exists; rejects on unreadable or invalid JSON. */
    load(): Promise<unknown>;
    /** Replaces the stored value. */
    save(data: unknown): Promise<void>;
}

/** Ready with settings (and what migration fixed), or locked with the reason. */
export type SettingsState =
    { status: 'ready'; settings: Settings; notes: string[] } | { status: 'locked'; error: string };

/** What the store needs. */
export interface SettingsStoreOptions {
    /** The storage behind the settings. */
    persistence: SettingsPersistence;
}

/** Thrown by `update` when the change cannot be made; nothing was saved. */
export class SettingsUpdateError extends Error {
    constructor(
        /** `locked`: settings could not be read; `invalid`: the change did not validate; `save`: writing failed. */
        readonly code: 'locked' | 'invalid' | 'save',
        message: string,
    ) {
        super(message);
        this.name = 'SettingsUpdateError';
    }
}

const NOT_LOADED: SettingsState = { status: 'locked', error: 'Settings have not been loaded yet.' };

/** The settings of one plugin instance or CLI run. */
export class SettingsStore {
    private readonly persistence: SettingsPersistence;
    private current: SettingsState = NOT_LOADED;
    private readonly listeners = new Set<(state: SettingsState) => void>();
    /** Loads and updates run one after another, so a change is never applied to settings that a load replaced. */
    private queue: Promise<unknown> = Promise.resolve();

    constructor(options: SettingsStoreOptions) {
        this.persistence = options.persistence;
    }

    /** Loads and validates. A load that throws (unreadable/truncated JSON) or fails validation ⇒ locked. */
    load(): Promise<SettingsState> {
        return this.serially(() => this.loadNow());
    }

    /** The current state; locked until the first successful `load`. */
    get state(): SettingsState {
        return this.current;
    }

    /** The settings, or null when locked: callers must send nothing and pause the queue when null. */
    get settings(): Settings | null {
        return this.current.status === 'ready' ? this.current.settings : null;
    }

    /** Applies `change` to a copy, validates it, saves it, then notifies. Rejects with `SettingsUpdateError`. */
    update(change: (draft: Settings) => void): Promise<void> {
        return this.serially(() => this.updateNow(change));
    }

    /** Calls `listener` after every load and update. Returns the unsubscribe. */
    onChange(listener: (state: SettingsState) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    private async loadNow(): Promise<SettingsState> {
        let raw: unknown;
        try {
            raw = await this.persistence.load();
        } catch (error) {
            return this.publish(locked(`The settings file could not be read (${messageOf(error)}).`));
        }
        const result = migrateSettings(raw);
        if (!result.ok) return this.publish(locked(result.error));
        const notes = [...result.notes];
        if (containsSecret(raw)) {
            // The key must leave data.json now, not at the next change a person happens to make.
            try {
                await this.persistence.save(stripSecrets(result.settings));
            } catch (error) {
                notes.push(`The settings file could not be rewritten without the key (${messageOf(error)}).`);
            }
        }
        return this.publish({ status: 'ready', settings: result.settings, notes });
    }

    private async updateNow(change: (draft: Settings) => void): Promise<void> {
        const before = this.current;
        if (before.status !== 'ready') {
            throw new SettingsUpdateError('locked', `Settings cannot be changed while locked: ${before.error}`);
        }
        const draft = structuredClone(before.settings);
        change(draft);
        const result = migrateSettings(stripSecrets(draft));
        if (!result.ok) throw new SettingsUpdateError('invalid', result.error);
        if (result.notes.length > 0 || containsSecret(draft)) {
            throw new SettingsUpdateError('invalid', result.notes.join(' ') || 'A key cannot be stored in settings.');
        }
        try {
            await this.persistence.save(stripSecrets(result.settings));
        } catch (error) {
            throw new SettingsUpdateError('save', `The settings could not be saved (${messageOf(error)}).`);
        }
        this.publish({ status: 'ready', settings: result.settings, notes: [] });
    }

    private publish(state: SettingsState): SettingsState {
        this.current = state;
        for (const listener of [...this.listeners]) {
            try {
                listener(state);
            } catch (error) {
                // One broken subscriber must neither stop the others nor turn a saved change into a failure.
                queueMicrotask(() => {
                    throw error;
                });
            }
        }
        return state;
    }

    private serially<T>(task: () => Promise<T>): Promise<T> {
        const run = this.queue.then(task, task);
        this.queue = run.catch(() => undefined);
        return run;
    }
}

function locked(error: string): SettingsState {
    return { status: 'locked', error };
}

/**
 * A short cause that quotes nothing from the file: V8's JSON errors include the text around the fault, which may be a
 * key pasted into the settings (or part of one, without its recognisable prefix).
 */
function messageOf(error: unknown): string {
    if (error instanceof SyntaxError) return 'it is not valid JSON';
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^[A-Z_]{2,20}$/.test(code)) return code;
    return error instanceof Error ? error.name : 'unknown error';
}
