import nodePath from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkWritablePath, isProtectedPath, normalizeVaultPath } from '../../src/kernel/path-policy';

const ROOT = nodePath.resolve('/vault-root');

/** Segments chosen to hit every trick the policy knows about, mixed with ordinary names. */
const trickySegment = fc.oneof(
    fc.constantFrom(
        '..',
        '.',
        '%2e',
        '%2e%2e',
        '%252e%252e',
        '%2f',
        '%5c',
        '\\',
        '\u0000',
        '\uff0e\uff0e',
        '.. ',
        'C:',
        '~',
        '.obsidian',
        '.git',
        '.trash',
        'Notes',
        'café',
        'Cafe\u0301',
    ),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
);

const trickyPath = fc
    .tuple(fc.array(trickySegment, { minLength: 1, maxLength: 6 }), fc.constantFrom('/', '\\', '//', ''))
    .map(([segments, separator]) => segments.join(separator));

const anyPath = fc.oneof(trickyPath, fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 20 }));

describe('path policy properties', () => {
    it('keeps every accepted path inside the root once resolved against it (POSIX and Windows rules)', () => {
        fc.assert(
            fc.property(anyPath, (input) => {
                const checked = normalizeVaultPath(input);
                if (!checked.ok) return;
                const posix = nodePath.posix.relative(ROOT, nodePath.posix.resolve(ROOT, checked.path));
                expect(posix.startsWith('..') && (posix === '..' || posix.startsWith('../'))).toBe(false);
                expect(nodePath.posix.isAbsolute(posix)).toBe(false);
                const winRoot = 'C:\\vault-root';
                const win = nodePath.win32.relative(winRoot, nodePath.win32.resolve(winRoot, checked.path));
                expect(win === '..' || win.startsWith('..\\') || nodePath.win32.isAbsolute(win)).toBe(false);
            }),
        );
    });

    it('is idempotent: an accepted path normalises to itself', () => {
        fc.assert(
            fc.property(anyPath, (input) => {
                const checked = normalizeVaultPath(input);
                if (!checked.ok) return;
                expect(normalizeVaultPath(checked.path)).toEqual(checked);
            }),
        );
    });

    it('never accepts a path with a dot segment, a control character or a leading separator', () => {
        fc.assert(
            fc.property(anyPath, (input) => {
                const checked = normalizeVaultPath(input);
                if (!checked.ok) return;
                expect(checked.path.split('/').some((s) => s === '.' || s === '..' || s === '')).toBe(false);
                expect(/\p{Cc}/u.test(checked.path)).toBe(false);
                expect(checked.path.startsWith('/')).toBe(false);
                expect(checked.path).toBe(checked.path.normalize('NFC'));
            }),
        );
    });

    it('never lets a writable path into the config folder, whatever its case', () => {
        const configDir = fc.constantFrom('.obsidian', '.config-x', 'Config');
        fc.assert(
            fc.property(configDir, anyPath, fc.boolean(), (config, rest, upper) => {
                const spelled = upper ? config.toUpperCase() : config;
                expect(checkWritablePath(`${spelled}/${rest}`, config).ok).toBe(false);
                const checked = checkWritablePath(rest, config);
                if (checked.ok) expect(isProtectedPath(checked.path, config)).toBe(false);
            }),
        );
    });
});
