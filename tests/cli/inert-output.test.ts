/**
 * The stream every CLI write goes through (`InertOutput`), on a real `PassThrough` for the terminal: control
 * characters shown and inert, line breaks kept, a CR LF pair split across two writes still one line break, and the
 * command's own control sequences (`rawOf`) kept in order with the rest. The terminal itself is in
 * `ask-terminal.test.ts`.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InertOutput, inertText, rawOf } from '../../src/cli/inert-output';

function terminal(): { out: InertOutput; shown: () => string } {
    const screen = new PassThrough();
    let text = '';
    screen.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { out: new InertOutput(screen), shown: () => text };
}

describe('InertOutput', () => {
    it('shows every control character but line feed and tab as U+FFFD', () => {
        expect(inertText('a\u001b[2Jb\u0007c\u009bd\u0000e\tf\ng\rh\u007f')).toBe(
            'a\uFFFD[2Jb\uFFFDc\uFFFDd\uFFFDe\tf\ng\uFFFDh\uFFFD',
        );
        expect(inertText('one\r\ntwo')).toBe('one\ntwo');
    });

    it('keeps a CR LF pair split across two writes one line break, and the order of raw writes', async () => {
        const { out, shown } = terminal();
        out.write('one\r');
        out.write('\ntwo\r');
        out.write('three');
        rawOf(out).write('\r\u001b[K');
        out.write('\u001b]52;c;eA==\u0007');
        await new Promise((resolve) => setImmediate(resolve));
        expect(shown()).toBe('one\ntwo\uFFFDthree\r\u001b[K\uFFFD]52;c;eA==\uFFFD');
    });

    it('passes on whether the terminal is one', () => {
        const screen = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
        const out = new InertOutput(screen);
        expect(out.isTTY).toBe(true);
        expect(out.columns).toBe(120);
        expect(rawOf(out)).toBe(screen);
    });
});
