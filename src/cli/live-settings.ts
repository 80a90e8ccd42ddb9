/**
 * The vault's settings kept current while `vault-agent run` works: a folder excluded or a tag added in Obsidian while
 * the queue runs applies to the next request of every job, as it does in the plugin. The settings file is read again
 * when its folder reports a change, every few seconds in any case, and before jobs start; each reading is applied to
 * the core at once (its exclusion gate follows, and a running job asks for the gate before each request). Settings
 * that cannot be used lock the gate (every note excluded) and pause the queue, which says why once, until they can be
 * used again. The model, its endpoint and the MCP servers stay those the command started with (its servers were
 * started, and consented to, then). Decision 0040.
 */
import { watch, type FSWatcher } from 'node:fs';
import nodePath from 'node:path';
import type { CoreServices } from '../compose/core-services';
import type { Settings } from '../kernel/settings';
import type { CliIo } from './cli-context';
import { SettingsRereader } from './load-vault-settings';

/** How often the settings file is looked at even when its folder reports nothing (ms). */
const LOOK_MS = 2_000;

/** Where the settings are read from, and what reading them changes. */
export interface LiveSettingsOptions {
    vaultRoot: string;
    configDir: string;
    /** Whether a vault without a settings file runs with the defaults (`--default-settings`). */
    allowDefaults: boolean;
    /** The settings read when the command started. */
    initial: Settings;
    /** The core the settings are applied to. */
    core: CoreServices;
    /** For what is said on stderr, and by whom (`run`). */
    io: Pick<CliIo, 'stderr'>;
    command: string;
}

/** The settings as the file says now (see the file's note). */
export class LiveSettings {
    private current: Settings | null;
    private problem: string | null = null;
    private readonly file: SettingsRereader;
    private watcher: FSWatcher | null = null;
    private timer: ReturnType<typeof setInterval> | null = null;
    private reading: Promise<void> | null = null;
    private again = false;

    constructor(private readonly options: LiveSettingsOptions) {
        this.current = options.initial;
        this.file = new SettingsRereader({
            vaultRoot: options.vaultRoot,
            configDir: options.configDir,
            allowDefaults: options.allowDefaults,
        });
    }

    /** The settings now; `null` while they cannot be used. */
    get settings(): Settings | null {
        return this.current;
    }

    /** Why the settings cannot be used, or `''` while they can. */
    get reason(): string {
        return this.problem ?? '';
    }

    /** Starts following the settings file. */
    start(): void {
        const folder = nodePath.join(this.options.vaultRoot, this.options.configDir, 'plugins', 'vault-agent');
        try {
            this.watcher = watch(folder, { persistent: false }, () => void this.refresh());
            this.watcher.on('error', () => this.watcher?.close());
        } catch {
            // No such folder yet (a vault run with --default-settings): the regular look finds a file that appears.
        }
        this.timer = setInterval(() => void this.refresh(), LOOK_MS);
        this.timer.unref();
    }

    /** Reads the settings file again (a `stat` while it stands) and applies what changed; one reading at a time. */
    refresh(): Promise<void> {
        if (this.reading !== null) {
            // A change reported during a reading is read once more after it.
            this.again = true;
            return this.reading;
        }
        this.reading = this.read().finally(() => {
            this.reading = null;
            if (this.again) {
                this.again = false;
                void this.refresh();
            }
        });
        return this.reading;
    }

    /** Stops following the settings file. */
    close(): void {
        this.watcher?.close();
        this.watcher = null;
        if (this.timer !== null) clearInterval(this.timer);
        this.timer = null;
    }

    private async read(): Promise<void> {
        const { core, io, command } = this.options;
        let settings: Settings | null;
        let problem: string | null = null;
        try {
            settings = (await this.file.load()).settings;
        } catch (error) {
            settings = null;
            problem = error instanceof Error ? error.message : String(error);
        }
        // Why they cannot be used is said by the queue as it pauses (`lockedReason`); that they can again, here.
        if (problem === null && this.problem !== null) {
            io.stderr.write(`vault-agent ${command}: the settings can be used again.\n`);
        }
        this.problem = problem;
        if (settings === this.current) return;
        if (settings !== null && this.current !== null && JSON.stringify(settings) === JSON.stringify(this.current)) {
            this.current = settings;
            return;
        }
        this.current = settings;
        core.apply(settings === null ? null : { ...settings, mcp: this.options.initial.mcp });
    }
}
