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

function build<K extends keyof HTMLElementTagNameMap>(tag: K, o: Info, parent: Node | null): HTMLElementTagNameMap[K] {
    const info: DomElementInfo = typeof o === 'string' ? { cls: o } : (o ?? {});
    const el = document.createElement(tag);
    const classes = [info.cls ?? []].flat().flatMap((c) => c.split(' ')).filter(Boolean);
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

/** Installs Obsidian's DOM helpers on the real DOM (browser harness only). Idempotent. */
export function installDomHelpers(): void {
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
    Object.defineProperty(Node.prototype, 'appendText', {
        value(this: Node, text: string) {
            this.appendChild(document.createTextNode(text));
        },
        configurable: true,
        writable: true,
    });
    const g = globalThis as unknown as Record<string, unknown>;
    g.createEl = (tag: keyof HTMLElementTagNameMap, o?: Info) => build(tag, o, null);
    g.createDiv = (o?: Info) => build('div', o, null);
    g.createSpan = (o?: Info) => build('span', o, null);
    g.createFragment = () => document.createDocumentFragment();
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
    addItem(cb: (item: { setTitle(t: string): unknown; setIcon(i: string): unknown; onClick(f: () => unknown): unknown }) => unknown): this {
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

/** Obsidian's renderer, here a small CommonMark subset built with `createEl`; see `renderMarkdown`. */
export const MarkdownRenderer = {
    async render(_app: App, markdown: string, el: HTMLElement, _sourcePath: string, _component: unknown): Promise<void> {
        renderMarkdown(markdown, el);
    },
};

/**
 * Renders paragraphs, headings, fenced code, lists, quotes, and inline code, emphasis, links, wikilinks
 * (`a.internal-link` with `data-href`) and images. Like Obsidian's, it creates a real `<img>` for `![](url)` and for an
 * inline `<img src>` tag (which Obsidian's sanitiser lets through), so the chat's own defences are what is tested.
 */
export function renderMarkdown(markdown: string, el: HTMLElement): void {
    const lines = markdown.split('\n');
    let i = 0;
    while (i < lines.length) {
        const line = lines[i] ?? '';
        const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
        if (fence !== null) {
            const body: string[] = [];
            i++;
            while (i < lines.length && !(lines[i] ?? '').trim().startsWith(fence[1] ?? '```')) body.push(lines[i++] ?? '');
            i++;
            el.createEl('pre').createEl('code', { text: body.join('\n') });
            continue;
        }
        const heading = /^(#{1,6})\s+(.*)$/.exec(line);
        if (heading !== null) {
            inline(el.createEl(`h${(heading[1] ?? '#').length}` as 'h1'), heading[2] ?? '');
            i++;
            continue;
        }
        if (/^\s*([-*+]|\d+\.)\s+/.test(line)) {
            const list = el.createEl(/^\s*\d/.test(line) ? 'ol' : 'ul');
            while (i < lines.length && /^\s*([-*+]|\d+\.)\s+/.test(lines[i] ?? '')) {
                inline(list.createEl('li'), (lines[i++] ?? '').replace(/^\s*([-*+]|\d+\.)\s+/, ''));
            }
            continue;
        }
        if (line.startsWith('>')) {
            const quote = el.createEl('blockquote');
            const body: string[] = [];
            while (i < lines.length && (lines[i] ?? '').startsWith('>')) body.push((lines[i++] ?? '').replace(/^>\s?/, ''));
            renderMarkdown(body.join('\n'), quote);
            continue;
        }
        if (line.trim() === '') {
            i++;
            continue;
        }
        const para: string[] = [];
        while (i < lines.length && (lines[i] ?? '').trim() !== '' && !/^(#{1,6}\s|>|\s*([-*+]|\d+\.)\s|\s{0,3}(```|~~~))/.test(lines[i] ?? '')) {
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
