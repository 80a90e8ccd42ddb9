/**
 * The stub's browser side: Obsidian's element helpers installed on the REAL DOM (`createEl`, `empty`, `setText`, …,
 * which Obsidian adds to `HTMLElement.prototype`), `MarkdownRenderer` with a small Markdown renderer that builds DOM
 * with `createEl` only (never `innerHTML`), `setIcon`, `Modal` and `Menu`. Re-exported by `obsidian-stub.ts`. Nothing
 * here touches the DOM at import time, so Node tests that import the stub are unaffected; the browser harness calls
 * `installDomHelpers()` once before mounting views.
 */
import type { App } from './obsidian-stub';

/** What Obsidian's `createEl` accepts. */
export interface DomElementInfo {
    /** Classes (a string may hold several, space separated). */
    cls?: string | string[];
    /** Text content. */
    text?: string;
    /** Attributes. */
    attr?: Record<string, string | number | boolean | null>;
    /** Title attribute. */
    title?: string;
    /** Parent to append to. */
    parent?: Node;
    /** `value` of inputs and options. */
    value?: string;
    /** `type` of inputs and buttons. */
    type?: string;
    /** Placeholder of inputs. */
    placeholder?: string;
    /** `href` of links. */
    href?: string;
    /** Insert as first child instead of last. */
    prepend?: boolean;
}

type Info = DomElementInfo | string | undefined;

function build<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    o: Info,
    parent: Node | null,
    doc: Document = parent?.ownerDocument ?? document,
): HTMLElementTagNameMap[K] {
    const info: DomElementInfo = typeof o === 'string' ? { cls: o } : (o ?? {});
    const el = doc.createElement(tag);
    const classes = [info.cls ?? []]
        .flat()
        .flatMap((c) => c.split(' '))
        .filter(Boolean);
    if (classes.length > 0) el.classList.add(...classes);
    if (info.text !== undefined) el.textContent = info.text;
    if (info.title !== undefined) el.title = info.title;
    for (const [name, value] of Object.entries(info.attr ?? {})) {
        if (value !== null && value !== false) el.setAttribute(name, value === true ? '' : String(value));
    }
    for (const key of ['value', 'type', 'placeholder', 'href'] as const) {
        if (info[key] !== undefined) el.setAttribute(key, info[key]);
    }
    if (info.value !== undefined && 'value' in el) (el as unknown as { value: string }).value = info.value;
    const target = info.parent ?? parent;
    if (target !== null) {
        if (info.prepend === true) target.insertBefore(el, target.firstChild);
        else target.appendChild(el);
    }
    return el;
}

/**
 * Installs Obsidian's DOM helpers on the real DOM of `win` (browser harness only; Obsidian installs them in every
 * window, pop-outs included). Idempotent. Elements are made by the document of the element (or window) asked.
 */
export function installDomHelpers(win: Window & typeof globalThis = window): void {
    const HTMLElement = win.HTMLElement;
    const proto = HTMLElement.prototype as unknown as Record<string, unknown>;
    if (typeof proto.createEl === 'function') return;
    const helpers: Record<string, unknown> = {
        createEl(this: HTMLElement, tag: keyof HTMLElementTagNameMap, o?: Info, cb?: (el: HTMLElement) => void) {
            const el = build(tag, o, this);
            cb?.(el);
            return el;
        },
        createDiv(this: HTMLElement, o?: Info) {
            return build('div', o, this);
        },
        createSpan(this: HTMLElement, o?: Info) {
            return build('span', o, this);
        },
        empty(this: HTMLElement) {
            while (this.firstChild) this.removeChild(this.firstChild);
        },
        setText(this: HTMLElement, text: string) {
            this.textContent = text;
        },
        addClass(this: HTMLElement, ...classes: string[]) {
            this.classList.add(...classes.flatMap((c) => c.split(' ')).filter(Boolean));
        },
        addClasses(this: HTMLElement, classes: string[]) {
            this.classList.add(...classes);
        },
        removeClass(this: HTMLElement, ...classes: string[]) {
            this.classList.remove(...classes);
        },
        toggleClass(this: HTMLElement, cls: string, on: boolean) {
            this.classList.toggle(cls, on);
        },
        hasClass(this: HTMLElement, cls: string) {
            return this.classList.contains(cls);
        },
        setAttr(this: HTMLElement, name: string, value: string | number | boolean | null) {
            if (value === null) this.removeAttribute(name);
            else this.setAttribute(name, String(value));
        },
        setAttrs(this: HTMLElement, attrs: Record<string, string | number | boolean | null>) {
            for (const [name, value] of Object.entries(attrs)) this.setAttr(name, value);
        },
        getAttr(this: HTMLElement, name: string) {
            return this.getAttribute(name);
        },
        show(this: HTMLElement) {
            this.style.removeProperty('display');
        },
        hide(this: HTMLElement) {
            // Obsidian's own hide() sets `display: none` inline.
            Object.assign(this.style, { display: 'none' });
        },
        isShown(this: HTMLElement) {
            return this.style.display !== 'none';
        },
        detach(this: HTMLElement) {
            this.remove();
        },
    };
    for (const [name, fn] of Object.entries(helpers)) {
        Object.defineProperty(HTMLElement.prototype, name, { value: fn, configurable: true, writable: true });
    }
    Object.defineProperty(win.Node.prototype, 'appendText', {
        value(this: Node, text: string) {
            this.appendChild((this.ownerDocument ?? win.document).createTextNode(text));
        },
        configurable: true,
        writable: true,
    });
    // Obsidian's `node.doc` / `node.win`: the document and window a node belongs to.
    Object.defineProperty(win.Node.prototype, 'doc', {
        get(this: Node) {
            return this.ownerDocument ?? (this as Document);
        },
        configurable: true,
    });
    Object.defineProperty(win.Node.prototype, 'win', {
        get(this: Node) {
            return (this.ownerDocument ?? (this as Document)).defaultView ?? win;
        },
        configurable: true,
    });
    const g = win as unknown as Record<string, unknown>;
    g.createEl = (tag: keyof HTMLElementTagNameMap, o?: Info) => build(tag, o, null, win.document);
    g.createDiv = (o?: Info) => build('div', o, null, win.document);
    g.createSpan = (o?: Info) => build('span', o, null, win.document);
    g.createFragment = () => win.document.createDocumentFragment();
}

