/**
 * Telling the person that changes wait for review: a notice ("7 changes to review from 'Tidy meeting links'") with a
 * *Review* button, and a status-bar item ("7 to review") that opens the inbox. The notice comes when proposals are
 * waiting as the plugin starts and whenever more arrive, once per burst (a job proposing seven changes gives one
 * notice, not seven); deciding proposals never raises one.
 */
import { reviewNoticeText, reviewStatusText } from './inbox-format';
import type { InboxListing, InboxPort } from './inbox-port';
import { obsidianNotice, type ShowNotice } from './job-notices';

/** What the notices and the status-bar item are built from. */
export interface ReviewAlertsOptions {
    /** The proposals (only `list` and `subscribe` are used). */
    inbox: Pick<InboxPort, 'list' | 'subscribe'>;
    /** Opens (or reveals) the inbox view. */
    openInbox(): void;
    /** The element `Plugin.addStatusBarItem()` returned; no status-bar item when absent. */
    statusEl?: HTMLElement;
    /** Shows the notice; Obsidian's `Notice` when absent. */
    show?: ShowNotice;
    /** How long to gather arrivals into one notice, ms. */
    settleMs?: number;
}

/** Default wait before announcing a burst of new proposals. */
const SETTLE_MS = 1500;

/** The notices and the status-bar item of the review inbox. */
export class ReviewAlerts {
    private readonly options: ReviewAlertsOptions;
    private readonly show: ShowNotice;
    private unsubscribe: (() => void) | null = null;
    /** Pending proposals when the person was last told (or last decided some). */
    private announced = 0;
    private timer: number | null = null;
    private statusText: string | null = null;
    private reading = 0;

    constructor(options: ReviewAlertsOptions) {
        this.options = options;
        this.show = options.show ?? obsidianNotice;
        const el = options.statusEl;
        if (el === undefined) return;
        el.addClass('vault-agent-review-status', 'mod-clickable', 'is-empty');
        el.setAttr('role', 'button');
        el.setAttr('tabindex', '0');
        el.setAttr('aria-label', 'Open the review inbox');
        el.addEventListener('click', () => options.openInbox());
        el.addEventListener('keydown', (event: KeyboardEvent) => {
            if (event.key !== 'Enter' && event.key !== ' ') return;
            event.preventDefault();
            options.openInbox();
        });
    }

    /** Reads the proposals now (a notice when some wait) and follows them until `stop`. */
    start(): void {
        if (this.unsubscribe !== null) return;
        this.unsubscribe = this.options.inbox.subscribe(() => this.later());
        void this.check();
    }

    /** Stops following. */
    stop(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
        if (this.timer !== null) window.clearTimeout(this.timer);
        this.timer = null;
    }

    private later(): void {
        if (this.timer !== null) window.clearTimeout(this.timer);
        this.timer = window.setTimeout(() => {
            this.timer = null;
            void this.check();
        }, this.options.settleMs ?? SETTLE_MS);
    }

    private async check(): Promise<void> {
        const turn = ++this.reading;
        let listing: InboxListing;
        try {
            listing = await this.options.inbox.list();
        } catch {
            return; // Unreadable now (settings locked): the next change tries again.
        }
        if (turn !== this.reading || this.unsubscribe === null) return;
        this.renderStatus(listing);
        const waiting = listing.count - listing.withheld;
        if (waiting > this.announced) {
            this.show(reviewNoticeText(listing), { label: 'Review', run: () => this.options.openInbox() });
        }
        this.announced = waiting;
    }

    private renderStatus(listing: InboxListing): void {
        const el = this.options.statusEl;
        if (el === undefined) return;
        const text = reviewStatusText(listing);
        if (text === this.statusText) return;
        this.statusText = text;
        el.setText(text);
        el.toggleClass('is-empty', text === '');
    }
}
