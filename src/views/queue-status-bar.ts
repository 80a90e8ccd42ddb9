/**
 * The status-bar item: "2 running · 5 queued", hidden when nothing runs or waits; a click (or Enter) opens the queue
 * view. Re-rendered only when its text changes, so a stream of progress updates costs nothing here.
 */
import type { QueueSnapshot } from '../delegate/queue-snapshot';
import type { NoticeQueue } from './job-notices';
import { statusBarText } from './queue-format';

/** What the status-bar item is built from. */
export interface QueueStatusBarOptions {
    /** The element `Plugin.addStatusBarItem()` returned. */
    el: HTMLElement;
    /** The queue. */
    queue: NoticeQueue;
    /** Opens (or reveals) the queue view. */
    openQueue(): void;
}

/** Keeps the status-bar item in step with the queue. */
export class QueueStatusBar {
    private readonly options: QueueStatusBarOptions;
    private text: string | null = null;
    private unsubscribe: (() => void) | null = null;

    constructor(options: QueueStatusBarOptions) {
        this.options = options;
        const el = options.el;
        el.addClass('vault-agent-queue-status', 'mod-clickable');
        el.setAttr('role', 'button');
        el.setAttr('tabindex', '0');
        el.setAttr('aria-label', 'Open the job queue');
        el.addEventListener('click', () => options.openQueue());
        el.addEventListener('keydown', (event: KeyboardEvent) => {
            if (event.key !== 'Enter' && event.key !== ' ') return;
            event.preventDefault();
            options.openQueue();
        });
    }

    /** Shows the queue as it is now and follows it until `stop`. */
    start(): void {
        if (this.unsubscribe !== null) return;
        this.render(this.options.queue.snapshot());
        this.unsubscribe = this.options.queue.subscribe((snapshot) => this.render(snapshot));
    }

    /** Stops following the queue. */
    stop(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
    }

    private render(snapshot: QueueSnapshot): void {
        const text = statusBarText(snapshot);
        if (text === this.text) return;
        this.text = text;
        this.options.el.setText(text);
        this.options.el.toggleClass('is-empty', text === '');
    }
}
