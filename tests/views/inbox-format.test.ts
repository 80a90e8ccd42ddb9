/** The review inbox's words, without a browser: the notice, the status-bar text, a proposal's summary and its age. */
import { describe, expect, it } from 'vitest';
import { ageText, itemSummary, reviewNoticeText, reviewStatusText } from '../../src/views/inbox-format';
import type { InboxItem, InboxListing, InboxOrigin } from '../../src/views/inbox-port';

const TIDY: InboxOrigin = { kind: 'job', id: 'job-1', title: 'Tidy meeting links' };
const DESKTOP: InboxOrigin = { kind: 'mcp', id: 'desktop', title: 'MCP client desktop' };

function entry(id: string, origin: InboxOrigin = TIDY, extra: Partial<InboxItem> = {}): InboxItem {
    return { id, kind: 'edit', path: `${id}.md`, origin, created: 0, hunks: 2, decided: 0, seen: 1, ...extra };
}

function listing(groups: { origin: InboxOrigin; entries: InboxItem[] }[]): InboxListing {
    const all = groups.flatMap((g) => g.entries);
    return {
        count: all.length,
        withheld: all.filter((e) => e.withheld !== undefined).length,
        groups: groups.map((g) => ({
            origin: g.origin,
            newest: 0,
            count: g.entries.length,
            notes: g.entries.map((e) => ({ path: e.path, entries: [e] })),
        })),
    };
}

describe('the review inbox words', () => {
    it('names the newest job and how many changes wait, and the others in one clause', () => {
        const seven = Array.from({ length: 7 }, (_, i) => entry(`n${i}`));
        expect(reviewNoticeText(listing([{ origin: TIDY, entries: seven }]))).toBe(
            "7 changes to review from 'Tidy meeting links'",
        );
        expect(reviewNoticeText(listing([{ origin: TIDY, entries: [entry('a')] }]))).toBe(
            "1 change to review from 'Tidy meeting links'",
        );
        const two = listing([
            { origin: TIDY, entries: [entry('a'), entry('b')] },
            { origin: DESKTOP, entries: [entry('c', DESKTOP)] },
        ]);
        expect(reviewNoticeText(two)).toBe("2 changes to review from 'Tidy meeting links', and 1 more from one other");
        expect(reviewStatusText(two)).toBe('3 to review');
        expect(reviewNoticeText(listing([]))).toBe('');
        expect(reviewStatusText(listing([]))).toBe('');
    });

    it('says what a proposal does and how long ago it came', () => {
        expect(itemSummary(entry('a'))).toBe('Edit, 2 parts');
        expect(itemSummary(entry('a', TIDY, { kind: 'rename', newPath: 'B.md', hunks: 0 }))).toBe('Rename to B.md');
        expect(ageText(0, 30_000)).toBe('just now');
        expect(ageText(0, 5 * 60_000)).toBe('5 min ago');
        expect(ageText(0, 3 * 3600_000)).toBe('3 h ago');
        expect(ageText(0, 49 * 3600_000)).toBe('2 days ago');
    });
});
