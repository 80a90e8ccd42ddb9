/**
 * The Model and Privacy sections. The API key is picked with Obsidian's secret picker: settings store only the
 * secret's name (docs/RELIABILITY.md row 23). The privacy section says how many notes the exclusions hide right now.
 */
import { SecretComponent, Setting, TextComponent } from 'obsidian';
import type { App } from 'obsidian';
import { DEFAULT_MODEL } from '../../kernel/default-model';
import type { ModelList } from '../../agent/model-client';
import { ExclusionGate } from '../../context/exclusions';
import type { ObsidianExcludedFiles } from '../../context/obsidian-excluded-files';
import type { SecretStore } from '../../kernel/ports';
import { isMarkdownPath, type VaultPort } from '../../kernel/vault-port';
import type { Settings } from '../../kernel/settings';
import { errorIn, fail, lines, ok, parseInteger, type Parsed, type TabKit } from './tab-kit';

const SECRET_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Renders the Model section. */
export function renderModelSection(
    el: HTMLElement,
    settings: Settings,
    kit: TabKit,
    host: { app: App; secrets: SecretStore; models?: () => Promise<ModelList | null> },
): void {
    new Setting(el).setName('Model').setHeading();
    const modelField = kit.field(el, {
        name: 'Default model',
        desc: 'Model used when a chat or job names none.',
        value: settings.model.defaultModel,
        parse: (raw) =>
            /^\S+$/.test(raw.trim()) ? ok(raw.trim()) : fail(`Enter a model id such as ${DEFAULT_MODEL}.`),
        apply: (draft, value) => (draft.model.defaultModel = value),
    });
    if (host.models !== undefined) renderModelPicker(el, settings, kit, host.models, modelField);
    kit.field(el, {
        name: 'Base URL',
        desc: "Leave empty to use Anthropic's API. Any server that speaks the Anthropic Messages API works.",
        value: settings.model.baseUrl,
        placeholder: 'https://…',
        parse: parseBaseUrl,
        apply: (draft, value) => (draft.model.baseUrl = value),
    });
    const keySetting = new Setting(el)
        .setName('API key')
        .setDesc(
            "Kept in this device's secret storage; the settings file stores only its name. Set it on each device.",
        );
    const statusEl = keySetting.descEl.createDiv({ cls: 'vault-agent-secret-status' });
    const errorEl = errorIn(keySetting);
    const showStatus = async (name: string): Promise<void> => {
        const secret = await host.secrets.get(name);
        statusEl.setText(secret === null ? 'API key not set on this device.' : 'Set on this device.');
        statusEl.toggleClass('vault-agent-secret-missing', secret === null);
    };
    void showStatus(settings.model.apiKeySecretName);
    keySetting.addComponent((controlEl) =>
        new SecretComponent(host.app, controlEl).setValue(settings.model.apiKeySecretName).onChange((name) => {
            if (!SECRET_NAME.test(name)) {
                errorEl.setText('Secret names use lowercase letters, digits and dashes.');
                return;
            }
            kit.save(
                errorEl,
                (draft) => (draft.model.apiKeySecretName = name),
                () => void showStatus(name),
            );
        }),
    );
    kit.field(el, {
        name: 'Max output tokens',
        desc: 'Upper bound on the length of each model response.',
        value: String(settings.model.maxOutputTokens),
        parse: (raw) => parseInteger(raw, 1, 128_000),
        apply: (draft, value) => (draft.model.maxOutputTokens = value),
    });
    const pdfSetting = new Setting(el)
        .setName('Send PDFs as documents')
        .setDesc(
            'The endpoint reads PDFs (pages and figures). Turn off for endpoints that cannot, such as many local ' +
                'models: their extracted text is sent instead.',
        );
    const pdfError = errorIn(pdfSetting);
    pdfSetting.addToggle((toggle) =>
        toggle
            .setValue(settings.model.pdfDocuments)
            .onChange((on) => kit.save(pdfError, (draft) => (draft.model.pdfDocuments = on))),
    );
}

/**
 * The endpoint's own models, offered when its list can be read; picking one sets the default model (the text field
 * above stays, for an id the endpoint does not list).
 */
function renderModelPicker(
    el: HTMLElement,
    settings: Settings,
    kit: TabKit,
    models: () => Promise<ModelList | null>,
    modelField: Setting,
): void {
    const setting = new Setting(el).setName('Models at this endpoint').setDesc('Reading the endpoint’s models…');
    const errorEl = errorIn(setting);
    const failed = (): void => {
        setting.setDesc('The endpoint’s models could not be read; enter a model id above.');
    };
    models().then((list) => {
        if (list === null || list.source !== 'endpoint' || list.models.length === 0) {
            setting.setDesc(
                list?.source === 'fallback'
                    ? 'This endpoint does not list its models; enter a model id above.'
                    : 'The endpoint’s models could not be read; enter a model id above.',
            );
            return;
        }
        setting.setDesc('Pick one of the models the endpoint offers.');
        const options: Record<string, string> = {};
        for (const model of list.models) {
            const window =
                model.maxInputTokens !== undefined ? ` (${Math.round(model.maxInputTokens / 1000)}k context)` : '';
            options[model.id] = `${model.displayName}${window}`;
        }
        setting.addDropdown((dropdown) =>
            dropdown
                .addOptions(options)
                .setValue(kit.store.settings?.model.defaultModel ?? settings.model.defaultModel)
                .onChange((id) =>
                    kit.save(
                        errorEl,
                        (draft) => (draft.model.defaultModel = id),
                        () => {
                            const text = modelField.components.find((c) => c instanceof TextComponent);
                            if (text instanceof TextComponent) text.setValue(id);
                        },
                    ),
                ),
        );
    }, failed);
}

