import { describe, expect, it } from 'vitest';
import {
    collisionKey,
    FALLBACK_NOTE_NAME,
    isReservedWindowsName,
    MAX_BASE_NAME_BYTES,
    sanitizeNoteName,
    truncateUtf8,
    uniqueNotePath,
} from '../../src/kernel/safe-names';

const bytes = (text: string): number => new TextEncoder().encode(text).length;

describe('sanitizeNoteName', () => {
    it('turns characters Windows or links reject into readable ones', () => {
        expect(sanitizeNoteName('Q3: plan?')).toBe('Q3 - plan');
        expect(sanitizeNoteName('a|b')).toBe('a - b');
        expect(sanitizeNoteName('in/out\\back')).toBe('in - out - back');
        expect(sanitizeNoteName('say "hi" <now> [draft]')).toBe("say 'hi' (now) (draft)");
        expect(sanitizeNoteName('#1 *star* ^block')).toBe('1 star block');
        expect(sanitizeNoteName('tab\there\u0000nul')).toBe('tab here nul');
    });

    it('leaves out bidi overrides and invisible spaces, which make a name read as another, and keeps joiners', () => {
        expect(sanitizeNoteName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
        expect(sanitizeNoteName('a\u2066b\u2069c\u202Ad\u202C')).toBe('abcd');
        expect(sanitizeNoteName('zero\u200Bwidth\uFEFF')).toBe('zerowidth');
        expect(sanitizeNoteName('family \u{1F468}\u200D\u{1F469}\u200D\u{1F467}')).toBe(
            'family \u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
        );
        expect(sanitizeNoteName('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645')).toBe(
            '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645',
        );
    });

    it('trims trailing dots and spaces, and leading dots that would hide the note', () => {
        expect(sanitizeNoteName('Notes. . ')).toBe('Notes');
        expect(sanitizeNoteName('..hidden')).toBe('hidden');
        expect(sanitizeNoteName('Plan:')).toBe('Plan');
    });

    it('keeps a .md extension and sanitises only the name before it', () => {
        expect(sanitizeNoteName('Q3: plan?.md')).toBe('Q3 - plan.md');
    });

    it('suffixes Windows device names, with or without an extension', () => {
        expect(sanitizeNoteName('CON')).toBe('CON_');
        expect(sanitizeNoteName('nul.md')).toBe('nul_.md');
        expect(sanitizeNoteName('Com1')).toBe('Com1_');
        expect(sanitizeNoteName('LPT9.tar')).toBe('LPT9_.tar');
        expect(sanitizeNoteName('Console')).toBe('Console');
        expect(isReservedWindowsName('aux.txt')).toBe(true);
        expect(isReservedWindowsName('COM\u00b9')).toBe(true);
        expect(isReservedWindowsName('CONTACTS.md')).toBe(false);
    });

    it('caps a 300-character name at 200 UTF-8 bytes without splitting a character', () => {
        expect(bytes(sanitizeNoteName('a'.repeat(300)))).toBe(MAX_BASE_NAME_BYTES);
        const emoji = sanitizeNoteName('👩‍👩‍👧‍👦'.repeat(20) + '.md');
        expect(emoji.endsWith('.md')).toBe(true);
        expect(bytes(emoji) - 3).toBeLessThanOrEqual(MAX_BASE_NAME_BYTES);
        expect(emoji.slice(0, -3).length % '👩‍👩‍👧‍👦'.length).toBe(0);
        const accents = sanitizeNoteName('e\u0301\u0327'.repeat(100));
        expect(accents).toBe(accents.normalize('NFC'));
        expect(bytes(accents)).toBeLessThanOrEqual(MAX_BASE_NAME_BYTES);
    });

    it('never returns an empty name and returns NFC', () => {
        expect(sanitizeNoteName('')).toBe(FALLBACK_NOTE_NAME);
        expect(sanitizeNoteName(' ?*: ')).toBe(FALLBACK_NOTE_NAME);
        expect(sanitizeNoteName('...')).toBe(FALLBACK_NOTE_NAME);
        expect(sanitizeNoteName('Cafe\u0301')).toBe('Caf\u00e9');
    });
});

describe('truncateUtf8', () => {
    it('leaves short text alone and never cuts a surrogate pair', () => {
        expect(truncateUtf8('abc', 10)).toBe('abc');
        expect(truncateUtf8('a😀', 4)).toBe('a');
    });
});

describe('collisionKey', () => {
    it('makes case and Unicode-form twins collide', () => {
        expect(collisionKey('Notes.md')).toBe(collisionKey('notes.md'));
        expect(collisionKey('Caf\u00e9.md')).toBe(collisionKey('Cafe\u0301.md'));
        expect(collisionKey('Notes.md')).not.toBe(collisionKey('Notes 1.md'));
    });
});

describe('uniqueNotePath', () => {
    it('returns the desired path when it is free', async () => {
        expect(await uniqueNotePath('Notes/Plan.md', () => false)).toBe('Notes/Plan.md');
    });

    it('counts up before the extension past every taken name', async () => {
        const taken = new Set(['Notes/Plan.md', 'Notes/Plan 1.md']);
        expect(await uniqueNotePath('Notes/Plan.md', (p) => taken.has(p))).toBe('Notes/Plan 2.md');
        expect(await uniqueNotePath('README', async (p) => p === 'README')).toBe('README 1');
    });

    it('treats case and NFC/NFD twins among the existing paths as taken', async () => {
        expect(await uniqueNotePath('notes.md', () => false, ['Notes.md'])).toBe('notes 1.md');
        expect(await uniqueNotePath('Caf\u00e9.md', () => false, ['Cafe\u0301.md', 'CAFÉ 1.md'])).toBe(
            'Caf\u00e9 2.md',
        );
    });
});
