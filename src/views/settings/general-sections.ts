/**
 * The Context, Chat, Delegate and Spend sections: plain fields, each parsed and bounded the same way migration
 * bounds it (`LIMITS`), so what the tab accepts is exactly what the settings file keeps.
 */
import { Setting } from 'obsidian';
import type { PermissionModeName } from '../../kernel/permission-mode-name';
import { LIMITS } from '../../kernel/read-groups';
import type { Settings } from '../../kernel/settings';
import { isProtectedPath, normalizeVaultPath } from '../../kernel/path-policy';
import { fail, ok, parseDecimal, parseInteger, parsePercent, percentText, type Parsed, type TabKit } from './tab-kit';

const CHAT_MODES: Record<Exclude<PermissionModeName, 'delegate' | 'propose'>, string> = {
    ask: 'Ask before every change',
    'auto-edits': 'Apply edits, ask before renames and deletes',
    'read-only': 'Read only',
};

/** Renders the Context section. */
export function renderContextSection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    new Setting(el).setName('Context').setHeading();
    kit.field(el, {
        name: 'Instructions note',
        desc: 'A note the agent always follows. Leave empty to use AGENTS.md at the vault root, else CLAUDE.md.',
        value: settings.context.instructionsNote,
        placeholder: 'AGENTS.md',
        parse: (raw) => parseNotePath(raw, kit.configDir),
        apply: (draft, value) => (draft.context.instructionsNote = value),
    });
    kit.field(el, {
        name: 'Context budget',
        desc: "Percentage of the model's context window that attached notes, mentions and instructions may fill.",
        value: percentText(settings.context.budgetShare),
        parse: (raw) => parsePercent(raw, LIMITS.budgetShare.min, LIMITS.budgetShare.max),
        apply: (draft, value) => (draft.context.budgetShare = value),
    });
    kit.field(el, {
        name: 'Embed depth',
        desc: 'How deep embedded notes inside attached notes are expanded. 0 leaves embeds as links.',
        value: String(settings.context.embedDepth),
        parse: (raw) => parseInteger(raw, LIMITS.embedDepth.min, LIMITS.embedDepth.max),
        apply: (draft, value) => (draft.context.embedDepth = value),
    });
    kit.field(el, {
        name: 'Notes per folder or tag mention',
        desc: 'How many notes an @-mention of a folder or tag attaches at most.',
        value: String(settings.context.mentionListLimit),
        parse: (raw) => parseInteger(raw, LIMITS.mentionListLimit.min, LIMITS.mentionListLimit.max),
        apply: (draft, value) => (draft.context.mentionListLimit = value),
    });
}

/** Renders the Chat section. */
export function renderChatSection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    new Setting(el).setName('Chat').setHeading();
    const errorEl = el.createDiv({ cls: 'vault-agent-setting-error' });
    new Setting(el)
        .setName('Default mode')
        .setDesc('How much a new chat may do without asking. Deletes and renames always ask.')
        .addDropdown((dropdown) =>
            dropdown
                .addOptions(CHAT_MODES)
                .setValue(settings.chat.defaultMode)
                .onChange((mode) => {
                    if (!(mode in CHAT_MODES)) return;
                    kit.save(errorEl, (draft) => (draft.chat.defaultMode = mode as PermissionModeName));
                }),
        );
    new Setting(el)
        .setName('Attach the focused note')
        .setDesc('A new chat starts with the note you were looking at as context.')
        .addToggle((toggle) =>
            toggle
                .setValue(settings.chat.attachFocusedNote)
                .onChange((on) => kit.save(errorEl, (draft) => (draft.chat.attachFocusedNote = on))),
        );
}

/** Renders the Delegate section. */
export function renderDelegateSection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    new Setting(el).setName('Delegate').setHeading();
    kit.field(el, {
        name: 'Jobs folder',
        desc: 'Folder that holds job notes.',
        value: settings.delegate.jobsFolder,
        parse: (raw) => kit.parseFolder(raw),
        apply: (draft, value) => (draft.delegate.jobsFolder = value),
    });
    kit.field(el, {
        name: 'Output folder',
        desc: 'Default folder for the notes jobs write. Jobs never change existing notes.',
        value: settings.delegate.outputFolder,
        parse: (raw) => kit.parseFolder(raw),
        apply: (draft, value) => (draft.delegate.outputFolder = value),
    });
    kit.field(el, {
        name: 'Jobs at once',
        desc: 'How many jobs run at the same time.',
        value: String(settings.delegate.concurrency),
        parse: (raw) => parseInteger(raw, 1, 10),
        apply: (draft, value) => (draft.delegate.concurrency = value),
    });
    kit.field(el, {
        name: 'Attempts per job',
        desc: 'How many times a job is tried before it is marked failed. Only work that changed nothing is retried.',
        value: String(settings.delegate.maxAttempts),
        parse: (raw) => parseInteger(raw, LIMITS.maxAttempts.min, LIMITS.maxAttempts.max),
        apply: (draft, value) => (draft.delegate.maxAttempts = value),
    });
    kit.field(el, {
        name: 'Default turn budget',
        desc: 'Most model calls for a job whose note sets no budget.',
        value: String(settings.delegate.defaultBudget.turns),
        parse: (raw) => parseInteger(raw, LIMITS.budgetTurns.min, LIMITS.budgetTurns.max),
        apply: (draft, value) => (draft.delegate.defaultBudget.turns = value),
    });
    kit.field(el, {
        name: 'Default cost budget (USD)',
        desc: 'Most cost in US dollars for a job whose note sets no budget.',
        value: String(settings.delegate.defaultBudget.usd),
        parse: (raw) => parseDecimal(raw, LIMITS.budgetUsd.min, LIMITS.budgetUsd.max),
        apply: (draft, value) => (draft.delegate.defaultBudget.usd = value),
    });
}

/** Renders the Spend section. */
export function renderSpendSection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    new Setting(el).setName('Spend').setHeading();
    kit.field(el, {
        name: 'Daily spending cap (USD)',
        desc: 'Chats and jobs on this device stop for the day once this much is spent. 0 means no cap.',
        value: String(settings.spend.dailyCapUsd),
        parse: (raw) => parseDecimal(raw, LIMITS.dailyCapUsd.min, LIMITS.dailyCapUsd.max),
        apply: (draft, value) => (draft.spend.dailyCapUsd = value),
    });
    kit.field(el, {
        name: 'Compact conversations at',
        desc: "Percentage of the model's context window at which older turns are summarised, with a notice.",
        value: percentText(settings.spend.compactAtShare),
        parse: (raw) => parsePercent(raw, LIMITS.compactAtShare.min, LIMITS.compactAtShare.max),
        apply: (draft, value) => (draft.spend.compactAtShare = value),
    });
}

/** Empty (the default instruction notes) or a note path inside the vault and outside the protected folders. */
function parseNotePath(raw: string, configDir: string): Parsed<string> {
    const text = raw.trim();
    if (text === '') return ok('');
    const checked = normalizeVaultPath(text);
    if (!checked.ok) return fail(checked.reason);
    if (isProtectedPath(checked.path, configDir)) return fail('That note is in a protected folder; choose another.');
    return ok(checked.path);
}
