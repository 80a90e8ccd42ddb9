/**
 * Model output never reaches another plugin's code processors (issue 14, items 4 and 6), in Debian's Chromium. The
 * harness page registers a Dataview-like plugin in the stub's app-wide processor registry (`support/dataview-like.ts`:
 * `dataviewjs`, `dataview` and `query` blocks, and `code` elements starting with `$=` or `=`), and the stub's
 * `MarkdownRenderer` runs registered processors like Obsidian's. Every test asserts that nothing ran and that the code
 * is still shown, as text. The sanitiser is checked on elements owned by another document (an iframe), which is what
 * a pop-out window's elements are.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
import { launchBrowser, openHarnessPage, type HarnessBrowser } from './harness/browser';
import { startHarness, type HarnessServer } from './harness/server';

let api: MessagesApiServer;
let harness: HarnessServer;
let browser: HarnessBrowser;
let page: Page;

const PLANTED = 'Inbox/Planted.md';
const ODD_NAME = 'Inbox/`$= dv.pages()` and ```dataviewjs.md';

beforeAll(async () => {
    api = await startMessagesApiServer({ eventDelayMs: 2 });
    harness = await startHarness({
        modelBaseURL: api.baseURL,
        apiKey: api.apiKey,
        extraFiles: {
            [PLANTED]:
                "Meeting notes.\n\n```dataviewjs\ndv.el('b', 'PLANTED-RAN')\n```\n\nTotal: `$= dv.pages().length`\n",
            [ODD_NAME]: 'A note with an unusual name.\n',
        },
    });
    browser = await launchBrowser();
    page = (await openHarnessPage(browser, harness.url)).page;
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
    await api?.close();
});

interface Rendered {
    executed: { via: string; source: string }[];
    text: string;
    codeTexts: string[];
    /** Code elements the renderer made (not the chat, after it): their text. */
    rendererCode: string[];
    processed: number;
}

/** Renders `markdown` as the chat renders an answer; what ran, what shows, and the code elements' text. */
async function render(markdown: string): Promise<Rendered> {
    return page.evaluate(async (md) => {
        const h = (
            window as unknown as {
                harness: { executed: { via: string; source: string }[]; renderAnswer(m: string): Promise<HTMLElement> };
            }
        ).harness;
        h.executed.length = 0;
        const el = await h.renderAnswer(md);
        const result = {
            executed: [...h.executed],
            text: el.textContent ?? '',
            codeTexts: Array.from(el.querySelectorAll('code'), (code) => code.textContent ?? ''),
            rendererCode: Array.from(el.querySelectorAll('code'))
                .filter((code) => !code.matches('code.vault-agent-code, pre.vault-agent-code-block > code'))
                .map((code) => code.textContent ?? ''),
            processed: el.querySelectorAll('[data-executed], [class*="block-language-"]').length,
        };
        el.remove();
        return result;
    }, markdown);
}

const JS = "dv.el('b', 'RAN')";

/** Every way a fenced block (or a code element) can be written that a processor would pick up. */
const VARIANTS: Record<string, string> = {
    'a backtick fence': `\`\`\`dataviewjs\n${JS}\n\`\`\``,
    'a tilde fence': `~~~dataviewjs\n${JS}\n~~~`,
    'a longer fence': `\`\`\`\`\`dataviewjs\n${JS}\n\`\`\`\`\``,
    'an indented fence': `   \`\`\`dataviewjs\n   ${JS}\n   \`\`\``,
    'a fence with more in its info string': `\`\`\`dataviewjs title\n${JS}\n\`\`\``,
    'an unclosed fence': `Look:\n\n\`\`\`dataviewjs\n${JS}`,
    'CRLF line endings': `Look:\r\n\r\n\`\`\`dataviewjs\r\n${JS}\r\n\`\`\`\r\n`,
    'CR line endings': `Look:\r\r\`\`\`dataviewjs\r${JS}\r\`\`\`\r`,
    'a fence in a quote': `> \`\`\`dataviewjs\n> ${JS}\n> \`\`\``,
    'a fence in a callout': `> [!note] Look\n> \`\`\`dataviewjs\n> ${JS}\n> \`\`\``,
    'a fence in a list item': `- first\n- \`\`\`dataviewjs\n  ${JS}\n  \`\`\``,
    'a fence under a list item': `1. first\n\n   \`\`\`dataviewjs\n   ${JS}\n   \`\`\``,
    'a fence nested in a quote in a list': `- > \`\`\`dataviewjs\n  > ${JS}\n  > \`\`\``,
    'a list item fence the item ends early': `- \`\`\`text\nplain\n\`\`\`dataviewjs\n${JS}\n\`\`\``,
    'a dataview query block': '```dataview\nLIST FROM "Secrets"\n```',
    'an Obsidian query block': '```query\npath:Secrets\n```',
    'an inline JS expression': 'Total: `$= dv.pages().length` notes',
    'an inline query': 'Name: `= this.file.name`',
    'an inline expression in double backticks': 'Total: `` $= dv.pages().length `` notes',
    'an inline expression across lines': 'Total: `\n$= dv.pages().length` notes',
    'an inline expression across quoted lines': '> Total: `\n> $= dv.pages().length` notes',
    'a plain code block starting with $=': '```\n$= dv.pages().length\n```',
    'an indented code block starting with $=': 'Para.\n\n    $= dv.pages().length',
    'indented code in a list item': '-     $= dv.pages().length',
    'indented code in a quote': '> Para.\n>\n>     $= dv.pages().length',
    'HTML code elements': '<pre><code>$= dv.pages().length</code></pre> <code>= this.file.name</code>',
    'entity-encoded fences': `&#96;&#96;&#96;dataviewjs\n${JS}\n&#96;&#96;&#96;`,
    'a block inside a longer outer fence': `\`\`\`\`markdown\n\`\`\`dataviewjs\n${JS}\n\`\`\`\n\`\`\`\``,
};