/** Icons: a labelled empty `svg`-free span, so layout and accessibility match without shipping icon art. */
export function setIcon(el: HTMLElement, name: string): void {
    el.empty();
    el.createSpan({ cls: `stub-icon stub-icon-${name}`, attr: { 'aria-hidden': 'true' } });
}

/** A small dialog over the page. */
export class Modal {
    containerEl: HTMLElement;
    modalEl: HTMLElement;
    contentEl: HTMLElement;
    titleEl: HTMLElement;
    constructor(public app: App) {
        this.containerEl = createDiv({ cls: 'modal-container' });
        this.modalEl = this.containerEl.createDiv({ cls: 'modal' });
        this.titleEl = this.modalEl.createDiv({ cls: 'modal-title' });
        this.contentEl = this.modalEl.createDiv({ cls: 'modal-content' });
    }
    open(): void {
        document.body.appendChild(this.containerEl);
        this.onOpen();
    }
    close(): void {
        this.containerEl.remove();
        this.onClose();
    }
    setTitle(title: string): this {
        this.titleEl.setText(title);
        return this;
    }
    onOpen(): void {}
    onClose(): void {}
}

/** A context menu: items are kept so a test can run them. */
export class Menu {
    /** Items added, in order (test helper). */
    items: { title: string; onClick: () => unknown }[] = [];
    addItem(
        cb: (item: {
            setTitle(t: string): unknown;
            setIcon(i: string): unknown;
            onClick(f: () => unknown): unknown;
        }) => unknown,
    ): this {
        const entry = { title: '', onClick: (): unknown => undefined };
        const item = {
            setTitle: (t: string) => ((entry.title = t), item),
            setIcon: () => item,
            onClick: (f: () => unknown) => ((entry.onClick = f), item),
        };
        cb(item);
        this.items.push(entry);
        return this;
    }
    showAtMouseEvent(_event: MouseEvent): void {}
}

/** What a processor is given besides the element (the parts of Obsidian's context the tests look at). */
export interface MarkdownPostProcessorContext {
    /** The note the Markdown belongs to. */
    sourcePath: string;
    /** Frontmatter of the note (none here). */
    frontmatter: unknown;
    /** Keeps a child component alive with the rendered element. */
    addChild(child: unknown): void;
    /** Where the section came from (unknown here). */
    getSectionInfo(el: HTMLElement): null;
}

/** A post-processor, as `Plugin.registerMarkdownPostProcessor` takes it. */
export type MarkdownPostProcessor = (el: HTMLElement, ctx: MarkdownPostProcessorContext) => Promise<unknown> | void;
/** A code-block processor, as `Plugin.registerMarkdownCodeBlockProcessor` takes it. */
export type CodeBlockProcessor = (
    source: string,
    el: HTMLElement,
    ctx: MarkdownPostProcessorContext,
) => Promise<unknown> | void;

