/**
 * The MCP tool-call dialog (`ToolCallModal`, through the chat's real `ModalToolCallGate`) in Debian's Chromium: the
 * real chat view and engine as in `chat.test.ts`, plus a real MCP server (`harness/mcp-peer.ts`, the SDK's server over
 * Streamable HTTP in this process) reached with the plugin's own HTTP transport through the real `McpHub`. The
 * scripted model calls the server's tool, whose policy is "ask"; the tests answer the dialog as a person would and
 * check what the server received and what the model was told (docs/RELIABILITY.md rows 18 and 19).
 *
 * Escape and the corner close button are Obsidian's `Modal` behaviour, which the stub does not have: the harness
 * adds them (see `installObsidianModalBehaviour` in `harness/entry.ts`); both end in the modal's `close()`.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
    type SentToolResult,
} from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { PEER_TOOL, startMcpPeer, type McpPeer } from './harness/mcp-peer';
import { startHarness, type HarnessServer } from './harness/server';

/** The configured server, and the name its tool is offered to the model under. */
const SERVER = 'team-chat';
const TOOL = `mcp__${SERVER}__${PEER_TOOL.name}`;

/** An input that must be shown whole and inert: markup in two places, and a long tail with a marker at its end. */
const LONG_TAIL = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
const INPUT = {
    channel: 'general',
    text: `Heads up <img src=x onerror="window.__pwned=1"> ${LONG_TAIL} END-OF-INPUT`,
    meta: { mentions: ['<script>window.__pwned=2</script>', '@here'], urgent: true, count: 3 },
};

let api: MessagesApiServer;
let peer: McpPeer;
let harness: HarnessServer;
let browser: HarnessBrowser;
let page: Page | undefined;

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    peer = await startMcpPeer();
    harness = await startHarness({
        modelBaseURL: api.baseURL,
        apiKey: api.apiKey,
        mcpBaseURL: peer.baseURL,
        settings: (settings) => ({
            ...settings,
            mcp: {
                connectTimeoutMs: 10_000,
                callTimeoutMs: 10_000,
                servers: [
                    {
                        name: SERVER,
                        transport: 'http',
                        url: '/mcp-peer/mcp',
                        headers: {},
                        enabled: true,
                        toolPolicies: { [PEER_TOOL.name]: 'ask' },
                        readOnlyTools: [],
                        readsVault: false,
                    },
                ],
            },
        }),
    });
    browser = await launchBrowser();
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await peer?.close();
    await api?.close();
});

beforeEach(() => {
    api.setDefault(undefined);
    peer.calls.length = 0;
    peer.methods.length = 0;
});

afterEach(async () => {
    await page?.close();
    page = undefined;
});

/** A fresh chat page whose MCP server is connected. */
async function openChat(): Promise<{ page: Page; requests: string[] }> {
    const opened = await openHarnessPage(browser, harness.url);
    page = opened.page;
    const status = await opened.page.evaluate(
        () => (window as unknown as { harness: { mcpStatus: { server: string; state: string }[] } }).harness.mcpStatus,
    );
    expect(status).toEqual([expect.objectContaining({ server: SERVER, state: 'connected' })]);
    return opened;
}

async function send(p: Page, text: string): Promise<void> {
    const input = p.locator('.vault-agent-textarea');
    await input.fill(text);
    await input.press('Enter');
}

async function idle(p: Page): Promise<void> {
    await p.locator('.vault-agent-send:not(.is-stop)').waitFor();
    await p.waitForFunction(() => !document.querySelector('.vault-agent-chat')?.classList.contains('is-busy'));
}

/** The open dialog's content. */
function dialog(p: Page) {
    return p.locator('.modal-container .vault-agent-tool-call');
}

/** The tool result the model was sent for `id`, once it was sent. */
async function resultFor(id: string): Promise<SentToolResult> {
    let found: SentToolResult | undefined;
    await expect
        .poll(() => {
            found = api
                .messageRequests()
                .flatMap((request) => toolResultsOf(request))
                .find((result) => result.toolUseId === id);
            return found !== undefined;
        })
        .toBe(true);
    return found as SentToolResult;
}

function toolCallsOnServer(): number {
    return peer.methods.filter((method) => method === 'tools/call').length;
}

function activeClass(p: Page): Promise<string> {
    return p.evaluate(() => document.activeElement?.className ?? '');
}

