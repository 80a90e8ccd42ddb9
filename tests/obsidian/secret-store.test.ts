import type { App as ObsidianApp } from 'obsidian';
import { describe, expect, it } from 'vitest';
import { ObsidianNotifier } from '../../src/obsidian/notifier';
import { ObsidianSecretStore } from '../../src/obsidian/secret-store';
import { App, notices } from '../support/obsidian-stub';

const storeFor = (app: App) => new ObsidianSecretStore({ app: app as unknown as ObsidianApp });

describe('ObsidianSecretStore', () => {
    it('returns the key stored on this device under its name', async () => {
        const app = new App();
        app.secretStorage.setSecret('vault-agent-anthropic-api-key', 'sk-ant-test-123');
        await expect(storeFor(app).get('vault-agent-anthropic-api-key')).resolves.toBe('sk-ant-test-123');
    });

    it('says "not set" (null) on a device where no secret was stored, as a second synced device sees it', async () => {
        const store = storeFor(new App());
        await expect(store.get('vault-agent-anthropic-api-key')).resolves.toBeNull();
        await expect(store.get('')).resolves.toBeNull();
        await expect(store.get('Not A Valid Id')).resolves.toBeNull();
    });

    it('treats an app without secret storage as "not set" rather than failing', async () => {
        const app = new App() as unknown as { secretStorage?: unknown };
        delete app.secretStorage;
        await expect(storeFor(app as App).get('vault-agent-anthropic-api-key')).resolves.toBeNull();
    });
});

describe('ObsidianNotifier', () => {
    it('shows messages as notices', () => {
        const before = notices.length;
        new ObsidianNotifier().notify('Job finished', 'info');
        new ObsidianNotifier().notify('The API key is not set on this device', 'error');
        expect(notices.slice(before)).toEqual(['Job finished', 'The API key is not set on this device']);
    });
});
