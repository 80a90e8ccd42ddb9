/**
 * A chat hands over to the queue, and offers a scheduled job, in Debian's Chromium (issue 17, item 4): the real chat
 * view and engine over the example vault held in memory, the real SDK against the local Messages-API server.
 * _Continue in background_ writes the conversation as a job note and frees the chat; `schedule_job` shows the job
 * note as an approval card and creates it only when the person accepts it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
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

async function send(page: Page, text: string): Promise<void> {
    const input = page.locator('.vault-agent-textarea');
    await input.fill(text);
    await input.press('Enter');
}

async function idle(page: Page): Promise<void> {
    await page.locator('.vault-agent-send:not(.is-stop)').waitFor();
    await page.waitForFunction(() => !document.querySelector('.vault-agent-chat')?.classList.contains('is-busy'));
}

async function jobNotes(page: Page): Promise<Record<string, string>> {
    const all = await page.evaluate(() =>
        (window as unknown as { harness: { vault: { snapshot(): Record<string, string> } } }).harness.vault.snapshot(),
    );
    return Object.fromEntries(
        Object.entries(all).filter(([path]) => path.startsWith('Agent/Jobs/') && path !== 'Agent/Jobs/README.md'),
    );
}

describe('from the chat to the queue', () => {
    it('Continue in background writes the conversation as a job note and frees the chat', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        api.enqueue(textTurn('The forgetting curve drops fast within a day. HAND-OVER-ANSWER'));
        await send(page, 'Summarise the forgetting curve for my weekly review');
        await idle(page);
        await page.locator('.vault-agent-hand-over').click();
        await page.locator('.vault-agent-note', { hasText: 'continues in the background as the job' }).waitFor();
        expect(await page.locator('.vault-agent-user').count()).toBe(0);
        const notes = await jobNotes(page);
        const [path, text] = Object.entries(notes)[0] ?? ['', ''];
        expect(path).toMatch(/^Agent\/Jobs\/Summarise the forgetting curve.* \(from chat\)\.md$/u);
        expect(text).toContain('mode: propose');
        expect(text).toContain('Summarise the forgetting curve for my weekly review');
        expect(text).toContain('> **Agent:** The forgetting curve drops fast within a day. HAND-OVER-ANSWER');
        await page.close();
    });

    it("shows a scheduled job the agent offers as an approval card and creates it only on the person's accept", async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const before = Object.keys(await jobNotes(page));
        api.enqueue(
            toolUseTurn([
                {
                    name: 'schedule_job',
                    input: {
                        title: 'Customer briefing',
                        brief: 'Brief me on what changed in my #customer notes.',
                        schedule: 'weekdays 08:30',
                        context: ['#customer'],
                    },
                },
            ]),
            textTurn('It is scheduled.'),
        );
        await send(page, 'Every weekday at 8:30, brief me on #customer notes');
        const card = page.locator('.vault-agent-approval-create');
        await card.waitFor();
        expect(await card.locator('.vault-agent-approval-path').innerText()).toBe('Agent/Jobs/Customer briefing.md');
        expect(await card.innerText()).toContain('schedule: "weekdays 08:30"');
        expect(Object.keys(await jobNotes(page))).toEqual(before);
        await card.locator('.vault-agent-accept-all').click();
        await idle(page);
        const notes = await jobNotes(page);
        expect(notes['Agent/Jobs/Customer briefing.md']).toContain('schedule: "weekdays 08:30"');
        await page.close();
    });

    it('warns on the card when the scheduled job would carry an excluded tag, so it would never run', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        api.enqueue(
            toolUseTurn([
                {
                    name: 'schedule_job',
                    input: { title: 'Diary digest', brief: 'Sum up my #private diary.', schedule: 'daily 21:00' },
                },
            ]),
            textTurn('Understood.'),
        );
        await send(page, 'Every evening, sum up my diary');
        const card = page.locator('.vault-agent-approval-create');
        await card.waitFor();
        const warning = card.locator('.vault-agent-approval-warning');
        expect(await warning.innerText()).toContain('tagged #private, which the privacy settings exclude');
        await card.locator('.vault-agent-approval-actions button', { hasText: 'Reject' }).click();
        await card.locator('.vault-agent-reject-confirm').click();
        await idle(page);
        expect(Object.keys(await jobNotes(page))).not.toContain('Agent/Jobs/Diary digest.md');
        await page.close();
    });
});