describe('the MCP tool-call dialog in a browser', () => {
    it('opens for an "ask" tool with the server, the tool and the whole input as text; Allow runs exactly that call', async () => {
        const { page: p, requests } = await openChat();
        const before = api.messageRequests().length;
        api.enqueue(
            toolUseTurn([{ name: TOOL, input: INPUT, id: 'toolu_allow' }], { preface: 'I will post it.' }),
            textTurn('Posted to the channel.'),
        );
        await send(p, 'Tell the team the release is out');
        const modal = dialog(p);
        await modal.waitFor();

        // The tool was offered to the model under its namespaced name.
        expect(JSON.stringify(api.messageRequests()[before]?.body)).toContain(`"name":"${TOOL}"`);
        expect(await p.locator('.modal-container .modal-title').innerText()).toBe('Allow this tool call?');
        expect(await modal.locator('p').first().innerText()).toBe(`Server “${SERVER}” · tool ${TOOL}`);
        expect(await modal.locator('.vault-agent-tool-call-reasons li').allInnerTexts()).toEqual([
            'You have not approved this tool on this device yet.',
            'This tool is set to ask before each call.',
        ]);
        // The description and the input exactly as sent, as text: nothing cut, no markup turned into elements.
        expect(await modal.locator('.vault-agent-tool-call-description').textContent()).toBe(PEER_TOOL.description);
        const shown = await modal.locator('.vault-agent-tool-call-input').textContent();
        expect(shown).toBe(JSON.stringify(INPUT, null, 2));
        expect(shown).toContain('<img src=x onerror=\\"window.__pwned=1\\">');
        expect(shown).toContain('END-OF-INPUT');
        expect(await modal.locator('img, script, b').count()).toBe(0);
        expect(await p.locator('img').count()).toBe(0);
        expect(await p.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
        expect(requests.filter((url) => new URL(url).pathname === '/x')).toEqual([]);
        expect(await modal.locator('button').allInnerTexts()).toEqual(['Allow once', 'Deny']);

        // The turn waits for the answer: nothing called, no further model request.
        await p.waitForTimeout(300);
        expect(toolCallsOnServer()).toBe(0);
        expect(api.messageRequests()).toHaveLength(before + 1);

        await modal.locator('.vault-agent-tool-call-allow').click();
        await idle(p);
        expect(await p.locator('.modal-container').count()).toBe(0);
        expect(peer.calls).toEqual([{ name: PEER_TOOL.name, args: INPUT }]);
        const result = await resultFor('toolu_allow');
        expect(result.isError).toBe(false);
        expect(result.text).toContain('Posted to #general (peer receipt 7781).');
        await p.locator('.vault-agent-assistant', { hasText: 'Posted to the channel.' }).waitFor();
        expect(await p.locator(`.vault-agent-tool[data-tool="${TOOL}"] .vault-agent-tool-state`).innerText()).toBe(
            'done',
        );
        expect(await p.locator('img').count()).toBe(0);
        expect(await p.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    });

    const refusals: { how: string; answer: (p: Page) => Promise<void>; reason: string }[] = [
        {
            how: 'the Deny button',
            answer: (p) => dialog(p).locator('.vault-agent-tool-call-deny').click(),
            reason: 'The person denied this call.',
        },
        {
            how: 'Escape',
            answer: async (p) => {
                // Focus inside the dialog (on Allow, even), so the key is the dialog's and not the chat input's.
                await dialog(p).locator('.vault-agent-tool-call-allow').focus();
                await p.keyboard.press('Escape');
            },
            reason: 'The person closed the request without allowing it.',
        },
        {
            how: 'the close button',
            answer: (p) => p.locator('.modal-container .modal-close-button').click(),
            reason: 'The person closed the request without allowing it.',
        },
    ];

    for (const { how, answer, reason } of refusals) {
        it(`refuses the call when answered with ${how}: nothing reaches the server, the model is told, the turn goes on`, async () => {
            const { page: p } = await openChat();
            const id = `toolu_refused_${how.replace(/\W+/g, '_')}`;
            api.enqueue(
                toolUseTurn([{ name: TOOL, input: { channel: 'general', text: 'Release is out' }, id }]),
                textTurn('Understood, I did not post anything.'),
            );
            await send(p, 'Tell the team');
            await dialog(p).waitFor();
            await answer(p);
            await idle(p);
            expect(await p.locator('.modal-container').count()).toBe(0);
            const result = await resultFor(id);
            expect(result.isError).toBe(true);
            expect(result.text).toBe(`The person declined ${TOOL} (${reason}). Nothing was sent to the server.`);
            await p.locator('.vault-agent-assistant', { hasText: 'I did not post anything' }).waitFor();
            expect(await p.locator(`.vault-agent-tool[data-tool="${TOOL}"] .vault-agent-tool-state`).innerText()).toBe(
                'failed',
            );
            expect(peer.calls).toEqual([]);
            expect(toolCallsOnServer()).toBe(0);
        });
    }

    it('closes with a denial when the turn is stopped while it is open', async () => {
        const { page: p } = await openChat();
        const before = api.messageRequests().length;
        api.enqueue(toolUseTurn([{ name: TOOL, input: { channel: 'general', text: 'x' }, id: 'toolu_stopped' }]));
        await send(p, 'Tell the team');
        await dialog(p).waitFor();
        // The dialog's backdrop covers the chat, as in Obsidian, so a pointer cannot reach Stop; the click stands for
        // any stop of the turn (closing the chat disposes it the same way) and goes straight to the button.
        await p.locator('.vault-agent-send.is-stop').dispatchEvent('click');
        await idle(p);
        expect(await p.locator('.modal-container').count()).toBe(0);
        await p.locator('.vault-agent-outcome.is-stopped').waitFor();
        await p.waitForTimeout(200);
        expect(toolCallsOnServer()).toBe(0);
        // A stopped turn asks the model nothing more.
        expect(api.messageRequests()).toHaveLength(before + 1);
    });

    it('is usable from the keyboard: Tab moves between Allow and Deny, Enter answers the focused button only', async () => {
        const { page: p } = await openChat();
        api.enqueue(
            toolUseTurn([{ name: TOOL, input: { channel: 'general', text: 'first' }, id: 'toolu_key_1' }]),
            toolUseTurn([{ name: TOOL, input: { channel: 'random', text: 'second' }, id: 'toolu_key_2' }]),
            textTurn('One denied, one posted.'),
        );
        await send(p, 'Post twice');
        const modal = dialog(p);
        await modal.waitFor();
        const requestsWhileOpen = api.messageRequests().length;

        // The product binds no key of its own: typing while the dialog is open answers nothing.
        await p.keyboard.press('a');
        await p.waitForTimeout(300);
        expect(await modal.count()).toBe(1);
        expect(api.messageRequests()).toHaveLength(requestsWhileOpen);

        // The buttons are real buttons in the tab order: Allow, then Deny.
        await modal.locator('.vault-agent-tool-call-allow').focus();
        await p.keyboard.press('Tab');
        expect(await activeClass(p)).toContain('vault-agent-tool-call-deny');
        await p.keyboard.press('Shift+Tab');
        expect(await activeClass(p)).toContain('vault-agent-tool-call-allow');
        await p.keyboard.press('Tab');
        await p.keyboard.press('Enter');
        const denied = await resultFor('toolu_key_1');
        expect(denied.text).toBe(
            `The person declined ${TOOL} (The person denied this call.). Nothing was sent to the server.`,
        );
        expect(peer.calls).toEqual([]);

        // The second call asks again (an answer covers one call only); Enter on Allow allows exactly that one.
        await modal.waitFor();
        expect(await modal.locator('.vault-agent-tool-call-input').textContent()).toContain('"second"');
        await modal.locator('.vault-agent-tool-call-deny').focus();
        await p.keyboard.press('Shift+Tab');
        expect(await activeClass(p)).toContain('vault-agent-tool-call-allow');
        await p.keyboard.press('Enter');
        await idle(p);
        expect(peer.calls).toEqual([{ name: PEER_TOOL.name, args: { channel: 'random', text: 'second' } }]);
        expect((await resultFor('toolu_key_2')).isError).toBe(false);
        await p.locator('.vault-agent-assistant', { hasText: 'One denied, one posted.' }).waitFor();
    });

    // Focus starts on the safe answer, so a key pressed at once never lands in the chat box behind the dialog (where
    // Escape would mean Stop the whole turn).
    it('puts focus on Deny when it opens', async () => {
        const { page: p } = await openChat();
        api.enqueue(
            toolUseTurn([{ name: TOOL, input: { channel: 'general', text: 'focus' }, id: 'toolu_focus' }]),
            textTurn('Done.'),
        );
        await send(p, 'Tell the team');
        await dialog(p).waitFor();
        try {
            expect(await activeClass(p)).toContain('vault-agent-tool-call-deny');
        } finally {
            // Leave no turn waiting on an open dialog.
            await dialog(p).locator('.vault-agent-tool-call-deny').click();
            await idle(p);
        }
    });
});