/** Obsidian's own Excluded files as the host read them from app.json. */
export interface ObsidianExcludedSource {
    /** The list as last read. */
    readonly current: ObsidianExcludedFiles;
    /** Reads app.json again. */
    refresh(): Promise<unknown>;
}

/** Renders the Privacy section with the live count of excluded notes. */
export function renderPrivacySection(
    el: HTMLElement,
    settings: Settings,
    kit: TabKit,
    vault: VaultPort,
    obsidian?: ObsidianExcludedSource,
): void {
    new Setting(el).setName('Privacy').setHeading();
    el.createDiv({
        cls: 'vault-agent-settings-explainer',
        text:
            'Excluded notes do not exist for the agent: not in context, search, links, listings or jobs, not even ' +
            'their names. Notes Obsidian has not indexed yet count as excluded.',
    });
    const countEl = el.createDiv({ cls: 'vault-agent-excluded-count' });
    const showCount = async (): Promise<void> => {
        const privacy = kit.store.settings?.privacy;
        if (!privacy) return;
        const notes = (await vault.list()).map((f) => f.path).filter(isMarkdownPath);
        const honoured = privacy.obsidianExcludedFiles !== false ? (obsidian?.current ?? null) : null;
        const { excludedCount } = new ExclusionGate({ vault, privacy, obsidianExcluded: honoured }).partition(notes);
        countEl.setText(`${excludedCount} of ${notes.length} notes are currently excluded.`);
    };
    kit.field(el, {
        name: 'Excluded tags',
        desc: 'One tag per line, with or without #. A tag covers its subtags: private also covers #private/health.',
        value: settings.privacy.excludedTags.join('\n'),
        multiline: true,
        parse: parseTags,
        apply: (draft, value) => (draft.privacy.excludedTags = value),
        afterSave: () => void showCount(),
    });
    kit.field(el, {
        name: 'Excluded folders',
        desc: 'One per line: a folder (Journal/ covers its subfolders) or a glob pattern such as **/*.secret.md.',
        value: settings.privacy.excludedFolders.join('\n'),
        multiline: true,
        parse: parseFolderRules,
        apply: (draft, value) => (draft.privacy.excludedFolders = value),
        afterSave: () => void showCount(),
    });
    if (obsidian !== undefined) renderObsidianExcluded(el, settings, kit, obsidian, showCount);
    void showCount();
}

/** The toggle for Obsidian's own Excluded files, and what the list holds (or why it cannot be read). */
function renderObsidianExcluded(
    el: HTMLElement,
    settings: Settings,
    kit: TabKit,
    obsidian: ObsidianExcludedSource,
    showCount: () => Promise<void>,
): void {
    const setting = new Setting(el)
        .setName("Obsidian's excluded files")
        .setDesc('Also exclude what Obsidian excludes (files and links → excluded files).');
    const listEl = setting.descEl.createDiv({ cls: 'vault-agent-obsidian-excluded' });
    const errorEl = errorIn(setting);
    const showList = (on: boolean): void => {
        const list = obsidian.current;
        listEl.toggleClass('vault-agent-secret-missing', on && list.problem !== null);
        if (!on) listEl.setText('Not honoured: notes Obsidian excludes can be sent.');
        else if (list.problem !== null) {
            listEl.setText(
                `Obsidian's excluded files could not be read (${list.problem}). Every note is excluded until the ` +
                    'list is fixed or this is turned off.',
            );
        } else if (list.filters.length === 0) listEl.setText("Obsidian's excluded files list is empty.");
        else listEl.setText(`Excluded by Obsidian's list: ${list.filters.join(', ')}`);
    };
    setting.addToggle((toggle) =>
        toggle.setValue(settings.privacy.obsidianExcludedFiles !== false).onChange((on) =>
            kit.save(
                errorEl,
                (draft) => (draft.privacy.obsidianExcludedFiles = on),
                () => {
                    showList(on);
                    void showCount();
                },
            ),
        ),
    );
    showList(settings.privacy.obsidianExcludedFiles !== false);
    void obsidian.refresh().then(() => {
        showList(kit.store.settings?.privacy.obsidianExcludedFiles !== false);
        void showCount();
    });
}

function parseBaseUrl(raw: string): Parsed<string> {
    const text = raw.trim();
    if (text === '') return ok('');
    try {
        const url = new URL(text);
        if (url.protocol === 'http:' || url.protocol === 'https:') return ok(text);
    } catch {
        // Falls through to the message below.
    }
    return fail('Enter a full URL starting with https:// (or http:// for a local server), or leave it empty.');
}

function parseTags(raw: string): Parsed<string[]> {
    const tags = lines(raw).map((line) => line.replace(/^#+/, '').toLowerCase());
    const bad = tags.find((tag) => tag === '' || /[\s,#]/.test(tag));
    if (bad !== undefined) return fail(`"${bad}" is not a tag: tags have no spaces, commas or inner #.`);
    return ok([...new Set(tags)]);
}

function parseFolderRules(raw: string): Parsed<string[]> {
    const rules = lines(raw).map((line) => line.replace(/^\/+/, ''));
    const bad = rules.find((rule) => rule === '' || rule.split('/').includes('..'));
    if (bad !== undefined) return fail(`"${bad}" cannot be used: rules are paths inside the vault.`);
    return ok([...new Set(rules)]);
}
