/**
 * What every section of the settings tab shares: parsing what a person typed into a value or a message (Dataview
 * style: never throw at people), and one way to save a change through the `SettingsStore` and say why it was not saved.
 */
import { Setting } from 'obsidian';
import { isProtectedPath, normalizeVaultPath } from '../../kernel/path-policy';
import type { Settings } from '../../kernel/settings';
import type { SettingsStore } from '../../kernel/settings-store';

/** A parsed field: the value to save, or what to tell the person. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A value that is there, or is looked up each time (main.ts may rebuild it after a settings change). */
export type Provided<T> = T | (() => T | null | undefined);

/** The current value of a `Provided`, or null. */
export function resolveProvided<T extends object>(provided: Provided<T> | undefined): T | null {
    if (provided === undefined) return null;
    return typeof provided === 'function' ? (provided() ?? null) : provided;
}

/** One text field: how it is shown, parsed and applied. */
export interface FieldSpec<T> {
    /** Row name, sentence case. */
    name: string;
    /** What the field does. */
    desc: string;
    /** The current value as text. */
    value: string;
    /** Shown while empty. */
    placeholder?: string;
    /** A textarea instead of a one-line input. */
    multiline?: boolean;
    /** Turns what was typed into a value or a message. */
    parse: (raw: string) => Parsed<T>;
    /** Writes the parsed value into the settings draft. */
    apply: (draft: Settings, value: T) => void;
    /** Runs once the change is saved. */
    afterSave?: () => void;
}

/** Saving and field rows, shared by the sections. */
export class TabKit {
    constructor(
        /** Where settings are saved. */
        readonly store: SettingsStore,
        /** The vault's config folder, which no setting may point into. */
        readonly configDir: string,
    ) {}

    /** Applies `change` through the store; on failure says why under the field and runs `onFailure`. */
    save(
        errorEl: HTMLElement,
        change: (draft: Settings) => void,
        afterSave?: () => void,
        onFailure?: () => void,
    ): void {
        errorEl.setText('');
        this.store.update(change).then(
            () => afterSave?.(),
            (error: unknown) => {
                errorEl.setText(`Not saved: ${messageOf(error)}`);
                onFailure?.();
            },
        );
    }

    /** A text or textarea row that parses each change and saves only what parsed. */
    field<T>(el: HTMLElement, spec: FieldSpec<T>): Setting {
        const setting = new Setting(el).setName(spec.name).setDesc(spec.desc);
        const errorEl = errorIn(setting);
        const onChange = (raw: string): void => {
            const parsed = spec.parse(raw);
            if (!parsed.ok) {
                errorEl.setText(parsed.message);
                return;
            }
            this.save(errorEl, (draft) => spec.apply(draft, parsed.value), spec.afterSave);
        };
        if (spec.multiline) {
            setting.addTextArea((text) =>
                text
                    .setValue(spec.value)
                    .setPlaceholder(spec.placeholder ?? '')
                    .onChange(onChange),
            );
            setting.settingEl.addClass('vault-agent-setting-multiline');
        } else {
            setting.addText((text) =>
                text
                    .setValue(spec.value)
                    .setPlaceholder(spec.placeholder ?? '')
                    .onChange(onChange),
            );
        }
        return setting;
    }

    /** A folder inside the vault and outside the protected folders. */
    parseFolder(raw: string): Parsed<string> {
        const checked = normalizeVaultPath(raw.trim().replace(/\/+$/, ''));
        if (!checked.ok) return fail(checked.reason);
        if (isProtectedPath(checked.path, this.configDir)) {
            return fail('That folder is protected (the config folder, .git or .trash); choose another.');
        }
        return ok(checked.path);
    }
}

/** The element under a row's description where its error is shown. */
export function errorIn(setting: Setting): HTMLElement {
    return setting.infoEl.createDiv({ cls: 'vault-agent-setting-error' });
}

/** A parsed value. */
export function ok<T>(value: T): Parsed<T> {
    return { ok: true, value };
}

/** A message instead of a value. */
export function fail(message: string): Parsed<never> {
    return { ok: false, message };
}

/** A whole number from `min` to `max`. */
export function parseInteger(raw: string, min: number, max: number): Parsed<number> {
    const text = raw.trim();
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) return fail(`Enter a whole number from ${min} to ${max}.`);
    return ok(value);
}

/** A decimal number from `min` to `max` (a comma works as the decimal mark too). */
export function parseDecimal(raw: string, min: number, max: number): Parsed<number> {
    const text = raw.trim().replace(',', '.');
    const value = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
        return fail(`Enter a number from ${min} to ${max}.`);
    }
    return ok(value);
}

/** A percentage typed as `25` or `25%`, returned as a share (0.25), within the shares `min` and `max`. */
export function parsePercent(raw: string, min: number, max: number): Parsed<number> {
    const low = Math.round(min * 100);
    const high = Math.round(max * 100);
    const text = raw.trim().replace(/\s*%$/, '');
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < low || value > high) return fail(`Enter a percentage from ${low} to ${high}.`);
    return ok(value / 100);
}

/** A share shown as a whole percentage. */
export function percentText(share: number): string {
    return String(Math.round(share * 100));
}

/** Non-empty trimmed lines. */
export function lines(raw: string): string[] {
    return raw
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
}

/** An error's message, for the person. */
export function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
