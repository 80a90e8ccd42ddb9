/** Provenance in the history: which blocks carry which notes, and what replaces them once a note is excluded. */
import { describe, expect, it } from 'vitest';
import { Conversation, WITHHELD_TEXT } from '../../../src/agent/loop/conversation';

function chatWithARead(): Conversation {
    const conversation = new Conversation();
    conversation.addUser('Read my plan');
    conversation.addAssistant([{ type: 'tool_use', id: 'call-1', name: 'read_note', input: { path: 'Plan.md' } }]);
    conversation.addToolResults(
        [{ type: 'tool_result', tool_use_id: 'call-1', content: [{ type: 'text', text: 'Plan.md: secret words' }] }],
        [['Plan.md']],
    );
    conversation.addAssistant([{ type: 'text', text: 'It says secret words.' }], ['Plan.md']);
    return conversation;
}

describe('Conversation provenance', () => {
    it('replaces a tool result, its tool call and the answer quoting it once the note is excluded', () => {
        const conversation = chatWithARead();
        const replaced = conversation.withhold((path) => path === 'Plan.md');
        expect(replaced).toBe(3);
        const text = JSON.stringify(conversation.snapshot());
        expect(text).not.toContain('secret words');
        expect(text).not.toContain('Plan.md');
        expect(text).toContain(WITHHELD_TEXT);
        // Pairing survives: same ids, the call keeps its name.
        const [, call, result] = conversation.snapshot();
        expect(call?.content[0]).toEqual({ type: 'tool_use', id: 'call-1', name: 'read_note', input: {} });
        expect(result?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'call-1' });
    });

    it('leaves blocks alone while their notes stay visible, and the person’s own words always', () => {
        const conversation = chatWithARead();
        expect(conversation.withhold(() => false)).toBe(0);
        conversation.withhold(() => true);
        expect(conversation.snapshot()[0]?.content[0]).toEqual({ type: 'text', text: 'Read my plan' });
    });

    it('keeps the error flag of a withheld tool result', () => {
        const conversation = new Conversation();
        conversation.addUser('x');
        conversation.addAssistant([{ type: 'tool_use', id: 'c', name: 'note_links', input: { path: 'A.md' } }]);
        conversation.addToolResults(
            [{ type: 'tool_result', tool_use_id: 'c', is_error: true, content: [{ type: 'text', text: 'A.md' }] }],
            [['A.md']],
        );
        conversation.withhold(() => true);
        expect(conversation.snapshot()[2]?.content[0]).toMatchObject({ is_error: true });
    });

    it('gives a compaction record the sources of every block it replaced', () => {
        const conversation = chatWithARead();
        const record = { type: 'text' as const, text: 'Summary: the plan says secret words.' };
        const newest = conversation.snapshot().at(-1)!;
        conversation.replace([{ role: 'user', content: [record] }, newest]);
        expect(conversation.sourcesOf(conversation.snapshot()[0]!.content[0]!)).toEqual(['Plan.md']);
        conversation.withhold((path) => path === 'Plan.md');
        expect(JSON.stringify(conversation.snapshot())).not.toContain('secret words');
    });

    it('never sends provenance: the blocks hold only Messages-API fields', () => {
        const conversation = chatWithARead();
        const keys = conversation.snapshot().flatMap((m) => m.content.flatMap((block) => Object.keys(block)));
        expect(keys).not.toContain('sources');
        expect(conversation.allSources()).toEqual(['Plan.md']);
    });
});