/**
 * The app-wide processor registry, like Obsidian's: every plugin's code-block processors (by language) and
 * post-processors run on everything `MarkdownRenderer.render` renders, whoever asked for the render.
 */
export const markdownProcessors = {
    codeBlocks: new Map<string, CodeBlockProcessor>(),
    post: [] as MarkdownPostProcessor[],
};

/** Obsidian's static registry of post-processors. */
export const MarkdownPreviewRenderer = {
    registerPostProcessor(processor: MarkdownPostProcessor): void {
        markdownProcessors.post.push(processor);
    },
    unregisterPostProcessor(processor: MarkdownPostProcessor): void {
        const at = markdownProcessors.post.indexOf(processor);
        if (at >= 0) markdownProcessors.post.splice(at, 1);
    },
};

/**
 * Obsidian's renderer, here a small CommonMark subset built with `createEl`; see `renderMarkdown`. Like Obsidian's,
 * it hands every fenced block whose language has a registered processor to that processor (in a
 * `div.block-language-<lang>`), and then runs every registered post-processor over what it rendered, before the
 * returned promise settles. What it cannot show: Obsidian's exact parser (tables, footnotes, HTML blocks, lazy
 * continuation); the fence, list, quote and indented-code rules that decide what becomes code are followed.
 */
export const MarkdownRenderer = {
    async render(_app: App, markdown: string, el: HTMLElement, sourcePath: string, _component: unknown): Promise<void> {
        const ctx: MarkdownPostProcessorContext = {
            sourcePath,
            frontmatter: null,
            addChild: () => undefined,
            getSectionInfo: () => null,
        };
        const pending: Promise<unknown>[] = [];
        renderMarkdown(markdown, el, (language, source, block) => {
            const processor = markdownProcessors.codeBlocks.get(language);
            if (processor === undefined) return false;
            pending.push(Promise.resolve(processor(source, block, ctx)));
            return true;
        });
        await Promise.all(pending);
        for (const processor of [...markdownProcessors.post]) await processor(el, ctx);
    },
};

/** Hands a fenced block to a registered processor; false when none is registered for its language. */
type CodeBlockHook = (language: string, source: string, el: HTMLElement) => boolean;

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])([ \t]+|$)/;

function columns(text: string): number {
    return (/^[ \t]*/.exec(text)?.[0] ?? '').replace(/\t/g, '    ').length;
}

/**
 * Renders paragraphs, headings, fenced code (backticks or tildes, closed by a fence of the same character at least as
 * long, or by the end of its container), indented code, lists (whose items hold blocks), quotes and callouts, and
 * inline code, emphasis, links, wikilinks (`a.internal-link` with `data-href`) and images. Like Obsidian's, it creates
 * a real `<img>` for `![](url)` and for an inline `<img src>` tag (which Obsidian's sanitiser lets through), so the
 * chat's own defences are what is tested. Line endings are `\n`, `\r\n` or `\r`, as in CommonMark.
 */
