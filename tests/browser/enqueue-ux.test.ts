/**
 * The delegate dialog as a newcomer meets it (issue 16), in Debian's Chromium over the real queue harness: the brief,
 * the context and *Run* are all it shows; output folder, model, mode, budget and schedule wait under *More*,
 * collapsed, with defaults its summary names; Ctrl+Enter runs from any field; a problem in a hidden field opens *More*.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

async function openDialog(): Promise<Page> {
    const { page } = await openHarnessPage(browser, `${harness.url}queue`);
    await page.locator('.vault-agent-queue-new').click();
    await page.locator('.vault-agent-enqueue-brief').waitFor();
    return page;
}

async function files(page: Page): Promise<Record<string, string>> {
    return page.evaluate(() =>
        (window as unknown as { harness: { vault: { snapshot(): Record<string, string> } } }).harness.vault.snapshot(),
    );
}

describe('the delegate dialog', () => {
    it('shows only the brief, the context and Run; the rest is under More, collapsed, its defaults named', async () => {
        const page = await openDialog();
        const visible: (string | null)[] = [];
        for (const field of await page.locator('.modal input, .modal textarea, .modal select').all()) {
            if (await field.isVisible()) visible.push(await field.getAttribute('aria-label'));
        }
        expect(visible).toEqual(['Brief', 'Context']);
        expect(await page.locator('.vault-agent-enqueue-submit').innerText()).toBe('Run');
        const more = page.locator('.vault-agent-enqueue-more');
        expect(await more.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
        const summary = await page.locator('.vault-agent-enqueue-more-summary').innerText();
        expect(summary).toMatch(/^More: into Agent\/Outputs\/ · .+ · creates notes · .+ · runs now$/);

        await page.locator('.vault-agent-enqueue-more-summary').click();
        for (const label of ['Output folder', 'Model', 'Mode', 'Turns at most', 'Cost at most (USD)', 'When']) {
            expect(await page.locator(`.modal [aria-label="${label}"]`).isVisible()).toBe(true);
        }
        await page.locator('.vault-agent-enqueue-when').selectOption('schedule');
        expect(await page.locator('.vault-agent-enqueue-submit').innerText()).toBe('Schedule');
        expect(await page.locator('.vault-agent-enqueue-more-summary').innerText()).toContain('on a schedule');
    });

    it('runs with Ctrl+Enter from the context field, with the defaults', async () => {
        const page = await openDialog();
        api.enqueue(textTurn('Done quickly.'));
        await page.locator('.vault-agent-enqueue-brief').fill('Shortcut job: list three ideas');
        await page.locator('.vault-agent-enqueue-context').focus();
        await page.keyboard.press('Control+Enter');
        await page.locator('.modal-container').waitFor({ state: 'detached' });
        await expect
            .poll(
                async () =>
                    Object.keys(await files(page)).filter((path) => path.startsWith('Agent/Jobs/Shortcut job')).length,
            )
            .toBe(1);
        const [, note] =
            Object.entries(await files(page)).find(([path]) => path.startsWith('Agent/Jobs/Shortcut job')) ?? [];
        expect(note).toContain('output: Agent/Outputs');
    });

    it('opens More when the problem is in one of its fields, and keeps what was typed', async () => {
        const page = await openDialog();
        await page.locator('.vault-agent-enqueue-brief').fill('A job with a bad folder');
        await page.locator('.vault-agent-enqueue-more-summary').click();
        await page.locator('.vault-agent-enqueue-output').fill('../outside');
        await page.locator('.vault-agent-enqueue-more-summary').click();
        expect(await page.locator('.vault-agent-enqueue-more').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(
            false,
        );
        await page.locator('.vault-agent-enqueue-brief').focus();
        await page.keyboard.press('Control+Enter');
        await page.locator('.vault-agent-enqueue-error:not(:empty)').waitFor();
        expect(await page.locator('.vault-agent-enqueue-more').evaluate((el) => (el as HTMLDetailsElement).open)).toBe(
            true,
        );
        expect(await page.locator('.vault-agent-enqueue-output').evaluate((el) => el === document.activeElement)).toBe(
            true,
        );
        expect(await page.locator('.vault-agent-enqueue-brief').inputValue()).toBe('A job with a bad folder');
    });
});
