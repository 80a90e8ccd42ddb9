import { describe, expect, it } from 'vitest';
import * as stub from '../support/obsidian-stub';
import { grantLaunchConsent, hasLaunchConsent, describeLaunch } from '../../src/agent/mcp/mcp-consent';
import { AdapterHiddenFolderReader } from '../../src/obsidian/hidden-folder-reader';
import { deviceIdOf, LOCAL_KEYS, LocalConsentStore } from '../../src/obsidian/local-storage';
import type { McpServerConfig } from '../../src/kernel/mcp-settings';
import { hostApp } from './plugin-host';

function server(command: string): McpServerConfig {
    return {
        name: 'files',
        enabled: true,
        toolPolicies: {},
        readOnlyTools: [],
        readsVault: false,
        transport: 'stdio',
        command,
        args: [],
        env: {},
    };
}

describe('per-device storage', () => {
    it('keeps one device id across restarts and a different one on another device', () => {
        const phone = hostApp(stub);
        const first = deviceIdOf(phone);
        expect(deviceIdOf(phone)).toBe(first);
        expect(deviceIdOf(hostApp(stub))).not.toBe(first);
    });

    it('asks again for a changed launch and when the stored consent is damaged', async () => {
        const app = hostApp(stub);
        const consent = new LocalConsentStore({ app });
        await grantLaunchConsent(consent, describeLaunch(server('npx files')));
        expect(await hasLaunchConsent(consent, server('npx files'))).toBe(true);
        expect(await hasLaunchConsent(consent, server('npx files --write'))).toBe(false);
        app.local.set(LOCAL_KEYS.consent, '{"broken');
        expect(await hasLaunchConsent(new LocalConsentStore({ app }), server('npx files'))).toBe(false);
    });
});

describe('hidden folders through the adapter (mobile)', () => {
    const app = hostApp(stub);
    app.files.set('.claude/skills/tidy/SKILL.md', '---\nname: tidy\n---\n');
    app.files.set('.obsidian/plugins/vault-agent/data.json', '{}');
    const reader = new AdapterHiddenFolderReader({
        adapter: (app.vault as unknown as { adapter: never }).adapter,
        configDir: '.obsidian',
    });

    it('lists and reads a skill folder the vault does not index', async () => {
        expect(await reader.list('.claude/skills')).toEqual({ files: [], folders: ['.claude/skills/tidy'] });
        expect(await reader.read('.claude/skills/tidy/SKILL.md')).toContain('name: tidy');
        expect(await reader.list('.claude/nothing')).toEqual({ files: [], folders: [] });
    });

    it('refuses paths out of the vault and the config folder before any read (rows 8, 9)', async () => {
        for (const path of ['../secrets.md', '/etc/passwd', '.claude/../../x.md', 'C:\\x.md']) {
            await expect(reader.read(path)).rejects.toMatchObject({ name: 'VaultError' });
        }
        await expect(reader.read('.obsidian/plugins/vault-agent/data.json')).rejects.toMatchObject({
            code: 'protected',
        });
    });
});
