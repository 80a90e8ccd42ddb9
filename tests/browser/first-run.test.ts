/**
 * The chat's first run on a device without an API key, in Debian's Chromium: the real chat view over the example
 * vault, the key read through the plugin's own `ObsidianSecretStore` from the app's secret storage (the stub's, which
 * stores and returns secrets by id as Obsidian's does), the real SDK against the local Messages-API server. What the
 * stub cannot show: Obsidian's own settings window; the test records what the view asked it to open.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

interface HarnessWindow {
    harness: { settingsCalls: string[]; setSecret(name: string, value: string): void };
}

const SECRET_NAME = 'vault-agent-anthropic-api-key';

let api: MessagesApiServer;
let withoutKey: HarnessServer;
let withKey: HarnessServer;
let browser: HarnessBrowser;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    withoutKey = await startHarness({ modelBaseURL: api.baseURL, apiKey: '' });
    withKey = await startHarness({ modelBaseURL: api.baseURL, apiKey: api.apiKey });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await withoutKey?.close();
    await withKey?.close();
    await api?.close();
});

async function send(page: Page, text: string): Promise<void> {
    const input = page.locator('.vault-agent-textarea');
    await input.fill(text);
    await input.press('Enter');
}

describe('the chat on a device with no API key', () => {
    it('explains what is needed and where it goes, and Open settings opens the plugin tab', async () => {
        const { page } = await openHarnessPage(browser, withoutKey.url);
        const notice = page.locator('.vault-agent-key-setup');
        await notice.waitFor({ state: 'visible' });
        const text = await notice.innerText();
        expect(text).toContain('API key');
        expect(text).toContain('Anthropic');
        expect(text).toContain('Base URL');
        expect(text).toContain('Settings → Vault Agent → API key');
        expect(text).toMatch(/secret storage/);
        expect(text).toMatch(/local endpoint .* still needs some value/);
        await notice.locator('button', { hasText: 'Open settings' }).click();
        expect(await page.evaluate(() => (window as unknown as HarnessWindow).harness.settingsCalls)).toEqual([
            'open',
            'tab:vault-agent',
        ]);
    });

    it('sends nothing without a key; once the key is set the notice goes and the next message is answered', async () => {
        const { page } = await openHarnessPage(browser, withoutKey.url);
        const notice = page.locator('.vault-agent-key-setup');
        await notice.waitFor({ state: 'visible' });
        const before = api.messageRequests().length;
        await send(page, 'Hello?');
        await page.locator('.vault-agent-error', { hasText: 'API key not set on this device' }).first().waitFor();
        expect(api.messageRequests().length).toBe(before);
        expect(await notice.isVisible()).toBe(true);

        // The person sets the key (the settings tab's secret picker stores it in this device's secret storage).
        await page.evaluate(({ name, key }) => (window as unknown as HarnessWindow).harness.setSecret(name, key), {
            name: SECRET_NAME,
            key: api.apiKey,
        });
        // Back in the chat (the textarea still has the focus from before): a click is enough to check again.
        await page.locator('.vault-agent-textarea').click();
        await notice.waitFor({ state: 'hidden' });
        api.enqueue(textTurn('Hello from the model.'));
        await send(page, 'Hello again');
        await page.locator('.vault-agent-assistant', { hasText: 'Hello from the model.' }).waitFor();
        expect(api.messageRequests().length).toBe(before + 1);
    });

    it('a key made of spaces counts as no key, as the model client treats it', async () => {
        const { page } = await openHarnessPage(browser, withoutKey.url);
        await page.evaluate((name) => (window as unknown as HarnessWindow).harness.setSecret(name, '   '), SECRET_NAME);
        await page.locator('.vault-agent-textarea').click();
        await page.waitForTimeout(100);
        expect(await page.locator('.vault-agent-key-setup').isVisible()).toBe(true);
    });
});

describe('the chat on a device with the key set', () => {
    it('shows no first-run notice', async () => {
        const { page } = await openHarnessPage(browser, withKey.url);
        await page.locator('.vault-agent-textarea').waitFor();
        await page.waitForTimeout(200);
        expect(await page.locator('.vault-agent-key-setup').isVisible()).toBe(false);
    });
});
