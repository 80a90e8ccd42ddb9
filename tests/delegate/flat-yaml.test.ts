/**
 * The quick reading of flat frontmatter (decision 0031) against the `yaml` package. Whatever `readFlat` accepts it must
 * read exactly as `yaml` does, and it must accept everything the queue writes, so a job's lease, start and end never
 * fall back to the full parser. Blocks are generated from the formatter's own output and from hostile fragments
 * (quotes, escapes, indicators, words YAML 1.1 reads as booleans, numbers JSON would not write).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readFlat } from '../../src/delegate/flat-yaml';
import { editJobText } from '../../src/delegate/job-note-edit';
import { readJobNote, splitFrontmatter } from '../../src/delegate/job-note';
import { renderJobNote } from '../../src/delegate/job-spec';
import {
    formatEntry,
    parseFrontmatter,
    parseFrontmatterYaml,
    setEntries,
    type YamlValue,
} from '../../src/delegate/job-yaml';

const KEY = fc
    .stringMatching(/^[a-z][a-zA-Z0-9_-]{0,8}$/u)
    .filter((key) => !/^(?:true|false|yes|no|on|off|null|y|n)$/iu.test(key));

const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom(
        'yes',
        'No',
        'on',
        'null',
        'Null',
        '~',
        'true',
        '1',
        '-0',
        '0x1F',
        '.inf',
        'a b',
        '#tag',
        '[[Note]]',
    ),
);

const scalar: fc.Arbitrary<YamlValue> = fc.oneof(
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
);

const value: fc.Arbitrary<YamlValue> = fc.letrec<{ value: YamlValue }>((tie) => ({
    value: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(KEY, text), tie('value'), { maxKeys: 4 }),
    ),
})).value;

const entries = fc.uniqueArray(fc.tuple(KEY, value), { selector: ([key]) => key, maxLength: 8 });

/** Fragments of YAML that a careless hand or a hostile note puts on a key's line. */
const fragment = fc.constantFrom(
    '[',
    ']',
    '{',
    '}',
    ', ',
    ',',
    ': ',
    ':',
    ' ',
    '  ',
    '"a"',
    '"a\\u00e9\\n"',
    '"\\x41"',
    '"\\ud83d\\ude00"',
    '"tab\there"',
    '"\u2028"',
    '"\x7f"',
    '"😀"',
    "'a'",
    'a',
    'a b',
    'Word',
    'y',
    'yes',
    'true',
    'True',
    'null',
    '~',
    '1',
    '-1',
    '-0',
    '0.5',
    '01',
    '1e3',
    '12345678901234567890',
    '.inf',
    '#c',
    ' #c',
    '&a ',
    '*a',
    '!!str ',
    '? ',
    '- ',
    '|',
    '>',
    '"',
    '\\',
    '__proto__',
    '"__proto__"',
    '\t',
    '\n',
    '\nk: ',
    '\n  ',
    '\n- ',
);

const hostileBlock = fc
    .array(fc.tuple(fc.oneof(KEY, fc.constantFrom('yes', 'a b', '"q"', '1', '__proto__')), fc.array(fragment)), {
        maxLength: 6,
    })
    .map((lines) => lines.map(([key, parts]) => `${key}: ${parts.join('')}`).join('\n'));

/** What `yaml` reads, as plain values, or `null` when it reports an error. */
function viaYaml(source: string): Record<string, unknown> | null {
    const parsed = parseFrontmatterYaml(source);
    return parsed.error === null && parsed.duplicates.length === 0 ? Object.fromEntries(parsed.values) : null;
}

/** What the quick reading gives (links folded, as `parseFrontmatter` returns), or `null` when it leaves the block. */
function viaFlat(source: string): Record<string, unknown> | null {
    return readFlat(source) === null ? null : Object.fromEntries(parseFrontmatter(source).values);
}

