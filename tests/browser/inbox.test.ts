/**
 * The review inbox in Debian's Chromium: the real inbox view, notices and status-bar item over a REAL proposal store
 * on the example vault held in memory, with proposals recorded as a `propose` job records them and applied through
 * the real ChangeController (issue 17, items 2 and 5). Covers listing by job and note with the badge, the chat's
 * approval card per proposal, apply and undo, a stale proposal re-diffed against the note as it is now, a proposal
 * withheld once its note is private, accept all of a job, the keyboard, and mobile width; takes the README's
 * `inbox.png` and `inbox-mobile.png` (`npm run screenshots` refreshes `docs/images/`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { screenshotFolder } from './harness/screenshots';
import { startHarness, type HarnessServer } from './harness/server';

const IMAGES = screenshotFolder();
const SYNC = 'Meetings/2026-11-19 Team sync.md';
const LAUNCH = 'Projects/Vault Agent launch.md';
const GLOBEX = 'Meetings/2026-11-18 Globex renewal.md';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer();
    harness = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey });
    browser = await launchBrowser();
    await mkdir(IMAGES, { recursive: true });
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

interface InboxPage {
    harness: {
        vault: { snapshot(): Record<string, string> };
        ids: { reading: string; sync: string; globex: string; acme: string };
        inboxOpened: number[];
        proposeEdits(path: string, pairs: [string, string][], reason: string): Promise<string>;
        editNote(path: string, from: string, to: string): Promise<void>;
    };
}

async function openInbox(): Promise<Page> {
    const { page } = await openHarnessPage(browser, `${harness.url}inbox`);
    await page.locator('.vault-agent-inbox-item').first().waitFor();
    return page;
}

async function noteText(page: Page, path: string): Promise<string> {
    return page.evaluate((p) => (window as unknown as InboxPage).harness.vault.snapshot()[p] ?? '', path);
}

function item(page: Page, path: string) {
    return page.locator('.vault-agent-inbox-note', { hasText: path }).locator('.vault-agent-inbox-item');
}

describe('the review inbox in a browser', () => {
    it('lists every pending proposal by job and by note, newest first, with the badge, a notice and the status bar', async () => {
        const page = await openInbox();
        await expect.poll(() => page.locator('.vault-agent-inbox-badge').innerText()).toBe('4');
        const groups = page.locator('.vault-agent-inbox-group-title');
        expect(await groups.allInnerTexts()).toEqual(['Tidy meeting links', 'MCP client claude-desktop']);
        const tidyNotes = page
            .locator('.vault-agent-inbox-group')
            .first()
            .locator('.vault-agent-inbox-note-path')
            .allInnerTexts();
        expect(await tidyNotes).toEqual(['Meetings/2026-11-12 Acme onboarding call.md', GLOBEX, SYNC]);
        await expect
            .poll(() => page.locator('.notice-message').first().innerText())
            .toBe("3 changes to review from 'Tidy meeting links', and 1 more from one other");
        expect(await page.locator('.vault-agent-review-status').innerText()).toBe('4 to review');
        await page.locator('.vault-agent-notice-action', { hasText: 'Review' }).click();
        const opened = await page.evaluate(() => (window as unknown as InboxPage).harness.inboxOpened.length);
        expect(opened).toBe(1);
        await page.close();
    });

    it("opens a proposal with the chat's approval card, applies it through the change controller, and undoes it", async () => {
        const page = await openInbox();
        const before = await noteText(page, SYNC);
        await item(page, SYNC).click();
        const card = page.locator('.vault-agent-inbox-detail .vault-agent-approval');
        await card.waitFor();
        // The same word-level diff as in the chat: the added link is an insertion, nothing else is touched.
        const added = (await card.locator('ins.vault-agent-diff-added').allInnerTexts()).join(' ');
        expect(added).toContain('[[Vault Agent launch|');
        expect((await card.locator('.vault-agent-diff-same').allInnerTexts()).join(' ')).toContain('Dana will write');
        expect(await card.locator('.vault-agent-approval-reason').innerText()).toContain('Link the launch note');
        expect(await noteText(page, SYNC)).toBe(before);
        await card.locator('.vault-agent-accept-all').click();
        await page.locator('.vault-agent-inbox-result', { hasText: `Applied to ${SYNC}` }).waitFor();
        expect(await noteText(page, SYNC)).toContain('Next sync: [[2026-11-26]].');
        await expect.poll(() => page.locator('.vault-agent-inbox-badge').innerText()).toBe('3');
        expect(await item(page, SYNC).count()).toBe(0);

        await page.locator('.vault-agent-inbox-undo').click();
        await page.locator('.vault-agent-inbox-result', { hasText: 'Undone' }).waitFor();
        expect(await noteText(page, SYNC)).toBe(before);
        await expect.poll(() => page.locator('.vault-agent-inbox-badge').innerText()).toBe('4');
        await page.close();
    });

    it("re-diffs a stale proposal against the note as it is now: what still applies is applied, the person's newer text stays", async () => {
        const page = await openInbox();
        await page.evaluate(
            ([path]) =>
                (window as unknown as InboxPage).harness.proposeEdits(
                    path!,
                    [
                        ['status: active', 'status: launching'],
                        ['- Which default model?', '- Which default model (decide by Friday)?'],
                    ],
                    'Mark the launch and date the open question.',
                ),
            [LAUNCH],
        );
        await item(page, LAUNCH).waitFor();
        // The person changes the first place after the job proposed its change.
        await page.evaluate(
            ([path]) => (window as unknown as InboxPage).harness.editNote(path!, 'status: active', 'status: paused'),
            [LAUNCH],
        );
        await item(page, LAUNCH).click();
        const detail = page.locator('.vault-agent-inbox-detail');
        await detail.locator('.vault-agent-approval').waitFor();
        expect(await detail.getAttribute('class')).toContain('is-stale');
        expect(await detail.locator('.vault-agent-approval-warning').first().innerText()).toContain(
            'The note changed since',
        );
        expect(await detail.locator('.vault-agent-hunk').count()).toBe(1);
        expect(await detail.locator('.vault-agent-inbox-conflicts').innerText()).toContain('1 part of the proposal');
        await page.screenshot({ path: join(IMAGES, 'inbox-stale.png') });

        await detail.locator('.vault-agent-accept-all').click();
        await page.locator('.vault-agent-inbox-result', { hasText: 'Applied' }).waitFor();
        const text = await noteText(page, LAUNCH);
        expect(text).toContain('status: paused');
        expect(text).not.toContain('status: launching');
        expect(text).toContain('- Which default model (decide by Friday)?');
        await page.close();
    });

    it('accepts one part and rejects another, or edits the proposal first, before applying', async () => {
        const page = await openInbox();
        await page.evaluate(
            ([path]) =>
                (window as unknown as InboxPage).harness.proposeEdits(
                    path!,
                    [
                        ['status: active', 'status: launching'],
                        ['- Which default model?', '- Which default model (ask Dana)?'],
                    ],
                    'Two separate changes.',
                ),
            [LAUNCH],
        );
        await item(page, LAUNCH).click();
        const card = page.locator('.vault-agent-inbox-list .vault-agent-inbox-detail .vault-agent-approval');
        await card.waitFor();
        const hunks = card.locator('.vault-agent-hunk');
        expect(await hunks.count()).toBe(2);
        await hunks.nth(0).locator('.vault-agent-hunk-reject').click();
        await hunks.nth(1).locator('.vault-agent-hunk-accept').click();
        await card.locator('.vault-agent-apply-chosen').click();
        await page.locator('.vault-agent-inbox-result', { hasText: 'Applied' }).waitFor();
        let text = await noteText(page, LAUNCH);
        expect(text).toContain('status: active');
        expect(text).toContain('(ask Dana)');

        // Edit first: the person's own text is what is written.
        await item(page, SYNC).click();
        const syncCard = page.locator('.vault-agent-inbox-list .vault-agent-inbox-detail .vault-agent-approval');
        await syncCard.waitFor();
        await syncCard.locator('button', { hasText: 'Edit first' }).click();
        const area = syncCard.locator('.vault-agent-approval-textarea');
        const proposed = await area.inputValue();
        await area.fill(proposed.replace('[[2026-11-26]]', '[[2026-11-26]] (moved to Thursday)'));
        await syncCard.locator('.vault-agent-accept-edited').click();
        await page.locator('.vault-agent-inbox-result', { hasText: `Applied to ${SYNC}` }).waitFor();
        text = await noteText(page, SYNC);
        expect(text).toContain('Next sync: [[2026-11-26]] (moved to Thursday).');
        await page.close();
    });

    it('withholds a proposal whose note was made private, showing nothing of it', async () => {
        const page = await openInbox();
        await page.evaluate(
            ([path]) =>
                (window as unknown as InboxPage).harness.editNote(
                    path!,
                    'tags: [meeting, customer]',
                    'tags: [meeting, customer, private]',
                ),
            [GLOBEX],
        );
        await page.evaluate(() =>
            (window as unknown as { harness: { view: { refresh(): Promise<void> } } }).harness.view.refresh(),
        );
        const row = item(page, GLOBEX);
        await expect.poll(() => row.getAttribute('class')).toContain('is-withheld');
        expect(await row.innerText()).not.toContain('full path');
        await row.click();
        const detail = page.locator('.vault-agent-inbox-detail');
        await detail.locator('.vault-agent-inbox-withheld').waitFor();
        expect(await detail.locator('.vault-agent-approval').count()).toBe(0);
        expect(await detail.innerText()).not.toContain('Notes that review themselves|');
        await page.close();
    });

    it('is keyboard-first: j/k move, Enter opens, r rejects, a accepts, and focus moves on to the next proposal', async () => {
        const page = await openInbox();
        await page.locator('.vault-agent-inbox-item').first().focus();
        await page.keyboard.press('j');
        await page.keyboard.press('j');
        await page.keyboard.press('k');
        const focused = (): Promise<string | null> =>
            page.evaluate(() => document.activeElement?.getAttribute('data-id') ?? null);
        const ids = await page
            .locator('.vault-agent-inbox-item')
            .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
        expect(await focused()).toBe(ids[1]);
        const acmeBefore = await noteText(page, 'Meetings/2026-11-12 Acme onboarding call.md');

        // The second proposal (Globex): open, reject with r; nothing changes and focus lands on the next one.
        await page.keyboard.press('Enter');
        await page.locator('.vault-agent-inbox-detail .vault-agent-approval').waitFor();
        const globexBefore = await noteText(page, GLOBEX);
        await page.keyboard.press('r');
        await expect.poll(() => page.locator('.vault-agent-inbox-item').count()).toBe(3);
        expect(await noteText(page, GLOBEX)).toBe(globexBefore);
        await expect.poll(focused).toBe(ids[2]);

        // Up to the first (Acme), open with Enter, accept with a.
        await page.keyboard.press('ArrowUp');
        expect(await focused()).toBe(ids[0]);
        await page.keyboard.press('Enter');
        await page.locator('.vault-agent-inbox-list .vault-agent-inbox-detail .vault-agent-approval').waitFor();
        await page.keyboard.press('a');
        await expect
            .poll(() => noteText(page, 'Meetings/2026-11-12 Acme onboarding call.md'))
            .toContain('# Meeting: Acme onboarding call');
        expect(acmeBefore).not.toContain('# Meeting:');
        // Escape closes an open proposal without deciding it.
        await page.keyboard.press('Enter');
        await page.locator('.vault-agent-inbox-list .vault-agent-inbox-detail .vault-agent-approval').waitFor();
        await page.keyboard.press('Escape');
        expect(await page.locator('.vault-agent-inbox-list .vault-agent-inbox-detail').count()).toBe(0);
        await page.close();
    });

    it('accepts all proposals of one job at once, and undoes them all', async () => {
        const page = await openInbox();
        const before = await page.evaluate(() => (window as unknown as InboxPage).harness.vault.snapshot());
        await page.locator('.vault-agent-inbox-accept-group').first().click();
        await page.locator('.vault-agent-inbox-batch', { hasText: 'Applied 3 of 3' }).waitFor();
        expect(await noteText(page, SYNC)).toContain('[[2026-11-26]]');
        expect(await noteText(page, GLOBEX)).toContain('[[Research/Idea - Notes that review themselves|');
        await expect.poll(() => page.locator('.vault-agent-inbox-badge').innerText()).toBe('1');
        await page.locator('.vault-agent-inbox-undo-all').click();
        await page.locator('.vault-agent-inbox-batch', { hasText: 'Undone 3 of 3' }).waitFor();
        expect(await noteText(page, SYNC)).toBe(before[SYNC]);
        expect(await noteText(page, GLOBEX)).toBe(before[GLOBEX]);
        await page.close();
    });

    it('works at mobile width: nothing overflows sideways and the card can be decided', async () => {
        const page = await openInbox();
        await page.setViewportSize({ width: 390, height: 844 });
        await page.evaluate(() => {
            document.querySelector('.main-area')?.remove();
            document.getElementById('sidebar')?.classList.add('is-mobile');
        });
        await item(page, SYNC).click();
        const card = page.locator('.vault-agent-inbox-detail .vault-agent-approval');
        await card.waitFor();
        const overflow = await page.evaluate(() => {
            const root = document.querySelector('.vault-agent-inbox');
            return root === null ? -1 : root.scrollWidth - root.clientWidth;
        });
        expect(overflow).toBeLessThanOrEqual(0);
        const box = await card.locator('.vault-agent-accept-all').boundingBox();
        expect(box).not.toBeNull();
        expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
        await page.screenshot({ path: join(IMAGES, 'inbox-mobile.png') });
        await card.locator('.vault-agent-accept-all').click();
        await page.locator('.vault-agent-inbox-result', { hasText: 'Applied' }).waitFor();
        await page.close();
    });

    it('follows the theme: the dark theme colours the inbox through Obsidian variables', async () => {
        const page = await openInbox();
        await item(page, SYNC).click();
        await page.locator('.vault-agent-inbox-detail .vault-agent-approval').waitFor();
        await page.screenshot({ path: join(IMAGES, 'inbox.png') });
        const light = await page
            .locator('.vault-agent-inbox-badge')
            .evaluate((el) => getComputedStyle(el).backgroundColor);
        await page.evaluate(() => document.body.classList.replace('theme-light', 'theme-dark'));
        const dark = await page
            .locator('.vault-agent-inbox-badge')
            .evaluate((el) => getComputedStyle(el).backgroundColor);
        expect(light).toBe('rgb(124, 58, 237)');
        expect(dark).toBe('rgb(138, 92, 245)');
        await page.screenshot({ path: join(IMAGES, 'inbox-dark.png') });
        await page.close();
    });
});
