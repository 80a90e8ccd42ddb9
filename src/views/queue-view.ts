/**
 * The delegate queue as an `ItemView`: jobs grouped by status with their progress (turns, tokens, elapsed, cost),
 * actions (pause/resume the queue, cancel, retry, open the job note, open the result), the pause banner, quarantined
 * job notes with their reason, template jobs with their schedule, and a usage summary. It renders from
 * `JobQueue.snapshot()` on every change, at most every `RENDER_INTERVAL_MS`, and keeps keyboard focus across renders.
 */
import { ItemView, type WorkspaceLeaf } from 'obsidian';
import type { UsageSummary } from '../agent/spend/usage-summary';
import type { JobToContinue } from '../chat/hand-over';
import { queueStateWord } from '../delegate/job-state-words';
import type { TriggerView } from '../delegate/queue-extension';
import type { JobView, QueueSnapshot } from '../delegate/queue-snapshot';
import type { NoticeQueue } from './job-notices';
import { groupJobs, linkTarget, pauseResumes, pauseTitle, progressLine, templatesOf } from './queue-format';
import { renderUsage } from './queue-usage';

/** A trigger's state in words. */
const TRIGGER_STATE_WORDS: Record<TriggerView['state'], string> = {
    active: 'Active',
    paused: 'Paused',
    unreadable: 'Cannot be read',
};

/** The queue view's type id. */
export const VIEW_TYPE_QUEUE = 'vault-agent-queue';

/** The queue's controls the view uses (a `JobQueue` fits). */
export interface QueueControls extends NoticeQueue {
    /** Stops starting jobs. */
    pause(): void;
    /** Starts jobs again. */
    resume(): void;
    /** Cancels a job. */
    cancel(path: string): Promise<void>;
    /** Queues a job again. */
    retry(path: string): Promise<void>;
}

/** What the view is built from. */
export interface QueueViewServices {
    /** The queue. */
    queue: QueueControls;
    /** Opens a link or a note path, relative to `sourcePath`. */
    openLink(linktext: string, sourcePath: string): void;
    /** Opens the enqueue modal; the "New job" button is hidden when absent. */
    newJob?(): void;
    /** Today's, this week's and per-job spend; the usage section is hidden when absent. */
    usage?(): Promise<UsageSummary>;
    /** Why the settings are locked (nothing runs), or `null`. */
    settingsProblem?(): string | null;
    /** Time, for elapsed times and countdowns. */
    now?(): number;
    /** Opens a chat that continues a finished job (its result and brief as context); no button when absent. */
    continueInChat?(job: JobToContinue): void;
}

/** At most one re-render per this many ms, however fast progress arrives. */
const RENDER_INTERVAL_MS = 150;
/** Elapsed times and countdowns tick at this pace while something runs or waits. */
const TICK_MS = 1000;
/** The usage summary is read from the ledger at most this often. */
const USAGE_INTERVAL_MS = 5000;

/** The queue view. */
export class QueueView extends ItemView {
    private snapshot: QueueSnapshot | null = null;
    private renderTimer: number | null = null;
    private lastRender = 0;
    private usage: UsageSummary | null = null;
    private usageReadAt = 0;
    private actionError = '';
    private unsubscribe: (() => void) | null = null;

    constructor(
        leaf: WorkspaceLeaf,
        private readonly services: QueueViewServices,
    ) {
        super(leaf);
    }

    getViewType(): string {
        return VIEW_TYPE_QUEUE;
    }

    getDisplayText(): string {
        return 'Job queue';
    }

    override getIcon(): string {
        return 'list-checks';
    }

    override async onOpen(): Promise<void> {
        this.contentEl.empty();
        this.contentEl.addClass('vault-agent-queue');
        this.snapshot = this.services.queue.snapshot();
        this.unsubscribe = this.services.queue.subscribe((snapshot) => {
            this.snapshot = snapshot;
            this.schedule();
        });
        const ticker = window.setInterval(() => {
            if (this.snapshot?.state === 'running' || this.snapshot?.pause?.resumesAt !== undefined) this.schedule();
        }, TICK_MS);
        this.register(() => window.clearInterval(ticker));
        this.render();
    }

