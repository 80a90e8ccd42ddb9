/**
 * The writer's flow (issue 21) in Debian's Chromium: a real CodeMirror 6 editor with the plugin's inline-edit
 * extension over the real engine and SDK, the model played by the local Messages-API server. Select, ask, see the
 * rewrite as an inline word diff, accept one change and reject another by keyboard, undo with Ctrl+Z, a change the
 * person typed in goes stale while one elsewhere stays anchored, a follow-up keeps the decisions, an excluded note is
 * never sent, and the controls fit a phone. Writes the README screenshots.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { screenshotFolder } from './harness/screenshots';
import { startHarness, type HarnessServer } from './harness/server';

const IMAGES = screenshotFolder();
const NOTE = 'Research/Forgetting curve.md';
const PASSAGE =
    'Ebbinghaus measured how fast he forgot nonsense syllables: retention drops steeply within the first day, then levels\n' +
    'off. Each re-learning flattens the curve.';
const REWRITE =
    'Ebbinghaus measured how quickly he forgot nonsense syllables: retention drops steeply within the first day, then levels\n' +
    'off. Each review flattens the curve.';
const PRIVATE = 'Journal/Private draft.md';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    await mkdir(IMAGES, { recursive: true });
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({
        modelBaseURL: api.baseURL,
        apiKey: api.apiKey,
        extraFiles: { [PRIVATE]: '---\ntags: [private]\n---\nDear diary, the first chapter is still too long.\n' },
    });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

type Region = { id: number; removed: string; inserted: string; stale: boolean };
type InlineHarness = {
    start(): boolean;
    select(text: string): boolean;
    cursorAfter(text: string): boolean;
    text(): string;
    phase(): string | null;
    regions(): Region[];
    chats: { record: { entries: { kind: string; text?: string }[]; changedTurns: string[] } }[];
    checkpoints: { undoableTurns(): Promise<string[]> };
};

async function openInline(note = NOTE): Promise<Page> {
    const { page } = await openHarnessPage(browser, `${harness.url}inline?note=${encodeURIComponent(note)}`);
    return page;
}

const regions = (page: Page): Promise<Region[]> =>
    page.evaluate(() => (window as unknown as { harness: InlineHarness }).harness.regions());
const text = (page: Page): Promise<string> =>
    page.evaluate(() => (window as unknown as { harness: InlineHarness }).harness.text());
const start = (page: Page): Promise<boolean> =>
    page.evaluate(() => (window as unknown as { harness: InlineHarness }).harness.start());
const select = (page: Page, what: string): Promise<boolean> =>
    page.evaluate((t) => (window as unknown as { harness: InlineHarness }).harness.select(t), what);
const cursorAfter = (page: Page, what: string): Promise<boolean> =>
    page.evaluate((t) => (window as unknown as { harness: InlineHarness }).harness.cursorAfter(t), what);
const waitForPhase = (page: Page, wanted: string): Promise<unknown> =>
    page.waitForFunction((w) => (window as unknown as { harness: InlineHarness }).harness.phase() === w, wanted);

/** Selects the passage, opens the prompt as the command does, and asks. */
async function ask(page: Page, instruction: string, answer: string): Promise<void> {
    expect(await select(page, PASSAGE)).toBe(true);
    expect(await start(page)).toBe(true);
    api.enqueue(textTurn(answer));
    const input = page.locator('.vault-agent-inline-panel .vault-agent-inline-input');
    await input.waitFor();
    await input.fill(instruction);
    await input.press('Enter');
    await waitForPhase(page, 'ready');
}

