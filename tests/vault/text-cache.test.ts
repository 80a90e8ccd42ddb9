/**
 * TextCache on its own: hand-made file facts and an explicit `now`, so every rule (same file, racy window, size cap,
 * least-recently-used eviction) is checked without a disk or a clock.
 */
import { describe, expect, it } from 'vitest';
import { RACY_WINDOW_MS, TextCache, textBytes, type FileFacts } from '../../src/vault/text-cache';

/** A file last modified and changed at `T`, read well after the racy window at `NOW`. */
const T = 1_700_000_000_000;
const NOW = T + RACY_WINDOW_MS + 1_000;

function facts(overrides: Partial<FileFacts> = {}): FileFacts {
    return { dev: 2049, ino: 1234, size: 5, mtimeMs: T, ctimeMs: T, ...overrides };
}

describe('TextCache: serving', () => {
    it('serves a kept text, again and again, while the facts are identical', () => {
        const cache = new TextCache();
        cache.set('a.md', facts(), 'hello', NOW);
        expect(cache.has('a.md')).toBe(true);
        expect(cache.get('a.md', facts())).toBe('hello');
        expect(cache.get('a.md', facts())).toBe('hello');
        expect(cache.get('b.md', facts())).toBeNull();
    });

    it('keeps its own copy of the facts, so a caller mutating its object later changes nothing', () => {
        const cache = new TextCache();
        const mutable = facts();
        cache.set('a.md', mutable, 'hello', NOW);
        mutable.ctimeMs = T + 5;
        expect(cache.get('a.md', mutable)).toBeNull();
    });

    const CHANGES: [string, Partial<FileFacts>][] = [
        ['another device', { dev: 2050 }],
        ['another inode', { ino: 1235 }],
        ['another size', { size: 6 }],
        ['a later mtime', { mtimeMs: T + 1 }],
        ['a later ctime', { ctimeMs: T + 1 }],
        // Sub-millisecond time stamps count too: Node reports them as fractions.
        ['an mtime a microsecond later', { mtimeMs: T + 0.001 }],
        ['a ctime a microsecond later', { ctimeMs: T + 0.001 }],
        // A time stamp set back (by utimes) is a change as much as one set forward.
        ['an earlier mtime', { mtimeMs: T - 1 }],
    ];
    for (const [what, change] of CHANGES) {
        it(`refuses and forgets the text for ${what}`, () => {
            const cache = new TextCache();
            cache.set('a.md', facts(), 'hello', NOW);
            expect(cache.get('a.md', facts(change))).toBeNull();
            expect(cache.has('a.md')).toBe(false);
            expect(cache.size).toBe(0);
            // Forgotten for good: the original facts no longer bring it back.
            expect(cache.get('a.md', facts())).toBeNull();
        });
    }

    it('replaces the text kept for a path when it is set again', () => {
        const cache = new TextCache();
        cache.set('a.md', facts(), 'hello', NOW);
        cache.set('a.md', facts({ size: 7, mtimeMs: T + 10 }), 'goodbye', NOW);
        expect(cache.size).toBe(7);
        expect(cache.get('a.md', facts())).toBeNull();
        cache.set('a.md', facts({ size: 7, mtimeMs: T + 10 }), 'goodbye', NOW);
        expect(cache.get('a.md', facts({ size: 7, mtimeMs: T + 10 }))).toBe('goodbye');
    });
});

describe('TextCache: the racy window', () => {
    it('does not keep a text whose file was modified within the window before now', () => {
        const cache = new TextCache();
        for (const mtimeMs of [NOW, NOW - 1, NOW - RACY_WINDOW_MS + 1, NOW + 5_000]) {
            cache.set('a.md', facts({ mtimeMs, ctimeMs: T }), 'hello', NOW);
            expect(cache.has('a.md'), `mtime ${NOW - mtimeMs} ms before now`).toBe(false);
            expect(cache.get('a.md', facts({ mtimeMs, ctimeMs: T }))).toBeNull();
        }
        expect(cache.size).toBe(0);
    });

    it('does not keep a text whose file was changed (ctime) within the window, even with an old mtime', () => {
        // What `utimes` leaves behind: an old modification time, a fresh change time.
        const cache = new TextCache();
        for (const ctimeMs of [NOW, NOW - 1, NOW - RACY_WINDOW_MS + 1]) {
            cache.set('a.md', facts({ ctimeMs }), 'hello', NOW);
            expect(cache.has('a.md'), `ctime ${NOW - ctimeMs} ms before now`).toBe(false);
        }
        expect(cache.size).toBe(0);
    });

    it('keeps a text once both times are the whole window old', () => {
        const cache = new TextCache();
        const edge = facts({ mtimeMs: NOW - RACY_WINDOW_MS, ctimeMs: NOW - RACY_WINDOW_MS });
        cache.set('a.md', edge, 'hello', NOW);
        expect(cache.get('a.md', edge)).toBe('hello');
    });

    it('drops the text it held when the path is set again with racy facts', () => {
        const cache = new TextCache();
        cache.set('a.md', facts(), 'hello', NOW);
        cache.set('a.md', facts({ mtimeMs: NOW }), 'hullo', NOW);
        expect(cache.has('a.md')).toBe(false);
        expect(cache.get('a.md', facts())).toBeNull();
        expect(cache.size).toBe(0);
    });
});

