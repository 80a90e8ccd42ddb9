import { describe, expect, it } from 'vitest';
import { StreamBlocks } from '../../src/chat/stream-blocks';

describe('StreamBlocks', () => {
    it('finishes a block at a blank line and keeps the rest as the tail', () => {
        const blocks = new StreamBlocks();
        expect(blocks.append('First para')).toEqual([]);
        expect(blocks.append('graph.\n\nSecond')).toEqual(['First paragraph.\n\n']);
        expect(blocks.tail).toBe('Second');
        expect(blocks.finish()).toEqual(['Second']);
    });

    it('never splits inside a code fence, even at blank lines', () => {
        const blocks = new StreamBlocks();
        const done = blocks.append('```ts\nconst a = 1;\n\nconst b = 2;\n```\n\nAfter.');
        expect(done).toEqual(['```ts\nconst a = 1;\n\nconst b = 2;\n```\n\n']);
        expect(blocks.tail).toBe('After.');
    });

    it('gives the same blocks whatever the chunking of the stream', () => {
        const text = '# Title\n\nOne two.\n\n- a\n- b\n\n~~~\nx\n\ny\n~~~\n\nEnd.';
        const whole = new StreamBlocks();
        const expected = [...whole.append(text), ...whole.finish()];
        const chunked = new StreamBlocks();
        const got: string[] = [];
        for (const ch of text) got.push(...chunked.append(ch));
        got.push(...chunked.finish());
        expect(got).toEqual(expected);
        expect(got.join('')).toBe(text);
    });
});
