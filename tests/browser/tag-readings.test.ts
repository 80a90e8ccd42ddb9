/**
 * The exclusion readings the plugin keeps on the device between sessions (decision 0035, docs/RELIABILITY.md row
 * 141), in Debian's Chromium on its real IndexedDB: the plugin's `IndexedDbScreenMemory` under the real
 * `ExclusionScreen`. Each page of one browser context is one start of the plugin on the same device; the notes are
 * given to the page with their size and time, as Obsidian's file list gives them. What this cannot show: Obsidian's
 * own window (the plugin's wiring of the memory, by vault and version, is proven in
 * `tests/obsidian/plugin-tag-screen.test.ts`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';
import type { ReadingsOutcome, ReadingsSession } from './harness/readings-entry';

interface ReadingsWindow {
    harness: {
        session(options: ReadingsSession): Promise<ReadingsOutcome>;
        damage(name: string, path: string, value: unknown): Promise<void>;
    };
}

let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    // The readings page asks no model: nothing listens behind the harness's model route.
    [harness, browser] = await Promise.all([
        startHarness({ modelBaseURL: 'http://127.0.0.1:9', apiKey: '' }),
        launchBrowser(),
    ]);
});

afterAll(async () => {
    await Promise.all([browser?.close(), harness?.close()]);
});

/** One start of the screen in a new page of the shared context (the same device). */
async function start(options: ReadingsSession): Promise<ReadingsOutcome> {
    const { page } = await openHarnessPage(browser, `${harness.url}readings`);
    try {
        return await page.evaluate((o) => (window as unknown as ReadingsWindow).harness.session(o), options);
    } finally {
        await page.close();
    }
}

const VAULT = [
    { path: 'Diary/Monday.md', mtime: 1_000, size: 30, text: 'A day.\n\n🔒#private\n' },
    { path: 'Projects/Plan.md', mtime: 1_000, size: 20, text: 'The plan. #work\n' },
    { path: 'Notes/Loose.md', mtime: 1_000, size: 10, text: 'Nothing here.\n' },
];

describe('tag readings kept in IndexedDB between starts', () => {
    it('reads at the next start only the notes changed since, and judges the others by what was kept', async () => {
        const name = 'readings-next-start';
        const first = await start({ name, version: '0.1.0/1', notes: VAULT });
        expect(first.reads.sort()).toEqual(VAULT.map((note) => note.path).sort());
        expect(first.tags['Diary/Monday.md']).toEqual(['#private']);

        // Meanwhile the plan was made private on another device: it arrives with another time.
        const changed = VAULT.map((note) =>
            note.path === 'Projects/Plan.md' ? { ...note, mtime: 2_000, text: 'The plan. #private\n' } : note,
        );
        const second = await start({ name, version: '0.1.0/1', notes: changed });
        expect(second.reads).toEqual(['Projects/Plan.md']);
        expect(second.tags).toEqual({
            'Diary/Monday.md': ['#private'],
            'Projects/Plan.md': ['#private'],
            'Notes/Loose.md': [],
        });

        const third = await start({ name, version: '0.1.0/1', notes: changed });
        expect(third.reads).toEqual([]);
        expect(third.tags['Projects/Plan.md']).toEqual(['#private']);
    });

    it('trusts nothing kept by another version of the reading, nor a damaged record', async () => {
        const name = 'readings-versions';
        await start({ name, version: '0.1.0/1', notes: VAULT });
        const upgraded = await start({ name, version: '0.2.0/1', notes: VAULT });
        expect(upgraded.reads.sort()).toEqual(VAULT.map((note) => note.path).sort());

        const { page } = await openHarnessPage(browser, `${harness.url}readings`);
        await page.evaluate(
            ([db, path]) => (window as unknown as ReadingsWindow).harness.damage(db, path, { m: 1_000, s: 30, t: 'x' }),
            [name, 'Diary/Monday.md'] as const,
        );
        await page.close();
        const afterDamage = await start({ name, version: '0.2.0/1', notes: VAULT });
        expect(afterDamage.reads).toEqual(['Diary/Monday.md']);
        expect(afterDamage.tags['Diary/Monday.md']).toEqual(['#private']);
    });
});
