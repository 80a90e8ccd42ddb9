import { describe, expect, it } from 'vitest';
import {
    checkWritablePath,
    fileNameOf,
    isProtectedPath,
    joinVaultPath,
    normalizeVaultPath,
    parentOf,
} from '../../src/kernel/path-policy';

const HOSTILE = [
    '../x.md',
    '..\\x.md',
    'a/../b.md',
    'a/..',
    './x.md',
    'a/./b.md',
    'Notes\\..\\..\\x.md',
    '/etc/passwd',
    '\\x.md',
    'C:\\Windows\\win.ini',
    'C:/Windows/win.ini',
    'c:x.md',
    '\\\\server\\share\\x.md',
    '//server/share/x.md',
    '%2e%2e/x.md',
    '%2E%2e%2fx.md',
    '..%2fx.md',
    '..%5cx.md',
    '%252e%252e/x.md',
    '%25252e%25252e%25252fx.md',
    'a/%2e/b.md',
    '\uff0e\uff0e/x.md',
    '\u2025/x.md',
    '.. /x.md',
    '... /x.md',
    'x.md\u0000.png',
    'a\u0001b.md',
    'a\nb.md',
    'a%00b.md',
    '',
    '   ',
];

describe('normalizeVaultPath', () => {
    it.each(HOSTILE)('rejects the hostile path %j', (input) => {
        expect(normalizeVaultPath(input).ok).toBe(false);
    });

    it('explains a rejection in a sentence a model can act on', () => {
        const result = normalizeVaultPath('../secrets.md');
        expect(result.ok ? '' : result.reason).toMatch(/^Paths must stay inside the vault: /);
        const absolute = normalizeVaultPath('/etc/passwd');
        expect(absolute.ok ? '' : absolute.reason).toContain('absolute path');
        const nul = normalizeVaultPath('a\u0000b.md');
        expect(nul.ok ? '' : nul.reason).toContain('\\u0000');
    });

    it('normalises like Obsidian: separators, doubled and trailing slashes, no-break spaces, NFC', () => {
        expect(normalizeVaultPath('Notes//Ideas///a.md')).toEqual({ ok: true, path: 'Notes/Ideas/a.md' });
        expect(normalizeVaultPath('Notes\\Ideas\\a.md')).toEqual({ ok: true, path: 'Notes/Ideas/a.md' });
        expect(normalizeVaultPath('Notes/')).toEqual({ ok: true, path: 'Notes' });
        expect(normalizeVaultPath('a\u00a0b\u202fc.md')).toEqual({ ok: true, path: 'a b c.md' });
        expect(normalizeVaultPath('Cafe\u0301.md')).toEqual({ ok: true, path: 'Caf\u00e9.md' });
    });

    it('refuses a path that is blank once its trailing separators are gone, as it refuses a blank one', () => {
        // Found by the idempotence property: " \\" was accepted as " ", which itself is refused.
        for (const input of [' \\', ' /', '\u00a0/', ' //']) {
            const checked = normalizeVaultPath(input);
            expect(checked.ok, JSON.stringify(input)).toBe(false);
            expect(checked.ok ? '' : checked.reason).toMatch(/empty/u);
        }
    });

    it('accepts names that only look unusual', () => {
        for (const path of ['100%.md', 'a..b.md', '...md', '.hidden.md', 'v1.2/notes.md', 'a%2fb.md', 'é/ü.md']) {
            expect(normalizeVaultPath(path)).toEqual({ ok: true, path: path.normalize('NFC') });
        }
    });
});

describe('isProtectedPath', () => {
    it('protects the config folder it is given, not a hard-coded one', () => {
        expect(isProtectedPath('.config-x/app.json', '.config-x')).toBe(true);
        expect(isProtectedPath('.config-x', '.config-x')).toBe(true);
        expect(isProtectedPath('.obsidian/app.json', '.config-x')).toBe(false);
        expect(isProtectedPath('.obsidian/app.json', '.obsidian')).toBe(true);
    });

    it('covers the plugin state, .git at any depth and the vault trash', () => {
        expect(isProtectedPath('.obsidian/plugins/vault-agent/data.json', '.obsidian')).toBe(true);
        expect(isProtectedPath('.git/config', '.obsidian')).toBe(true);
        expect(isProtectedPath('Projects/site/.git/hooks/pre-commit', '.obsidian')).toBe(true);
        expect(isProtectedPath('.trash/old.md', '.obsidian')).toBe(true);
    });

    it('compares case-insensitively and sees through Windows trailing dots and stream suffixes', () => {
        expect(isProtectedPath('.OBSIDIAN/app.json', '.obsidian')).toBe(true);
        expect(isProtectedPath('.Git/HEAD', '.obsidian')).toBe(true);
        expect(isProtectedPath('.trash./x.md', '.obsidian')).toBe(true);
        expect(isProtectedPath('.git::$INDEX_ALLOCATION/config', '.obsidian')).toBe(true);
        expect(isProtectedPath('.obsidian \\app.json', '.obsidian')).toBe(true);
    });

    it('leaves look-alike names alone', () => {
        for (const path of ['.gitignore', '.github/x.md', 'trash/x.md', 'Notes/.trash/x.md', '.obsidian-notes/a.md']) {
            expect(isProtectedPath(path, '.obsidian')).toBe(false);
        }
    });

    it('treats a path it cannot parse as protected', () => {
        expect(isProtectedPath('../x.md', '.obsidian')).toBe(true);
    });
});

describe('checkWritablePath', () => {
    it('refuses protected folders with a clear reason', () => {
        const result = checkWritablePath('.config-x/plugins/vault-agent/data.json', '.config-x');
        expect(result.ok).toBe(false);
        expect(result.ok ? '' : result.reason).toContain('protected');
        expect(checkWritablePath('.git/hooks/post-checkout', '.obsidian').ok).toBe(false);
        expect(checkWritablePath('.trash/a.md', '.obsidian').ok).toBe(false);
    });

    it('refuses Windows device names in any segment', () => {
        expect(checkWritablePath('CON.md', '.obsidian').ok).toBe(false);
        expect(checkWritablePath('aux/notes.md', '.obsidian').ok).toBe(false);
        expect(checkWritablePath('Notes/com1.txt', '.obsidian').ok).toBe(false);
    });

    it('returns the normalised path for an ordinary note', () => {
        expect(checkWritablePath('Notes\\Plan.md', '.obsidian')).toEqual({ ok: true, path: 'Notes/Plan.md' });
        expect(checkWritablePath('Notes/.obsidian/x.md', '.obsidian')).toEqual({
            ok: true,
            path: 'Notes/.obsidian/x.md',
        });
    });
});

describe('path helpers', () => {
    it('joins, splits and checks in one go', () => {
        expect(joinVaultPath('Agent/Outputs', 'Report.md')).toEqual({ ok: true, path: 'Agent/Outputs/Report.md' });
        expect(joinVaultPath('', 'Report.md')).toEqual({ ok: true, path: 'Report.md' });
        expect(joinVaultPath('Agent', '../x.md').ok).toBe(false);
        expect(parentOf('a/b/c.md')).toBe('a/b');
        expect(parentOf('c.md')).toBe('');
        expect(fileNameOf('a/b/c.md')).toBe('c.md');
    });
});
