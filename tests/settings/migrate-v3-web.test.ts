/** Version 3 of the settings adds web research, off; what is stored is read strictly (only `true` turns it on). */
import { describe, expect, it } from 'vitest';
import { migrateSettings } from '../../src/kernel/migrate-settings';
import { DEFAULT_SETTINGS, SETTINGS_VERSION } from '../../src/kernel/settings';

const PRIVACY = { excludedTags: ['private'], excludedFolders: [] };

describe('migrateSettings: version 2 to version 3 (web research)', () => {
    it('adds web research, off, to a version 2 file', () => {
        const result = migrateSettings({ version: 2, privacy: PRIVACY });
        expect(SETTINGS_VERSION).toBe(3);
        expect(result.ok && result.settings.web).toEqual({
            enabled: false,
            allowedDomains: [],
            blockedDomains: [],
            maxUsesPerTurn: 5,
        });
        expect(DEFAULT_SETTINGS.web.enabled).toBe(false);
    });

    it('reads stored web settings strictly: only true turns it on, domains cleaned, a bad cap replaced with a note', () => {
        const result = migrateSettings({
            version: 3,
            privacy: PRIVACY,
            web: { enabled: 'yes', allowedDomains: [' HTTPS://Docs.Example/path ', 4], maxUsesPerTurn: 99 },
        });
        if (!result.ok) throw new Error(result.error);
        expect(result.settings.web).toEqual({
            enabled: false,
            allowedDomains: ['docs.example'],
            blockedDomains: [],
            maxUsesPerTurn: 5,
        });
        expect(result.notes).toContain('web.maxUsesPerTurn was not valid; the default is used.');
    });
});