export function renderMarkdown(markdown: string, el: HTMLElement, hook: CodeBlockHook = () => false): void {
    const lines = markdown.split(/\r\n|\r|\n/);
    let i = 0;
    while (i < lines.length) {
        const line = lines[i] ?? '';
        const fence = FENCE_OPEN.exec(line);
        if (fence !== null && !((fence[2] ?? '').startsWith('`') && (fence[3] ?? '').includes('`'))) {
            const run = fence[2] ?? '```';
            const indent = (fence[1] ?? '').length;
            const body: string[] = [];
            i++;
            while (i < lines.length) {
                const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines[i] ?? '')?.[1];
                if (close !== undefined && close[0] === run[0] && close.length >= run.length) break;
                body.push((lines[i++] ?? '').replace(new RegExp(`^ {0,${indent}}`), ''));
            }
            i++;
            const language = ((fence[3] ?? '').trim().split(/\s+/)[0] ?? '').toLowerCase();
            const source = body.join('\n');
            const block = createDiv({ cls: `block-language-${language}` });
            if (language !== '' && hook(language, source, block)) {
                el.appendChild(block);
            } else {
                const code = el.createEl('pre').createEl('code', { text: source });
                if (language !== '') code.addClass(`language-${language}`);
            }
            continue;
        }
        if (columns(line) >= 4 && line.trim() !== '') {
            const body: string[] = [];
            while (i < lines.length && (columns(lines[i] ?? '') >= 4 || (lines[i] ?? '').trim() === '')) {
                body.push((lines[i++] ?? '').replace(/^( {4}|\t| {0,3}\t)/, ''));
            }
            while (body.length > 0 && (body[body.length - 1] ?? '').trim() === '') body.pop();
            el.createEl('pre').createEl('code', { text: body.join('\n') });
            continue;
        }
        const heading = /^ {0,3}(#{1,6})\s+(.*)$/.exec(line);
        if (heading !== null) {
            inline(el.createEl(`h${(heading[1] ?? '#').length}` as 'h1'), heading[2] ?? '');
            i++;
            continue;
        }
        if (LIST_ITEM.test(line)) {
            const list = el.createEl(/^\s*\d/.test(line) ? 'ol' : 'ul');
            while (i < lines.length && LIST_ITEM.test(lines[i] ?? '')) {
                const first = lines[i++] ?? '';
                const found = LIST_ITEM.exec(first);
                const bare = `${found?.[1] ?? ''}${found?.[2] ?? ''}`;
                // Five or more columns after the marker: the content starts one column after it (indented code).
                const gap = columns(found?.[3] ?? '');
                const rest = first.slice(bare.length).replace(/\t/g, '    ');
                const width = gap >= 5 || rest.trim() === '' ? 1 : gap;
                const offset = bare.length + width;
                const item = [rest.slice(width)];
                // The item holds the lines indented at least to its content, and blank lines between them.
                while (i < lines.length) {
                    const next = lines[i] ?? '';
                    if (next.trim() === '') {
                        const after = lines.slice(i + 1).find((l) => l.trim() !== '');
                        if (after === undefined || columns(after) < offset) break;
                        item.push('');
                        i++;
                        continue;
                    }
                    if (columns(next) < offset) break;
                    item.push(next.replace(/\t/g, '    ').slice(offset));
                    i++;
                }
                const li = list.createEl('li');
                renderMarkdown(item.join('\n'), li, hook);
                // A tight item holds its text directly, as Obsidian renders it.
                const only = li.firstElementChild;
                if (li.childElementCount === 1 && only?.tagName === 'P')
                    only.replaceWith(...Array.from(only.childNodes));
            }
            continue;
        }
        if (/^ {0,3}>/.test(line)) {
            const quote = el.createEl('blockquote');
            const body: string[] = [];
            while (i < lines.length && /^ {0,3}>/.test(lines[i] ?? ''))
                body.push((lines[i++] ?? '').replace(/^ {0,3}> ?/, ''));
            renderMarkdown(body.join('\n'), quote, hook);
            continue;
        }
        if (line.trim() === '') {
            i++;
            continue;
        }
        const para: string[] = [];
        while (
            i < lines.length &&
            (lines[i] ?? '').trim() !== '' &&
            !/^ {0,3}(#{1,6}\s|>|([-*+]|\d{1,9}[.)])(\s|$)|```|~~~)/.test(lines[i] ?? '')
        ) {
            para.push(lines[i++] ?? '');
        }
        inline(el.createEl('p'), para.join('\n'));
    }
}

const INLINE =
    /(\\[\\`*_[\]()!#<>&])|(`+)([^`]*?)\2|!\[([^\]]*)\]\(([^)\s]*)\)|\[\[([^\]|]+)(?:\|([^\]]+))?\]\]|\[([^\]]*)\]\(([^)\s]*)\)|\*\*([^*]+)\*\*|\*([^*]+)\*|<img\s[^>]*?src="([^"]*)"[^>]*>|&(lt|gt|amp|quot);/g;

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function inline(el: HTMLElement, text: string): void {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
        const at = m.index ?? 0;
        if (at > last) el.appendText(text.slice(last, at));
        last = at + m[0].length;
        if (m[1] !== undefined) el.appendText(m[1].slice(1));
        else if (m[2] !== undefined) el.createEl('code', { text: m[3] ?? '' });
        else if (m[5] !== undefined) el.createEl('img', { attr: { src: m[5], alt: m[4] ?? '' } });
        else if (m[6] !== undefined) {
            el.createEl('a', { cls: 'internal-link', text: m[7] ?? m[6], attr: { 'data-href': m[6], href: m[6] } });
        } else if (m[9] !== undefined) {
            const a = el.createEl('a', { attr: { href: m[9] } });
            a.addClass(/^https?:/i.test(m[9]) ? 'external-link' : 'internal-link');
            inline(a, m[8] ?? '');
        } else if (m[10] !== undefined) inline(el.createEl('strong'), m[10]);
        else if (m[11] !== undefined) inline(el.createEl('em'), m[11]);
        else if (m[12] !== undefined) el.createEl('img', { attr: { src: m[12] } });
        else if (m[13] !== undefined) el.appendText(ENTITIES[m[13]] ?? '');
    }
    if (last < text.length) el.appendText(text.slice(last));
}
