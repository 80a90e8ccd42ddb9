/**
 * The index's term counter against the plain reading (the words, normalised by `normaliseTerm`): for text in many
 * scripts — accents composed and decomposed, CJK, letters beyond the Basic Multilingual Plane, emoji, lone
 * surrogates, digits, stop words and overlong runs — it must give exactly the distinct terms and their counts, in the
 * order first met, also after its table of words has grown and started over.
 */
import { describe, expect, it } from 'vitest';
import { TermCounter } from '../../src/search/term-counter';
import { referenceTerms } from './reference-terms';
import { seededRandom } from '../support/seeded-random';

const PIECES = [
    'Pricing',
    'pricing',
    'PRICES',
    'objections',
    'café',
    'cafe\u0301',
    'Ünïcödé',
    'Straße',
    '東京都',
    '日本語のノート',
    '\u{1D49C}lpha',
    '😀',
    '👩‍💻',
    '\uD800',
    '\uDC00x',
    '2024',
    'v2',
    'the',
    'and',
    'of',
    'x'.repeat(45),
    'données',
    'réunion',
    'Ελληνικά',
    'русский',
    'العربية',
    '١٢٣',
    'project/client-work',
    'e-mail',
    "don't",
    '#tag',
    '[[Link]]',
];
const GAPS = [' ', '  ', '\n', ', ', '. ', '-', '/', '\t', '—', '', '😀'];

/** The distinct reference terms with their counts, in the order first met. */
function expected(text: string): { terms: string[]; counts: number[] } {
    const counts = new Map<string, number>();
    for (const term of referenceTerms(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
    return { terms: [...counts.keys()], counts: [...counts.values()] };
}

function counted(counter: TermCounter, text: string): { terms: string[]; counts: number[] } {
    counter.count(text);
    return { terms: [...counter.terms], counts: [...counter.counts] };
}

describe('TermCounter counts the words of a text as normaliseTerm makes them terms', () => {
    it('agrees with words and normaliseTerm on text in many scripts, emoji and broken surrogates', () => {
        const random = seededRandom(5);
        const counter = new TermCounter();
        for (let round = 0; round < 400; round++) {
            const parts: string[] = [];
            const length = Math.floor(random() * 80);
            for (let i = 0; i < length; i++) {
                parts.push(PIECES[Math.floor(random() * PIECES.length)] as string);
                parts.push(GAPS[Math.floor(random() * GAPS.length)] as string);
            }
            const text = parts.join('');
            expect(counted(counter, text)).toEqual(expected(text));
        }
    });

    it('keeps agreeing after its table of words grows and starts over', () => {
        const counter = new TermCounter(3_000);
        const random = seededRandom(9);
        for (let round = 0; round < 60; round++) {
            const parts: string[] = [];
            for (let i = 0; i < 400; i++) {
                // Many one-off words (ids, numbers) among repeated ones.
                parts.push(
                    random() < 0.5 ? `word${Math.floor(random() * 100_000)}` : (PIECES[i % PIECES.length] as string),
                );
            }
            const text = parts.join(' ');
            expect(counted(counter, text)).toEqual(expected(text));
        }
        expect(counted(counter, '')).toEqual({ terms: [], counts: [] });
    });

    it('tells apart two words of the same length whose hashes collide', () => {
        // "opazqiv" and "gugcabi" have the same 32-bit FNV-1a hash: the words themselves must be compared.
        const text = 'opazqiv gugcabi gugcabi opazqiv gugcabi';
        expect(counted(new TermCounter(), text)).toEqual({ terms: ['opazqiv', 'gugcabi'], counts: [2, 3] });
    });
});
