/**
 * The enqueue modal: a brief, its context (@-mentions with the chat's own popover, `ChatInput`) and *Run*; the rest
 * (a job template from the custom commands, name, output folder, model, mode, budget, run now or on a schedule) waits
 * under *More*, collapsed, with defaults its summary names. Enter in a field or Ctrl/Cmd+Enter anywhere runs the job
 * (Shift+Enter is a new line in the brief), Esc closes; problems are shown under the form (opening *More* when the
 * field is there), never thrown.
 */
import { Modal, type App } from 'obsidian';
import type { CommandScan, ExpandedCommand } from '../context/commands';
import type { MentionSuggestion } from '../context/suggest';
import type { JobSpec } from '../delegate/job-spec';
import type { TriggerSpec } from '../delegate/trigger-spec';
import { ChatInput } from './chat-input';
import type { OutputFolderRules } from '../kernel/path-policy';
import { contextReferences, referenceToMention } from '../delegate/job-context';
import { outputFolderProblem, readEnqueueFields, type EnqueueFields } from './enqueue-form';
import { renderWhenPart, whenWords } from './enqueue-when';

/** Job templates: the custom commands (a `CommandCatalog` fits). */
export interface JobTemplates {
    /** The usable commands. */
    scan(): Promise<Pick<CommandScan, 'commands'>>;
    /** A command's prompt with `args` filled in. */
    expand(name: string, args?: string): Promise<ExpandedCommand>;
}

/** What the modal is built from. */
export interface EnqueueModalServices {
    /** Writes the job note; resolves to its path (`JobQueue.enqueue`). */
    enqueue(spec: JobSpec): Promise<string>;
    /** Mention suggestions (the chat's engine, which never offers an excluded note). */
    suggest(query: string): MentionSuggestion[];
    /** Job templates; no template picker when absent. */
    templates?: JobTemplates;
    /**
     * The defaults shown in the fields, and what an output folder is checked against (the vault's config folder and
     * the jobs folder), so a folder no job may write to is shown as a problem while it is typed, before Queue.
     */
    defaults(): { outputFolder: string; model: string; turns: number; usd: number } & OutputFolderRules;
    /** After the job was queued (e.g. reveal the queue view). */
    onQueued?(path: string): void;
    /** Writes a trigger note (the *When…* part); no *When…* choice when absent. */
    createTrigger?(spec: TriggerSpec): Promise<string>;
}

/** What the modal opens with: the note, selection, folder or tag it was opened from. */
export interface EnqueuePrefill {
    /** The brief (a selection). */
    brief?: string;
    /** Context references: `[[Note]]`, `Folder/`, `#tag`. */
    context?: string[];
    /** The job's name. */
    title?: string;
}

/** The modal. */
export class EnqueueModal extends Modal {
    private brief!: ChatInput;
    private contextInput!: ChatInput;
    private chipsEl!: HTMLElement;
    private errorEl!: HTMLElement;
    private readonly inputs = new Map<keyof EnqueueFields, HTMLInputElement | HTMLSelectElement>();
    private submitting = false;
    private moreEl!: HTMLDetailsElement;
    private moreSummaryEl!: HTMLElement;
    private runButton: HTMLButtonElement | null = null;

    constructor(
        app: App,
        private readonly services: EnqueueModalServices,
        private readonly prefill: EnqueuePrefill = {},
    ) {
        super(app);
    }

