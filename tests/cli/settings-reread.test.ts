/**
 * The settings a server rereads before every call (`SettingsRereader`), on real files: parsed again only when the file
 * changed, where any change counts (an edit that keeps the size and the modification time still changes the change
 * time), a file changed in the last two seconds is read every time, and settings that cannot be used are never served
 * from memory.
 */
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsRereader } from '../../src/cli/load-vault-settings';

const CONFIG_DIR = '.obsidian';
let root: string | undefined;

afterEach(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
    root = undefined;
});

async function vault(): Promise<{ root: string; write(text: string): void }> {
    const made = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-settings-'));
    root = made;
    const folder = nodePath.join(made, CONFIG_DIR, 'plugins', 'vault-agent');
    mkdirSync(folder, { recursive: true });
    return { root: made, write: (text) => writeFileSync(nodePath.join(folder, 'data.json'), text) };
}

function settingsExcluding(tag: string): string {
    return JSON.stringify({ version: 2, privacy: { excludedTags: [tag], excludedFolders: [] } });
}

/** A clock a minute ahead: every change on disk is old enough for its time stamps to tell. */
const later = (): number => Date.now() + 60_000;

describe('settings reread before every call', () => {
    it('are parsed once while the file stands, and again after an edit that keeps its size and modification time', async () => {
        const made = await vault();
        made.write(settingsExcluding('private'));
        const settings = new SettingsRereader({ vaultRoot: made.root, configDir: CONFIG_DIR }, later);
        const first = await settings.load();
        expect(first.settings.privacy.excludedTags).toEqual(['private']);
        expect(await settings.load()).toBe(first);
        // The same length, the old modification time put back: only the change time tells.
        const file = nodePath.join(made.root, CONFIG_DIR, 'plugins', 'vault-agent', 'data.json');
        const { atime, mtime } = statSync(file);
        made.write(settingsExcluding('secrets'));
        utimesSync(file, atime, mtime);
        expect((await settings.load()).settings.privacy.excludedTags).toEqual(['secrets']);
    });

    it('are read every time while the file changed in the last two seconds', async () => {
        const made = await vault();
        made.write(settingsExcluding('private'));
        const settings = new SettingsRereader({ vaultRoot: made.root, configDir: CONFIG_DIR });
        const first = await settings.load();
        const second = await settings.load();
        expect(second).not.toBe(first);
        expect(second.settings).toEqual(first.settings);
    });

    it('are never served from memory once they cannot be used, and read again once fixed', async () => {
        const made = await vault();
        made.write(settingsExcluding('private'));
        const settings = new SettingsRereader({ vaultRoot: made.root, configDir: CONFIG_DIR }, later);
        await settings.load();
        made.write('{"version": 2, "privacy": ');
        await expect(settings.load()).rejects.toThrow(/not valid JSON/u);
        await expect(settings.load()).rejects.toThrow(/not valid JSON/u);
        made.write(settingsExcluding('fixed'));
        expect((await settings.load()).settings.privacy.excludedTags).toEqual(['fixed']);
    });

    it('give the defaults while there is no file (when allowed), and the file once one appears', async () => {
        const made = await vault();
        const settings = new SettingsRereader(
            { vaultRoot: made.root, configDir: CONFIG_DIR, allowDefaults: true },
            later,
        );
        const defaults = await settings.load();
        expect(defaults.settings.privacy.excludedTags).toEqual(['private']);
        expect(await settings.load()).toBe(defaults);
        made.write(settingsExcluding('journal'));
        expect((await settings.load()).settings.privacy.excludedTags).toEqual(['journal']);
    });
});
