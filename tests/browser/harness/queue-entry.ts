/**
 * The queue page the browser tests drive: the real queue view, enqueue modal, status-bar item and job notices over a
 * REAL `JobQueue` (leases, job notes, runner, artifacts) on the example vault held in memory, with the real SDK
 * talking to the local Messages-API server through the harness server. Notices are drawn into the page (with their
 * button) instead of Obsidian's notice layer. `window.harness` lets tests look inside.
 */
import { App, WorkspaceLeaf, installDomHelpers } from '../../support/obsidian-stub';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { Throttle } from '../../../src/agent/loop/throttle';
import { createModelClient } from '../../../src/agent/model-client';
import { SpendControl } from '../../../src/agent/spend/spend-control';
import { MemorySpendLedger } from '../../../src/agent/spend/spend-ledger';
import { CommandCatalog } from '../../../src/context/commands';
import { ExclusionGate } from '../../../src/context/exclusions';
import { MentionSuggester } from '../../../src/context/suggest';
import { JobQueue } from '../../../src/delegate/job-queue';
import { createTriggerNote } from '../../../src/delegate/trigger-spec';
import { Triggers } from '../../../src/delegate/triggers';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/kernel/settings';
import { EnqueueModal, type EnqueuePrefill } from '../../../src/views/enqueue-modal';
import { JobNotices, type NoticeAction } from '../../../src/views/job-notices';
import { QueueStatusBar } from '../../../src/views/queue-status-bar';
import { QueueView } from '../../../src/views/queue-view';
import { MemoryVault } from './memory-vault';

interface HarnessConfig {
    files: Record<string, string>;
    settings: Settings;
    apiKey: string;
    configDir: string;
}

/** Draws a notice into the page, like Obsidian's notice layer (with the button under the message). */
function pageNotice(message: string, action: NoticeAction | null): void {
    const layer = document.getElementById('notices') ?? document.body.createDiv({ attr: { id: 'notices' } });
    const notice = layer.createDiv({ cls: 'notice' });
    notice.createDiv({ cls: 'notice-message', text: message });
    if (action === null) return;
    const button = notice.createEl('button', { cls: 'vault-agent-notice-action', text: action.label });
    button.addEventListener('click', () => {
        action.run();
        notice.remove();
    });
}

async function main(): Promise<void> {
    installDomHelpers();
    const config = (await (await fetch('/config.json')).json()) as HarnessConfig;
    // The example vault's data.json names only some delegate fields; the rest come from the defaults, as migration does.
    const settings: Settings = {
        ...config.settings,
        delegate: { ...DEFAULT_SETTINGS.delegate, ...config.settings.delegate },
    };
    const vault = new MemoryVault(config.configDir, config.files);
    const gate = new ExclusionGate({ vault, privacy: settings.privacy });
    const suggester = new MentionSuggester({ vault, gate });
    await suggester.rebuild();
    const app = new App({ configDir: config.configDir });
    const opened: string[] = [];
    const openLink = (linktext: string, sourcePath: string): void => {
        opened.push(vault.resolveLink(linktext, sourcePath) ?? linktext);
    };
    const serverNotices: string[] = [];
    const queue = new JobQueue({
        vault,
        gate: () => new ExclusionGate({ vault, privacy: settings.privacy }),
        client: () =>
            createModelClient({
                secrets: { get: async () => config.apiKey },
                settings: { ...settings.model, baseUrl: `${location.origin}/model` },
            }),
        throttle: new Throttle(),
        notifier: { notify: (message) => serverNotices.push(message) },
        checkpoints: new CheckpointStore({
            vault,
            persistence: { load: async () => null, save: async () => undefined },
        }),
        settings: () => settings,
        deviceId: 'browser-harness',
        pollMs: 200,
        settleMs: 0,
        retry: { maxAttempts: 1 },
        // Trigger notes follow the in-memory vault's changes, as they follow Obsidian's in the plugin.
        extensions: [new Triggers({ follow: true })],
    });
    const spend = new SpendControl({ ledger: new MemorySpendLedger(), dailyCapUsd: 5 });
    const templates = new CommandCatalog({ vault, gate, commandsFolder: settings.guidance?.commandsFolder });
    const openModal = (prefill: EnqueuePrefill = {}): EnqueueModal => {
        const modal = new EnqueueModal(
            app as never,
            {
                enqueue: (spec) => queue.enqueue(spec),
                createTrigger: (spec) =>
                    createTriggerNote(vault, settings.delegate.jobsFolder, spec, settings.delegate.outputFolder),
                suggest: (query) => suggester.suggest(query),
                templates,
                defaults: () => ({
                    outputFolder: settings.delegate.outputFolder,
                    model: settings.model.defaultModel,
                    turns: settings.delegate.defaultBudget.turns,
                    usd: settings.delegate.defaultBudget.usd,
                    configDir: config.configDir,
                    jobsFolder: settings.delegate.jobsFolder,
                }),
            },
            prefill,
        );
        modal.open();
        return modal;
    };

    const leaf = new WorkspaceLeaf() as WorkspaceLeaf & { app: App };
    leaf.app = app;
    const view = new QueueView(leaf as never, {
        queue,
        openLink,
        newJob: () => openModal(),
        usage: () => spend.summary(),
    });
    const host = document.getElementById('sidebar');
    if (host === null) throw new Error('The harness page has no #sidebar');
    host.appendChild(view.containerEl);
    view.load();
    await view.onOpen();

    const statusEl = document.body.createDiv({ cls: 'status-bar' }).createDiv({ cls: 'status-bar-item' });
    const viewOpened: number[] = [];
    new QueueStatusBar({ el: statusEl, queue, openQueue: () => viewOpened.push(Date.now()) }).start();
    new JobNotices({ queue, openLink, show: pageNotice }).start();
    queue.start();

    Object.assign(window, {
        harness: {
            vault,
            queue,
            view,
            opened,
            viewOpened,
            serverNotices,
            openModal,
            ready: true,
        },
    });
}

main().catch((error: unknown) => {
    const pre = document.createElement('pre');
    pre.className = 'harness-error';
    pre.textContent = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    document.body.appendChild(pre);
});
