/**
 * FileListing on its own: after any mix of additions, removals and listings, `sorted()` and `under()` answer exactly
 * what sorting every path anew would, whether a few paths changed since the last listing (placed one by one) or many
 * (merged in one pass).
 */
import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../src/kernel/vault-port';
import { FileListing } from '../../src/vault/file-listing';
import { seededRandom } from '../support/seeded-random';

function entry(path: string, mtime = 1): FileEntry {
    return { path, size: 1, mtime, ctime: 1 };
}

/** Every path, sorted anew: the order the listing must keep. */
function sortedAnew(paths: Iterable<string>): string[] {
    return [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('FileListing', () => {
    it('lists every path in order after few or many additions and removals between listings', () => {
        const random = seededRandom(7);
        const listing = new FileListing();
        const present = new Set<string>();
        const name = (): string =>
            `${['A', 'b', 'Agent/Jobs', 'Agent/Results', 'é'][Math.floor(random() * 5)]}/${Math.floor(random() * 400)}.md`;
        for (let round = 0; round < 60; round++) {
            // Mostly a handful of changes, as between two job starts; now and then a burst, as after a rescan.
            const changes = round % 10 === 9 ? 200 : Math.floor(random() * 6);
            for (let i = 0; i < changes; i++) {
                const path = name();
                if (present.has(path) && random() < 0.4) {
                    listing.delete(path);
                    present.delete(path);
                } else {
                    listing.set(path, entry(path, round));
                    present.add(path);
                }
            }
            expect(listing.sorted().map((file) => file.path)).toEqual(sortedAnew(present));
            const prefix = 'Agent/';
            expect(listing.under(prefix).map((file) => file.path)).toEqual(
                sortedAnew([...present].filter((path) => path.startsWith(prefix))),
            );
        }
    });

    it('answers the newest entry of a path, and never lists a path added and removed between listings', () => {
        const listing = new FileListing();
        listing.set('b.md', entry('b.md'));
        listing.set('a.md', entry('a.md'));
        expect(listing.sorted().map((file) => file.path)).toEqual(['a.md', 'b.md']);
        listing.set('c.md', entry('c.md'));
        listing.delete('c.md');
        listing.delete('a.md');
        listing.set('a.md', entry('a.md', 5));
        listing.set('b.md', entry('b.md', 9));
        expect(listing.sorted()).toEqual([entry('a.md', 5), entry('b.md', 9)]);
    });
});
