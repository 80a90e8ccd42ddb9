/**
 * Ranked retrieval in the chat (issue 19), in Chromium, over a small real vault on top of the example vault: the
 * relevance index wired as the plugin wires it. With a note in focus, the context chips offer the notes related by
 * links, tags and words (never an excluded note, nor one made private after the view opened), and adding one puts it
 * in the next message's context; an @-mention finds a note by a word only its body holds, ranked, and never an
 * excluded note that holds the same word.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentsOf, startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

const FILES = {
    'Garden/Compost.md':
        '---\ntags: [garden]\n---\n# Compost\n\nKitchen scraps and leaves, turned every week. Feeds the [[Soil]].\n\n' +
        '## Turning the heap\n\nTurn it when it steams.\n',
    'Garden/Soil.md': '# Soil\n\nLoam holds water; clay holds nutrients.\n',
    'Garden/Beds.md': '---\ntags: [garden]\n---\n# Beds\n\nThree raised beds by the fence.\n',
    'Garden/Worm farm.md':
        '# Worm farm\n\nWorms turn kitchen scraps into compost faster than a heap. ' +
        'Vermiculture needs shade; vermiculture bins must stay damp.\n',
    'Garden/Notes on bins.md': '# Notes on bins\n\nThe green bin could hold a small vermiculture tray later.\n',
    'Garden/Secret compost.md':
        '---\ntags: [garden, private]\n---\n# Secret compost\n\nMy own [[Compost]] trick: vermiculture with coffee. ' +
        'Vermiculture, vermiculture.\n',
};

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey, extraFiles: FILES });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

/** Opens `path` in the page's workspace, as the person clicking it in the file explorer. */
async function focus(page: Page, path: string): Promise<void> {
    await page.evaluate(
        (p) => (window as unknown as { harness: { openNote(path: string): void } }).harness.openNote(p),
        path,
    );
}

/** The related chips shown now: path and the reason in their tooltip. */
async function relatedChips(page: Page): Promise<{ path: string; title: string }[]> {
    return page.locator('.vault-agent-chip-related').evaluateAll((chips) =>
        chips.map((chip) => ({
            path: chip.getAttribute('data-path') ?? '',
            title: chip.getAttribute('title') ?? '',
        })),
    );
}

describe('related notes in the chat’s context chips', () => {
    it('offers the notes sharing links, tags and words, never an excluded one, and adds one to the context', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await focus(page, 'Garden/Compost.md');
        await page.locator('.vault-agent-chip-related').first().waitFor();
        const chips = await relatedChips(page);
        expect(chips.map((chip) => chip.path).sort()).toEqual([
            'Garden/Beds.md',
            'Garden/Soil.md',
            'Garden/Worm farm.md',
        ]);
        const why = Object.fromEntries(chips.map((chip) => [chip.path, chip.title]));
        expect(why['Garden/Soil.md']).toContain('linked from this note');
        expect(why['Garden/Beds.md']).toContain('shares #garden');
        expect(why['Garden/Worm farm.md']).toContain('similar words');
        // The private note links here and shares the tag and the words: it is not offered, not even by name.
        expect(await page.locator('.vault-agent-chips').innerText()).not.toContain('Secret');

        // Clicking a chip mentions the note in the draft; the next message carries it as context.
        await page.locator('.vault-agent-chip-related[data-path="Garden/Soil.md"]').click();
        const input = page.locator('.vault-agent-textarea');
        expect(await input.inputValue()).toBe('@[[Garden/Soil]] ');
        expect(await page.locator('.vault-agent-chip-mention').innerText()).toContain('Soil');
        expect((await relatedChips(page)).map((chip) => chip.path)).not.toContain('Garden/Soil.md');
        let sent: string[] = [];
        api.setResponder((request) => {
            sent = documentsOf(request).map((document) => document.title ?? '');
            return textTurn('Loam and clay.');
        });
        await input.type('what is in it?');
        await input.press('Enter');
        await page.locator('.vault-agent-assistant').last().getByText('Loam and clay.').waitFor();
        expect(sent).toContain('Garden/Soil.md');
        expect(sent).not.toContain('Garden/Secret compost.md');
    });

    it('drops a note made private after the view opened', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await focus(page, 'Garden/Compost.md');
        await page.locator('.vault-agent-chip-related[data-path="Garden/Soil.md"]').waitFor();
        await page.evaluate(async () => {
            const { vault } = (
                window as unknown as {
                    harness: { vault: { process(path: string, fn: (text: string) => string): Promise<string> } };
                }
            ).harness;
            await vault.process('Garden/Soil.md', (text) => `${text}\n#private\n`);
        });
        // The chips are asked again as the person types.
        await page.locator('.vault-agent-textarea').type('a');
        const paths = (await relatedChips(page)).map((chip) => chip.path);
        expect(paths).not.toContain('Garden/Soil.md');
        expect(paths).toContain('Garden/Beds.md');
        expect(await page.locator('.vault-agent-chips').innerText()).not.toContain('Soil');
    });
});

describe('@-mentions ranked by content', () => {
    it('offers a note by a word only its body holds, ranked, and never an excluded note', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const input = page.locator('.vault-agent-textarea');
        await input.click();
        await input.type('@vermiculture');
        const items = page.locator('.vault-agent-popover-item');
        await items.first().waitFor();
        const details = await page.locator('.vault-agent-popover-detail').allInnerTexts();
        // Neither path nor title holds the word: both are found by their text, the note that says it more first.
        expect(details).toEqual(['Garden/Worm farm.md', 'Garden/Notes on bins.md']);
        expect(await page.locator('.vault-agent-popover').innerText()).not.toContain('Secret');
        await input.press('Enter');
        expect(await input.inputValue()).toBe('@[[Worm farm]] ');
    });
});
