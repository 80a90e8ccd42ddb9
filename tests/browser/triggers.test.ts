/**
 * Trigger notes where the person meets them, in Debian's Chromium over the real queue harness: the delegate dialog's
 * *When…* part writes a trigger note, and the queue view shows each trigger's state (active with this hour's jobs,
 * paused after three failures, unreadable with why). A note created in the trigger's folder starts a job there too.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

const PAUSED =
    '---\nvault-agent: trigger\nevent: created\nfolder: Inbox/\ntrigger-state: { failures: 3, paused: true, last: "" }\n' +
    '---\nFile {{note}}.\n';
const ACTIVE =
    '---\nvault-agent: trigger\nevent: created\nfolder: Meetings/\ndebounce: 0.2\nmax-per-hour: 4\n---\nSummarise {{note}}.\n';
const BROKEN = '---\nvault-agent: trigger\nevent: whenever\n---\nNever.\n';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({
        modelBaseURL: api.baseURL,
        apiKey: api.apiKey,
        extraFiles: {
            'Agent/Jobs/File the inbox.md': PAUSED,
            'Agent/Jobs/Meeting summaries.md': ACTIVE,
            'Agent/Jobs/Broken trigger.md': BROKEN,
        },
    });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

interface TriggerPage {
    harness: { vault: { snapshot(): Record<string, string>; create(path: string, text: string): Promise<void> } };
}

async function files(page: Page): Promise<Record<string, string>> {
    return page.evaluate(() => (window as unknown as TriggerPage).harness.vault.snapshot());
}

describe('trigger notes in the plugin', () => {
    it('the When… part of the dialog writes a trigger note', async () => {
        const { page } = await openHarnessPage(browser, `${harness.url}queue`);
        await page.locator('.vault-agent-queue-new').click();
        await page.locator('.vault-agent-enqueue-brief').fill('Summarise the paper {{note}}');
        await page.locator('.vault-agent-enqueue-more-summary').click();
        // Hidden until chosen.
        expect(await page.locator('.modal [aria-label="Starts when"]').isVisible()).toBe(false);
        await page.locator('.vault-agent-enqueue-when').selectOption('trigger');
        expect(await page.locator('.modal [aria-label="Starts when"]').isVisible()).toBe(true);
        expect(await page.locator('.modal [aria-label="Tag"]').isVisible()).toBe(false);
        await page.locator('.vault-agent-enqueue-event').selectOption('tag-added');
        expect(await page.locator('.modal [aria-label="Tag"]').isVisible()).toBe(true);
        await page.locator('.vault-agent-enqueue-folder').fill('Papers/');
        await page.locator('.vault-agent-enqueue-mode').selectOption('read-only');
        // A missing tag is named, nothing written.
        await page.locator('.vault-agent-enqueue-submit').click();
        expect(await page.locator('.vault-agent-enqueue-error').innerText()).toContain('Name the tag');
        await page.locator('.vault-agent-enqueue-tag').fill('#to-summarise');
        expect(await page.locator('.vault-agent-enqueue-more-summary').innerText()).toContain(
            'when a tag is added in Papers/',
        );
        expect(await page.locator('.vault-agent-enqueue-submit').innerText()).toBe('Create trigger');
        await page.locator('.vault-agent-enqueue-submit').click();
        await page.locator('.modal-container').waitFor({ state: 'detached' });
        const written = Object.entries(await files(page)).find(([path]) =>
            path.startsWith('Agent/Jobs/When Summarise'),
        );
        expect(written?.[1]).toContain('vault-agent: trigger');
        expect(written?.[1]).toContain('event: tag-added');
        expect(written?.[1]).toContain('tag: to-summarise');
        expect(written?.[1]).toContain('folder: Papers/');
        expect(written?.[1]).toContain('context: ["{{note}}"]');
        expect(written?.[1]).toContain('mode: read-only');
        // No job was queued: the trigger waits for its event.
        const jobs = Object.values(await files(page)).filter(
            (text) => text.includes('vault-agent: job') && text.includes('Summarise the paper'),
        );
        expect(jobs).toEqual([]);
        // It joins the queue view's triggers.
        await page.locator('.vault-agent-trigger[data-path^="Agent/Jobs/When Summarise"]').waitFor({ timeout: 10_000 });
    });

    it("the queue view shows a trigger's state, and a note in its folder starts a job", async () => {
        const { page } = await openHarnessPage(browser, `${harness.url}queue`);
        const section = page.locator('.vault-agent-queue-group[data-status="trigger"]');
        await section.waitFor();
        const paused = section.locator('[data-path="Agent/Jobs/File the inbox.md"]');
        expect(await paused.locator('.vault-agent-trigger-state').innerText()).toBe('Paused');
        expect(await paused.innerText()).toContain('3 jobs failed in a row');
        const broken = section.locator('[data-path="Agent/Jobs/Broken trigger.md"]');
        expect(await broken.locator('.vault-agent-trigger-state').innerText()).toBe('Cannot be read');
        expect(await broken.innerText()).toContain('"event" should be one of');
        const active = section.locator('[data-path="Agent/Jobs/Meeting summaries.md"]');
        expect(await active.locator('.vault-agent-trigger-state').innerText()).toBe('Active');
        expect(await active.innerText()).toContain('When a note is created in Meetings/');
        expect(await active.innerText()).toContain('0 of 4 jobs this hour');

        api.enqueue(textTurn('A short meeting.'));
        await page.evaluate(() =>
            (window as unknown as TriggerPage).harness.vault.create('Meetings/Standup.md', 'We stood up.\n'),
        );
        await expect.poll(async () => active.innerText(), { timeout: 10_000 }).toContain('1 of 4 jobs this hour');
        await expect
            .poll(async () => (await files(page))['Agent/Jobs/Meeting summaries - Standup.md'] ?? '', {
                timeout: 10_000,
            })
            .toContain('status: done');
    });
});