describe('model output renders inert: no other plugin’s processor ever runs on it', () => {
    it('the harness renderer runs registered processors, as Obsidian does (so the tests below can fail)', async () => {
        const ran = await page.evaluate(async (js) => {
            const h = (
                window as unknown as {
                    harness: { executed: { via: string }[]; renderRaw(m: string): Promise<HTMLElement> };
                }
            ).harness;
            h.executed.length = 0;
            const el = await h.renderRaw(
                `\`\`\`dataviewjs\n${js}\n\`\`\`\n\n- > ~~~dataview\n  > LIST\n  > ~~~\n\nTotal: \`$= dv.pages().length\`\n\n    = this.file.name`,
            );
            el.remove();
            return h.executed.map((run) => run.via);
        }, JS);
        expect(ran).toEqual(['dataviewjs', 'dataview', 'inline-js', 'inline-query']);
    });

    for (const [name, markdown] of Object.entries(VARIANTS)) {
        it(`shows ${name} as code and runs nothing`, async () => {
            const rendered = await render(markdown);
            expect(rendered.executed).toEqual([]);
            expect(rendered.processed).toBe(0);
            // The code is still there for the person to read.
            const shown = rendered.text.replace(/\u200b/g, '');
            if (markdown.includes(JS)) expect(shown).toContain(JS);
            else expect(shown).toMatch(/dv\.pages\(\)\.length|this\.file\.name|LIST FROM|path:Secrets/);
            // Code the renderer itself made (an indented block) never starts with a query prefix.
            for (const code of rendered.rendererCode) expect(code.trim()).not.toMatch(/^\$?=/);
        });
    }

    it('keeps ordinary Markdown around code: emphasis, links, lists and the code in order', async () => {
        const rendered = await render(
            'Use **this**:\n\n```js\nconst a = `x`;\n```\n\nthen `run()` and [[Spaced repetition]].',
        );
        expect(rendered.text).toContain('Use this:');
        expect(rendered.codeTexts).toEqual(['const a = `x`;', 'run()']);
        expect(rendered.text).toContain('then run() and Spaced repetition.');
    });

    it('a forged placeholder word in the answer stays text', async () => {
        const rendered = await render('vaultagentcodeaaaaaaaaaaaaB0E and `x`');
        expect(rendered.text).toContain('vaultagentcodeaaaaaaaaaaaaB0E');
        expect(rendered.codeTexts).toEqual(['x']);
    });
});

