/**
 * Streaming render cost in Chromium: the real chat view in the browser harness streams answers of 1k, 5k and 20k
 * tokens from the local Messages-API server. Main-thread time (CDP `TaskDuration`) per 1,000 tokens must stay flat
 * with length (the 20k answer may cost at most twice as much per token as the 1k one), and no single task may run
 * over 50 ms (long-task observer). Peers' users report freezes in long chats; this row is how we know we have none.
 */
import type { Page } from 'playwright-core';
import { startMessagesApiServer, textTurn } from '../tests/support/messages-api-server';
import { launchBrowser, openHarnessPage } from '../tests/browser/harness/browser';
import { startHarness } from '../tests/browser/harness/server';
import type { BenchRow } from './bench-row';

const SIZES = [1_000, 5_000, 20_000];
const MAX_GROWTH = 2;
const LONG_TASK_MS = 50;

/** About `tokens` tokens (4 characters each) of Markdown: paragraphs, bold words, lists. */
function answerOf(tokens: number): string {
    const parts: string[] = [];
    let chars = 0;
    for (let i = 0; chars < tokens * 4; i++) {
        const part =
            i % 5 === 4
                ? `- item ${i} with a [[Link ${i}]]\n- another item\n- a third, **bold** one`
                : `Paragraph ${i}: the forgetting curve drops steeply, then levels off; **review** flattens it again.`;
        parts.push(part);
        chars += part.length + 2;
    }
    return parts.join('\n\n');
}

async function taskSeconds(
    page: Page,
    session: { send(m: 'Performance.getMetrics'): Promise<{ metrics: { name: string; value: number }[] }> },
): Promise<number> {
    const { metrics } = await session.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN;
}

/** The row. */
export const renderStreamingRow: BenchRow = {
    name: 'streaming render cost',
    async run() {
        const api = await startMessagesApiServer({ eventDelayMs: 1 });
        const harness = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey });
        const browser = await launchBrowser();
        try {
            const { page } = await openHarnessPage(browser, harness.url);
            const cdp = await browser.context.newCDPSession(page);
            await cdp.send('Performance.enable');
            const perThousand: number[] = [];
            const windows: [number, number][] = [];
            const now = (): Promise<number> => page.evaluate(() => performance.now());
            // A short warm-up answer first: the first turn also compiles the SDK and view code, which is not streaming.
            for (const tokens of [200, ...SIZES]) {
                if (tokens === SIZES[0]) {
                    await page.evaluate(() => {
                        const w = window as unknown as { longTasks: [number, number][] };
                        w.longTasks = [];
                        new PerformanceObserver((list) => {
                            for (const entry of list.getEntries()) w.longTasks.push([entry.startTime, entry.duration]);
                        }).observe({ type: 'longtask', buffered: false });
                    });
                }
                api.enqueue(textTurn(answerOf(tokens)));
                const before = await taskSeconds(page, cdp);
                const started = await now();
                await page.locator('.vault-agent-textarea').fill(`Stream ${tokens} tokens`);
                await page.locator('.vault-agent-textarea').press('Enter');
                await page.waitForFunction(() =>
                    document.querySelector('.vault-agent-chat')?.classList.contains('is-busy'),
                );
                await page.waitForFunction(
                    () => !document.querySelector('.vault-agent-chat')?.classList.contains('is-busy'),
                    undefined,
                    {
                        timeout: 120_000,
                    },
                );
                // Until every finished block is on screen (they render in slices after the stream ends).
                await page.waitForTimeout(300);
                const after = await taskSeconds(page, cdp);
                windows.push([started, await now()]);
                if (tokens !== 200) perThousand.push(((after - before) * 1000) / (tokens / 1000));
                // A fresh chat for each size, so each measures one answer of that length.
                await page.locator('.vault-agent-new-chat').click();
            }
            // Only tasks while an answer streams and renders count (clearing a chat between sizes is not streaming).
            const longTasks = (
                await page.evaluate(() => (window as unknown as { longTasks: [number, number][] }).longTasks)
            )
                .filter(([start]) => windows.some(([from, to]) => start >= from && start <= to))
                .map(([, duration]) => duration);
            const longest = longTasks.length === 0 ? 0 : Math.max(...longTasks);
            const first = perThousand[0] ?? Number.NaN;
            const last = perThousand[perThousand.length - 1] ?? Number.NaN;
            const growth = last / first;
            return {
                value: last,
                unit: 'ms/1k tokens',
                target: `flat (≤ ${MAX_GROWTH}× the 1k figure), no task > ${LONG_TASK_MS} ms`,
                pass: growth <= MAX_GROWTH && longest <= LONG_TASK_MS,
                note:
                    `main-thread ms per 1k tokens at ${SIZES.join(' / ')} tokens: ${perThousand.map((v) => v.toFixed(1)).join(' / ')}; ` +
                    `growth ${growth.toFixed(2)}×; tasks over ${LONG_TASK_MS} ms: ${longTasks.length}` +
                    (longTasks.length > 0 ? ` (longest ${longest.toFixed(0)} ms)` : '') +
                    '; headless Chromium, the whole chain (SDK, turn loop, view) included',
            };
        } finally {
            await browser.close();
            await harness.close();
            await api.close();
        }
    },
};
