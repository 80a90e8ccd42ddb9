import { describe, expect, it } from 'vitest';
import { hostOf, prepareMarkdown } from '../../src/views/markdown-safety';

const md = (text: string): string => prepareMarkdown(text, 'nonce').markdown;

describe('prepareMarkdown', () => {
    it('turns a remote image into a link naming its host, so rendering fetches nothing', () => {
        expect(md('![chart](https://evil.example/p.png?d=x)')).toBe(
            '[Image from evil.example: chart](https://evil.example/p.png?d=x)',
        );
    });

    it('escapes raw HTML so <script>, <img onerror> and <iframe> show as text', () => {
        const out = md('<script>x()</script> <img src=x onerror=y> <iframe src="https://e">');
        expect(out).not.toMatch(/<[a-z/]/i);
        expect(out).toContain('&lt;script>');
    });

    it('takes code out exactly as written, leaving a placeholder word the renderer shows as text', () => {
        const prepared = prepareMarkdown('```html\n<img src="https://e/x.png">\n![a](https://e/y.png)\n```', 'nonce');
        expect(prepared.markdown).toBe('vaultagentcodenonceB0E');
        expect(prepared.code).toEqual([
            { block: true, language: 'html', text: '<img src="https://e/x.png">\n![a](https://e/y.png)' },
        ]);
        const inline = prepareMarkdown('use `<b>` here', 'nonce');
        expect(inline.markdown).toBe('use vaultagentcodenonceI0E here');
        expect(inline.code[0]?.text).toBe('<b>');
    });

    it('turns embeds and reference-style images into plain links or text', () => {
        expect(md('![[Private note]]')).toBe('[[Private note]]');
        expect(md('![alt][ref]')).toBe('\\![alt][ref]');
    });

    it('names the host of protocol-relative addresses', () => {
        expect(hostOf('//cdn.example/x.png')).toBe('cdn.example');
        expect(hostOf('not a url')).toBe('');
    });

    it('leaves the renderer no backtick and no tilde fence, however the code was written', () => {
        const cases = [
            '```dataviewjs\nx\n```',
            '~~~dataviewjs\nx\n~~~',
            '`````dataviewjs\nx\n`````',
            '   ```dataviewjs\n   x\n   ```',
            '> [!note]\n> ```dataviewjs\n> x\n> ```',
            '- ```dataviewjs\n  x\n  ```',
            '- ```text\nplain\n```dataviewjs\nx\n```',
            '```dataviewjs\nx',
            '```dataviewjs\r\nx\r\n```\r\n',
            'a `\n$= x` b',
            'odd ` backtick and ~~~~ tildes and \\`escaped`',
        ];
        for (const text of cases) {
            const out = md(text);
            expect(out, text).not.toContain('`');
            expect(out, text).not.toMatch(/~~~/);
        }
    });

    it('marks lines indented like code, so an indented block never starts with a query prefix', () => {
        expect(md('Para.\n\n    $= dv.x')).toBe('Para.\n\n    \u200b$= dv.x');
        expect(md('-     $= dv.x')).toBe('-     \u200b$= dv.x');
        expect(md('> Para.\n>\n>     $= dv.x')).toBe('> Para.\n>\n>     \u200b$= dv.x');
        // A nested list item is left alone.
        expect(md('- a\n    - b')).toBe('- a\n    - b');
    });
});