describe('flat frontmatter', () => {
    it('reads what yaml reads, for every block the formatter writes', () => {
        fc.assert(
            fc.property(entries, (pairs) => {
                const source = pairs.map(([key, v]) => formatEntry(key, v)).join('\n');
                const flat = readFlat(source);
                if (flat === null) return;
                expect(viaFlat(source)).toStrictEqual(viaYaml(source));
                expect(parseFrontmatter(source)).toStrictEqual(parseFrontmatterYaml(source));
            }),
            { numRuns: 3000 },
        );
    });

    it('accepts every block of words, quoted text, whole numbers and flow collections the formatter writes', () => {
        const plainValue: fc.Arbitrary<YamlValue> = fc.letrec<{ value: YamlValue }>((tie) => ({
            value: fc.oneof(
                { depthSize: 'small' },
                text,
                fc.integer({ min: -1e9, max: 1e9 }).filter((n) => !Object.is(n, -0)),
                fc.boolean(),
                fc.constant(null),
                fc.array(tie('value'), { maxLength: 3 }),
                fc.dictionary(KEY, tie('value'), { maxKeys: 3 }),
            ),
        })).value;
        fc.assert(
            fc.property(
                fc.uniqueArray(fc.tuple(KEY, plainValue), { selector: ([key]) => key, maxLength: 8 }),
                (pairs) => {
                    const source = pairs.map(([key, v]) => formatEntry(key, v)).join('\n');
                    expect(readFlat(source)).not.toBeNull();
                },
            ),
            { numRuns: 2000 },
        );
    });

    it('never reads a hostile line differently from yaml: it reads the same or leaves the block to yaml', () => {
        fc.assert(
            fc.property(hostileBlock, (source) => {
                const flat = viaFlat(source);
                if (flat !== null) expect(flat).toStrictEqual(viaYaml(source));
            }),
            { numRuns: 20000 },
        );
    });

    it('leaves comments, blank lines, block collections, anchors and repeated keys to yaml', () => {
        for (const source of [
            'a: 1 # note',
            'a: 1\n\nb: 2',
            'a:\n  - x',
            'a: &x 1\nb: *x',
            'a: 1\na: 2',
            'a: yes',
            'yes: 1',
            "a: 'x'",
            'a: x ',
            'a: "x"\n',
            'a: 1e3',
            'a: -0',
            'a: [x, ]',
            'a: { b: 1, b: 2 }',
            'a: { __proto__: 1 }',
            'a: "\\x41"',
            'a:\tx',
            '---',
        ]) {
            expect(readFlat(source), source).toBeNull();
        }
        expect(readFlat('')).toStrictEqual([]);
    });

    it('leaves deep nesting to yaml without running out of stack, and reads a megabyte of text on one line', () => {
        const deep = `a: ${'['.repeat(100_000)}${']'.repeat(100_000)}`;
        expect(readFlat(deep)).toBeNull();
        expect(readFlat(`a: ${'['.repeat(32)}${']'.repeat(32)}`)).not.toBeNull();
        const long = `a: "${'x'.repeat(1_000_000)}"\nb: ${'word '.repeat(200_000)}`;
        expect(readFlat(long)).toBeNull();
        expect(readFlat(`a: "${'x'.repeat(1_000_000)}"`)?.[0]?.value).toHaveLength(1_000_000);
    });

    it('edits a flat block as the yaml reading would: set keys replaced in place, new keys appended, others untouched', () => {
        fc.assert(
            fc.property(entries, entries, (before, patch) => {
                const source = before.map(([key, v]) => formatEntry(key, v)).join('\n');
                if (readFlat(source) === null) return;
                const next = setEntries(source, patch);
                const expected = new Map(Object.entries(viaYaml(source) ?? {}));
                for (const [key, v] of patch) expected.set(key, viaYaml(formatEntry('k', v))?.k);
                const read = viaYaml(next);
                expect(read).not.toBeNull();
                expect(Object.keys(read ?? {})).toStrictEqual([...expected.keys()]);
                expect(read).toStrictEqual(Object.fromEntries(expected));
                const patched = new Set(patch.map(([key]) => key));
                const kept = source.split('\n').filter((line) => !patched.has(line.slice(0, line.indexOf(': '))));
                for (const line of kept) if (line !== '') expect(next.split('\n')).toContain(line);
            }),
            { numRuns: 2000 },
        );
    });

    it('reads every state a job note passes through without the full parser', () => {
        const note = renderJobNote({ title: 'Weekly', brief: 'Summarise the calls.' }, Date.UTC(2026, 11, 6));
        const steps = [
            {
                status: 'running' as const,
                attempts: 1,
                id: 'job-1234abcd',
                lease: { device: 'laptop-7f3a', until: '2026-12-06T10:05:00.000Z', host: 'h-1', pid: 4242 },
            },
            { usage: { input: 1234, output: 56, cacheRead: 0, cacheWrite: 0, usd: 0.0123 } },
            { status: 'done' as const, lease: null, artifact: '[[Agent/Outputs/Weekly]]', error: '' },
        ];
        let text = note;
        const seen = [text];
        for (const patch of steps) {
            const next = editJobText(text, patch, ['Started on laptop-7f3a (attempt 1).']);
            expect(next).not.toBeNull();
            text = next ?? text;
            seen.push(text);
        }
        for (const version of seen) {
            const source = splitFrontmatter(version)?.source ?? '';
            expect(readFlat(source), source).not.toBeNull();
            expect(parseFrontmatter(source)).toStrictEqual(parseFrontmatterYaml(source));
        }
        const done = readJobNote('Agent/Jobs/Weekly.md', text);
        expect(done.kind === 'job' && done.job.status).toBe('done');
        expect(done.kind === 'job' && done.job.artifact).toBe('[[Agent/Outputs/Weekly]]');
    });
});
