/**
 * A small, faithful in-memory stand-in for the parts of the Obsidian API the plugin uses. vitest aliases `obsidian`
 * here; the bundle-load test bundles this file into a vm. It must not use Node APIs (a browser harness loads it too).
 * It grows only when a test needs it. Test-only helpers are marked "test helper".
 */

import { FileManager, MetadataCache, SecretStorage, Vault, Workspace } from './obsidian-stub-vault';
import type { CachedMetadata, EventRef } from './obsidian-stub-vault';
import { createContainer, type PluginSettingTab } from './obsidian-stub-ui';
import { markdownProcessors, type CodeBlockProcessor, type MarkdownPostProcessor } from './obsidian-stub-dom';

export * from './obsidian-stub-vault';
export * from './obsidian-stub-ui';

/** Obsidian's `normalizePath`: `/` separators, no duplicate/leading/trailing slashes, no NBSP, Unicode NFC. */
export function normalizePath(path: string): string {
    const cleaned = path
        .replace(/[\\/]+/g, '/')
        .replace(/^\/+|\/+$/g, '')
        .replace(/\u00A0|\u202F/g, ' ');
    return cleaned === '' ? '/' : cleaned.normalize('NFC');
}

/** The app: one vault, its caches and managers, and `pluginData` standing in for each plugin's `data.json` text. */
export class App {
    vault: Vault;
    metadataCache: MetadataCache;
    fileManager: FileManager;
    workspace = new Workspace();
    secretStorage = new SecretStorage();
    /** Raw `data.json` text by plugin id; `undefined` = no file (test helper). */
    pluginData = new Map<string, string>();
    constructor(options: { configDir?: string } = {}) {
        this.vault = new Vault(options.configDir);
        this.metadataCache = new MetadataCache(this.vault);
        this.fileManager = new FileManager(this.vault);
        const prefix = `${this.vault.configDir}/plugins/`;
        this.vault.adapter = {
            exists: (path) => {
                const id = path.startsWith(prefix) && path.endsWith('/data.json') ? path.slice(prefix.length, -10) : '';
                return Promise.resolve(id !== '' && !id.includes('/') && this.pluginData.has(id));
            },
        };
    }
}

/** Lifecycle with `register*` cleanup, like Obsidian's `Component`. */
export class Component {
    private cleanups: (() => unknown)[] = [];
    private loaded = false;
    load(): void {
        this.loaded = true;
        void this.onload();
    }
    onload(): void | Promise<void> {}
    unload(): void {
        this.cleanups
            .splice(0)
            .reverse()
            .forEach((cb) => cb());
        if (this.loaded) this.onunload();
        this.loaded = false;
    }
    onunload(): void {}
    register(cb: () => unknown): void {
        this.cleanups.push(cb);
    }
    registerEvent(ref: EventRef): void {
        this.register(() => ref.owner.offref(ref));
    }
    addChild<T extends Component>(child: T): T {
        child.load();
        this.register(() => child.unload());
        return child;
    }
}

/** A plugin: `loadData` parses `app.pluginData` like Obsidian (throws on bad JSON), `saveData` records payloads. */
export class Plugin extends Component {
    /** Every payload given to `saveData`, in order (test helper). */
    saved: unknown[] = [];
    settingTabs: PluginSettingTab[] = [];
    commands: { id: string; name: string }[] = [];
    constructor(
        public app: App,
        public manifest: { id: string; name: string; version: string; [key: string]: unknown },
    ) {
        super();
    }
    async loadData(): Promise<unknown> {
        const text = this.app.pluginData.get(this.manifest.id);
        return text === undefined ? null : JSON.parse(text);
    }
    async saveData(data: unknown): Promise<void> {
        this.saved.push(JSON.parse(JSON.stringify(data)));
        this.app.pluginData.set(this.manifest.id, JSON.stringify(data, null, 2));
    }
    addSettingTab(tab: PluginSettingTab): void {
        this.settingTabs.push(tab);
    }
    addCommand<T extends { id: string; name: string }>(command: T): T {
        this.commands.push(command);
        return command;
    }
    /** Records view factories by type (test helper: `viewFactories`). */
    readonly viewFactories = new Map<string, (leaf: WorkspaceLeaf) => unknown>();
    registerView(type: string, factory: (leaf: WorkspaceLeaf) => unknown): void {
        this.viewFactories.set(type, factory);
        this.register(() => this.viewFactories.delete(type));
    }
    /** Registers a processor for fenced blocks of `language`, app-wide, until the plugin unloads (as in Obsidian). */
    registerMarkdownCodeBlockProcessor(language: string, handler: CodeBlockProcessor): MarkdownPostProcessor {
        markdownProcessors.codeBlocks.set(language, handler);
        this.register(() => markdownProcessors.codeBlocks.delete(language));
        return () => undefined;
    }
    /** Registers a post-processor run over everything rendered, app-wide, until the plugin unloads. */
    registerMarkdownPostProcessor(processor: MarkdownPostProcessor): MarkdownPostProcessor {
        markdownProcessors.post.push(processor);
        this.register(() => {
            const at = markdownProcessors.post.indexOf(processor);
            if (at >= 0) markdownProcessors.post.splice(at, 1);
        });
        return processor;
    }
    /** Editor extensions registered (test helper), as Obsidian adds them to every Markdown editor. */
    readonly editorExtensions: unknown[] = [];
    registerEditorExtension(extension: unknown): void {
        this.editorExtensions.push(extension);
    }
    addRibbonIcon(_icon: string, _title: string, _callback?: () => unknown): HTMLElement {
        return createContainer();
    }
    addStatusBarItem(): HTMLElement {
        return createContainer();
    }
}

