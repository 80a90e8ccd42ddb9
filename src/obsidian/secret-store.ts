/**
 * `SecretStore` over Obsidian's per-device secret storage (1.11.4+). The settings keep only a secret's NAME; the key
 * itself stays on the device and never reaches `data.json`, which syncs (docs/RELIABILITY.md row 23).
 */
import type { App } from 'obsidian';
import type { SecretStore } from '../kernel/ports';

/** What the store needs from the host. */
export interface ObsidianSecretStoreOptions {
    /** The running app, whose `secretStorage` holds this device's secrets. */
    app: App;
}

/** Reads secrets by name from this device. A missing secret (or storage) is `null`: "not set on this device". */
export class ObsidianSecretStore implements SecretStore {
    private readonly app: App;

    constructor(options: ObsidianSecretStoreOptions) {
        this.app = options.app;
    }

    async get(name: string): Promise<string | null> {
        // Older app versions (and some test hosts) have no secret storage: the key is then simply not set here.
        const storage = this.app.secretStorage as App['secretStorage'] | undefined;
        if (name.trim() === '' || !storage) return null;
        try {
            const secret = storage.getSecret(name);
            return secret !== null && secret !== '' ? secret : null;
        } catch {
            // An invalid id cannot name a stored secret.
            return null;
        }
    }
}