describe('TextCache: delete and clear', () => {
    it('forgets one path with delete, and everything with clear', () => {
        const cache = new TextCache();
        cache.set('a.md', facts(), 'aaaaa', NOW);
        cache.set('b.md', facts({ ino: 2 }), 'bbb', NOW);
        expect(cache.size).toBe(8);
        cache.delete('a.md');
        cache.delete('a.md');
        cache.delete('never.md');
        expect(cache.has('a.md')).toBe(false);
        expect(cache.get('a.md', facts())).toBeNull();
        expect(cache.get('b.md', facts({ ino: 2 }))).toBe('bbb');
        expect(cache.size).toBe(3);
        cache.clear();
        expect(cache.has('b.md')).toBe(false);
        expect(cache.get('b.md', facts({ ino: 2 }))).toBeNull();
        expect(cache.size).toBe(0);
        cache.set('c.md', facts(), 'cc', NOW);
        expect(cache.size).toBe(2);
    });
});

describe('TextCache: bounded by bytes', () => {
    it('counts a text with a letter beyond Latin-1 at two bytes a character, Latin-1 letters at one', () => {
        expect(textBytes('Zürich café')).toBe(11);
        expect(textBytes('Zürich ☕')).toBe(16);
        const cache = new TextCache(10);
        cache.set('a.md', facts({ ino: 1 }), 'naïve', NOW);
        expect(cache.size).toBe(5);
        cache.set('b.md', facts({ ino: 2 }), '日本', NOW);
        expect(cache.size).toBe(9);
        // Three two-byte characters (6 bytes) push the total past 10: the least recently used goes.
        cache.set('c.md', facts({ ino: 3 }), '東京都', NOW);
        expect(cache.has('a.md')).toBe(false);
        expect(cache.size).toBe(10);
        // A text larger than the whole cap is not kept at all.
        cache.set('d.md', facts({ ino: 4 }), 'ŁŁŁŁŁŁ', NOW);
        expect(cache.has('d.md')).toBe(false);
    });

    it('evicts the least recently used texts first, a get counting as a use', () => {
        const cache = new TextCache(10);
        cache.set('a.md', facts({ ino: 1 }), 'aaaa', NOW);
        cache.set('b.md', facts({ ino: 2 }), 'bbb', NOW);
        cache.set('c.md', facts({ ino: 3 }), 'cc', NOW);
        expect(cache.size).toBe(9);
        // a.md is now the most recently used; b.md the least.
        expect(cache.get('a.md', facts({ ino: 1 }))).toBe('aaaa');
        cache.set('d.md', facts({ ino: 4 }), 'dd', NOW);
        expect(cache.has('b.md')).toBe(false);
        expect(['a.md', 'c.md', 'd.md'].map((path) => cache.has(path))).toEqual([true, true, true]);
        expect(cache.size).toBe(8);
        // Room for 5 more needs two evictions: c.md (oldest), then a.md.
        cache.set('e.md', facts({ ino: 5 }), 'eeeee', NOW);
        expect(['a.md', 'c.md', 'd.md', 'e.md'].map((path) => cache.has(path))).toEqual([false, false, true, true]);
        expect(cache.size).toBe(7);
    });

    it('counts a re-set path as used most recently', () => {
        const cache = new TextCache(6);
        cache.set('a.md', facts({ ino: 1 }), 'aa', NOW);
        cache.set('b.md', facts({ ino: 2 }), 'bb', NOW);
        cache.set('a.md', facts({ ino: 1 }), 'aa', NOW);
        cache.set('c.md', facts({ ino: 3 }), 'ccc', NOW);
        expect(cache.has('b.md')).toBe(false);
        expect(cache.has('a.md')).toBe(true);
        expect(cache.size).toBe(5);
    });

    it('does not let a failed get (changed file) refresh recency or keep the stale text', () => {
        const cache = new TextCache(6);
        cache.set('a.md', facts({ ino: 1 }), 'aa', NOW);
        cache.set('b.md', facts({ ino: 2 }), 'bb', NOW);
        expect(cache.get('a.md', facts({ ino: 1, size: 99 }))).toBeNull();
        expect(cache.size).toBe(2);
        cache.set('c.md', facts({ ino: 3 }), 'cccc', NOW);
        expect(cache.has('b.md')).toBe(true);
        expect(cache.size).toBe(6);
    });

    it('keeps a text exactly as long as the cap, but not one longer, and then holds nothing for it', () => {
        const cache = new TextCache(5);
        cache.set('small.md', facts({ ino: 1 }), 'abc', NOW);
        cache.set('big.md', facts({ ino: 2 }), 'abcdef', NOW);
        expect(cache.has('big.md')).toBe(false);
        expect(cache.get('big.md', facts({ ino: 2 }))).toBeNull();
        // Refusing the long text evicted nothing.
        expect(cache.get('small.md', facts({ ino: 1 }))).toBe('abc');
        expect(cache.size).toBe(3);
        cache.set('exact.md', facts({ ino: 3 }), 'abcde', NOW);
        expect(cache.get('exact.md', facts({ ino: 3 }))).toBe('abcde');
        expect(cache.has('small.md')).toBe(false);
        expect(cache.size).toBe(5);
    });

    it('drops the old text of a path that is set again with one too long to keep', () => {
        const cache = new TextCache(5);
        cache.set('a.md', facts(), 'abc', NOW);
        cache.set('a.md', facts({ size: 9 }), 'abcdefghi', NOW);
        expect(cache.has('a.md')).toBe(false);
        expect(cache.get('a.md', facts())).toBeNull();
        expect(cache.size).toBe(0);
    });
});
