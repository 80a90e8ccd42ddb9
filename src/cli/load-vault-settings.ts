/**
 * Reads the plugin's own settings from a vault folder (`<vault>/<configDir>/plugins/vault-agent/data.json`), so the
 * CLI and the MCP server apply exactly the exclusions the plugin does. Missing file = defaults; a file that is there
 * but cannot be read, parsed or validated = refuse to run (docs/RELIABILITY.md row 14: never "no exclusions").
 */
import { readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { migrateSettings } from '../settings/migrate-settings';
import type { Settings } from '../settings/settings';

/** The plugin's id, which names its folder under `<configDir>/plugins/`. */
export const PLUGIN_ID = 'vault-agent';

/** The settings could not be used; `message` says why and what to do, and quotes nothing from the file. */
export class VaultSettingsError extends Error {
    override readonly name = 'VaultSettingsError';
}

/** What was read. */
export interface VaultSettings {
    /** The validated settings. */
    settings: Settings;
    /** What migration fixed or assumed, one sentence each (e.g. "no settings file: defaults apply"). */
    notes: string[];
    /** The file that was (or would have been) read. */
    file: string;
}

/** Where the settings of the plugin live in `vaultRoot`. */
export function settingsFilePath(vaultRoot: string, configDir: string): string {
    return nodePath.join(vaultRoot, ...configDir.split('/'), 'plugins', PLUGIN_ID, 'data.json');
}

/** Reads and validates the vault's settings; rejects with `VaultSettingsError` when they exist but are unusable. */
export async function loadVaultSettings(options: { vaultRoot: string; configDir: string }): Promise<VaultSettings> {
    const file = settingsFilePath(options.vaultRoot, options.configDir);
    let text: string | null;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        const raw = (error as { code?: unknown }).code;
        const code = typeof raw === 'string' ? raw : 'error';
        if (code !== 'ENOENT') {
            throw new VaultSettingsError(
                `The Vault Agent settings file (${file}) exists but could not be read (${code}). ` +
                    'Nothing was done; fix the file or its permissions.',
            );
        }
        text = null;
    }
    let raw: unknown = null;
    if (text !== null) {
        try {
            raw = JSON.parse(text);
        } catch {
            // The parser's message quotes the text around the fault, which could be a pasted key: never repeat it.
            throw new VaultSettingsError(
                `The Vault Agent settings file (${file}) is not valid JSON (truncated or hand-edited?). Nothing was ` +
                    'done; open the vault in Obsidian to repair the settings, or fix the file.',
            );
        }
    }
    const result = migrateSettings(raw);
    if (!result.ok) {
        throw new VaultSettingsError(`The Vault Agent settings in ${file} cannot be used: ${result.error}`);
    }
    const notes = text === null ? ['No Vault Agent settings file in this vault: the defaults apply.'] : [];
    return { settings: result.settings, notes: [...notes, ...result.notes], file };
}
