/**
 * One MCP server in the settings tab: its name, transport, command and arguments or URL, environment or headers,
 * switches, and a policy per tool. Edits go into a local draft; a draft is saved only when the whole server
 * validates (`parseServer`), so a half-typed server is never stored, and a key typed into an environment variable or
 * header is refused with a reason instead of being synced (docs/RELIABILITY.md row 23).
 */
import { Setting } from 'obsidian';
import type { McpServerStatus } from '../../agent/mcp/mcp-hub';
import { MCP_TOOL_POLICIES, type McpToolPolicy } from '../../kernel/mcp-settings';
import { ENV_LINE, HEADER_LINE, pairsText, setPairs, validateDraft, type ServerDraft } from './mcp-server-draft';
import { errorIn, lines, ok, type Parsed, type TabKit } from './tab-kit';

export { draftOf, newDraft, validateDraft, type ServerDraft } from './mcp-server-draft';

/** A server's status as the tab reads it; `tools` (the listed tool names) when the hub reports them. */
export type McpServerStatusView = McpServerStatus & { tools?: readonly string[] };

/** What one block needs. */
export interface ServerBlockOptions {
    /** Saving. */
    kit: TabKit;
    /** Whether stdio servers may be chosen here. */
    isDesktop: boolean;
    /** The name the server is stored under; null for a server not saved yet. */
    savedName: string | null;
    /** The fields as shown. */
    draft: ServerDraft;
    /** What the hub says about it, when a hub is there. */
    status: McpServerStatusView | undefined;
    /** Runs after each save, with the stored name. */
    onSaved: () => void;
    /** Runs after the server was removed (or an unsaved one discarded). */
    onRemoved: () => void;
}

const POLICY_LABELS: Record<McpToolPolicy, string> = {
    ask: 'Ask each time',
    allow: 'Allow',
    deny: 'Never offer',
};

/** Renders one server's block into `el`. */
export function renderServerBlock(el: HTMLElement, options: ServerBlockOptions): void {
    const { kit, draft } = options;
    let savedName = options.savedName;
    const block = el.createDiv({ cls: 'vault-agent-mcp-server' });
    const title = new Setting(block).setName(savedName ?? 'New server').setHeading();
    if (savedName === null) title.setDesc('Not saved yet: give it a name and a command or URL.');
    if (options.status !== undefined) {
        block.createDiv({
            cls: `vault-agent-mcp-status vault-agent-mcp-status-${options.status.state}`,
            text: options.status.message,
        });
    }
    const others = (): string[] =>
        (kit.store.settings?.mcp.servers ?? []).map((s) => s.name).filter((name) => name !== savedName);
    const commit = (errorEl: HTMLElement): void => {
        const parsed = validateDraft(draft, others());
        if (!parsed.ok) {
            errorEl.setText(parsed.message);
            return;
        }
        let previous = savedName;
        kit.save(
            errorEl,
            (settings) => {
                // Changes are applied one after another; the name is taken at apply time, so a second edit typed
                // before the first was saved replaces the server the first one stored rather than adding another.
                previous = savedName;
                const list = settings.mcp.servers;
                const at = previous === null ? -1 : list.findIndex((s) => s.name === previous);
                if (at === -1) list.push(parsed.value);
                else list[at] = parsed.value;
                savedName = parsed.value.name;
            },
            () => {
                title.setName(parsed.value.name).setDesc('');
                options.onSaved();
            },
            () => (savedName = previous),
        );
    };
    /** A text field (or a multi-line one) that saves when what was typed parses, and says why when it does not. */
    const textField = (
        multiline: boolean,
        into: HTMLElement,
        name: string,
        desc: string,
        value: string,
        set: (raw: string) => Parsed<unknown>,
    ): void => {
        const row = new Setting(into).setName(name).setDesc(desc);
        if (multiline) row.settingEl.addClass('vault-agent-setting-multiline');
        const errorEl = errorIn(row);
        const onChange = (raw: string): void => {
            const result = set(raw);
            if (result.ok) commit(errorEl);
            else errorEl.setText(result.message);
        };
        if (multiline) row.addTextArea((input) => input.setValue(value).onChange(onChange));
        else row.addText((input) => input.setValue(value).onChange(onChange));
    };
    const text = (...args: TextFieldArgs): void => textField(false, ...args);
    const textArea = (...args: TextFieldArgs): void => textField(true, ...args);
    text(block, 'Name', 'Its tools are offered to the agent as mcp__name__tool.', draft.name, (raw) => {
        draft.name = raw.trim();
        return ok(null);
    });
    const transportRow = new Setting(block).setName('Transport');
    const transportError = errorIn(transportRow);
    const fieldsEl = block.createDiv({ cls: 'vault-agent-mcp-transport' });
    transportRow.addDropdown((dropdown) => {
        if (options.isDesktop || draft.transport === 'stdio') {
            dropdown.addOption('stdio', options.isDesktop ? 'Program on this computer' : 'Program (desktop only)');
        }
        dropdown.addOption('http', 'Streamable HTTP');
        dropdown.setValue(draft.transport).onChange((value) => {
            if (value !== 'stdio' && value !== 'http') return;
            if (value === 'stdio' && !options.isDesktop) {
                transportError.setText('Programs can only be started on desktop.');
                return;
            }
            draft.transport = value;
            renderTransportFields();
            commit(transportError);
        });
    });
    const renderTransportFields = (): void => {
        fieldsEl.empty();
        if (draft.transport === 'stdio') {
            textArea(
                fieldsEl,
                'Command',
                'The program, then one argument per line. Run without a shell.',
                [draft.command, ...draft.args].join('\n'),
                (raw) => {
                    const [command = '', ...args] = lines(raw);
                    draft.command = command;
                    draft.args = args;
                    return ok(null);
                },
            );
            textArea(fieldsEl, 'Environment', 'One NAME=value per line.', pairsText(draft.env, '='), (raw) =>
                setPairs(raw, ENV_LINE, 'NAME=value', (pairs) => (draft.env = pairs)),
            );
        } else {
            text(fieldsEl, 'URL', 'The server’s Streamable HTTP endpoint.', draft.url, (raw) => {
                draft.url = raw.trim();
                return ok(null);
            });
            textArea(fieldsEl, 'Headers', 'One Name: value per line.', pairsText(draft.headers, ': '), (raw) =>
                setPairs(raw, HEADER_LINE, 'Name: value', (pairs) => (draft.headers = pairs)),
            );
        }
    };
    renderTransportFields();
    const toggle = (name: string, desc: string, value: boolean, set: (on: boolean) => void): void => {
        const row = new Setting(block).setName(name).setDesc(desc);
        const errorEl = errorIn(row);
        row.addToggle((t) =>
            t.setValue(value).onChange((on) => {
                set(on);
                commit(errorEl);
            }),
        );
    };
    toggle('Enabled', 'Off: never started or connected.', draft.enabled, (on) => (draft.enabled = on));
    toggle(
        'Can read this vault',
        'Turn on if the server can open the vault folder by itself: its results are then scanned and excluded ' +
            'notes removed before the agent sees them.',
        draft.readsVault,
        (on) => (draft.readsVault = on),
    );
    renderTools(block, draft, options.status, commit);
    renderRemove(block, () => savedName, options);
}

