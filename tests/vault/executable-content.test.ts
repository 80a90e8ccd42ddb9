import { describe, expect, it } from 'vitest';
import {
    addedExecutable,
    findExecutable,
    neutraliseExecutable,
    neutralisedLogLine,
} from '../../src/vault/executable-content';

/** Each executable form, and what it becomes. */
const FORMS: { name: string; text: string; kind: string; inert: string }[] = [
    {
        name: 'a dataviewjs block',
        text: "```dataviewjs\ndv.el('b', 'x')\n```",
        kind: 'dataviewjs',
        inert: "```text\ndv.el('b', 'x')\n```",
    },
    {
        name: 'a tilde dataviewjs block',
        text: '~~~~DataviewJS\nx\n~~~~',
        kind: 'dataviewjs',
        inert: '~~~~text\nx\n~~~~',
    },
    {
        name: 'a quoted block',
        text: '> [!note]\n> ```dataviewjs\n> x\n> ```',
        kind: 'dataviewjs',
        inert: '> [!note]\n> ```text\n> x\n> ```',
    },
    {
        name: 'a list item block',
        text: '- ```dataview\n  LIST\n  ```',
        kind: 'dataview',
        inert: '- ```text\n  LIST\n  ```',
    },
    { name: 'a query block', text: '```query\npath:Secrets\n```', kind: 'query', inert: '```text\npath:Secrets\n```' },
    {
        name: 'an inline JS expression',
        text: 'n = `$= dv.pages().length`',
        kind: 'inline-js',
        inert: 'n = `$\\= dv.pages().length`',
    },
    {
        name: 'an inline query',
        text: 'name: `= this.file.name`',
        kind: 'inline-query',
        inert: 'name: `\\= this.file.name`',
    },
    { name: 'a multi-line inline JS span', text: 'n = `\n$= dv.x`', kind: 'inline-js', inert: 'n = `\n$\\= dv.x`' },
    {
        name: 'a code block starting with =',
        text: '```\n\n= this.file.name\n```',
        kind: 'inline-query',
        inert: '```\n\n\\= this.file.name\n```',
    },
    { name: 'a Templater command', text: '<% tp.date.now() %>', kind: 'templater', inert: '<\\% tp.date.now() %>' },
    {
        name: 'a Templater script',
        text: '<%* await tp.file.move("x") %>',
        kind: 'templater',
        inert: '<\\%* await tp.file.move("x") %>',
    },
    {
        name: 'CRLF endings',
        text: '```dataviewjs\r\nx\r\n```\r\n',
        kind: 'dataviewjs',
        inert: '```text\r\nx\r\n```\r\n',
    },
];

describe('executable content', () => {
    for (const form of FORMS) {
        it(`finds and neutralises ${form.name}`, () => {
            expect(Object.keys(findExecutable(form.text))).toContain(form.kind);
            const out = neutraliseExecutable(form.text);
            expect(out.text).toBe(form.inert);
            // Neutralised text holds nothing executable, and neutralising again changes nothing.
            expect(findExecutable(out.text)).toEqual({});
            expect(neutraliseExecutable(out.text).text).toBe(out.text);
        });
    }

    it('neutralises an executing fence wherever a renderer might see it open (after a list item ends early)', () => {
        const text = '- ```text\nplain\n```dataviewjs\ndv.x\n```';
        expect(neutraliseExecutable(text).text).toBe('- ```text\nplain\n```text\ndv.x\n```');
    });

    it('leaves ordinary Markdown and code alone', () => {
        const text = '# Plan\n\nUse `a == b` and `x`.\n\n```js\nconst a = 1; // 5 <= 6\n```\n\n=== not a query\n';
        expect(neutraliseExecutable(text)).toEqual({ text, found: {} });
    });

    it('says what a change adds, not what the note already had', () => {
        const before = '```dataviewjs\nx\n```\n';
        expect(addedExecutable(before, `${before}more`)).toEqual([]);
        expect(addedExecutable(before, `${before}<% tp.x %>`)).toEqual(['templater']);
        expect(addedExecutable(null, '`$= 1`')).toEqual(['inline-js']);
    });

    it('writes one log line naming what was made inert', () => {
        const line = neutralisedLogLine(neutraliseExecutable('```dataviewjs\nx\n```\n<% a %> <% b %>').found);
        expect(line).toContain('1 × a Dataview JS block');
        expect(line).toContain('2 × a Templater command');
        expect(neutralisedLogLine({})).toBeNull();
    });
});
