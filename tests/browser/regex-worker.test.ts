/**
 * The plugin's regexes in Debian's Chromium (decision 0023): `search_notes` patterns and Obsidian's Excluded-files
 * filters run on JavaScript's own engine in a Web Worker stopped at a deadline, as the plugin's build bundles them
 * (the harness resolves the engines as `main.js` does). A pattern that backtracks for minutes never stops the window:
 * a timer on the page keeps firing while the search runs. On ordinary patterns the worker finds what RE2 (the CLI's
 * engine) finds, and refuses what RE2's engine refuses.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regexEngine as re2Engine } from '../../src/agent/tools/regex-engine';
import type { TextsSearched } from '../../src/agent/tools/regex-rules';
import { SEARCH_TIME_BUDGET_MS } from '../../src/agent/tools/search-tools';
import { FILTER_TRIAL_MS } from '../../src/obsidian/app-json-excluded';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

/** A pattern with only bounded repeats that backtracks exponentially on a line of `a`s. */
const CATASTROPHIC = '(a?){25}a{25}b';
const STRESS_NOTE = 'Stress/Backtracking.md';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({
        modelBaseURL: api.baseURL,
        apiKey: api.apiKey,
        extraFiles: { [STRESS_NOTE]: `# Stress\n\n${'a'.repeat(60)}\n` },
    });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

interface RegexPage {
    harness: {
        regexSearch(pattern: string, texts: string[], budgetMs: number): Promise<TextsSearched | { problem: string }>;
        excludedFiles(
            appJson: string,
            paths: string[],
        ): Promise<{ problem: string | null; matched: (string | null)[] }>;
    };
    tickGaps?: number[];
}

/** Starts a 10 ms timer on the page that records the gaps between its runs (a blocked window shows a long gap). */
async function watchTicks(page: Page): Promise<void> {
    await page.evaluate(() => {
        const w = window as unknown as RegexPage;
        w.tickGaps = [];
        let last = performance.now();
        setInterval(() => {
            const now = performance.now();
            w.tickGaps?.push(now - last);
            last = now;
        }, 10);
    });
}

async function longestGap(page: Page): Promise<number> {
    return page.evaluate(() => Math.max(...((window as unknown as RegexPage).tickGaps ?? [0])));
}

async function workerSearch(
    page: Page,
    pattern: string,
    texts: string[],
): Promise<TextsSearched | { problem: string }> {
    return page.evaluate(([p, t]) => (window as unknown as RegexPage).harness.regexSearch(p, t, 5_000), [
        pattern,
        texts,
    ] as const);
}

async function re2Search(pattern: string, texts: string[]): Promise<TextsSearched | { problem: string }> {
    const prepared = re2Engine.prepare(pattern);
    if (!prepared.ok) return { problem: prepared.problem };
    return prepared.search.searchTexts(texts, Date.now() + 5_000);
}

const TEXTS = [
    'Ebbinghaus measured forgetting.\nSpacing helps: review on day 1, 3, 7.\r\nNothing here',
    '\uFEFFTODO: write the intro\n- [ ] TODO later\n  indented todo',
    'Un été chaud à Zürich.\nÉTÉ en capitales\nstraße and STRASSE',
    'emails: ada@example.org, bob@test.net\nphone 555-0101\n\n',
    `${'x'.repeat(3_000)}needle${'y'.repeat(50)}`,
    '[[Linked note]] and [[Other|alias]]\n#tag/sub and #other',
];