    override async onClose(): Promise<void> {
        this.unsubscribe?.();
        this.unsubscribe = null;
        if (this.renderTimer !== null) window.clearTimeout(this.renderTimer);
        this.renderTimer = null;
    }

    private now(): number {
        return this.services.now?.() ?? Date.now();
    }

    /** Renders soon: right away when the last render is old enough, else once the interval has passed. */
    private schedule(): void {
        if (this.renderTimer !== null) return;
        const wait = Math.max(0, this.lastRender + RENDER_INTERVAL_MS - Date.now());
        this.renderTimer = window.setTimeout(() => {
            this.renderTimer = null;
            this.render();
        }, wait);
    }

    private render(): void {
        const snapshot = this.snapshot;
        if (snapshot === null) return;
        this.lastRender = Date.now();
        const focused = this.focusKey();
        const root = this.contentEl;
        root.empty();
        this.renderHeader(root, snapshot);
        this.renderBanners(root, snapshot);
        if (this.actionError !== '') root.createDiv({ cls: 'vault-agent-queue-error', text: this.actionError });
        const groups = groupJobs(snapshot.jobs);
        const templates = templatesOf(snapshot.jobs);
        const triggers = snapshot.triggers ?? [];
        if (
            groups.length === 0 &&
            templates.length === 0 &&
            triggers.length === 0 &&
            snapshot.quarantined.length === 0
        ) {
            root.createDiv({
                cls: 'vault-agent-queue-empty',
                text: 'No jobs yet. Delegate a brief from a note, a selection, a folder or a tag, and it runs here.',
            });
        }
        for (const group of groups) {
            const section = root.createDiv({
                cls: 'vault-agent-queue-group',
                attr: { 'data-status': group.status, role: 'group', 'aria-label': group.label },
            });
            section.createEl('h4', {
                cls: 'vault-agent-queue-group-title',
                text: `${group.label} (${group.jobs.length})`,
            });
            for (const job of group.jobs) this.renderJob(section, job);
        }
        if (templates.length > 0) this.renderTemplates(root, templates);
        if (triggers.length > 0) this.renderTriggers(root, triggers);
        if (snapshot.quarantined.length > 0) this.renderQuarantined(root, snapshot.quarantined);
        this.renderUsageSection(root, snapshot);
        this.restoreFocus(focused);
    }

    private renderHeader(root: HTMLElement, snapshot: QueueSnapshot): void {
        const header = root.createDiv({ cls: 'vault-agent-queue-header' });
        header.createEl('h3', { cls: 'vault-agent-queue-title', text: 'Job queue' });
        const state = queueStateWord(snapshot);
        header.createSpan({ cls: `vault-agent-queue-state is-${state.toLowerCase().replace(/ /g, '-')}`, text: state });
        const buttons = header.createDiv({ cls: 'vault-agent-queue-buttons' });
        if (snapshot.pause === null) {
            this.button(buttons, 'Pause queue', 'vault-agent-queue-pause', 'queue:toggle', () =>
                this.services.queue.pause(),
            );
        } else {
            this.button(buttons, 'Resume queue', 'vault-agent-queue-resume', 'queue:toggle', () =>
                this.services.queue.resume(),
            );
        }
        if (this.services.newJob !== undefined) {
            this.button(buttons, 'New job', 'vault-agent-queue-new mod-cta', 'queue:new', () =>
                this.services.newJob?.(),
            );
        }
    }

    private renderBanners(root: HTMLElement, snapshot: QueueSnapshot): void {
        const problem = this.services.settingsProblem?.() ?? null;
        if (problem !== null) {
            const banner = root.createDiv({ cls: 'vault-agent-queue-banner is-locked', attr: { role: 'alert' } });
            banner.createDiv({ cls: 'vault-agent-queue-banner-title', text: 'Paused: settings could not be read' });
            banner.createDiv({ cls: 'vault-agent-queue-banner-message', text: problem });
            banner.createDiv({ text: 'Nothing runs until they are fixed or reset in the settings tab.' });
        }
        const pause = snapshot.pause;
        if (pause === null) return;
        const banner = root.createDiv({
            cls: `vault-agent-queue-banner is-${pause.reason}`,
            attr: { role: pause.reason === 'person' ? 'status' : 'alert', 'data-reason': pause.reason },
        });
        banner.createDiv({ cls: 'vault-agent-queue-banner-title', text: pauseTitle(pause) });
        if (pause.reason !== 'person' || pause.message !== 'Paused.') {
            banner.createDiv({ cls: 'vault-agent-queue-banner-message', text: pause.message });
        }
        banner.createDiv({ cls: 'vault-agent-queue-banner-when', text: pauseResumes(pause, this.now()) });
    }

