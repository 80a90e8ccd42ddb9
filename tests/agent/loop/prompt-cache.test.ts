import { describe, expect, it } from 'vitest';
import { estimateBlockTokens, estimatePrefixTokens } from '../../../src/agent/compaction/context-window';
import { Conversation } from '../../../src/agent/loop/conversation';
import { buildRequest, countBreakpoints, PromptPrefix } from '../../../src/agent/loop/prompt-cache';
import { vaultTools } from '../../../src/agent/tools/registry';

const prefix = new PromptPrefix({
    systemPrompt: 'You are a test.',
    instructions: 'Be brief.',
    tools: vaultTools('ask').map((tool) => tool.definition),
});

function request(conversation: Conversation, previousLast: number, caching = true) {
    return buildRequest({
        model: 'm',
        maxTokens: 10,
        prefix,
        messages: conversation.snapshot(),
        previousLast,
        caching,
    });
}

describe('prompt caching', () => {
    it('marks the last tool, the last system block and the newest message, never more than 4 blocks', () => {
        const conversation = new Conversation();
        conversation.addUser('one');
        const first = request(conversation, -1);
        expect(countBreakpoints(first)).toBe(3);
        expect(first.tools?.at(-1)).toHaveProperty('cache_control');
        expect((first.system as { cache_control?: unknown }[]).at(-1)).toHaveProperty('cache_control');
        conversation.addAssistant([{ type: 'text', text: 'two' }]);
        conversation.addUser('three');
        expect(countBreakpoints(request(conversation, 0))).toBe(4);
    });

    it('keeps the prefix byte-identical between requests and never marks the stored history', () => {
        const conversation = new Conversation();
        conversation.addUser('one');
        const first = request(conversation, -1);
        conversation.addAssistant([{ type: 'text', text: 'two' }]);
        conversation.addUser('three');
        const second = request(conversation, 0);
        expect(JSON.stringify([second.tools, second.system])).toBe(JSON.stringify([first.tools, first.system]));
        expect(JSON.stringify(conversation.snapshot())).not.toContain('cache_control');
    });

    it('builds each tool once for every session that offers it, frozen, leaving the definitions themselves unfrozen', () => {
        const definitions = vaultTools('ask').map((tool) => tool.definition);
        const other = new PromptPrefix({ systemPrompt: 'Another session.', instructions: '', tools: definitions });
        const mine = prefix.tools(false);
        const theirs = other.tools(false);
        expect(theirs).toHaveLength(mine.length);
        theirs.forEach((tool, i) => expect(tool).toBe(mine[i]));
        expect(Object.isFrozen(mine[0]?.input_schema)).toBe(true);
        expect(definitions.some((definition) => Object.isFrozen(definition.inputSchema))).toBe(false);
        expect(estimatePrefixTokens(other.plain())).toBe(
            estimateBlockTokens(other.plain().system) + estimateBlockTokens(other.plain().tools),
        );
    });

    it('sends no cache_control at all when the endpoint lacks prompt caching', () => {
        const conversation = new Conversation();
        conversation.addUser('one');
        expect(JSON.stringify(request(conversation, -1, false))).not.toContain('cache_control');
    });

    it('rolls a refused exchange out of the history', () => {
        const conversation = new Conversation();
        conversation.addUser('kept');
        conversation.addAssistant([{ type: 'text', text: 'answer' }]);
        const mark = conversation.length;
        conversation.addUser('refused question');
        conversation.truncate(mark);
        expect(JSON.stringify(conversation.snapshot())).not.toContain('refused question');
    });
});