describe('the writer’s flow: ask in place, the diff in the editor', () => {
    it('shows the rewrite as an inline word diff; one change accepted and one rejected by keyboard; Ctrl+Z undoes', async () => {
        const page = await openInline();
        const before = api.messageRequests().length;
        await ask(page, 'tighten this', `Here it is.\n<rewrite>\n${REWRITE}\n</rewrite>`);
        const sent = JSON.stringify(api.messageRequests()[before]?.body);
        expect(sent).toContain('tighten this');
        expect(sent).toContain('Each re-learning flattens the curve.');
        // The note itself goes with the request through the context builder.
        expect(sent).toContain('Overlearning (practice past the first perfect recall)');
        expect(await regions(page)).toEqual([
            { id: 0, removed: 'fast', inserted: 'quickly', stale: false },
            { id: 1, removed: 're-learning', inserted: 'review', stale: false },
        ]);
        await expect
            .poll(() => page.locator('.vault-agent-inline-removed').allInnerTexts())
            .toEqual(['fast', 're-learning']);
        expect(await page.locator('ins.vault-agent-inline-added').allInnerTexts()).toEqual(['quickly', 'review']);
        expect(await page.locator('.vault-agent-inline-status').innerText()).toContain('2 changes proposed');
        await page.screenshot({
            path: join(IMAGES, 'inline-edit.png'),
            clip: { x: 0, y: 0, width: 1000, height: 480 },
        });

        await page.locator('.cm-content').focus();
        await page.keyboard.press('Alt+]');
        await page.keyboard.press('Alt+y');
        await expect.poll(() => text(page)).toContain('how quickly he forgot');
        await page.keyboard.press('Alt+n');
        await expect.poll(() => regions(page)).toEqual([]);
        const after = await text(page);
        expect(after).toContain('Each re-learning flattens');
        expect(after).not.toContain('Each review');
        expect(
            await page.evaluate(() =>
                (window as unknown as { harness: InlineHarness }).harness.checkpoints.undoableTurns(),
            ),
        ).toHaveLength(1);
        const notes = await page.evaluate(() =>
            (window as unknown as { harness: InlineHarness }).harness.chats[0]?.record.entries
                .filter((e) => e.kind === 'note')
                .map((e) => e.text),
        );
        expect(notes).toEqual([
            'Accepted in the editor: "fast" → "quickly".',
            'Rejected in the editor: "re-learning" → "review".',
        ]);

        await page.keyboard.press('Control+z');
        await expect.poll(() => text(page)).toContain('how fast he forgot');
        expect(await text(page)).toContain(PASSAGE);
    });

    it('keeps a change anchored while the person types elsewhere, and marks one they typed in as stale', async () => {
        const page = await openInline();
        await ask(page, 'tighten this', `<rewrite>${REWRITE}</rewrite>`);
        // Typing above the passage moves it; typing inside "re-learning" makes that change stale.
        await cursorAfter(page, '# Forgetting curve');
        await page.keyboard.type(' (notes)');
        await cursorAfter(page, 're-lea');
        await page.keyboard.type('x');
        await expect
            .poll(() => regions(page))
            .toEqual([
                { id: 0, removed: 'fast', inserted: 'quickly', stale: false },
                { id: 1, removed: 're-learning', inserted: 'review', stale: true },
            ]);
        expect(await page.locator('.vault-agent-inline-stale').innerText()).toBe('Changed since proposed');
        expect(await page.locator('.vault-agent-inline-removed:not(.is-stale)').innerText()).toBe('fast');
        expect(await page.locator('.vault-agent-inline-status').innerText()).toContain('1 changed since proposed');
        // The stale change offers no Accept; Accept all writes only the one still standing.
        expect(await page.locator('.vault-agent-inline-insert.is-stale .is-accept').count()).toBe(0);
        await page.locator('.vault-agent-inline-action.is-accept').click();
        await expect.poll(() => text(page)).toContain('how quickly he forgot');
        const now = await text(page);
        expect(now).toContain('# Forgetting curve (notes)');
        expect(now).toContain('Each re-leaxrning flattens');
        expect(await regions(page)).toEqual([{ id: 1, removed: 're-learning', inserted: 'review', stale: true }]);
    });

    it('runs a follow-up on the open proposal without losing the person’s decisions', async () => {
        const page = await openInline();
        await ask(page, 'tighten this', `<rewrite>${REWRITE}</rewrite>`);
        await page.locator('.vault-agent-inline-insert[data-region="0"] .is-accept').click();
        await expect.poll(() => text(page)).toContain('how quickly he forgot');
        await page.locator('.vault-agent-inline-insert[data-region="1"] .is-reject').click();
        const before = api.messageRequests().length;
        // The follow-up proposes the rejected change again and a new one: only the new one is shown.
        api.enqueue(
            textTurn(
                '<rewrite>Ebbinghaus measured how quickly he forgot nonsense syllables: retention drops steeply on day one, then levels\n' +
                    'off. Each review flattens the curve.</rewrite>',
            ),
        );
        await page.locator('.vault-agent-inline-action.is-follow-up', { hasText: 'Shorter' }).click();
        await waitForPhase(page, 'ready');
        const sent = JSON.stringify(api.messageRequests()[before]?.body);
        expect(sent).toContain('Shorter');
        expect(sent).toContain('how quickly he forgot');
        expect(sent).toContain('do not propose them again');
        expect(await regions(page)).toEqual([
            { id: 0, removed: 'within the first day', inserted: 'on day one', stale: false },
        ]);
        expect(await text(page)).toContain('how quickly he forgot');
    });

    it('sends nothing about a note the exclusions hide', async () => {
        const page = await openInline(PRIVATE);
        const before = api.messageRequests().length;
        await cursorAfter(page, 'Dear diary');
        expect(await start(page)).toBe(true);
        const input = page.locator('.vault-agent-inline-input');
        await input.fill('tighten this');
        await input.press('Enter');
        await waitForPhase(page, 'failed');
        expect(await page.locator('.vault-agent-inline-status').innerText()).toContain('excluded from the agent');
        expect(api.messageRequests().length).toBe(before);
    });

    it('fits a phone: the panel inside the screen, finger-sized buttons, a tap accepts', async () => {
        const page = await openInline();
        await page.setViewportSize({ width: 390, height: 844 });
        await page.evaluate(() => document.body.classList.add('is-mobile'));
        await ask(page, 'tighten this', `<rewrite>${REWRITE}</rewrite>`);
        const panel = await page.locator('.vault-agent-inline-panel').boundingBox();
        expect(panel).not.toBeNull();
        expect((panel?.x ?? -1) >= 0 && (panel?.x ?? 0) + (panel?.width ?? 0) <= 390).toBe(true);
        const accept = page.locator('.vault-agent-inline-insert[data-region="1"] .is-accept');
        const box = await accept.boundingBox();
        expect(box?.width).toBeGreaterThanOrEqual(44);
        expect(box?.height).toBeGreaterThanOrEqual(44);
        await page.screenshot({ path: join(IMAGES, 'inline-edit-mobile.png') });
        await accept.click();
        await expect.poll(() => text(page)).toContain('Each review flattens');
    });
});
