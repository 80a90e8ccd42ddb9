/**
 * Renders Markdown from the model into the chat through Obsidian's renderer, made safe first (see
 * `markdown-safety.ts`), and renders a streamed answer so that finished blocks are rendered once and only the growing
 * tail is re-rendered, at most every `TAIL_INTERVAL_MS`.
 */
import { MarkdownRenderer, type App, type Component } from 'obsidian';
import { StreamBlocks } from '../chat/stream-blocks';
import { prepareMarkdown, restoreCode, sanitiseRendered } from './markdown-safety';

/** Renders one piece of Markdown into `el` (swappable, so a test or the harness can count or replace renders). */
export type MarkdownRenderFn = (markdown: string, el: HTMLElement, sourcePath: string) => Promise<void>;

/** The tail is re-rendered at most this often while streaming; finished blocks are rendered as they finish. */
export const TAIL_INTERVAL_MS = 80;
/** Rendering finished blocks stops after this many milliseconds per task and resumes on the next tick. */
const SLICE_MS = 12;

/**
 * A renderer that uses Obsidian's, owned by `component` (the view), with both safety layers. Code is shown by us, as
 * text, after Obsidian's renderer (and every processor other plugins registered with it) has finished.
 */
export function obsidianMarkdown(app: App, component: Component): MarkdownRenderFn {
    return async (markdown, el, sourcePath) => {
        const prepared = prepareMarkdown(markdown);
        await MarkdownRenderer.render(app, prepared.markdown, el, sourcePath, component);
        sanitiseRendered(el);
        restoreCode(el, prepared);
    };
}

/** One streamed answer in the transcript. */
export class StreamingMarkdown {
    private blocks = new StreamBlocks();
    private readonly el: HTMLElement;
    private readonly tailEl: HTMLElement;
    private readonly render: MarkdownRenderFn;
    private readonly sourcePath: string;
    private timer: number | null = null;
    private readonly queue: string[] = [];
    private renderedTail = '';
    /** Blocks and tail renders done, for the benchmark and tests. */
    renders = 0;

    constructor(options: { parent: HTMLElement; render: MarkdownRenderFn; sourcePath?: string }) {
        this.el = options.parent.createDiv({ cls: 'vault-agent-markdown' });
        this.tailEl = this.el.createDiv({ cls: 'vault-agent-md-tail' });
        this.render = options.render;
        this.sourcePath = options.sourcePath ?? '';
    }

    /** The element holding the answer. */
    get element(): HTMLElement {
        return this.el;
    }

    /** Adds streamed text. Finished blocks are queued and rendered in small slices, so no task grows long. */
    append(delta: string): void {
        const done = this.blocks.append(delta);
        this.queue.push(...done);
        if (done.length > 0) {
            this.tailEl.empty();
            this.renderedTail = '';
        }
        this.scheduleTail();
    }

    /** Replaces everything with `text` (a retried attempt, or a stored answer). */
    reset(text: string): void {
        this.cancelTail();
        this.el.empty();
        this.el.appendChild(this.tailEl);
        this.tailEl.empty();
        this.renderedTail = '';
        this.queue.length = 0;
        this.blocks = new StreamBlocks();
        if (text !== '') this.append(text);
    }

    /** Ends the stream: the tail becomes the last block; what is still queued renders in the next slices. */
    finish(): void {
        this.cancelTail();
        this.tailEl.empty();
        this.renderedTail = '';
        this.queue.push(...this.blocks.finish());
        if (this.queue.length > 0) this.scheduleTail(0);
    }

    private renderBlock(markdown: string): void {
        const blockEl = createDiv({ cls: 'vault-agent-md-block' });
        this.el.insertBefore(blockEl, this.tailEl);
        this.renders++;
        void this.render(markdown, blockEl, this.sourcePath);
    }

    private scheduleTail(delay = TAIL_INTERVAL_MS): void {
        if (this.timer !== null) return;
        this.timer = window.setTimeout(() => {
            this.timer = null;
            const started = performance.now();
            while (this.queue.length > 0 && performance.now() - started < SLICE_MS) {
                this.renderBlock(this.queue.shift() ?? '');
            }
            if (this.queue.length > 0) {
                this.scheduleTail(0);
                return;
            }
            const tail = this.blocks.tail;
            if (tail === this.renderedTail) return;
            this.renderedTail = tail;
            this.tailEl.empty();
            this.renders++;
            if (tail.trim() !== '') void this.render(tail, this.tailEl, this.sourcePath);
        }, delay);
    }

    private cancelTail(): void {
        if (this.timer !== null) window.clearTimeout(this.timer);
        this.timer = null;
    }
}
