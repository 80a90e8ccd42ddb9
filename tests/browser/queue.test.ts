/**
 * The delegate queue's UI in Debian's Chromium: the real queue view, enqueue modal, status-bar item and job notices
 * over a REAL `JobQueue` on the example vault held in memory, the real SDK against the local Messages-API server.
 * Covers the queue view of issue 6 and docs/RELIABILITY.md row 29 where the person sees it (a corrupt job note is
 * listed, never rewritten), and takes the README's `queue.png` (`npm run screenshots` refreshes `docs/images/`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpError, startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { screenshotFolder } from './harness/screenshots';
import { startHarness, type HarnessServer } from './harness/server';

const IMAGES = screenshotFolder();
const BROKEN = 'Agent/Jobs/Broken job.md';
const BROKEN_TEXT = '---\nvault-agent: job\nstatus: sleeping\n---\nSummarise the week.\n';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({
        modelBaseURL: api.baseURL,
        apiKey: api.apiKey,
        extraFiles: { [BROKEN]: BROKEN_TEXT },
    });
    browser = await launchBrowser();
    await mkdir(IMAGES, { recursive: true });
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

interface QueuePage {
    harness: {
        vault: { snapshot(): Record<string, string> };
        opened: string[];
        viewOpened: number[];
        openModal(prefill?: { brief?: string; context?: string[]; title?: string }): unknown;
    };
}

async function openQueue(): Promise<Page> {
    const { page } = await openHarnessPage(browser, `${harness.url}queue`);
    return page;
}

async function vaultFiles(page: Page): Promise<Record<string, string>> {
    return page.evaluate(() => (window as unknown as QueuePage).harness.vault.snapshot());
}

/** Opens the modal with "New job", types the brief, and queues it with Enter. */
async function enqueueFromModal(page: Page, brief: string): Promise<void> {
    await page.locator('.vault-agent-queue-new').click();
    const input = page.locator('.vault-agent-enqueue-brief');
    await input.waitFor();
    await input.fill(brief);
    await input.press('Enter');
    await page.locator('.modal-container').waitFor({ state: 'detached' });
}

function group(page: Page, status: string) {
    return page.locator(`.vault-agent-queue-group[data-status="${status}"]`);
}

