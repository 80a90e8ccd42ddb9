/**
 * Trigger notes over a real folder: the `Triggers` queue extension fed either by the CLI's file-system watcher
 * (`VaultWatcher` keeping an `FsVault` current) or by Obsidian's vault events (the stub app on the same folder, its
 * metadata cache filled as Obsidian would from each note's text). The jobs they start are read back from the jobs
 * folder on disk.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import nodePath from 'node:path';
import type { App as ObsidianApp } from 'obsidian';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { ExclusionGate } from '../../src/context/exclusions';
import { readJobNote, type JobNote } from '../../src/delegate/job-note';
import { JobStore } from '../../src/delegate/job-store';
import type { ExtensionContext } from '../../src/delegate/queue-extension';
import { Triggers } from '../../src/delegate/triggers';
import { systemClock } from '../../src/kernel/ports';
import type { PrivacySettings } from '../../src/kernel/settings';
import type { VaultPort } from '../../src/kernel/vault-port';
import { ObsidianVault } from '../../src/obsidian/obsidian-vault';
import { FsVault } from '../../src/vault/fs-vault-node';
import { VaultWatcher } from '../../src/vault/fs-vault-watch-node';
import { parseNote } from '../../src/vault/note-parser';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { App } from '../support/obsidian-stub';
import { loadVaultFromDisk } from '../support/obsidian-stub-disk';
import { CapturedNotices } from './queue-harness';

/** A trigger note as a person writes it. */
export function triggerNote(brief: string, fields: Record<string, string>): string {
    const all: Record<string, string> = { 'vault-agent': 'trigger', debounce: '0.3', ...fields };
    return ['---', ...Object.entries(all).map(([k, v]) => `${k}: ${v}`), '---', brief, ''].join('\n');
}

/** One running host: the extension, its vault and a way to look again (a scan, as the queue does on its poll). */
export interface TriggerHost {
    /** The vault the extension sees. */
    vault: VaultPort;
    /** The extension. */
    triggers: Triggers;
    /** The undo records the extension asks. */
    checkpoints: CheckpointStore;
    /** Notices. */
    notices: CapturedNotices;
    /** Runs the extension's after-scan hook (the queue does this every poll). */
    scan(): Promise<void>;
    /** What the queue hands the extension. */
    context(): Promise<ExtensionContext>;
    /** Stops following. */
    close(): Promise<void>;
}

const PRIVACY: PrivacySettings = { excludedTags: ['private'], excludedFolders: ['Secret/'] };

async function hostOn(vault: VaultPort, close: () => Promise<void>): Promise<TriggerHost> {
    const store = new JobStore({ vault, clock: systemClock });
    const checkpoints = new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() });
    const notices = new CapturedNotices();
    const triggers = new Triggers({ follow: true });
    const context = async (): Promise<ExtensionContext> => ({
        vault,
        store,
        clock: systemClock,
        notifier: notices,
        jobsFolder: 'Agent/Jobs',
        outputFolder: 'Agent/Outputs',
        jobs: (await store.list('Agent/Jobs')).flatMap((read) => (read.kind === 'job' ? [read.job] : [])),
        remember: () => undefined,
        unwritable: () => false,
        cannotWrite: () => undefined,
        gate: () => new ExclusionGate({ vault, privacy: PRIVACY }),
        checkpoints,
        wake: () => undefined,
        maxAttempts: 3,
        paused: false,
        runDeps: () => Promise.resolve(null),
    });
    const host: TriggerHost = {
        vault,
        triggers,
        checkpoints,
        notices,
        scan: async () => triggers.afterScan(await context()),
        context,
        close: async () => {
            triggers.stop();
            await close();
        },
    };
    await host.scan();
    return host;
}

/** The CLI's way: an FsVault kept current by the file-system watcher, as `vault-agent run --watch` has it. */
export async function cliHost(root: string): Promise<TriggerHost> {
    const vault = await FsVault.open(root, { configDir: '.obsidian' });
    const watcher = new VaultWatcher(vault, { debounceMs: 20 });
    watcher.start();
    const ticker = setInterval(() => void watcher.fresh().catch(() => undefined), 50);
    await waitFor(() => watcher.watching, 5_000);
    return hostOn(vault, async () => {
        clearInterval(ticker);
        await watcher.close();
    });
}

/** The plugin's way: Obsidian's vault events (the stub app on the same folder) through `ObsidianVault`. */
export async function pluginHost(root: string): Promise<{ host: TriggerHost; app: App }> {
    const app = new App();
    loadVaultFromDisk(app.vault, app.metadataCache, root);
    for (const file of app.vault.getMarkdownFiles()) indexLikeObsidian(app, file.path);
    // Obsidian parses a note after it is written and before its `changed` event; the stub does it on every write.
    const reindex = (file: { path: string }): void => indexLikeObsidian(app, file.path);
    app.vault.on('create', reindex);
    app.vault.on('modify', reindex);
    app.vault.on('rename', reindex);
    const vault = new ObsidianVault({ app: app as unknown as ObsidianApp, isDesktop: true });
    return { host: await hostOn(vault, () => Promise.resolve()), app };
}

/** Sets the metadata cache of `path` from its text, as Obsidian would index it. */
export function indexLikeObsidian(app: App, path: string): void {
    if (!path.endsWith('.md')) return;
    const file = app.vault.getFileByPath(path);
    if (file === null) return;
    const text = app.vault.backing?.read(path) ?? '';
    const meta = parseNote(text);
    const inline = (meta.tags ?? []).filter(
        (tag) => !((meta.frontmatter?.tags as string[] | undefined) ?? []).some((t) => `#${t}` === tag),
    );
    app.metadataCache.setCache(path, {
        ...(meta.frontmatter !== null ? { frontmatter: meta.frontmatter } : {}),
        tags: inline.map((tag) => ({ tag, position: { start: { line: 0 }, end: { line: 0 } } })),
    });
}

/** The jobs written to the jobs folder on disk (trigger notes left out). */
export function jobsOnDisk(root: string): JobNote[] {
    const folder = nodePath.join(root, 'Agent', 'Jobs');
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
        .filter((name) => name.endsWith('.md'))
        .flatMap((name) => {
            const read = readJobNote(`Agent/Jobs/${name}`, readFileSync(nodePath.join(folder, name), 'utf8'));
            return read.kind === 'job' ? [read.job] : [];
        });
}

/** `trigger → source` of each job a trigger started, sorted, for comparing hosts. */
export function fired(root: string): string[] {
    return jobsOnDisk(root)
        .filter((job) => job.trigger !== '')
        .map((job) => `${job.trigger} <- ${job.source}`)
        .sort();
}

/** Polls `check` until it holds. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > until) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

/** Waits `ms`. */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
