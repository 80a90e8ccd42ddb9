/**
 * When a file's text counts as whole (`src/vault/quiet-files.ts`, decision 0036): from its last change on, by its
 * times, or, when a time lies ahead of this machine's clock, from when it was first seen as it is.
 */
import { describe, expect, it } from 'vitest';
import { COARSE_CLOCK_MS, QUIET_MS, quietAt } from '../../src/vault/quiet-files';

const NOW = 1_800_000_000_123;

function facts(
    mtimeMs: number,
    ctimeMs = mtimeMs,
    size = 10,
): {
    dev: number;
    ino: number;
    size: number;
    mtimeMs: number;
    ctimeMs: number;
} {
    return { dev: 1, ino: 2, size, mtimeMs, ctimeMs };
}

describe('quietAt', () => {
    it('counts from the later of the modification and change times', () => {
        expect(quietAt('a.md', facts(NOW - 500, NOW - 40), NOW)).toBe(NOW - 40 + QUIET_MS);
        expect(quietAt('a.md', facts(NOW - 40, NOW - 500), NOW)).toBe(NOW - 40 + QUIET_MS);
    });

    it('adds the span of a whole-second clock', () => {
        const whole = Math.floor(NOW / 1000) * 1000 - 1000;
        expect(quietAt('a.md', facts(whole), NOW)).toBe(whole + COARSE_CLOCK_MS + QUIET_MS);
    });

    it('counts a file whose time runs ahead from when it was first seen as it is, and only while it stays so', () => {
        const ahead = facts(NOW + 86_400_000);
        // First seen now: quiet once it has stayed so for QUIET_MS, not a day from now.
        expect(quietAt('b.md', ahead, NOW)).toBe(NOW + QUIET_MS);
        // Seen again unchanged later: still counted from the first sighting, so it is not waited for again.
        expect(quietAt('b.md', { ...ahead }, NOW + 5_000)).toBe(NOW + QUIET_MS);
        // Another file with the same times has its own sighting.
        expect(quietAt('c.md', ahead, NOW + 5_000)).toBe(NOW + 5_000 + QUIET_MS);
        // Changed (another size, the same times ahead): counted from this sighting.
        expect(quietAt('b.md', facts(NOW + 86_400_000, NOW + 86_400_000, 11), NOW + 6_000)).toBe(
            NOW + 6_000 + QUIET_MS,
        );
        // The change time moved on by this clock while the modification time stays ahead: still from this sighting.
        expect(quietAt('b.md', facts(NOW + 86_400_000, NOW + 6_500, 11), NOW + 7_000)).toBe(NOW + 7_000 + QUIET_MS);
    });

    it('forgets a sighting once the file has a time of this clock again', () => {
        const ahead = facts(NOW + 1_000);
        expect(quietAt('d.md', ahead, NOW)).toBe(NOW + QUIET_MS);
        expect(quietAt('d.md', facts(NOW - 50), NOW)).toBe(NOW - 50 + QUIET_MS);
        // Ahead again later, with the same facts as before: a new sighting, not the old one.
        expect(quietAt('d.md', ahead, NOW + 500)).toBe(NOW + 500 + QUIET_MS);
    });
});