    private renderJob(parent: HTMLElement, job: JobView): void {
        const row = parent.createDiv({ cls: `vault-agent-job is-${job.status}`, attr: { 'data-path': job.path } });
        const head = row.createDiv({ cls: 'vault-agent-job-head' });
        const title = head.createEl('a', {
            cls: 'vault-agent-job-title',
            text: job.title,
            attr: { href: '#', 'data-focus': `open:${job.path}`, title: `Open the job note ${job.path}` },
        });
        title.addEventListener('click', (event) => {
            event.preventDefault();
            this.services.openLink(job.path, job.path);
        });
        if (job.template !== '') head.createSpan({ cls: 'vault-agent-job-template', text: `from ${job.template}` });
        const progress = progressLine(job, this.now());
        if (progress !== '') row.createDiv({ cls: 'vault-agent-job-progress', text: progress });
        if (job.error !== '' && job.status !== 'done') row.createDiv({ cls: 'vault-agent-job-error', text: job.error });
        const actions = row.createDiv({ cls: 'vault-agent-job-actions' });
        const target = linkTarget(job.artifact);
        if (target !== '') {
            const link = actions.createEl('a', {
                cls: 'vault-agent-job-artifact internal-link',
                text: 'Open result',
                attr: { href: '#', 'data-href': target, 'data-focus': `result:${job.path}`, title: target },
            });
            link.addEventListener('click', (event) => {
                event.preventDefault();
                this.services.openLink(target, job.path);
            });
            const services = this.services;
            if (services.continueInChat !== undefined && job.status === 'done') {
                this.button(actions, 'Continue in chat', 'vault-agent-job-continue', `chat:${job.path}`, async () =>
                    services.continueInChat?.({ jobPath: job.path, resultPath: target, title: job.title }),
                );
            }
        }
        if (['queued', 'running', 'interrupted', 'needs-approval'].includes(job.status)) {
            this.button(actions, 'Cancel', 'vault-agent-job-cancel', `cancel:${job.path}`, () =>
                this.services.queue.cancel(job.path),
            );
        }
        if (['failed', 'cancelled', 'interrupted'].includes(job.status)) {
            this.button(actions, 'Retry', 'vault-agent-job-retry', `retry:${job.path}`, () =>
                this.services.queue.retry(job.path),
            );
        }
    }

    private renderTemplates(root: HTMLElement, templates: JobView[]): void {
        const section = root.createDiv({ cls: 'vault-agent-queue-group', attr: { 'data-status': 'template' } });
        section.createEl('h4', { cls: 'vault-agent-queue-group-title', text: `Scheduled (${templates.length})` });
        for (const job of templates) {
            const row = section.createDiv({ cls: 'vault-agent-job is-template', attr: { 'data-path': job.path } });
            const title = row.createEl('a', {
                cls: 'vault-agent-job-title',
                text: job.title,
                attr: { href: '#', 'data-focus': `open:${job.path}` },
            });
            title.addEventListener('click', (event) => {
                event.preventDefault();
                this.services.openLink(job.path, job.path);
            });
            row.createDiv({ cls: 'vault-agent-job-progress', text: job.schedule });
        }
    }

