import { describe, expect, it } from 'vitest';
import { hostOf, neutraliseMarkdown } from '../../src/views/markdown-safety';

describe('neutraliseMarkdown', () => {
    it('turns a remote image into a link naming its host, so rendering fetches nothing', () => {
        expect(neutraliseMarkdown('![chart](https://evil.example/p.png?d=x)')).toBe(
            '[Image from evil.example: chart](https://evil.example/p.png?d=x)',
        );
    });

    it('escapes raw HTML so <script>, <img onerror> and <iframe> show as text', () => {
        const out = neutraliseMarkdown('<script>x()</script> <img src=x onerror=y> <iframe src="https://e">');
        expect(out).not.toMatch(/<[a-z/]/i);
        expect(out).toContain('&lt;script>');
    });

    it('keeps code exactly as written', () => {
        const code = '```html\n<img src="https://e/x.png">\n![a](https://e/y.png)\n```';
        expect(neutraliseMarkdown(code)).toBe(code);
        expect(neutraliseMarkdown('use `<b>` here')).toBe('use `<b>` here');
    });

    it('turns embeds and reference-style images into plain links or text', () => {
        expect(neutraliseMarkdown('![[Private note]]')).toBe('[[Private note]]');
        expect(neutraliseMarkdown('![alt][ref]')).toBe('\\![alt][ref]');
    });

    it('names the host of protocol-relative addresses', () => {
        expect(hostOf('//cdn.example/x.png')).toBe('cdn.example');
        expect(hostOf('not a url')).toBe('');
    });
});
