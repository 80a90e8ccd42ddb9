/**
 * Asks the person before an MCP tool runs from the chat: the server, the tool, why they are asked, the tool's FULL
 * description as the server sent it (hidden instructions show, docs/RELIABILITY.md row 19) and the COMPLETE input the
 * model wants to send (row 18). Only "Allow" allows, and only for exactly this call (the binding); closing or Stop
 * denies.
 */
import { Modal, type App } from 'obsidian';
import type { ToolCallDecision, ToolCallGate, ToolCallReason, ToolCallRequest } from '../agent/mcp/tool-call-gate';

/** Why the person is asked, in words. */
const REASONS: Record<ToolCallReason, string> = {
    policy: 'This tool is set to ask before each call.',
    'new-definition': 'You have not approved this tool on this device yet.',
    'definition-changed': 'The server changed this tool since you approved it.',
    'untrusted-content': 'Note text or a tool result is in this turn; it may be asking for this call.',
};

/** One request, shown until the person answers. */
export class ToolCallModal extends Modal {
    private decided = false;
    private closed = false;

    constructor(
        app: App,
        private readonly request: ToolCallRequest,
        private readonly answer: (decision: ToolCallDecision) => void,
    ) {
        super(app);
    }

    override onOpen(): void {
        const { request } = this;
        this.setTitle('Allow this tool call?');
        const root = this.contentEl;
        root.addClass('vault-agent-tool-call');
        root.createEl('p', { text: `Server “${request.server}” · tool ${request.offeredName}` });
        const reasons = root.createEl('ul', { cls: 'vault-agent-tool-call-reasons' });
        for (const reason of request.reasons) reasons.createEl('li', { text: REASONS[reason] });
        root.createEl('h4', { text: 'Description, as the server sent it' });
        root.createEl('pre', {
            cls: 'vault-agent-tool-call-description',
            text: request.definition.description || '(none)',
        });
        root.createEl('h4', { text: 'Everything it will send' });
        root.createEl('pre', { cls: 'vault-agent-tool-call-input', text: JSON.stringify(request.input, null, 2) });
        const buttons = root.createDiv({ cls: 'modal-button-container' });
        const allow = buttons.createEl('button', {
            text: 'Allow once',
            cls: 'mod-warning vault-agent-tool-call-allow',
        });
        allow.addEventListener('click', () => this.decide({ kind: 'allow', binding: request.binding }));
        const deny = buttons.createEl('button', { text: 'Deny', cls: 'mod-cta vault-agent-tool-call-deny' });
        deny.addEventListener('click', () => this.decide({ kind: 'deny', reason: 'The person denied this call.' }));
        // The safe answer has the focus, so a key pressed at once never lands in the chat box behind the dialog.
        deny.focus();
    }

    override onClose(): void {
        this.closed = true;
        this.contentEl.empty();
        this.decide({ kind: 'deny', reason: 'The person closed the request without allowing it.' });
    }

    /** Answers once; later answers (a close after a click) are ignored. */
    decide(decision: ToolCallDecision): void {
        if (this.decided) return;
        this.decided = true;
        this.answer(decision);
        if (!this.closed) this.close();
    }
}

/** The chat's `ToolCallGate`: one modal per request; an aborted turn closes it with a denial. */
export class ModalToolCallGate implements ToolCallGate {
    constructor(private readonly options: { app: App }) {}

    request(request: ToolCallRequest, options: { signal?: AbortSignal }): Promise<ToolCallDecision> {
        return new Promise((resolve) => {
            if (options.signal?.aborted === true) {
                resolve({ kind: 'deny', reason: 'The turn was stopped.' });
                return;
            }
            const onAbort = (): void => modal.decide({ kind: 'deny', reason: 'The turn was stopped.' });
            const modal = new ToolCallModal(this.options.app, request, (decision) => {
                options.signal?.removeEventListener('abort', onAbort);
                resolve(decision);
            });
            options.signal?.addEventListener('abort', onAbort, { once: true });
            modal.open();
        });
    }
}