/** Obsidian's frontmatter tags: `tags`/`tag` as a list or a comma/space separated string, `#` added. */
export function parseFrontMatterTags(frontmatter: unknown): string[] | null {
    const tags = frontMatterValues(frontmatter, /^tags?$/i, /[,\s]+/).map((t) => (t.startsWith('#') ? t : `#${t}`));
    return tags.length > 0 ? tags : null;
}

/** Obsidian's aliases: `aliases`/`alias` as a list or a comma separated string. */
export function parseFrontMatterAliases(frontmatter: unknown): string[] | null {
    const aliases = frontMatterValues(frontmatter, /^alias(es)?$/i, /,/);
    return aliases.length > 0 ? aliases : null;
}

function frontMatterValues(frontmatter: unknown, key: RegExp, separator: RegExp): string[] {
    if (!frontmatter || typeof frontmatter !== 'object') return [];
    const values: string[] = [];
    for (const [name, value] of Object.entries(frontmatter as Record<string, unknown>)) {
        if (!key.test(name)) continue;
        const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(separator) : [];
        for (const item of items) if (typeof item === 'string' && item.trim()) values.push(item.trim());
    }
    return values;
}

/** Frontmatter tags followed by inline tags, as Obsidian combines them (not deduplicated). */
export function getAllTags(cache: CachedMetadata): string[] | null {
    const inline = ((cache.tags ?? []) as { tag: string }[]).map((t) => t.tag);
    return [...(parseFrontMatterTags(cache.frontmatter) ?? []), ...inline];
}

// Appended for the focus tracker's test; kept apart from the imports above so earlier lines stay untouched.
import type { TFile } from './obsidian-stub-vault';

/** A cursor position in an editor. */
export interface EditorPosition {
    /** Zero-based line. */ line: number;
    /** Zero-based column. */ ch: number;
}

/** The part of Obsidian's `Editor` that reads the selection and cursor; positions are set directly (test helper). */
export class StubEditor {
    /** Selection anchor and head; equal when nothing is selected. */
    anchor: EditorPosition = { line: 0, ch: 0 };
    head: EditorPosition = { line: 0, ch: 0 };
    constructor(public text = '') {}
    getValue(): string {
        return this.text;
    }
    /** Selects from `anchor` to `head` (test helper). */
    select(anchor: EditorPosition, head: EditorPosition = anchor): void {
        this.anchor = anchor;
        this.head = head;
    }
    getCursor(side: 'from' | 'to' | 'head' | 'anchor' = 'head'): EditorPosition {
        const [from, to] =
            comparePositions(this.anchor, this.head) <= 0 ? [this.anchor, this.head] : [this.head, this.anchor];
        return { ...(side === 'from' ? from : side === 'to' ? to : side === 'anchor' ? this.anchor : this.head) };
    }
    getSelection(): string {
        const from = this.getCursor('from');
        const to = this.getCursor('to');
        return this.text.slice(offsetOf(this.text, from), offsetOf(this.text, to));
    }
    setValue(text: string): void {
        this.text = text;
    }
    posToOffset(position: EditorPosition): number {
        return offsetOf(this.text, position);
    }
    offsetToPos(offset: number): EditorPosition {
        const before = this.text.slice(0, offset).split('\n');
        return { line: before.length - 1, ch: (before[before.length - 1] ?? '').length };
    }
    /** Replaces a range; the cursor and selection move with the text around them, as in CodeMirror. */
    replaceRange(replacement: string, from: EditorPosition, to: EditorPosition = from): void {
        const start = this.posToOffset(from);
        const end = this.posToOffset(to);
        const anchor = this.posToOffset(this.anchor);
        const head = this.posToOffset(this.head);
        const shift = (offset: number): number =>
            offset >= end ? offset + replacement.length - (end - start) : Math.min(offset, start);
        this.text = this.text.slice(0, start) + replacement + this.text.slice(end);
        this.anchor = this.offsetToPos(shift(anchor));
        this.head = this.offsetToPos(shift(head));
        this.replacements.push({ from: start, to: end, text: replacement });
    }
    /** Every `replaceRange` made, in order (test helper). */
    replacements: { from: number; to: number; text: string }[] = [];
}

