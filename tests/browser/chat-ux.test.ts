/**
 * What a newcomer meets in the chat (issue 16, "Errors and the chat"), in Debian's Chromium: the real view and engine
 * over the example vault, the real SDK against the local Messages-API server. An error is said once, with Retry and
 * Open settings; each approved card undoes its own change; inserted and deleted words are told apart without colour;
 * the footer speaks plainly; the header's actions are labelled icon buttons on one line at 280 px; "Apply chosen
 * parts" says why it is disabled. The theme is a stand-in for Obsidian's (tests/browser/harness/theme.css): the
 * checks are on what the plugin's own CSS does, not on Obsidian's icon art.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
    httpError,
    startMessagesApiServer,
    textTurn,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

const NOTE = 'Research/Forgetting curve.md';

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

beforeEach(() => {
    api.setDefault(undefined);
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

async function vaultText(page: Page, path: string): Promise<string | undefined> {
    return page.evaluate(
        (p) =>
            (
                window as unknown as { harness: { vault: { snapshot(): Record<string, string> } } }
            ).harness.vault.snapshot()[p],
        path,
    );
}

describe('errors in the chat', () => {
    it('says a rejected key once, in plain words, with Retry and Open settings that work', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        api.enqueue(httpError(401, 'authentication_error', 'invalid x-api-key'));
        await send(page, 'Hello (error test)');
        await idle(page);
        const turn = page.locator('.vault-agent-assistant').last();
        const text = await turn.innerText();
        expect(text.split('The API key was rejected').length - 1).toBe(1);
        expect(await page.locator('.vault-agent-error').count()).toBe(1);
        await page.locator('.vault-agent-open-settings').click();
        expect(
            await page.evaluate(
                () => (window as unknown as { harness: { settingsOpened: number[] } }).harness.settingsOpened.length,
            ),
        ).toBe(1);

        const before = api.messageRequests().length;
        api.enqueue(textTurn('Hello again, now it works.'));
        await page.locator('.vault-agent-retry').click();
        await page.locator('.vault-agent-assistant', { hasText: 'now it works' }).waitFor();
        await idle(page);
        expect(JSON.stringify(api.messageRequests()[before]?.body)).toContain('Hello (error test)');
    });

    it('offers no Open settings for an error the settings cannot fix, but still Retry', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        api.enqueue(httpError(400, 'invalid_request_error', 'messages: text content blocks must be non-empty'));
        await send(page, 'Something odd');
        await idle(page);
        // InvalidRequest can be a wrong model or base URL: settings offered. A 500 is not the person's to fix.
        api.enqueue(httpError(500, 'api_error', 'Internal error'), httpError(500, 'api_error', 'Internal error'));
        api.setDefault(httpError(500, 'api_error', 'Internal error'));
        await send(page, 'Again');
        await idle(page);
        const last = page.locator('.vault-agent-assistant').last();
        await last.locator('.vault-agent-retry').waitFor();
        expect(await last.locator('.vault-agent-open-settings').count()).toBe(0);
        expect(await last.locator('.vault-agent-error').count()).toBe(1);
    });
});

describe('the approval card', () => {
    it('offers Undo on each approved card, and it undoes only that card’s change', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const original = await vaultText(page, NOTE);
        api.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: NOTE } }]),
            toolUseTurn([
                { name: 'create_note', input: { path: 'Scratch/Card undo A.md', content: 'first\n' } },
                {
                    name: 'edit_note',
                    input: {
                        path: NOTE,
                        edits: [{ old: 'Ebbinghaus measured how fast', new: 'Ebbinghaus measured how quickly' }],
                    },
                },
            ]),
            textTurn('Made a note and tightened a sentence.'),
        );
        await send(page, 'Two changes please (card undo)');
        const cards = page.locator('.vault-agent-approval');
        await cards.nth(0).waitFor();
        await cards.nth(0).locator('.vault-agent-accept-all').click();
        await cards.nth(1).waitFor();
        await cards.nth(1).locator('.vault-agent-accept-all').click();
        await idle(page);
        expect(await vaultText(page, 'Scratch/Card undo A.md')).toBe('first\n');
        expect(await vaultText(page, NOTE)).toContain('how quickly');

        const undoEdit = cards.nth(1).locator('.vault-agent-undo');
        await undoEdit.waitFor();
        expect(await cards.nth(0).locator('.vault-agent-undo').count()).toBe(1);
        await undoEdit.click();
        await cards.nth(1).locator('.vault-agent-approval-status', { hasText: 'Undone' }).waitFor();
        expect(await vaultText(page, NOTE)).toBe(original);
        // The other card's change stays until its own Undo.
        expect(await vaultText(page, 'Scratch/Card undo A.md')).toBe('first\n');
        await cards.nth(0).locator('.vault-agent-undo').click();
        await cards.nth(0).locator('.vault-agent-approval-status', { hasText: 'Undone' }).waitFor();
        expect(await vaultText(page, 'Scratch/Card undo A.md')).toBeUndefined();
    });

    it('marks inserted words with more than colour, strikes deleted ones, and says why Apply chosen parts waits', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        api.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: NOTE } }]),
            toolUseTurn([
                {
                    name: 'edit_note',
                    input: {
                        path: NOTE,
                        edits: [
                            { old: 'Ebbinghaus measured how fast', new: 'Hermann Ebbinghaus measured how quickly' },
                            { old: 'The practical answer to the curve', new: 'The best answer to the curve' },
                        ],
                    },
                },
            ]),
            textTurn('Tightened.'),
        );
        await send(page, 'Tighten it (marks test)');
        const card = page.locator('.vault-agent-approval');
        await card.waitFor();
        const style = (selector: string) =>
            card
                .locator(selector)
                .first()
                .evaluate((el) => {
                    const s = getComputedStyle(el);
                    return { line: s.textDecorationLine, weight: Number(s.fontWeight) };
                });
        const added = await style('ins');
        const removed = await style('del');
        expect(added.line).toContain('underline');
        expect(added.weight).toBeGreaterThanOrEqual(600);
        expect(removed.line).toContain('line-through');

        const apply = card.locator('.vault-agent-apply-chosen');
        const hint = card.locator('.vault-agent-apply-hint');
        expect(await apply.isDisabled()).toBe(true);
        expect(await hint.innerText()).toBe('Choose accept or reject for 2 more parts to apply your choices.');
        expect(await apply.getAttribute('aria-describedby')).toBe(await hint.getAttribute('id'));
        await card.locator('.vault-agent-hunk[data-hunk="0"] .vault-agent-hunk-accept').click();
        expect(await hint.innerText()).toBe('Choose accept or reject for 1 more part to apply your choices.');
        await card.locator('.vault-agent-hunk[data-hunk="1"] .vault-agent-hunk-reject').click();
        expect(await apply.isDisabled()).toBe(false);
        expect(await hint.innerText()).toBe('');
        await card.locator('.vault-agent-accept-all').click();
        await idle(page);
    });
});

describe('auto-accept mode', () => {
    it('writes a new note with code other plugins run made inert, and the transcript says so', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await page.locator('.vault-agent-mode').selectOption('auto-edits');
        const path = 'Scratch/Auto dashboard.md';
        api.enqueue(
            toolUseTurn([
                { name: 'create_note', input: { path, content: '# Board\n\n```dataviewjs\ndv.el("b", 1)\n```\n' } },
            ]),
            textTurn('Made the board.'),
        );
        await send(page, 'Make a board (auto inert)');
        await idle(page);
        const written = (await vaultText(page, path)) ?? '';
        expect(written).not.toMatch(/^```dataviewjs/m);
        expect(written).toContain('dv.el("b", 1)');
        const notice = page.locator('.vault-agent-inert-notice');
        await notice.waitFor();
        expect(await notice.innerText()).toContain(
            'Nobody approved this write, so code that other plugins run was made inert',
        );
        expect(
            await page.evaluate(
                () => (window as unknown as { harness: { executed: unknown[] } }).harness.executed.length,
            ),
        ).toBe(0);
    });
});

describe('the header and the footer', () => {
    it('says cost and how full the conversation is in words, with the token counts on hover', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const footer = page.locator('.vault-agent-footer');
        expect(await footer.innerText()).toBe('Nothing sent yet');
        api.enqueue(textTurn('A short answer.', { usage: { input_tokens: 5144, output_tokens: 80 } }));
        await send(page, 'A question (footer test)');
        await idle(page);
        const text = await footer.innerText();
        expect(text).toMatch(/^Cost so far (under \$0\.01|\$\d+\.\d\d) · Conversation (under 1|\d+)% full$/);
        expect(text).not.toMatch(/tokens| in | out /);
        const details = await footer.getAttribute('title');
        expect(details).toMatch(
            /^[\d,]+ tokens sent( \([\d,]+ read from cache\))? · 80 tokens received · \$\d+\.\d{4} · conversation [\d,]+ of [\d,]+ tokens$/,
        );
        expect(await footer.getAttribute('aria-label')).toContain(text);
    });

    it('shows the header actions as labelled icon buttons on one line at 280 px, reachable by keyboard', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await page.evaluate(() => {
            const sidebar = document.querySelector<HTMLElement>('.sidebar') ?? document.getElementById('sidebar');
            sidebar?.classList.add('is-narrow');
        });
        const buttons = page.locator('.vault-agent-header-buttons button');
        expect(await buttons.count()).toBe(4);
        const labels = await buttons.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')));
        expect(labels).toEqual(['New chat', 'Past chats', 'Save chat as note', 'Continue in background']);
        for (const el of await buttons.all()) {
            expect(await el.getAttribute('class')).toContain('clickable-icon');
            expect((await el.innerText()).trim()).toBe('');
        }
        const header = await page.locator('.vault-agent-header').evaluate((el) => {
            const box = el.getBoundingClientRect();
            const boxes = [...el.querySelectorAll('select, button, .vault-agent-model')].map((child) =>
                child.getBoundingClientRect(),
            );
            // One row: every control overlaps every other vertically (a wrapped one starts below another's bottom).
            const oneRow = boxes.every((a) => boxes.every((b) => a.top < b.bottom && b.top < a.bottom));
            return { width: box.width, scroll: el.scrollWidth, oneRow, height: box.height };
        });
        expect(header.width).toBeLessThanOrEqual(280);
        expect(header.oneRow).toBe(true);
        expect(header.scroll).toBeLessThanOrEqual(Math.ceil(header.width));
        // Keyboard: focus the mode picker, Tab to "Past chats" and press Enter.
        await page.locator('.vault-agent-mode').focus();
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Past chats');
        await page.keyboard.press('Enter');
        await page.locator('.vault-agent-history').waitFor({ state: 'visible' });
    });
});
