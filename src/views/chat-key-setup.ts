/**
 * The chat's first-run state: while this device has no API key, the chat says in plain words what the plugin needs
 * (an Anthropic API key, or some key value for an Anthropic-compatible endpoint, a local one too), where it goes
 * (the settings, kept in this device's secret storage), and offers *Open settings*. It disappears once a key is set.
 */

/** What the notice needs from the plugin. */
export interface KeySetupOptions {
    /** Where the notice is shown (it stays hidden while a key is set). */
    el: HTMLElement;
    /** Whether this device has the API key the settings name. */
    apiKeySet(): Promise<boolean>;
    /** Opens the plugin's settings; without it the notice names the way there instead of offering a button. */
    openSettings?: () => void;
}

/** The "set your API key" notice of the chat. */
export class KeySetupNotice {
    private built = false;

    constructor(private readonly options: KeySetupOptions) {
        options.el.addClass('vault-agent-key-setup');
        options.el.hide();
    }

    /** Checks the key again, showing or hiding the notice; resolves with whether the key is set. */
    async refresh(): Promise<boolean> {
        let set: boolean;
        try {
            set = await this.options.apiKeySet();
        } catch {
            set = false;
        }
        if (set) this.options.el.hide();
        else {
            this.build();
            this.options.el.show();
        }
        return set;
    }

    private build(): void {
        if (this.built) return;
        this.built = true;
        const el = this.options.el;
        el.setAttr('role', 'status');
        el.createEl('p', { cls: 'vault-agent-key-setup-title', text: 'Add an API key to start chatting' });
        el.createEl('p', {
            text:
                "Vault Agent sends your messages to Anthropic's Messages API, or to the Anthropic-compatible endpoint " +
                'you set as Base URL (a local server works too). It needs an API key on this device.',
        });
        el.createEl('p', {
            text:
                'In Settings → Vault Agent → API key, create a secret and paste your key. It stays in this ' +
                "device's secret storage, never in the synced settings, so set it on each device. A local endpoint " +
                'that needs no key still needs some value there: any text will do.',
        });
        const open = this.options.openSettings;
        if (open !== undefined) {
            const button = el.createEl('button', { cls: 'mod-cta vault-agent-open-settings', text: 'Open settings' });
            button.addEventListener('click', () => open());
        }
    }
}
