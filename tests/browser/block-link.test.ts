/**
 * Block links from a cited answer, in Chromium: the person chooses "Block link" on a cited passage (by mouse or
 * keyboard), the edit that adds ` ^id` to the passage's block is shown as the usual approval card, and only an
 * accepted card writes it (through the change controller); the passage's link then points at `#^id`. A rejected card
 * changes nothing and the link stays on the heading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    citeText,
    citedText,
    startMessagesApiServer,
    turn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';
import type { Page } from 'playwright-core';

const NOTE = 'Research/Forgetting curve.md';
const HALF = 'Roughly half of new material is gone after a day without review.';
const STEEP = 'retention drops steeply within the first day';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 4 });
    harness = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

/** The note's text in the page's vault. */
function noteText(page: Page): Promise<string | undefined> {
    return page.evaluate(
        (path) =>
            (
                window as unknown as { harness: { vault: { snapshot(): Record<string, string> } } }
            ).harness.vault.snapshot()[path],
        NOTE,
    );
}

/** Asks, and waits for the streamed answer's sources. */
async function citedAnswer(page: Page): Promise<void> {
    api.setResponder((request) =>
        turn({
            content: [
                citedText('Retention drops steeply within the first day.', [citeText(request, NOTE, STEEP)]),
                citedText(' About half is gone after a day without review.', [citeText(request, NOTE, HALF)]),
            ],
        }),
    );
    const input = page.locator('.vault-agent-textarea');
    await input.fill('What does @[[Forgetting curve]] say about the first day?');
    await input.press('Enter');
    await page.locator('.vault-agent-sources .vault-agent-source').nth(1).waitFor();
}

describe('block links from a cited answer', () => {
    it('adds the block id on approval and points the passage link at it', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const before = await noteText(page);
        await citedAnswer(page);
        const passage = page.locator('.vault-agent-source').nth(1);
        const button = passage.getByRole('button', { name: 'Block link to this passage in Research/Forgetting curve' });
        expect(await button.count()).toBe(1);
        // Keyboard reachable: a real button, pressed with Enter.
        await button.focus();
        await page.keyboard.press('Enter');
        const card = page.locator('.vault-agent-approval');
        await card.waitFor();
        expect(await card.locator('.vault-agent-approval-path').innerText()).toBe(NOTE);
        expect(await card.locator('.vault-agent-diff-added').allInnerTexts()).toEqual([
            expect.stringMatching(/^ \^[A-Za-z0-9-]+$/u),
        ]);
        // Nothing is written while the card waits.
        expect(await noteText(page)).toBe(before);
        await card.getByRole('button', { name: 'Accept all' }).click();
        await passage.locator('.vault-agent-source-status').waitFor();
        const after = (await noteText(page)) ?? '';
        const id = /- Roughly half of new material is gone after a day without review\. \^([A-Za-z0-9-]+)\n/u.exec(
            after,
        )?.[1];
        expect(id).toBeDefined();
        expect(after.replace(` ^${id ?? ''}`, '')).toBe(before);
        const link = passage.locator('a.internal-link');
        expect(await link.getAttribute('data-href')).toBe(`Research/Forgetting curve#^${id ?? ''}`);
        expect(await passage.getByRole('button', { name: /Block link/u }).count()).toBe(0);
        // The other passage still links to its heading.
        expect(
            await page.locator('.vault-agent-source').first().locator('a.internal-link').getAttribute('data-href'),
        ).toBe('Research/Forgetting curve#Forgetting curve');
    });

    it('changes nothing when the person rejects the card', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const before = await noteText(page);
        await citedAnswer(page);
        const passage = page.locator('.vault-agent-source').first();
        await passage.getByRole('button', { name: /^Block link/u }).click();
        const card = page.locator('.vault-agent-approval');
        await card.waitFor();
        await card.getByRole('button', { name: 'Reject…' }).click();
        await card.locator('.vault-agent-reject-confirm').click();
        await passage.locator('.vault-agent-source-status').waitFor();
        expect(await passage.locator('.vault-agent-source-status').innerText()).toBe('Rejected; nothing was changed.');
        expect(await noteText(page)).toBe(before);
        expect(await passage.locator('a.internal-link').getAttribute('data-href')).toBe(
            'Research/Forgetting curve#Forgetting curve',
        );
        // The button stays, so the person can change their mind.
        expect(await passage.getByRole('button', { name: /^Block link/u }).isEnabled()).toBe(true);
    });
});