describe('regex search in the plugin runs in a worker it stops', () => {
    it('a catastrophic-backtracking pattern never blocks the window: the chat search stops at its budget', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await watchTicks(page);
        const before = api.messageRequests().length;
        api.enqueue(
            toolUseTurn([{ name: 'search_notes', input: { query: CATASTROPHIC, regex: true } }]),
            textTurn('The search ran out of time.'),
        );
        const input = page.locator('.vault-agent-textarea');
        await input.fill('Search for the pattern');
        const started = Date.now();
        await input.press('Enter');
        await page.locator('.vault-agent-assistant', { hasText: 'ran out of time' }).waitFor({ timeout: 30_000 });
        const elapsed = Date.now() - started;
        const toolResult = JSON.stringify(api.messageRequests()[before + 1]?.body);
        expect(toolResult).toContain(`[Search stopped after ${SEARCH_TIME_BUDGET_MS / 1000} s, having searched`);
        expect(elapsed).toBeGreaterThanOrEqual(SEARCH_TIME_BUDGET_MS);
        expect(elapsed).toBeLessThan(SEARCH_TIME_BUDGET_MS + 15_000);
        // The window ran its timer throughout: no stretch anywhere near the search's three seconds.
        expect(await longestGap(page)).toBeLessThan(500);
    });

    it('the worker is stopped at the deadline and what it found before is kept', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await watchTicks(page);
        const result = await page.evaluate(
            ([p, t]) => (window as unknown as RegexPage).harness.regexSearch(p, [...t], 1_000),
            [
                CATASTROPHIC,
                [`${'a'.repeat(25)}b`, 'none\nhere', 'a'.repeat(60), `never reached ${'a'.repeat(25)}b`],
            ] as const,
        );
        expect(result).toEqual({ hits: [[[1, 0, 26]], []], stopped: true });
        expect(await longestGap(page)).toBeLessThan(500);
    });

    it.each([
        'spacing',
        'day \\d+',
        '^todo',
        'TODO$',
        '\\btodo\\b',
        'été',
        'straße',
        '[a-z]+@[a-z]+\\.(org|net)',
        '\\d{3}-\\d{4}',
        'needle',
        'x{150}n',
        '\\[\\[([^\\]|]+)(\\|[^\\]]+)?\\]\\]',
        '#[\\w/]+',
        '^$',
        'a|b|c',
        '(?<word>intro)',
        '[^]ote',
        '\\u00e9t\\u00e9',
        '.',
    ])('finds what RE2 finds for %s', async (pattern) => {
        const { page } = await openHarnessPage(browser, harness.url);
        const inWorker = await workerSearch(page, pattern, TEXTS);
        expect(inWorker).toEqual(await re2Search(pattern, TEXTS));
        expect('hits' in inWorker && inWorker.hits.some((hits) => hits.length > 0)).toBe(true);
    });

    it.each(['(a)\\1', '(?<n>a)\\k<n>', 'foo(?=bar)', 'foo(?!bar)', `(?<${'='}a)b`, `(?<${'!'}a)b`, 'x'.repeat(201)])(
        'refuses %s as RE2 does, with the same sentence',
        async (pattern) => {
            const { page } = await openHarnessPage(browser, harness.url);
            const inWorker = await workerSearch(page, pattern, TEXTS);
            expect(inWorker).toEqual(await re2Search(pattern, TEXTS));
            expect(inWorker).toHaveProperty('problem', expect.stringMatching(/^Regex refused: /u));
        },
    );

    it('refuses an invalid pattern with the reason', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const inWorker = await workerSearch(page, 'a(b', TEXTS);
        expect(inWorker).toHaveProperty(
            'problem',
            expect.stringMatching(/^Regex refused: it is not a valid regular expression \(.+\)/u),
        );
    });
});

describe("Obsidian's Excluded files in the plugin", () => {
    const PATHS = ['Archive/Old.md', 'Drafts/Idea.md', 'Notes/Draft of a plan.md', `Stress/${'a'.repeat(60)}.md`];

    it('evaluates filters as Obsidian does, lookahead included, after trying them on every path', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        const appJson = JSON.stringify({ userIgnoreFilters: ['Archive/', '/Draft(?=s\\/)/'] });
        const result = await page.evaluate(([a, p]) => (window as unknown as RegexPage).harness.excludedFiles(a, p), [
            appJson,
            PATHS,
        ] as const);
        expect(result).toEqual({ problem: null, matched: ['Archive/', '/Draft(?=s\\/)/', null, null] });
    });

    it('refuses a filter that backtracks on a path of this vault, excluding every note, without blocking the window', async () => {
        const { page } = await openHarnessPage(browser, harness.url);
        await watchTicks(page);
        const appJson = JSON.stringify({ userIgnoreFilters: ['Archive/', `/${CATASTROPHIC}/`] });
        const started = Date.now();
        const result = await page.evaluate(([a, p]) => (window as unknown as RegexPage).harness.excludedFiles(a, p), [
            appJson,
            PATHS,
        ] as const);
        expect(Date.now() - started).toBeGreaterThanOrEqual(FILTER_TRIAL_MS);
        expect(result.problem).toBe(
            `the filter /${CATASTROPHIC}/ took more than ${FILTER_TRIAL_MS / 1000} s over this vault's paths, so it ` +
                'cannot be evaluated without freezing Obsidian',
        );
        // A list with a problem excludes everything (decision 0015); `match` reports only what the filters say.
        expect(result.matched).toEqual([null, null, null, null]);
        expect(await longestGap(page)).toBeLessThan(500);
    });
});
