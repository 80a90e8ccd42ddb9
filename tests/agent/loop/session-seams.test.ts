/** The session seams other features plug into: extra tools next to the vault tools, and extra prefix text. */
import { afterEach, describe, expect, it } from 'vitest';
import { ToolNameClashError } from '../../../src/agent/agent-session';
import type { Tool } from '../../../src/agent/tools/tool';
import { systemTextOf, textTurn, toolResultsOf, toolUseTurn } from '../../support/messages-api-server';
import { makeEngine, type Engine } from '../integration/engine-harness';

let engine: Engine | undefined;

afterEach(async () => {
    await engine?.cleanup();
    engine = undefined;
});

function echoTool(name: string): Tool {
    return {
        definition: {
            name,
            description: 'Echoes its input.',
            inputSchema: {
                type: 'object',
                properties: { text: { type: 'string' } },
                required: ['text'],
                additionalProperties: false,
            },
            effect: 'read',
        },
        run: (input) => Promise.resolve({ content: `echo: ${(input as { text: string }).text}` }),
    };
}

function toolNames(body: unknown): string[] {
    return ((body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
}

describe('extra tools', () => {
    it('offers extra tools next to the vault tools and runs them like any other tool', async () => {
        engine = await makeEngine({ session: { extraTools: [echoTool('use_skill')] } });
        engine.server.enqueue(toolUseTurn([{ name: 'use_skill', input: { text: 'hi' } }]), textTurn('Done.'));
        const result = await engine.session.send('Use the skill');
        const [first, second] = engine.server.messageRequests();
        expect(toolNames(first!.body)).toContain('use_skill');
        expect(toolNames(first!.body)).toContain('read_note');
        expect(toolResultsOf(second!)[0]?.text).toContain('echo: hi');
        expect(result.outcome).toBe('done');
    });

    it('refuses, at construction, an extra tool named like a vault tool', async () => {
        engine = await makeEngine();
        expect(() => engine!.another({ extraTools: [echoTool('read_note')] })).toThrow(ToolNameClashError);
    });

    it('refuses a vault tool name even when the mode does not offer that tool', async () => {
        engine = await makeEngine({ mode: 'read-only' });
        expect(() => engine!.another({ extraTools: [echoTool('delete_note')] })).toThrow(/delete_note/);
    });

    it('refuses two extra tools with the same name', async () => {
        engine = await makeEngine();
        expect(() => engine!.another({ extraTools: [echoTool('mcp__a'), echoTool('mcp__a')] })).toThrow(
            ToolNameClashError,
        );
    });
});

describe('prefix extras', () => {
    it('appends the text to the cached system prefix, byte-identical on every request', async () => {
        const index = 'Skills you can use:\n- weekly-review: turns a week of daily notes into a review';
        engine = await makeEngine({ files: { 'A.md': 'a\n' }, session: { prefixExtras: index } });
        engine.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'A.md' } }]),
            textTurn('Read.'),
            textTurn('Again.'),
        );
        await engine.session.send('Read A');
        await engine.session.send('Once more');
        const requests = engine.server.messageRequests();
        expect(requests).toHaveLength(3);
        for (const request of requests) expect(systemTextOf(request)).toContain(index);
        const prefixOf = (body: unknown): string => {
            const { system, tools } = body as { system: unknown; tools: unknown };
            return JSON.stringify([system, tools]);
        };
        for (const request of requests) expect(prefixOf(request.body)).toBe(prefixOf(requests[0]!.body));
        // The extras are the last system block, so the system breakpoint covers them.
        const system = (requests[0]!.body as { system: { text: string; cache_control?: unknown }[] }).system;
        expect(system.at(-1)?.text).toBe(index);
        expect(system.at(-1)?.cache_control).toBeDefined();
    });

    it('adds nothing for empty extras', async () => {
        engine = await makeEngine({ session: { prefixExtras: '   ' } });
        const plain = engine.another();
        engine.server.enqueue(textTurn('a'), textTurn('b'));
        await engine.session.send('Hi');
        await plain.send('Hi');
        const [withExtras, without] = engine.server.messageRequests();
        expect(JSON.stringify((withExtras!.body as { system: unknown }).system)).toBe(
            JSON.stringify((without!.body as { system: unknown }).system),
        );
    });
});
