/**
 * Plugin start-up in Chromium: the production `main.js`, loaded as a classic script on a mobile-like host (the
 * `obsidian` stub with the plugin host's additions; `require` serves nothing else), then `onload` awaited. The figure
 * is the time from the moment the script is requested to `onload` resolving: fetching it from a local server,
 * parsing and running the bundle, and `onload` itself (settings, services, views, commands — no vault scan, which
 * waits for layout-ready). A fresh page per run, so no run reuses another's compiled code; the median is reported.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { launchBrowser } from '../tests/browser/harness/browser';
import { harnessBundle } from '../tests/browser/harness/server';
import { median, type BenchResult, type BenchRow } from './bench-row';

const TARGET_MS = 150;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>onload</title>
<link rel="stylesheet" href="/styles.css"></head><body><script type="module" src="/host.js"></script></body></html>`;

interface Timing {
    scriptMs: number;
    fetchMs: number;
    onloadMs: number;
    totalMs: number;
    layoutReadyMs: number;
}

async function serve(repoRoot: string): Promise<{ url: string; server: Server }> {
    // The page bundle is built by the browser harness's esbuild set-up (`obsidian` → the stub, Node modules empty).
    const host = await harnessBundle('../../../bench/onload-page.ts');
    const files: Record<string, [string, () => Promise<string>]> = {
        '/': ['text/html', () => Promise.resolve(PAGE)],
        '/host.js': ['text/javascript', () => Promise.resolve(host)],
        '/main.js': ['text/javascript', () => readFile(join(repoRoot, 'main.js'), 'utf8')],
        '/styles.css': ['text/css', () => readFile(join(repoRoot, 'styles.css'), 'utf8')],
    };
    const server = createServer((req, res) => {
        const file = files[(req.url ?? '/').split('?')[0] ?? '/'];
        if (file === undefined) {
            res.writeHead(404).end();
            return;
        }
        void file[1]().then(
            (body) => res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(body),
            (error: unknown) => res.writeHead(500).end(String(error)),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** The row. */
export const onloadTimeRow: BenchRow = {
    name: 'plugin onload (Chromium, main.js)',
    async run({ repoRoot, quick }): Promise<BenchResult> {
        const { url, server } = await serve(repoRoot);
        const browser = await launchBrowser();
        const runs: Timing[] = [];
        try {
            // One warm-up load: the first start of the browser process costs more than any later page does.
            for (let i = 0; i < (quick ? 4 : 8); i++) {
                const page = await browser.context.newPage();
                await page.goto(url);
                await page.waitForFunction(() => 'onloadTiming' in window || 'onloadError' in window, undefined, {
                    timeout: 30_000,
                });
                const error = await page.evaluate(() => (window as { onloadError?: string }).onloadError ?? null);
                if (error !== null) throw new Error(`onload failed in the page: ${error}`);
                const timing = await page.evaluate(() => (window as unknown as { onloadTiming: Timing }).onloadTiming);
                if (i > 0) runs.push(timing);
                await page.close();
            }
        } finally {
            await browser.close();
            await new Promise((resolve) => server.close(resolve));
        }
        const total = median(runs.map((run) => run.totalMs));
        const part = (key: keyof Timing): string => median(runs.map((run) => run[key])).toFixed(1);
        return {
            value: total,
            unit: 'ms',
            target: `≤ ${TARGET_MS} ms`,
            pass: total <= TARGET_MS,
            note:
                `median of ${runs.length} fresh pages, headless Chromium, mobile-like host: main.js fetched, parsed and ` +
                `run ${part('scriptMs')} ms (of which the local fetch ${part('fetchMs')} ms) + onload ` +
                `${part('onloadMs')} ms; layout-ready start-up ` +
                `${part('layoutReadyMs')} ms more (not counted)`,
        };
    },
};
