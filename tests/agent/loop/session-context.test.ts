/** Context per request: the session builds the bundle at send time, instructions in the prefix, notes in the turn. */
import { afterEach, describe, expect, it } from 'vitest';
import type { TurnEvent } from '../../../src/agent/loop/turn-events';
import { NoContextProviderError } from '../../../src/agent/agent-session';
import { ContextBuilder } from '../../../src/context/build-context';
import { ExclusionGate } from '../../../src/context/exclusions';
import { systemTextOf, textTurn, type RecordedRequest } from '../../support/messages-api-server';
import { makeEngine, type Engine } from '../integration/engine-harness';

let engine: Engine | undefined;

afterEach(async () => {
    await engine?.cleanup();
    engine = undefined;
});

const FILES = {
    'AGENTS.md': 'Answer in haiku.\n',
    'Plan.md': '# Plan\n\nShip on Friday.\n',
    'Private.md': '---\ntags: [private]\n---\nSalary talk.\n',
};

function withContext(e: Engine): { session: ReturnType<Engine['another']>; events: TurnEvent[] } {
    const vault = e.temp.vault;
    const gate = (): ExclusionGate =>
        new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
    const session = e.another({ gate, contextProvider: new ContextBuilder({ vault, gate }) });
    const events: TurnEvent[] = [];
    session.subscribe((event) => events.push(event));
    return { session, events };
}

function prefixOf(request: RecordedRequest): string {
    const { system, tools } = request.body as { system: unknown; tools: unknown };
    return JSON.stringify([system, tools]);
}

describe('context per request', () => {
    it('puts the vault instructions in the cached prefix, byte-identical between turns', async () => {
        engine = await makeEngine({ files: FILES });
        const { session } = withContext(engine);
        engine.server.enqueue(textTurn('One.'), textTurn('Two.'));
        await session.send('Look at @[[Plan]]', { context: {} });
        await session.send('And again', { context: {} });
        const [first, second] = engine.server.messageRequests();
        expect(systemTextOf(first!)).toContain('Answer in haiku.');
        expect(prefixOf(second!)).toBe(prefixOf(first!));
        expect(JSON.stringify((first!.body as { messages: unknown }).messages)).toContain('Ship on Friday.');
    });

    it('emits a context event with what the person should see, excluded items included', async () => {
        engine = await makeEngine({ files: FILES });
        const { session, events } = withContext(engine);
        engine.server.enqueue(textTurn('Ok.'));
        await session.send('Compare @[[Plan]] and @[[Private]]', { context: {} });
        const context = events.find((event) => event.type === 'context');
        expect(context).toMatchObject({ type: 'context', attached: 1, excluded: 1 });
        expect(JSON.stringify(engine.server.messageRequests()[0]!.body)).not.toContain('Salary talk.');
    });

    it('drops the instructions from the prefix when their note becomes private', async () => {
        engine = await makeEngine({ files: FILES });
        const { session } = withContext(engine);
        engine.server.enqueue(textTurn('One.'), textTurn('Two.'));
        await session.send('Hi', { context: {} });
        await engine.temp.write('AGENTS.md', '---\ntags: [private]\n---\nAnswer in haiku.\n');
        await engine.temp.vault.scan();
        await session.send('Hi again');
        expect(systemTextOf(engine.server.messageRequests()[1]!)).not.toContain('Answer in haiku.');
    });

    it('refuses context without a provider, and is not left busy', async () => {
        engine = await makeEngine();
        await expect(engine.session.send('Hi', { context: {} })).rejects.toBeInstanceOf(NoContextProviderError);
        expect(engine.session.busy).toBe(false);
    });
});
