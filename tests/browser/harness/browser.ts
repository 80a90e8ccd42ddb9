/**
 * Debian's Chromium through `playwright-core` (never a downloaded browser), with a fresh profile and background
 * networking off, and a page that records every request it makes (row 17 asserts on that record).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian installs Chromium; overridable for other systems. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A browser with its own throwaway profile. */
export interface HarnessBrowser {
    /** The persistent context (one profile, so `localStorage` survives a reload). */
    context: BrowserContext;
    /** Closes the browser and deletes the profile. */
    close(): Promise<void>;
}

/** Launches Chromium headless. */
export async function launchBrowser(): Promise<HarnessBrowser> {
    const profile = await mkdtemp(join(tmpdir(), 'vault-agent-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        viewport: { width: 1000, height: 900 },
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
    });
    return {
        context,
        close: async () => {
            await context.close();
            await rm(profile, { recursive: true, force: true });
        },
    };
}

/** A page on the harness with every request URL recorded; anything not on 127.0.0.1 is recorded and refused. */
export async function openHarnessPage(
    browser: HarnessBrowser | Browser,
    url: string,
): Promise<{ page: Page; requests: string[] }> {
    const context = 'context' in browser ? browser.context : await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort('blockedbyclient'));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    for (let waited = 0; ; waited += 50) {
        const state = await page.evaluate(() =>
            (window as { harness?: { ready?: boolean } }).harness?.ready === true
                ? 'ready'
                : document.querySelector('.harness-error') !== null
                  ? 'failed'
                  : 'loading',
        );
        if (state !== 'loading') break;
        if (errors.length > 0 || waited > 20_000) throw new Error(`The harness did not start: ${errors.join('; ')}`);
        await page.waitForTimeout(50);
    }
    const failure = await page.locator('.harness-error').count();
    if (failure > 0)
        throw new Error(`The harness failed to start: ${await page.locator('.harness-error').innerText()}`);
    if (errors.length > 0) throw new Error(`Page errors: ${errors.join('; ')}`);
    return { page, requests };
}