    override onOpen(): void {
        const defaults = this.services.defaults();
        this.setTitle('Delegate a job');
        const root = this.contentEl;
        root.empty();
        root.addClass('vault-agent-enqueue');
        this.errorEl = root.createDiv({ cls: 'vault-agent-enqueue-error', attr: { role: 'alert' } });
        const form = root.createDiv({ cls: 'vault-agent-enqueue-form' });

        const briefField = this.field(form, 'Brief', 'brief');
        this.brief = new ChatInput({
            parent: briefField,
            suggest: (query) => this.services.suggest(query),
            commands: () => [],
            onSend: (text) => this.submitWith({ brief: text }),
            onStop: () => undefined,
            isBusy: () => this.submitting,
        });
        this.brief.textarea.setAttr('placeholder', 'What should the job do? @ to mention a note, folder or tag');
        this.brief.textarea.setAttr('aria-label', 'Brief');
        this.brief.textarea.addClass('vault-agent-enqueue-brief');
        this.brief.textarea.value = this.prefill.brief ?? '';
        this.brief.textarea.addEventListener('input', () => this.showChips());

        const contextField = this.field(form, 'Context', 'context');
        this.contextInput = new ChatInput({
            parent: contextField,
            suggest: (query) => this.services.suggest(query),
            commands: () => [],
            onSend: (text) => this.submitWith({ context: text }),
            onStop: () => undefined,
            isBusy: () => this.submitting,
        });
        const context = this.contextInput.textarea;
        context.setAttr('rows', '1');
        context.setAttr('placeholder', '@ a note, a folder or a #tag');
        context.setAttr('aria-label', 'Context');
        context.addClass('vault-agent-enqueue-context');
        context.value = (this.prefill.context ?? []).map((ref) => `${referenceToMention(ref)} `).join('');
        context.addEventListener('input', () => this.showChips());
        this.chipsEl = contextField.createDiv({ cls: 'vault-agent-chips vault-agent-enqueue-chips' });

        // Everything else has a good default and waits under "More", collapsed; its summary says what will happen.
        this.moreEl = form.createEl('details', { cls: 'vault-agent-enqueue-more' });
        this.moreSummaryEl = this.moreEl.createEl('summary', { cls: 'vault-agent-enqueue-more-summary' });
        const more = this.moreEl.createDiv({ cls: 'vault-agent-enqueue-more-fields' });
        const picker = this.field(more, 'Template', 'template');
        void this.fillTemplates(picker);
        this.text(more, 'title', 'Name', this.prefill.title ?? '', 'From the brief when empty');
        const output = this.text(more, 'output', 'Output folder', defaults.outputFolder, defaults.outputFolder);
        const outputError = output.parentElement?.createDiv({
            cls: 'vault-agent-enqueue-field-error is-hidden',
            attr: { role: 'alert' },
        });
        const checkOutput = (): void => {
            const now = this.services.defaults();
            const problem = outputFolderProblem(output.value, now.outputFolder, now);
            output.toggleClass('is-invalid', problem !== null);
            outputError?.setText(problem ?? '');
            outputError?.toggleClass('is-hidden', problem === null);
        };
        output.addEventListener('input', checkOutput);
        checkOutput();
        this.text(more, 'model', 'Model', '', defaults.model === '' ? 'Default' : `Default (${defaults.model})`);
        this.select(more, 'mode', 'Mode', [
            ['delegate', 'Create notes in the output folder'],
            ['read-only', 'Read only'],
        ]);
        const budget = more.createDiv({ cls: 'vault-agent-enqueue-row' });
        this.text(budget, 'turns', 'Turns at most', String(defaults.turns), '', 'number');
        this.text(
            budget,
            'usd',
            'Cost at most (USD)',
            defaults.usd > 0 ? String(defaults.usd) : '',
            'No limit',
            'number',
        );
        const when = more.createDiv({ cls: 'vault-agent-enqueue-row' });
        const whenSelect = this.select(when, 'when', 'When', [
            ['now', 'Run now'],
            ['schedule', 'On a schedule'],
            ...(this.services.createTrigger !== undefined ? [['trigger', 'When…'] as [string, string]] : []),
        ]);
        const schedule = this.text(when, 'schedule', 'Schedule', '', 'daily 08:00, weekdays 09:30, weekly mon 09:00');
        const scheduleField = schedule.parentElement;
        const whenPart = renderWhenPart(more, {
            text: (row, key, label, hint) => this.text(row, key, label, '', hint),
            select: (row, key, label, options) => this.select(row, key, label, options),
        });
        const syncSchedule = (): void => {
            scheduleField?.toggleClass('is-hidden', whenSelect.value !== 'schedule');
            whenPart.toggleClass('is-hidden', whenSelect.value !== 'trigger');
        };
        whenSelect.addEventListener('change', syncSchedule);
        syncSchedule();
        more.addEventListener('input', () => this.updateMore());
        more.addEventListener('change', () => this.updateMore());

        const buttons = root.createDiv({ cls: 'vault-agent-enqueue-buttons' });
        const cancel = buttons.createEl('button', { cls: 'vault-agent-enqueue-cancel', text: 'Cancel' });
        cancel.addEventListener('click', () => this.close());
        this.runButton = buttons.createEl('button', {
            cls: 'vault-agent-enqueue-submit mod-cta',
            text: 'Run',
            attr: { 'aria-keyshortcuts': 'Control+Enter Meta+Enter', title: 'Run (Ctrl/Cmd+Enter)' },
        });
        this.runButton.addEventListener('click', () => this.submitWith({}));
        this.updateMore();
        this.modalEl.addEventListener('keydown', (event) => {
            // Ctrl/Cmd+Enter runs from anywhere in the dialog (a select, the collapsed summary, a textarea).
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing) {
                event.preventDefault();
                this.submitWith({});
                return;
            }
            // The popover handles Esc itself (and prevents the default); otherwise Esc closes the modal.
            if (event.key === 'Escape' && !event.defaultPrevented) {
                event.preventDefault();
                this.close();
            }
        });
        this.showChips();
        window.setTimeout(() => this.brief.textarea.focus(), 0);
    }

    override onClose(): void {
        this.contentEl.empty();
    }

    /** The fields as typed; `overrides` carries a textarea's text that `ChatInput` just cleared on Enter. */
    private fields(overrides: Partial<EnqueueFields>): EnqueueFields {
        const value = (key: keyof EnqueueFields): string => this.inputs.get(key)?.value ?? '';
        return {
            title: value('title'),
            brief: overrides.brief ?? this.brief.textarea.value,
            context: overrides.context ?? this.contextInput.textarea.value,
            output: value('output'),
            model: value('model'),
            mode: value('mode'),
            turns: value('turns'),
            usd: value('usd'),
            when: value('when'),
            schedule: value('schedule'),
            event: value('event'),
            folder: value('folder'),
            tag: value('tag'),
            property: value('property'),
            value: value('value'),
        };
    }

    /** The "More" summary says what the hidden fields will do, so a template's model or mode is never a surprise. */
    private updateMore(): void {
        const value = (key: keyof EnqueueFields): string => this.inputs.get(key)?.value.trim() ?? '';
        const defaults = this.services.defaults();
        const parts = [
            `into ${value('output') || defaults.outputFolder}/`,
            value('model') || (defaults.model === '' ? 'default model' : defaults.model),
            value('mode') === 'read-only' ? 'read only' : 'creates notes',
            value('usd') === '' ? 'no cost limit' : `at most $${value('usd')}`,
            value('when') === 'schedule'
                ? `on a schedule${value('schedule') === '' ? '' : ` (${value('schedule')})`}`
                : value('when') === 'trigger'
                  ? `when ${whenWords(value('event'), value('folder'))}`
                  : 'runs now',
        ];
        this.moreSummaryEl.setText(`More: ${parts.join(' · ')}`);
        const when = value('when');
        this.runButton?.setText(when === 'schedule' ? 'Schedule' : when === 'trigger' ? 'Create trigger' : 'Run');
    }

    private submitWith(overrides: Partial<EnqueueFields>): void {
        // ChatInput empties its textarea before `onSend`; put the text back so nothing typed is lost on a problem.
        if (overrides.brief !== undefined) this.brief.textarea.value = overrides.brief;
        if (overrides.context !== undefined) this.contextInput.textarea.value = overrides.context;
        void this.submit(this.fields(overrides));
    }

    private async submit(fields: EnqueueFields): Promise<void> {
        if (this.submitting) return;
        const read = readEnqueueFields(fields, this.services.defaults());
        this.modalEl.querySelectorAll('.is-invalid').forEach((el) => el.removeClass('is-invalid'));
        if (!read.ok) {
            this.showError(read.message);
            const input =
                read.field === 'brief'
                    ? this.brief.textarea
                    : read.field === 'context'
                      ? this.contextInput.textarea
                      : this.inputs.get(read.field);
            input?.addClass('is-invalid');
            // A problem in a field under "More" opens it, so the field the message names can be seen and fixed.
            if (input !== undefined && this.moreEl.contains(input)) this.moreEl.open = true;
            input?.focus();
            return;
        }
        this.submitting = true;
        this.showError('');
        try {
            const path =
                read.trigger !== undefined && this.services.createTrigger !== undefined
                    ? await this.services.createTrigger(read.trigger)
                    : await this.services.enqueue(read.spec);
            this.close();
            this.services.onQueued?.(path);
        } catch (e) {
            const what =
                read.trigger !== undefined ? 'The trigger could not be written' : 'The job could not be queued';
            this.showError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
            this.submitting = false;
        }
    }

    private showError(message: string): void {
        this.errorEl.setText(message);
        this.errorEl.toggleClass('is-hidden', message === '');
    }

    private showChips(): void {
        this.chipsEl.empty();
        const refs = contextReferences(this.contextInput.textarea.value, this.brief.textarea.value);
        if (refs.length === 0) {
            this.chipsEl.createSpan({
                cls: 'vault-agent-enqueue-hint',
                text: 'No context: the job sees only its brief.',
            });
            return;
        }
        for (const ref of refs)
            this.chipsEl.createSpan({ cls: 'vault-agent-chip vault-agent-chip-mention', text: ref });
    }

    private async fillTemplates(field: HTMLElement): Promise<void> {
        const templates = this.services.templates;
        const commands =
            templates === undefined ? [] : (await templates.scan().catch(() => ({ commands: [] }))).commands;
        if (templates === undefined || commands.length === 0) {
            field.addClass('is-hidden');
            return;
        }
        const select = field.createEl('select', { cls: 'dropdown vault-agent-enqueue-template' });
        select.createEl('option', { text: 'None', value: '' });
        for (const command of commands) {
            select.createEl('option', { text: `${command.name}: ${command.description}`, value: command.name });
        }
        select.addEventListener('change', () => void this.applyTemplate(templates, select.value));
    }

    private async applyTemplate(templates: JobTemplates, name: string): Promise<void> {
        if (name === '') return;
        const expanded = await templates.expand(name, '');
        if (!expanded.ok) {
            this.showError(expanded.message);
            return;
        }
        this.brief.textarea.value = expanded.prompt;
        const title = this.inputs.get('title');
        if (title !== undefined && title.value === '') title.value = expanded.command.description.replace(/\.$/u, '');
        const model = this.inputs.get('model');
        if (model !== undefined && expanded.model !== undefined) model.value = expanded.model;
        const mode = this.inputs.get('mode');
        if (mode !== undefined && expanded.mode === 'read-only') mode.value = 'read-only';
        this.showChips();
        this.updateMore();
    }

    private field(parent: HTMLElement, label: string, key: string): HTMLElement {
        const field = parent.createDiv({ cls: `vault-agent-enqueue-field is-${key}` });
        field.createEl('label', { cls: 'vault-agent-enqueue-label', text: label });
        return field;
    }

    private text(
        parent: HTMLElement,
        key: keyof EnqueueFields,
        label: string,
        value: string,
        hint: string,
        type = 'text',
    ): HTMLInputElement {
        const field = this.field(parent, label, key);
        const input = field.createEl('input', {
            cls: `vault-agent-enqueue-${key}`,
            attr: { type, 'aria-label': label },
        });
        if (hint !== '') input.setAttr('placeholder', hint);
        input.value = value;
        input.addEventListener('keydown', (event) => {
            if (event.key !== 'Enter' || event.isComposing) return;
            event.preventDefault();
            this.submitWith({});
        });
        this.inputs.set(key, input);
        return input;
    }

    private select(
        parent: HTMLElement,
        key: keyof EnqueueFields,
        label: string,
        options: [string, string][],
    ): HTMLSelectElement {
        const field = this.field(parent, label, key);
        const select = field.createEl('select', {
            cls: `dropdown vault-agent-enqueue-${key}`,
            attr: { 'aria-label': label },
        });
        for (const [value, text] of options) select.createEl('option', { value, text });
        this.inputs.set(key, select);
        return select;
    }
}
