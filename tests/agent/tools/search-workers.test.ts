/**
 * `search_notes` through the vault's search workers (`FsVault.scanTexts`, decision 0024): the built worker program in
 * real worker threads on a real temp vault. The answers must be exactly those of the search on the serving thread,
 * and a note made private just before the search (written in place, so the worker opens the very file the vault
 * checked) must neither show nor count.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HERE_FIRST } from '../../../src/agent/tools/search-tools';
import { TextScanPool } from '../../../src/vault/text-scan-node';
import { buildCli, SEARCH_WORKER } from '../../cli/cli-harness';
import { makeToolHarness, type ToolHarness } from './tool-fixtures';
import { SEARCH_FIXTURE_NOTES } from '../../support/search-fixture';

let pool: TextScanPool;

beforeAll(async () => {
    await buildCli();
    const built = TextScanPool.forScript(pathToFileURL(SEARCH_WORKER));
    if (built === null) throw new Error('the search worker program was not built');
    pool = built;
}, 60_000);

afterAll(async () => {
    await pool.close();
});

/**
 * Notes without a match that sort first: the serving thread searches the first `HERE_FIRST` notes itself, and the
 * workers take the rest.
 */
function fillers(): Record<string, string> {
    const files: Record<string, string> = {};
    for (let i = 0; i < HERE_FIRST; i++) files[`0 filler/${String(i).padStart(5, '0')}.md`] = `filler ${i}\n`;
    return files;
}

/** Notes that exercise every way a line can match: plain, inside links, line endings, a BOM, a two-letter lowercase. */
const FILES: Record<string, string> = {
    'Secret.md': '#private\nThe meeting notes nobody may see.\n',
    'Journal/Day.md': 'A meeting in the excluded folder.\n',
    ...SEARCH_FIXTURE_NOTES,
};

/** Searches the workers ran (a test expects some). */
let scanned = 0;

async function both(harness: ToolHarness, input: Record<string, unknown>): Promise<[string, string]> {
    harness.temp.vault.useTextScan(null);
    const here = await harness.run('search_notes', input);
    harness.temp.vault.useTextScan(pool);
    const scan = vi.spyOn(pool, 'scan');
    try {
        const there = await harness.run('search_notes', input);
        // The workers take the notes past the first ones, unless the page filled before (or a folder holds few).
        for (const call of scan.mock.results) expect(await call.value).not.toBeNull();
        scanned += scan.mock.calls.length;
        return [here.content, there.content];
    } finally {
        scan.mockRestore();
    }
}

describe('search_notes in worker threads', () => {
    let harness: ToolHarness;

    afterEach(async () => {
        await harness.temp.cleanup();
    });

    it('answers exactly as the search on the serving thread, page by page', async () => {
        harness = await makeToolHarness({ ...fillers(), ...FILES });
        for (const input of [
            { query: 'meeting' },
            { query: 'meeting', limit: 2 },
            { query: 'meeting', limit: 3, offset: 4 },
            { query: 'meeting', limit: 50, offset: 10 },
            { query: 'MEETING NOTES' },
            { query: 'meeting', folder: 'Folder' },
            { query: 'xqzwvk' },
            { query: 'stanbul' },
        ]) {
            const [here, there] = await both(harness, input);
            expect(there, JSON.stringify(input)).toBe(here);
        }
        expect(scanned).toBeGreaterThan(3);
        const [, all] = await both(harness, { query: 'meeting' });
        expect(all).not.toMatch(/Secret\.md:|Journal\/|nobody may see|meeting notes\]\]/u);
        expect(all).toContain('Links.md:3: A visible link: [[Plain|meeting]].');
    });

    it('never counts or shows a note made private just before the search, on the page or before it', async () => {
        const files = fillers();
        for (let i = 10; i < 40; i++) files[`Note ${i}.md`] = `meeting one\nmeeting two in note ${i}\n`;
        harness = await makeToolHarness(files);
        harness.temp.vault.useTextScan(pool);
        const scan = vi.spyOn(pool, 'scan');
        // Notes before the page are only counted, from what the workers found; the page's notes are read again.
        const page = { query: 'meeting', limit: 30, offset: 40 };
        const before = await harness.run('search_notes', page);
        expect(before.content).toMatch(/^60 matches in 30 notes/u);
        expect(scan).toHaveBeenCalledTimes(1);
        scan.mockRestore();
        // Written in place (same file, same inode): the worker opens the file the vault checked and reads the new text.
        writeFileSync(nodePath.join(harness.temp.root, 'Note 11.md'), '---\ntags: [private]\n---\nmeeting secret A\n');
        writeFileSync(nodePath.join(harness.temp.root, 'Note 30.md'), 'meeting secret B #private\nmeeting\n');
        const after = await harness.run('search_notes', page);
        expect(after.content).toMatch(/^56 matches in 28 notes/u);
        expect(after.content).not.toMatch(/Note 11|Note 30|secret/u);
        for (let offset = 0; offset < 60; offset += 10) {
            const page = await harness.run('search_notes', { query: 'meeting', limit: 10, offset });
            expect(page.content).not.toMatch(/Note 11|Note 30|secret/u);
        }
        const secret = await harness.run('search_notes', { query: 'secret' });
        expect(secret.content).toBe('No matches for text "secret".');
    });

    it('leaves a symbolic link to the serving thread, which judges it by its target', async () => {
        harness = await makeToolHarness({
            ...fillers(),
            'Target.md': '#private\nmeeting behind a link\n',
            'Open.md': 'meeting\n',
        });
        symlinkSync(nodePath.join(harness.temp.root, 'Target.md'), nodePath.join(harness.temp.root, 'Alias.md'));
        await harness.temp.vault.scan();
        const [here, there] = await both(harness, { query: 'meeting' });
        expect(there).toBe(here);
        expect(there).toBe('1 match in 1 note for text "meeting":\nOpen.md:1: meeting');
    });

    it('is not used when the worker program is missing: the serving thread searches', async () => {
        const missing = TextScanPool.forScript(pathToFileURL(nodePath.join(harness.temp.root, 'no-such-worker.js')));
        expect(missing).toBeNull();
    });
});