function renderTools(
    el: HTMLElement,
    draft: ServerDraft,
    status: McpServerStatusView | undefined,
    commit: (errorEl: HTMLElement) => void,
): void {
    const names = [...new Set([...(status?.tools ?? []), ...Object.keys(draft.toolPolicies), ...draft.readOnlyTools])];
    const toolsEl = el.createDiv({ cls: 'vault-agent-mcp-tools' });
    if (names.length === 0) {
        toolsEl.createDiv({
            cls: 'vault-agent-settings-empty',
            text: 'Its tools are listed here once it has connected.',
        });
        return;
    }
    toolsEl.createDiv({
        cls: 'vault-agent-settings-explainer',
        text:
            'Per tool: ask, allow or never offer. Only tools you vouch for as read-only run without asking once a ' +
            'note or web page is in the conversation; a server’s own claims never count.',
    });
    for (const tool of names.sort()) {
        const row = new Setting(toolsEl)
            .setName(tool)
            .setDesc('When it may run; and the switch: on if you vouch that it only reads.');
        const errorEl = errorIn(row);
        row.addDropdown((dropdown) =>
            dropdown
                .addOptions(POLICY_LABELS)
                .setValue(draft.toolPolicies[tool] ?? 'ask')
                .onChange((value) => {
                    const policy = MCP_TOOL_POLICIES.find((p) => p === value);
                    if (policy === undefined) return;
                    draft.toolPolicies[tool] = policy;
                    commit(errorEl);
                }),
        );
        row.addToggle((toggle) => {
            toggle.toggleEl.setAttr('aria-label', 'Read-only (I vouch for it)');
            toggle.setValue(draft.readOnlyTools.includes(tool)).onChange((on) => {
                draft.readOnlyTools = on
                    ? [...new Set([...draft.readOnlyTools, tool])]
                    : draft.readOnlyTools.filter((t) => t !== tool);
                commit(errorEl);
            });
        });
    }
}

function renderRemove(el: HTMLElement, savedName: () => string | null, options: ServerBlockOptions): void {
    const confirmEl = el.createDiv();
    const row = new Setting(el).addButton((button) =>
        button.setButtonText('Remove…').onClick(() => {
            const name = savedName();
            if (name === null) {
                options.onRemoved();
                return;
            }
            confirmEl.empty();
            const confirm = new Setting(confirmEl)
                .setName(`Remove "${name}"?`)
                .setDesc('Its settings and tool policies are deleted on every device that syncs these settings.');
            const errorEl = errorIn(confirm);
            confirm.addButton((b) => b.setButtonText('Cancel').onClick(() => confirmEl.empty()));
            confirm.addButton((b) =>
                b
                    .setButtonText('Remove')
                    .setClass('mod-warning')
                    .onClick(() =>
                        options.kit.save(
                            errorEl,
                            (settings) => {
                                settings.mcp.servers = settings.mcp.servers.filter((s) => s.name !== name);
                            },
                            options.onRemoved,
                        ),
                    ),
            );
        }),
    );
    row.settingEl.addClass('vault-agent-mcp-remove');
}

/** Where a text field goes, its name and description, its value, and how to read what was typed. */
type TextFieldArgs = [
    into: HTMLElement,
    name: string,
    desc: string,
    value: string,
    set: (raw: string) => Parsed<unknown>,
];