describe('the job queue in a browser', () => {
    it('queues a brief with an @-mentioned note from the modal, runs it, and links the result note', async () => {
        const page = await openQueue();
        api.enqueue(
            textTurn('## Forgetting curve\n\nRetention drops steeply within a day; spacing reviews helps.', {
                latencyMs: 600,
            }),
        );
        const before = api.messageRequests().length;

        await page.locator('.vault-agent-queue-new').click();
        const brief = page.locator('.vault-agent-enqueue-brief');
        await brief.pressSequentially('Summarise @Forgetting');
        await page.locator('.vault-agent-popover-item', { hasText: 'Forgetting curve' }).first().waitFor();
        await brief.press('Enter');
        await expect.poll(() => brief.inputValue()).toBe('Summarise @[[Forgetting curve]] ');
        await page
            .locator('.vault-agent-enqueue-chips .vault-agent-chip', { hasText: '[[Forgetting curve]]' })
            .waitFor();
        await page.locator('.vault-agent-enqueue-more-summary').click();
        await page.locator('.vault-agent-enqueue-turns').fill('5');
        await page.locator('.vault-agent-enqueue-turns').press('Enter');
        await page.locator('.modal-container').waitFor({ state: 'detached' });

        await group(page, 'running').locator('.vault-agent-job').waitFor();
        await expect.poll(() => page.locator('.vault-agent-queue-status').innerText()).toBe('1 running');
        expect(await group(page, 'running').locator('.vault-agent-job-progress').innerText()).toMatch(
            /turns? · .* tokens/,
        );

        const done = group(page, 'done').locator('.vault-agent-job');
        await done.waitFor();
        await expect.poll(() => page.locator('.vault-agent-queue-status').isVisible()).toBe(false);
        const sent = JSON.stringify(api.messageRequests()[before]?.body);
        expect(sent).toContain('Ebbinghaus measured how fast he forgot');
        const job = Object.entries(await vaultFiles(page)).find(([path]) => path.startsWith('Agent/Jobs/Summarise'));
        expect(job?.[1]).toContain('status: done');
        expect(job?.[1]).toMatch(/turns: 5/);

        await done.locator('.vault-agent-job-artifact').click();
        const opened = await page.evaluate(() => (window as unknown as QueuePage).harness.opened);
        const artifact = opened[opened.length - 1] ?? '';
        expect(artifact).toMatch(/^Agent\/Outputs\/.*\.md$/);
        expect((await vaultFiles(page))[artifact]).toContain('Retention drops steeply');

        const notice = page.locator('.notice', { hasText: 'finished' });
        await notice.waitFor();
        expect(await page.locator('.notice').count()).toBe(1);
        await notice.locator('.vault-agent-notice-action', { hasText: 'Open result' }).click();
        expect(await page.evaluate(() => (window as unknown as QueuePage).harness.opened.at(-1))).toBe(artifact);
    });

    it('holds new jobs while paused, shows the banner and the count, and runs them after Resume', async () => {
        const page = await openQueue();
        await page.locator('.vault-agent-queue-pause').click();
        await page.locator('.vault-agent-queue-banner[data-reason="person"]').waitFor();
        const requests = api.messageRequests().length;
        await enqueueFromModal(page, 'List the open questions in the launch plan');
        await group(page, 'queued').locator('.vault-agent-job').waitFor();
        await expect.poll(() => page.locator('.vault-agent-queue-status').innerText()).toBe('1 queued · paused');
        await page.waitForTimeout(600);
        expect(api.messageRequests().length).toBe(requests);

        api.enqueue(textTurn('1. Who owns the beta list?'));
        await page.locator('.vault-agent-queue-resume').click();
        await page.locator('.vault-agent-queue-banner').waitFor({ state: 'detached' });
        await group(page, 'done').locator('.vault-agent-job').waitFor();
    });

    it('cancels a waiting job and queues it again with Retry', async () => {
        const page = await openQueue();
        await page.locator('.vault-agent-queue-pause').click();
        await enqueueFromModal(page, 'Draft a reading list from my research notes');
        await group(page, 'queued').locator('.vault-agent-job-cancel').click();
        await group(page, 'cancelled').locator('.vault-agent-job').waitFor();
        const job = Object.entries(await vaultFiles(page)).find(([path]) => path.startsWith('Agent/Jobs/Draft'));
        expect(job?.[1]).toContain('status: cancelled');

        await group(page, 'cancelled').locator('.vault-agent-job-retry').click();
        await group(page, 'queued').locator('.vault-agent-job').waitFor();
        api.enqueue(textTurn('A reading list.'));
        await page.locator('.vault-agent-queue-resume').click();
        await group(page, 'done').locator('.vault-agent-job').waitFor();
    });

    it('shows a failed job with its error and a notice, and Retry runs it to the end', async () => {
        const page = await openQueue();
        api.enqueue(httpError(400, 'invalid_request_error', 'The request was malformed.'));
        await enqueueFromModal(page, 'Compare the two meeting notes');
        const failed = group(page, 'failed').locator('.vault-agent-job');
        await failed.waitFor();
        expect(await failed.locator('.vault-agent-job-error').innerText()).not.toBe('');
        await page.locator('.notice', { hasText: 'could not finish' }).waitFor();

        api.enqueue(textTurn('Both meetings agreed on the launch date.'));
        await failed.locator('.vault-agent-job-retry').click();
        await group(page, 'done').locator('.vault-agent-job').waitFor();
        expect(await page.locator('.notice', { hasText: 'finished' }).count()).toBe(1);
    });

    it('lists a corrupt job note with its reason and never rewrites it (row 29)', async () => {
        const page = await openQueue();
        const row = group(page, 'quarantined').locator('.vault-agent-quarantined', { hasText: BROKEN });
        await row.waitFor();
        expect(await row.locator('.vault-agent-job-error').innerText()).toContain('status');
        await page.waitForTimeout(500);
        expect((await vaultFiles(page))[BROKEN]).toBe(BROKEN_TEXT);
        await row.locator('.vault-agent-job-title').click();
        expect(await page.evaluate(() => (window as unknown as QueuePage).harness.opened)).toContain(BROKEN);
    });

    it('shows problems inline and keeps what was typed; Esc closes without queuing', async () => {
        const page = await openQueue();
        await page.evaluate(() => (window as unknown as QueuePage).harness.openModal({ context: ['#customer'] }));
        await page.locator('.vault-agent-enqueue-chips .vault-agent-chip', { hasText: '#customer' }).waitFor();
        await page.locator('.vault-agent-enqueue-submit').click();
        expect(await page.locator('.vault-agent-enqueue-error').innerText()).toContain('brief');

        const brief = page.locator('.vault-agent-enqueue-brief');
        await brief.fill('Digest the customer calls');
        await page.locator('.vault-agent-enqueue-more-summary').click();
        await page.locator('.vault-agent-enqueue-when').selectOption('schedule');
        await page.locator('.vault-agent-enqueue-schedule').fill('daily 25:00');
        await brief.press('Enter');
        expect(await page.locator('.vault-agent-enqueue-error').innerText()).toContain('08:00');
        expect(await brief.inputValue()).toBe('Digest the customer calls');

        await page.locator('.vault-agent-enqueue-schedule').press('Escape');
        await page.locator('.modal-container').waitFor({ state: 'detached' });
        const jobs = Object.keys(await vaultFiles(page)).filter((path) => path.startsWith('Agent/Jobs/Digest'));
        expect(jobs).toEqual([]);
    });

    it('shows an output folder no job may use under its field while it is typed, and never queues it', async () => {
        const page = await openQueue();
        await page.evaluate(() => (window as unknown as QueuePage).harness.openModal({}));
        const brief = page.locator('.vault-agent-enqueue-brief');
        await brief.fill('Summarise the calls');
        // The output folder waits under More.
        await page.locator('.vault-agent-enqueue-more-summary').click();
        const output = page.locator('.vault-agent-enqueue-output');
        const fieldError = page.locator('.vault-agent-enqueue-field-error');
        expect(await fieldError.isVisible()).toBe(false);
        for (const [typed, says] of [
            ['.obsidian', 'hidden'],
            ['Agent/.cache', 'hidden'],
            ['../escape', 'inside the vault'],
            ['/abs', 'absolute'],
            ['Agent/Jobs/Results', 'jobs folder'],
        ] as const) {
            await output.fill(typed);
            await fieldError.waitFor({ state: 'visible' });
            expect(await fieldError.innerText()).toContain(says);
        }
        // Queue (Enter) refuses it too, with the reason, and keeps the modal open.
        await brief.press('Enter');
        expect(await page.locator('.vault-agent-enqueue-error').innerText()).toContain('jobs folder');
        expect(await page.locator('.modal-container').count()).toBe(1);
        await output.fill('Agent/Summaries');
        await fieldError.waitFor({ state: 'hidden' });
        await page.locator('.vault-agent-enqueue-output').press('Escape');
        await page.locator('.modal-container').waitFor({ state: 'detached' });
        const jobs = Object.keys(await vaultFiles(page)).filter((path) =>
            path.startsWith('Agent/Jobs/Summarise the calls'),
        );
        expect(jobs).toEqual([]);
    });

    it('fills the brief from a job template (a custom command) and queues it as a schedule', async () => {
        const page = await openQueue();
        await page.locator('.vault-agent-queue-new').click();
        await page.locator('.vault-agent-enqueue-more-summary').click();
        await page.locator('.vault-agent-enqueue-template').selectOption('weekly-digest');
        const brief = page.locator('.vault-agent-enqueue-brief');
        await expect.poll(() => brief.inputValue()).toContain('weekly digest of the customer meetings');
        await page.locator('.vault-agent-enqueue-chips .vault-agent-chip', { hasText: '#customer' }).waitFor();
        expect(await page.locator('.vault-agent-enqueue-mode').inputValue()).toBe('read-only');
        await page.locator('.vault-agent-enqueue-when').selectOption('schedule');
        await page.locator('.vault-agent-enqueue-schedule').fill('weekly mon 09:00');
        await page.locator('.vault-agent-enqueue-schedule').press('Enter');
        const template = group(page, 'template').locator('.vault-agent-job');
        await template.waitFor();
        expect(await template.innerText()).toContain('weekly mon 09:00');
        const note = Object.entries(await vaultFiles(page)).find(([path]) => path.startsWith('Agent/Jobs/A digest'));
        expect(note?.[1]).toContain('schedule: "weekly mon 09:00"');
        expect(note?.[1]).toContain('"#customer"');
    });

    it('shows every state at once: running with progress, queued while paused, done, failed (screenshot)', async () => {
        const page = await openQueue();
        api.enqueue(textTurn('Three themes: pricing, onboarding, exports.'));
        await enqueueFromModal(page, 'Summarise the customer calls by theme');
        await group(page, 'done').locator('.vault-agent-job').waitFor();
        api.enqueue(httpError(400, 'invalid_request_error', 'The request was malformed.'));
        await enqueueFromModal(page, 'Compare the Q3 and Q4 plans');
        await group(page, 'failed').locator('.vault-agent-job').waitFor();
        api.enqueue(textTurn('A long answer.', { latencyMs: 5000 }));
        await enqueueFromModal(page, 'Research spaced repetition and write a primer');
        await group(page, 'running').locator('.vault-agent-job').waitFor();
        await page.locator('.vault-agent-queue-pause').click();
        await enqueueFromModal(page, 'Draft the launch announcement');
        await enqueueFromModal(page, 'List open actions from this week');
        await expect.poll(() => group(page, 'queued').locator('.vault-agent-job').count()).toBe(2);
        await expect
            .poll(() => page.locator('.vault-agent-queue-status').innerText())
            .toBe('1 running · 2 queued · paused');
        await page.waitForTimeout(1100);
        expect(await group(page, 'running').locator('.vault-agent-job-progress').innerText()).toMatch(/[1-9] s/);
        await page.screenshot({ path: join(IMAGES, 'queue.png') });
    });
});
