/**
 * The stub's UI side: a tiny fake DOM with Obsidian's element helpers, notices, the settings tab and the setting
 * controls. Re-exported by `obsidian-stub.ts`; no Node APIs, so a browser harness can load it too.
 */
import type { App, Plugin } from './obsidian-stub';

/** Every notice shown, in order (test helper). */
export const notices: string[] = [];

/** What `createEl` accepts: options, or just a class name. */
type ElementOptions = { cls?: string | string[]; text?: string; attr?: Record<string, string> } | string;

/** A tiny element tree with the Obsidian DOM helpers the UI code calls (`createEl`, `empty`, `setText`, …). */
export class FakeElement {
    /** Child elements in order. */
    children: FakeElement[] = [];
    /** The parent, once attached. */
    parent: FakeElement | null = null;
    /** Attributes as set. */
    attrs: Record<string, string> = {};
    /** CSS classes. */
    classList = new Set<string>();
    /** The value of an input, textarea or select. */
    value = '';
    /** Checked state of a checkbox. */
    checked = false;
    /** Disabled state of a control. */
    disabled = false;
    private ownText = '';
    private listeners = new Map<string, ((event: { type: string; target: FakeElement }) => void)[]>();

    constructor(readonly tagName: string) {}

    /** The text of this element and its descendants, like `textContent`. */
    get textContent(): string {
        return this.ownText + this.children.map((c) => c.textContent).join('');
    }
    set textContent(text: string) {
        this.children = [];
        this.ownText = text;
    }
    setText(text: string): void {
        this.textContent = text;
    }
    createEl(tag: string, o?: ElementOptions): FakeElement {
        return this.make(tag, o);
    }
    private make(tag: string, o?: ElementOptions): FakeElement {
        const options = typeof o === 'string' ? { cls: o } : (o ?? {});
        const el = new FakeElement(tag);
        for (const cls of [options.cls ?? []].flat())
            cls.split(' ')
                .filter(Boolean)
                .forEach((c) => el.addClass(c));
        if (options.text !== undefined) el.setText(options.text);
        for (const [k, v] of Object.entries(options.attr ?? {})) el.setAttr(k, v);
        return this.appendChild(el);
    }
    createDiv(o?: ElementOptions): FakeElement {
        return this.make('div', o);
    }
    createSpan(o?: ElementOptions): FakeElement {
        return this.make('span', o);
    }
    appendChild(child: FakeElement): FakeElement {
        child.remove();
        child.parent = this;
        this.children.push(child);
        return child;
    }
    remove(): void {
        if (this.parent) this.parent.children = this.parent.children.filter((c) => c !== this);
        this.parent = null;
    }
    empty(): void {
        this.children.forEach((c) => (c.parent = null));
        this.children = [];
        this.ownText = '';
    }
    addClass(...classes: string[]): void {
        classes.forEach((c) => this.classList.add(c));
    }
    removeClass(...classes: string[]): void {
        classes.forEach((c) => this.classList.delete(c));
    }
    toggleClass(cls: string, on: boolean): void {
        if (on) this.addClass(cls);
        else this.removeClass(cls);
    }
    hasClass(cls: string): boolean {
        return this.classList.has(cls);
    }
    setAttr(name: string, value: string | number | boolean | null): void {
        if (value === null) delete this.attrs[name];
        else this.attrs[name] = String(value);
    }
    getAttr(name: string): string | null {
        return this.attrs[name] ?? null;
    }
    addEventListener(type: string, listener: (event: { type: string; target: FakeElement }) => void): void {
        this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    removeEventListener(type: string, listener: (event: { type: string; target: FakeElement }) => void): void {
        this.listeners.set(
            type,
            (this.listeners.get(type) ?? []).filter((l) => l !== listener),
        );
    }
    /** Fires an event at this element, as a person's click or keystroke would (test helper). */
    dispatch(type: string): void {
        for (const listener of this.listeners.get(type) ?? []) listener({ type, target: this });
    }
    /** Every descendant (depth first) matching `predicate` (test helper). */
    findAll(predicate: (el: FakeElement) => boolean): FakeElement[] {
        return this.children.flatMap((c) => [...(predicate(c) ? [c] : []), ...c.findAll(predicate)]);
    }
}

/** A detached element (test helper; Obsidian gives views and tabs their own `containerEl`). */
export function createContainer(): HTMLElement {
    return new FakeElement('div') as unknown as HTMLElement;
}

/** Shows a message; here it is recorded in `notices`. */
export class Notice {
    messageEl = new FakeElement('div');
    constructor(message: string, _duration?: number) {
        this.messageEl.setText(message);
        notices.push(message);
    }
    setMessage(message: string): this {
        this.messageEl.setText(message);
        return this;
    }
    hide(): void {}
}

/** A settings page; `containerEl` is a detached fake element. */
export abstract class PluginSettingTab {
    containerEl = createContainer();
    constructor(
        public app: App,
        public plugin: Plugin,
    ) {}
    abstract display(): void;
    hide(): void {}
}

type Listener<T> = (value: T) => unknown;

/** Base of every control. */
export class BaseComponent {
    disabled = false;
    then(cb: (component: this) => unknown): this {
        cb(this);
        return this;
    }
    setDisabled(disabled: boolean): this {
        this.disabled = disabled;
        return this;
    }
}

/** Text input and textarea: `onChange` fires on the element's `input` event, as in Obsidian. */
export class AbstractTextComponent extends BaseComponent {
    private listener: Listener<string> | null = null;
    constructor(public inputEl: FakeElement) {
        super();
        inputEl.addEventListener('input', () => this.listener?.(this.getValue()));
    }
    getValue(): string {
        return this.inputEl.value;
    }
    setValue(value: string): this {
        this.inputEl.value = value;
        return this;
    }
    setPlaceholder(text: string): this {
        this.inputEl.setAttr('placeholder', text);
        return this;
    }
    onChange(listener: Listener<string>): this {
        this.listener = listener;
        return this;
    }
}
export class TextComponent extends AbstractTextComponent {
    constructor(containerEl: HTMLElement) {
        super((containerEl as unknown as FakeElement).createEl('input', { attr: { type: 'text' } }));
    }
}
export class TextAreaComponent extends AbstractTextComponent {
    constructor(containerEl: HTMLElement) {
        super((containerEl as unknown as FakeElement).createEl('textarea'));
    }
}

/** A checkbox-like toggle; a `click` on `toggleEl` flips it. */
export class ToggleComponent extends BaseComponent {
    toggleEl: FakeElement;
    private listener: Listener<boolean> | null = null;
    constructor(containerEl: HTMLElement) {
        super();
        this.toggleEl = (containerEl as unknown as FakeElement).createDiv({ cls: 'checkbox-container' });
        this.toggleEl.addEventListener('click', () => {
            this.setValue(!this.getValue());
            this.listener?.(this.getValue());
        });
    }
    getValue(): boolean {
        return this.toggleEl.checked;
    }
    setValue(on: boolean): this {
        this.toggleEl.checked = on;
        this.toggleEl.toggleClass('is-enabled', on);
        return this;
    }
    onChange(listener: Listener<boolean>): this {
        this.listener = listener;
        return this;
    }
}

/** A select; setting `selectEl.value` and dispatching `change` is what a person's choice does. */
export class DropdownComponent extends BaseComponent {
    selectEl: FakeElement;
    private listener: Listener<string> | null = null;
    constructor(containerEl: HTMLElement) {
        super();
        this.selectEl = (containerEl as unknown as FakeElement).createEl('select', { cls: 'dropdown' });
        this.selectEl.addEventListener('change', () => this.listener?.(this.getValue()));
    }
    addOption(value: string, display: string): this {
        this.selectEl.createEl('option', { text: display, attr: { value } });
        return this;
    }
    addOptions(options: Record<string, string>): this {
        for (const [value, display] of Object.entries(options)) this.addOption(value, display);
        return this;
    }
    getValue(): string {
        return this.selectEl.value;
    }
    setValue(value: string): this {
        this.selectEl.value = value;
        return this;
    }
    onChange(listener: Listener<string>): this {
        this.listener = listener;
        return this;
    }
}

/** A button; a `click` on `buttonEl` runs `onClick`. */
export class ButtonComponent extends BaseComponent {
    buttonEl: FakeElement;
    constructor(containerEl: HTMLElement) {
        super();
        this.buttonEl = (containerEl as unknown as FakeElement).createEl('button');
    }
    setButtonText(text: string): this {
        this.buttonEl.setText(text);
        return this;
    }
    setCta(): this {
        this.buttonEl.addClass('mod-cta');
        return this;
    }
    setClass(cls: string): this {
        this.buttonEl.addClass(cls);
        return this;
    }
    setTooltip(text: string): this {
        this.buttonEl.setAttr('aria-label', text);
        return this;
    }
    onClick(callback: () => unknown): this {
        this.buttonEl.addEventListener('click', () => void callback());
        return this;
    }
}

/** Picks a secret by name; the person can also create one, which stores its value in `app.secretStorage`. */
export class SecretComponent extends BaseComponent {
    value = '';
    private listener: Listener<string> | null = null;
    constructor(
        private app: App,
        containerEl: HTMLElement,
    ) {
        super();
        (containerEl as unknown as FakeElement).createEl('select', { cls: 'secret-picker' });
    }
    setValue(name: string): this {
        this.value = name;
        return this;
    }
    onChange(listener: Listener<string>): this {
        this.listener = listener;
        return this;
    }
    /** What the person does in the secret picker: store `secret` under `name` and select it (test helper). */
    createAndSelect(name: string, secret: string): void {
        this.app.secretStorage.setSecret(name, secret);
        this.value = name;
        this.listener?.(name);
    }
}

const settingsByEl = new WeakMap<FakeElement, Setting>();

/** One settings row: name, description and controls. */
export class Setting {
    settingEl: FakeElement;
    infoEl: FakeElement;
    nameEl: FakeElement;
    descEl: FakeElement;
    controlEl: FakeElement;
    components: BaseComponent[] = [];
    constructor(containerEl: HTMLElement) {
        this.settingEl = (containerEl as unknown as FakeElement).createDiv({ cls: 'setting-item' });
        this.infoEl = this.settingEl.createDiv({ cls: 'setting-item-info' });
        this.nameEl = this.infoEl.createDiv({ cls: 'setting-item-name' });
        this.descEl = this.infoEl.createDiv({ cls: 'setting-item-description' });
        this.controlEl = this.settingEl.createDiv({ cls: 'setting-item-control' });
        settingsByEl.set(this.settingEl, this);
    }
    setName(name: string): this {
        this.nameEl.setText(name);
        return this;
    }
    setDesc(desc: string | FakeElement): this {
        if (typeof desc === 'string') this.descEl.setText(desc);
        else this.descEl.appendChild(desc);
        return this;
    }
    setClass(cls: string): this {
        this.settingEl.addClass(cls);
        return this;
    }
    setHeading(): this {
        this.settingEl.addClass('setting-item-heading');
        return this;
    }
    setDisabled(disabled: boolean): this {
        for (const component of this.components) component.setDisabled(disabled);
        return this;
    }
    setTooltip(_text: string): this {
        return this;
    }
    addText(cb: (c: TextComponent) => unknown): this {
        return this.add(new TextComponent(this.controlEl as unknown as HTMLElement), cb);
    }
    addTextArea(cb: (c: TextAreaComponent) => unknown): this {
        return this.add(new TextAreaComponent(this.controlEl as unknown as HTMLElement), cb);
    }
    addToggle(cb: (c: ToggleComponent) => unknown): this {
        return this.add(new ToggleComponent(this.controlEl as unknown as HTMLElement), cb);
    }
    addDropdown(cb: (c: DropdownComponent) => unknown): this {
        return this.add(new DropdownComponent(this.controlEl as unknown as HTMLElement), cb);
    }
    addButton(cb: (c: ButtonComponent) => unknown): this {
        return this.add(new ButtonComponent(this.controlEl as unknown as HTMLElement), cb);
    }
    addComponent<T extends BaseComponent>(cb: (el: HTMLElement) => T): this {
        this.components.push(cb(this.controlEl as unknown as HTMLElement));
        return this;
    }
    then(cb: (setting: this) => unknown): this {
        cb(this);
        return this;
    }
    private add<T extends BaseComponent>(component: T, cb: (c: T) => unknown): this {
        this.components.push(component);
        cb(component);
        return this;
    }
}

/** The settings rows under `containerEl`, in order (test helper). */
export function settingsIn(containerEl: HTMLElement): Setting[] {
    const rows = (containerEl as unknown as FakeElement).findAll((el) => el.hasClass('setting-item'));
    return rows.flatMap((el) => settingsByEl.get(el) ?? []);
}
