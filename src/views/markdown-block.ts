/**
 * Renders Markdown from the model into the chat through Obsidian's renderer, made safe first (see
 * `markdown-safety.ts`), and renders a streamed answer so that finished blocks are rendered once and only the growing
 * tail is re-rendered, at most every `TAIL_INTERVAL_MS`.
 */
import { MarkdownRenderer, type App, type Component } from 'obsidian';
import { StreamBlocks } from '../chat/stream-blocks';
import { neutraliseMarkdown, sanitiseRendered } from './markdown-safety';

/** Renders one piece of Markdown into `el` (swappable, so a test or the harness can count or replace renders). */
export type MarkdownRenderFn = (markdown: string, el: HTMLElement, sourcePath: string) => Promise<void>;

/** The tail is re-rendered at most this often while streaming; finished blocks are rendered as they finish. */
export const TAIL_INTERVAL_MS = 80;

/** A renderer that uses Obsidian's, owned by `component` (the view), with both safety layers. */
export function obsidianMarkdown(app: App, component: Component): MarkdownRenderFn {
    return async (markdown, el, sourcePath) => {
        await MarkdownRenderer.render(app, neutraliseMarkdown(markdown), el, sourcePath, component);
        sanitiseRendered(el);
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

    /** Adds streamed text. */
    append(delta: string): void {
        const done = this.blocks.append(delta);
        for (const block of done) this.renderBlock(block);
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
        this.blocks = new StreamBlocks();
        if (text !== '') this.append(text);
    }

    /** Ends the stream: the tail is rendered as the last block. */
    finish(): void {
        this.cancelTail();
        this.tailEl.empty();
        this.renderedTail = '';
        for (const block of this.blocks.finish()) this.renderBlock(block);
    }

    private renderBlock(markdown: string): void {
        const blockEl = createDiv({ cls: 'vault-agent-md-block' });
        this.el.insertBefore(blockEl, this.tailEl);
        this.renders++;
        void this.render(markdown, blockEl, this.sourcePath);
    }

    private scheduleTail(): void {
        if (this.timer !== null) return;
        this.timer = window.setTimeout(() => {
            this.timer = null;
            const tail = this.blocks.tail;
            if (tail === this.renderedTail) return;
            this.renderedTail = tail;
            this.tailEl.empty();
            this.renders++;
            if (tail.trim() !== '') void this.render(tail, this.tailEl, this.sourcePath);
        }, TAIL_INTERVAL_MS);
    }

    private cancelTail(): void {
        if (this.timer !== null) window.clearTimeout(this.timer);
        this.timer = null;
    }
}