describe('the chat', () => {
    it('shows a dataviewjs answer, a planted note read by a tool and an odd file name as text; nothing runs', async () => {
        await page.evaluate(() => {
            (window as unknown as { harness: { executed: unknown[] } }).harness.executed.length = 0;
        });
        api.enqueue(
            toolUseTurn([
                { name: 'read_note', input: { path: PLANTED } },
                { name: 'list_notes', input: { folder: 'Inbox' } },
            ]),
            textTurn(
                [
                    'Here is the count:',
                    '',
                    '```dataviewjs',
                    "dv.el('b', 'ANSWER-RAN')",
                    '```',
                    '',
                    'Inline: `$= dv.pages().length` and `= this.file.name`, see [[`$= dv.pages()` and ```dataviewjs]].',
                ].join('\n'),
            ),
        );
        const input = page.locator('.vault-agent-textarea');
        await input.fill('How many notes are there?');
        await input.press('Enter');
        await page.locator('.vault-agent-assistant pre', { hasText: 'ANSWER-RAN' }).waitFor();
        await page.locator('.vault-agent-send:not(.is-stop)').waitFor();
        await page.waitForTimeout(300);
        const answer = page.locator('.vault-agent-assistant').last();
        expect(await answer.locator('pre code', { hasText: "dv.el('b', 'ANSWER-RAN')" }).count()).toBe(1);
        expect(await answer.locator('[data-executed]').count()).toBe(0);
        const results = await answer.locator('.vault-agent-tool-result').allTextContents();
        expect(results.join('\n')).toContain('PLANTED-RAN');
        expect(results.join('\n')).toContain('$= dv.pages()');
        const executed = await page.evaluate(
            () => (window as unknown as { harness: { executed: unknown[] } }).harness.executed,
        );
        expect(executed).toEqual([]);
    });

    it('an approval card says plainly when a change holds code other plugins run', async () => {
        api.enqueue(
            toolUseTurn([
                {
                    name: 'create_note',
                    input: {
                        path: 'Inbox/Counter.md',
                        content:
                            "# Count\n\n```dataviewjs\ndv.el('b', 'CARD-RAN')\n```\n\n<%* tR += tp.file.title %>\n",
                    },
                },
            ]),
            textTurn('Created.'),
        );
        const input = page.locator('.vault-agent-textarea');
        await input.fill('Make a counter note');
        await input.press('Enter');
        const card = page.locator('.vault-agent-approval').last();
        await card.waitFor();
        const warning = card.locator('.vault-agent-approval-executable');
        await warning.waitFor();
        const text = await warning.innerText();
        expect(text).toContain('code that other plugins run');
        expect(text).toContain('Dataview JS');
        expect(text).toContain('Templater');
        await card.locator('.vault-agent-approval-actions button', { hasText: 'Reject' }).click();
        await card.locator('.vault-agent-reject-confirm').click();
        await page.locator('.vault-agent-send:not(.is-stop)').waitFor();

        api.enqueue(
            toolUseTurn([
                { name: 'create_note', input: { path: 'Inbox/Plain.md', content: '# Plain\n\nJust `code`.\n' } },
            ]),
            textTurn('Created.'),
        );
        await input.fill('Make a plain note');
        await input.press('Enter');
        const plain = page.locator('.vault-agent-approval').last();
        await plain.locator('.vault-agent-approval-path', { hasText: 'Inbox/Plain.md' }).waitFor();
        expect(await plain.locator('.vault-agent-approval-executable').count()).toBe(0);
        await plain.locator('.vault-agent-accept-all').click();
        await page.locator('.vault-agent-send:not(.is-stop)').waitFor();
    });
});

describe('the sanitiser in another window', () => {
    it('strips javascript: links and remote images from elements owned by an iframe’s document', async () => {
        const result = await page.evaluate(() => {
            const frame = document.createElement('iframe');
            document.body.appendChild(frame);
            const h = (
                window as unknown as {
                    harness: {
                        sanitiseRendered(el: HTMLElement): number;
                        installDomHelpers(win: Window): void;
                    };
                }
            ).harness;
            // A pop-out window: its own document and classes, with Obsidian's helpers installed as Obsidian does.
            h.installDomHelpers(frame.contentWindow as Window);
            const doc = frame.contentDocument as Document;
            const root = doc.createElement('div');
            doc.body.appendChild(root);
            const link = doc.createElement('a');
            link.setAttribute('href', 'javascript:window.__pwned=1');
            link.textContent = 'Click';
            const img = doc.createElement('img');
            img.setAttribute('alt', 'chart');
            img.setAttribute('data-src', 'https://evil.example/p.png');
            root.append(link, img);
            img.setAttribute('src', 'https://evil.example/p.png');
            const fixed = h.sanitiseRendered(root);
            const out = {
                fixed,
                isForeign: !(link instanceof HTMLAnchorElement),
                href: root.querySelector('a')?.getAttribute('href') ?? null,
                images: root.querySelectorAll('img').length,
                label: root.querySelector('.vault-agent-inert-image')?.textContent ?? '',
                labelDoc: root.querySelector('.vault-agent-inert-image')?.ownerDocument === doc,
            };
            frame.remove();
            return out;
        });
        expect(result.isForeign).toBe(true);
        expect(result.href).toBeNull();
        expect(result.images).toBe(0);
        expect(result.label).toBe('Image from evil.example: chart (not loaded)');
        expect(result.labelDoc).toBe(true);
        expect(result.fixed).toBe(2);
    });
});
