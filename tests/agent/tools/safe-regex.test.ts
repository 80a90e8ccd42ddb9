import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import {
    compileSafeRegex,
    findInLine,
    MAX_PROGRAM_SIZE,
    translateFlags,
    type CompiledRegex,
} from '../../../src/agent/tools/safe-regex';

function compiled(pattern: string, flags?: string): CompiledRegex {
    const result = compileSafeRegex(pattern, flags);
    if (!result.ok) throw new Error(result.problem);
    return result;
}

function problemOf(result: ReturnType<typeof compileSafeRegex>): string {
    return result.ok ? 'accepted' : result.problem;
}

describe('translateFlags', () => {
    it('maps JavaScript flag letters onto RE2JS flag bits', () => {
        expect(translateFlags('i')).toBe(RE2JS.CASE_INSENSITIVE);
        expect(translateFlags('iu')).toBe(RE2JS.CASE_INSENSITIVE);
        expect(translateFlags('ims')).toBe(RE2JS.CASE_INSENSITIVE | RE2JS.MULTILINE | RE2JS.DOTALL);
        expect(translateFlags('gu')).toBe(0);
        expect(translateFlags('')).toBe(0);
    });

    it('names a letter it does not know', () => {
        expect(translateFlags('ix')).toEqual({ unknown: 'x' });
    });

    it('case-insensitive by default, case-sensitive when asked', () => {
        expect(findInLine(compiled('ÉTÉ'), 'un été chaud')).toEqual([3, 3]);
        expect(findInLine(compiled('ÉTÉ', 'u'), 'un été chaud')).toBeNull();
        expect(problemOf(compileSafeRegex('x', 'iz'))).toContain('"z"');
    });
});

describe('compileSafeRegex', () => {
    it.each([
        ['(.*)\\1', 'backreferences such as \\1'],
        ['(?<n>a)\\k<n>', 'named backreferences'],
        ['foo(?=bar)', 'lookahead'],
        ['foo(?!bar)', 'lookahead'],
        [`(?<${'='}a)b`, 'lookbehind'],
        [`(?<${'!'}a)b`, 'lookbehind'],
    ])('refuses %s, which needs backtracking, saying why', (pattern, why) => {
        const result = compileSafeRegex(pattern);
        expect(result.ok).toBe(false);
        if (!result.ok) {
            expect(result.problem).toContain(why);
            expect(result.problem).toContain('without backtracking');
            expect(result.problem).toMatch(/^Regex refused: /u);
        }
    });

    it('does not read a lookahead inside a character class or after an escape', () => {
        expect(compileSafeRegex('[(?=]x').ok).toBe(true);
        expect(compileSafeRegex('\\(?=x').ok).toBe(true);
    });

    it('refuses an invalid pattern with the engine’s reason', () => {
        expect(problemOf(compileSafeRegex('(abc'))).toContain('missing closing )');
    });

    it('refuses a pattern that compiles too large, and a pattern that is too long', () => {
        expect(problemOf(compileSafeRegex('\\pL{1000}'.repeat(6)))).toContain(`${MAX_PROGRAM_SIZE} allowed`);
        expect(compileSafeRegex('a'.repeat(201)).ok).toBe(false);
    });

    it.each(['(a+)+$', '(a*)*b', '(a|aa)*c', '(a?){25}a{25}b', '(?:x+y?)+z', '.*.*.*=.*', '(\\w+\\s?)+$'])(
        'accepts %s, a pattern that freezes a backtracking engine, and answers within milliseconds',
        (pattern) => {
            const regex = compiled(pattern);
            const started = performance.now();
            for (const line of ['a'.repeat(60), 'a'.repeat(5_000), `${'x'.repeat(3_000)}!`, 'ab'.repeat(10_000)]) {
                findInLine(regex, line);
            }
            expect(performance.now() - started).toBeLessThan(1_000);
        },
    );

    it.each([
        ['^# ', '# Title', [0, 2]],
        ['foo|bar', 'a bar', [2, 3]],
        ['\\d{4}-\\d{2}-\\d{2}', 'on 2024-05-01.', [3, 10]],
        ['(?<year>\\d{4})', 'in 1999', [3, 4]],
        ['caf\\u00e9', 'Café', [0, 4]],
        ['caf\\u{e9}', 'CAFÉ', [0, 4]],
        ['a\\:b', 'x a:b', [2, 3]],
        ['a\\/b', 'a/b', [0, 3]],
        ['x[^]y', 'x\ty', [0, 3]],
        ['b.c', '😀😀ab😀c', [5, 4]],
        ['\\bword\\b', 'a word.', [2, 4]],
    ])('translates JavaScript syntax: %s in %j', (pattern, line, expected) => {
        expect(findInLine(compiled(pattern), line)).toEqual(expected);
    });

    it('finds a match beyond the first slice of a long line, at its true position', () => {
        const regex = compiled('needle');
        const line = `${'x'.repeat(250_000)}needle`;
        expect(findInLine(regex, line)).toEqual([250_000, 6]);
    });

    it('does not let an anchor or a word boundary match where a long line was cut into slices', () => {
        const regex = compiled('^x|x$|\\bxx');
        expect(regex.sliceChars).toBeLessThan(200_000);
        expect(findInLine(regex, 'y'.repeat(200_000))).toBeNull();
        expect(findInLine(compiled('^yx'), `${'y'.repeat(200_000)}x`)).toBeNull();
        expect(findInLine(compiled('yx$'), `${'y'.repeat(200_000)}x`)).toEqual([199_999, 2]);
    });

    it('stops at the deadline on a huge line with the largest pattern allowed', () => {
        const regex = compiled('\\pL{1000}\\pL{1000}\\pL{1000}\\pL{999}x');
        const line = 'é'.repeat(2_000_000);
        const started = performance.now();
        expect(findInLine(regex, line, Date.now() + 200)).toBe('out-of-time');
        expect(performance.now() - started).toBeLessThan(1_500);
    });
});
