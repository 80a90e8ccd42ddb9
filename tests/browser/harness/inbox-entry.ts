/**
 * The review inbox page the browser tests drive: the real inbox view, its notices and status-bar item over a REAL
 * `ProposalStore` on the example vault held in memory, with proposals recorded the way a `propose` job records them
 * (a `propose`-mode ChangeController writing into the store's sink), and applied through the real review functions
 * (the ChangeController again, checkpoints for undo). Notices are drawn into the page. `window.harness` lets tests
 * look inside, propose more, and edit a note behind the inbox's back (to make a proposal stale).
 */
import { App, WorkspaceLeaf, installDomHelpers } from '../../support/obsidian-stub';
import { ChangeController } from '../../../src/agent/changes/change-controller';
import type { ProposalOrigin } from '../../../src/agent/changes/change-ports';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { buildProposal, type ProposalInput } from '../../../src/agent/changes/proposal';
import { ExclusionGate } from '../../../src/context/exclusions';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/kernel/settings';
import { proposalsFolderFor } from '../../../src/kernel/review-folder';
import type { ReviewServices } from '../../../src/review/proposal-review';
import { ProposalStore } from '../../../src/review/proposal-store';
import { reviewInbox } from '../../../src/views/inbox-port';
import { InboxView } from '../../../src/views/inbox-view';
import type { NoticeAction } from '../../../src/views/job-notices';
import { ReviewAlerts } from '../../../src/views/review-notices';
import { MemoryVault } from './memory-vault';

interface HarnessConfig {
    files: Record<string, string>;
    settings: Settings;
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

/** The job whose proposals the page starts with. */
const TIDY: ProposalOrigin = { kind: 'job', id: 'job-7f3a21c0', title: 'Tidy meeting links' };
/** An MCP client's suggestions. */
const DESKTOP: ProposalOrigin = { kind: 'mcp', id: 'claude-desktop', title: 'MCP client claude-desktop' };

async function main(): Promise<void> {
    installDomHelpers();
    const config = (await (await fetch('/config.json')).json()) as HarnessConfig;
    const settings: Settings = {
        ...config.settings,
        delegate: { ...DEFAULT_SETTINGS.delegate, ...config.settings.delegate },
    };
    const vault = new MemoryVault(config.configDir, config.files);
    const jobsFolder = settings.delegate.jobsFolder;
    const gate = (): ExclusionGate => new ExclusionGate({ vault, privacy: settings.privacy });
    const store = new ProposalStore({ vault, gate, folder: () => proposalsFolderFor(jobsFolder) });
    const checkpoints = new CheckpointStore({
        vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
    const review: ReviewServices = { store, vault, gate, checkpoints, jobsFolder: () => jobsFolder };

    /** Proposes an edit as a `propose` job would: through a ChangeController in `propose` mode. */
    const propose = async (input: ProposalInput, origin: ProposalOrigin = TIDY): Promise<string> => {
        const outcome = await new ChangeController({
            vault,
            gate: gate(),
            approvals: { request: () => Promise.reject(new Error('a propose job never asks')) },
            mode: 'propose',
            checkpoints,
            jobsFolder,
            proposals: store.sinkFor(origin),
        }).submit(buildProposal(input), { turnId: origin.id });
        if (outcome.proposed === undefined) throw new Error(outcome.message);
        return outcome.proposed.id;
    };
    /** Replaces each `[from, to]` in a note's current text, as one proposal of `origin`. */
    const proposeEdits = async (path: string, pairs: [string, string][], reason: string, origin = TIDY) => {
        const base = await vault.read(path);
        let proposed = base;
        for (const [from, to] of pairs) {
            if (!proposed.includes(from)) throw new Error(`"${from}" is not in ${path}`);
            proposed = proposed.split(from).join(to);
        }
        return propose({ kind: 'edit', path, base, proposed, reason }, origin);
    };
    const proposeEdit = (path: string, from: string, to: string, reason: string, origin = TIDY) =>
        proposeEdits(path, [[from, to]], reason, origin);

    // The MCP client's suggestion first, so the job's three proposals are the newest.
    const reading = await proposeEdit(
        'Research/Reading list.md',
        '- [ ] Bjork — desirable difficulties',
        '- [ ] Bjork — desirable difficulties (see [[Spaced repetition]])',
        'Cross-link the research notes.',
        DESKTOP,
    );
    const ids = {
        reading,
        sync: await proposeEdit(
            'Meetings/2026-11-19 Team sync.md',
            '- Dana will write the privacy section of the docs.\n- Next sync: 2026-11-26.',
            '- Dana will write the privacy section of [[Vault Agent launch|the docs]].\n- Next sync: [[2026-11-26]].',
            'Link the launch note and the next sync date.',
        ),
        globex: await proposeEdit(
            'Meetings/2026-11-18 Globex renewal.md',
            'see [[Idea - Notes that review themselves]]',
            'see [[Research/Idea - Notes that review themselves|Notes that review themselves]]',
            'Use the full path so the link survives a rename.',
        ),
        acme: await proposeEdit(
            'Meetings/2026-11-12 Acme onboarding call.md',
            '# Acme onboarding call',
            '# Meeting: Acme onboarding call',
            'Give every meeting note the same heading style.',
        ),
    };

    const app = new App({ configDir: config.configDir });
    const opened: string[] = [];
    const leaf = new WorkspaceLeaf() as WorkspaceLeaf & { app: App };
    leaf.app = app;
    const inbox = reviewInbox(() => review);
    const view = new InboxView(leaf as never, { inbox, openNote: (path) => opened.push(path) });
    const host = document.getElementById('sidebar');
    if (host === null) throw new Error('The harness page has no #sidebar');
    host.appendChild(view.containerEl);
    view.load();
    await view.onOpen();

    const statusEl = document.body.createDiv({ cls: 'status-bar' }).createDiv({ cls: 'status-bar-item' });
    const inboxOpened: number[] = [];
    const alerts = new ReviewAlerts({
        inbox,
        openInbox: () => inboxOpened.push(Date.now()),
        statusEl,
        show: pageNotice,
        settleMs: 50,
    });
    alerts.start();

    Object.assign(window, {
        harness: {
            vault,
            store,
            view,
            ids,
            opened,
            inboxOpened,
            proposeEdit,
            proposeEdits,
            /** Edits a note as the person would, behind the inbox's back. */
            editNote: async (path: string, from: string, to: string) => {
                await vault.process(path, (text) => text.split(from).join(to));
            },
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
