import { describe, expect, it } from 'vitest';
import { compileSafeRegex, findInLine } from '../../../src/agent/tools/safe-regex';

describe('compileSafeRegex', () => {
    it.each([
        '(a+)+',
        '(a*)*b',
        '(a|b)+c',
        '(?:x+y?)+',
        '(a{2,})+',
        '(.*)\\1',
        '\\k<n>',
        'a*b*c*',
        '.{0,99}.{0,99}.{0,99}',
    ])('refuses the backtracking shape %s', (pattern) => {
        expect(compileSafeRegex(pattern).ok).toBe(false);
    });

    it.each(['^# ', 'foo|bar', '(?:foo|bar)', '\\d{4}-\\d{2}-\\d{2}', '(?<year>\\d{4})', '[(*+]+x', 'a.*b', 'x{2}y?'])(
        'accepts the ordinary pattern %s, case-insensitively',
        (pattern) => {
            const compiled = compileSafeRegex(pattern);
            expect(compiled.ok).toBe(true);
            if (compiled.ok) expect(compiled.regex.flags).toContain('i');
        },
    );

    it('accepts escapes that only non-Unicode mode allows', () => {
        expect(compileSafeRegex('a\\:b').ok).toBe(true);
    });

    it('finds a match beyond the first slice of a long line, at its true position', () => {
        const compiled = compileSafeRegex('needle');
        if (!compiled.ok) throw new Error(compiled.problem);
        const line = `${'x'.repeat(10_000)}needle`;
        expect(findInLine(compiled, line)).toEqual([10_000, 6]);
    });
});