    /** Trigger notes: what starts them, whether they are active, paused or unreadable, and this hour's jobs. */
    private renderTriggers(root: HTMLElement, triggers: TriggerView[]): void {
        const section = root.createDiv({
            cls: 'vault-agent-queue-group',
            attr: { 'data-status': 'trigger', role: 'group', 'aria-label': 'Triggers' },
        });
        section.createEl('h4', { cls: 'vault-agent-queue-group-title', text: `Triggers (${triggers.length})` });
        for (const trigger of triggers) {
            const row = section.createDiv({
                cls: `vault-agent-job vault-agent-trigger is-${trigger.state}`,
                attr: { 'data-path': trigger.path },
            });
            const head = row.createDiv({ cls: 'vault-agent-job-head' });
            const title = head.createEl('a', {
                cls: 'vault-agent-job-title',
                text: trigger.title,
                attr: { href: '#', 'data-focus': `open:${trigger.path}` },
            });
            title.addEventListener('click', (event) => {
                event.preventDefault();
                this.services.openLink(trigger.path, trigger.path);
            });
            head.createSpan({ cls: 'vault-agent-trigger-state', text: TRIGGER_STATE_WORDS[trigger.state] });
            if (trigger.when !== '') row.createDiv({ cls: 'vault-agent-job-progress', text: `When ${trigger.when}` });
            if (trigger.state !== 'unreadable') {
                const last =
                    trigger.last === ''
                        ? 'never started a job'
                        : `last started ${trigger.last.slice(0, 16).replace('T', ' ')}`;
                row.createDiv({
                    cls: 'vault-agent-trigger-counts',
                    text: `${trigger.lastHour} of ${trigger.maxPerHour} jobs this hour · ${last}`,
                });
            }
            if (trigger.reason !== '') {
                row.createDiv({
                    cls: trigger.state === 'active' ? 'vault-agent-job-progress' : 'vault-agent-job-error',
                    text: trigger.reason,
                });
            }
        }
    }

    private renderQuarantined(root: HTMLElement, notes: QueueSnapshot['quarantined']): void {
        const section = root.createDiv({ cls: 'vault-agent-queue-group', attr: { 'data-status': 'quarantined' } });
        section.createEl('h4', { cls: 'vault-agent-queue-group-title', text: `Left as they are (${notes.length})` });
        section.createDiv({
            cls: 'vault-agent-queue-hint',
            text: 'These job notes could not be read or written, so they were left exactly as they are. Fix them and they join the queue.',
        });
        for (const note of notes) {
            const row = section.createDiv({ cls: 'vault-agent-quarantined', attr: { 'data-path': note.path } });
            const title = row.createEl('a', {
                cls: 'vault-agent-job-title',
                text: note.path,
                attr: { href: '#', 'data-focus': `open:${note.path}` },
            });
            title.addEventListener('click', (event) => {
                event.preventDefault();
                this.services.openLink(note.path, note.path);
            });
            row.createDiv({ cls: 'vault-agent-job-error', text: note.reason });
        }
    }

    private renderUsageSection(root: HTMLElement, snapshot: QueueSnapshot): void {
        if (this.services.usage === undefined) return;
        const section = root.createDiv({ cls: 'vault-agent-queue-usage' });
        if (this.usage !== null) renderUsage(section, this.usage, snapshot.jobs);
        if (Date.now() - this.usageReadAt < USAGE_INTERVAL_MS) return;
        this.usageReadAt = Date.now();
        const reading = this.services.usage();
        reading.then(
            (usage) => {
                this.usage = usage;
                section.empty();
                renderUsage(section, usage, this.snapshot?.jobs ?? []);
            },
            () => {
                section.empty();
                section.createDiv({ cls: 'vault-agent-queue-hint', text: 'Usage could not be read.' });
            },
        );
    }

    /** A button that remembers its focus key and shows a failure inline instead of throwing it. */
    private button(parent: HTMLElement, text: string, cls: string, key: string, run: () => unknown): HTMLElement {
        const button = parent.createEl('button', { cls, text, attr: { 'data-focus': key } });
        button.addEventListener('click', () => {
            this.actionError = '';
            Promise.resolve()
                .then(run)
                .catch((e: unknown) => {
                    this.actionError = `${text} did not work: ${e instanceof Error ? e.message : String(e)}`;
                    this.schedule();
                });
        });
        return button;
    }

    private focusKey(): string | null {
        const active = this.contentEl.ownerDocument.activeElement;
        if (active === null || !this.contentEl.contains(active)) return null;
        return active.getAttribute('data-focus');
    }

    private restoreFocus(key: string | null): void {
        if (key === null) return;
        const candidates = Array.from(this.contentEl.querySelectorAll<HTMLElement>('[data-focus]'));
        candidates.find((el) => el.getAttribute('data-focus') === key)?.focus();
    }
}