function comparePositions(a: EditorPosition, b: EditorPosition): number {
    return a.line - b.line || a.ch - b.ch;
}

function offsetOf(text: string, position: EditorPosition): number {
    const lines = text.split('\n');
    let offset = 0;
    for (let i = 0; i < position.line && i < lines.length; i++) offset += (lines[i] ?? '').length + 1;
    return offset + position.ch;
}

/** A view in a leaf. */
export class View {
    constructor(public leaf: WorkspaceLeaf) {}
    getViewType(): string {
        return 'empty';
    }
}

/** An editor view of a note; `file` becomes `null` when the view is closed. */
export class MarkdownView extends View {
    editor: StubEditor = new StubEditor();
    file: TFile | null = null;
    override getViewType(): string {
        return 'markdown';
    }
}

/** A pane; `view` is whatever it shows. */
export class WorkspaceLeaf {
    view: View = new View(this);
}

/** A workspace with leaves: `setActiveLeaf` makes a leaf active and fires `active-leaf-change` (test helper). */
export class LeafWorkspace extends Workspace {
    activeLeaf: WorkspaceLeaf | null = null;
    getActiveViewOfType<T extends View>(type: abstract new (...args: never[]) => T): T | null {
        const view = this.activeLeaf?.view;
        return view instanceof type ? view : null;
    }
    setActiveLeaf(leaf: WorkspaceLeaf | null): void {
        this.activeLeaf = leaf;
        this.trigger('active-leaf-change', leaf);
    }
    /** Every open leaf besides the active one (test helper). */
    leaves: WorkspaceLeaf[] = [];
    getLeavesOfType(type: string): WorkspaceLeaf[] {
        return leavesOfType(this, type);
    }
}

// Appended for the chat view and its browser harness (issue 5).
export * from './obsidian-stub-dom';

/** A view with a header and a content element, like Obsidian's (the DOM helpers must be installed first). */
export class ItemView extends Component {
    /** The app, taken from the leaf (the harness sets `leaf.app`). */
    app: App;
    containerEl: HTMLElement;
    contentEl: HTMLElement;
    constructor(public leaf: WorkspaceLeaf) {
        super();
        this.app = (leaf as WorkspaceLeaf & { app: App }).app;
        this.containerEl = createDiv({ cls: 'view-content-container' });
        this.containerEl.createDiv({ cls: 'view-header' });
        this.contentEl = this.containerEl.createDiv({ cls: 'view-content' });
    }
    getViewType(): string {
        return 'item';
    }
    getDisplayText(): string {
        return '';
    }
    getIcon(): string {
        return 'document';
    }
    /** Opens the view as Obsidian does when a leaf shows it. */
    async open(): Promise<void> {
        this.load();
        await this.onOpen();
    }
    /** Closes it. */
    async close(): Promise<void> {
        await this.onClose();
        this.unload();
    }
    async onOpen(): Promise<void> {}
    async onClose(): Promise<void> {}
}

/** Leaves whose view has `type`, from a `LeafWorkspace`'s `leaves` and its active leaf. */
export function leavesOfType(workspace: LeafWorkspace & { leaves?: WorkspaceLeaf[] }, type: string): WorkspaceLeaf[] {
    const all = [...(workspace.leaves ?? []), ...(workspace.activeLeaf ? [workspace.activeLeaf] : [])];
    return [...new Set(all)].filter((leaf) => leaf.view.getViewType() === type);
}

/** Obsidian's platform flags; the stub is a phone by default, the stricter case (no Node, no stdio MCP servers). */
export const Platform = { isDesktop: false, isMobile: true };

/** What `requestUrl` takes (the parts the plugin uses). */
export interface RequestUrlParam {
    url: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    throw?: boolean;
}

/** Obsidian's `requestUrl`, over the platform's `fetch` (the stub runs in Node and in a browser alike). */
export async function requestUrl(request: RequestUrlParam): Promise<{ status: number; text: string }> {
    const init: RequestInit = { method: request.method ?? 'GET', headers: request.headers ?? {} };
    if (request.body !== undefined) init.body = request.body;
    const response = await fetch(request.url, init);
    const text = await response.text();
    if (request.throw !== false && response.status >= 400) throw new Error(`Request failed, status ${response.status}`);
    return { status: response.status, text };
}
