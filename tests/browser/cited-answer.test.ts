/**
 * A cited answer in the chat view, in Chromium: the mentioned note goes to the local Messages API as a citable
 * document, the answer streams with citations through the real SDK, and the view shows each passage quoted under a
 * link to its note and heading (clicking it opens the note there), a passage not in the note flagged. Writes the
 * README screenshot `cited-answer.png`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    citeText,
    citedText,
    forgedCitation,
    startMessagesApiServer,
    turn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { screenshotFolder } from './harness/screenshots';
import { startHarness, type HarnessServer } from './harness/server';

const NOTE = 'Research/Forgetting curve.md';
const IMAGES = screenshotFolder();

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 4 });
    harness = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey });
    browser = await launchBrowser();
    await mkdir(IMAGES, { recursive: true });
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

describe('a cited answer in the chat', () => {
    it('shows each cited passage under a link to its note and heading, and flags one not in the note', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        api.setResponder((request) =>
            turn({
                content: [
                    citedText('Retention drops steeply within the first day.', [
                        citeText(request, NOTE, 'retention drops steeply within the first day'),
                    ]),
                    citedText(' About half is gone after a day without review,', [
                        citeText(request, NOTE, 'Roughly half of new material is gone after a day without review.'),
                    ]),
                    citedText(' and sleep stops the decay.', [
                        forgedCitation(request, NOTE, 'Sleep stops the decay entirely.', 200),
                    ]),
                ],
            }),
        );
        const input = page.locator('.vault-agent-textarea');
        await input.fill('What does @[[Forgetting curve]] say about the first day?');
        await input.press('Enter');
        const sources = page.locator('.vault-agent-sources');
        await sources.waitFor();
        const links = sources.locator('a.internal-link');
        expect(await links.allInnerTexts()).toEqual([
            'Research/Forgetting curve > Forgetting curve',
            'Research/Forgetting curve > Key points',
            // The forged passage points at a place under the title heading.
            'Research/Forgetting curve > Forgetting curve',
        ]);
        expect(await links.first().getAttribute('data-href')).toBe('Research/Forgetting curve#Forgetting curve');
        expect(await sources.locator('.vault-agent-source-quote').allInnerTexts()).toContain(
            'Roughly half of new material is gone after a day without review.',
        );
        const flagged = sources.locator('.vault-agent-source.is-unverified');
        expect(await flagged.count()).toBe(1);
        expect(await flagged.locator('.vault-agent-source-flag').innerText()).toBe(
            'Not found in the source as it is now',
        );
        // The quotes are text: nothing inside them was rendered.
        expect(await sources.locator('.vault-agent-source-quote *').count()).toBe(0);
        await page
            .locator('.vault-agent-assistant')
            .last()
            .screenshot({ path: join(IMAGES, 'cited-answer.png') });
        await links.nth(1).click();
        expect(
            await page.evaluate(() => (window as unknown as { harness: { opened: string[] } }).harness.opened),
        ).toContainEqual(expect.stringContaining('Forgetting curve'));
    });
});
