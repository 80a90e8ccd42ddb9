/**
 * docs/RELIABILITY.md row 13 through the loop: a note the model saw earlier in a chat (read, found by a search,
 * attached as context) becomes private; the next request, as recorded by the local Messages-API server, carries neither
 * its text (a canary) nor its name, the tool pairing stays valid, and the cached prefix is unchanged.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WITHHELD_TEXT } from '../../../src/agent/loop/conversation';
import { ContextBuilder } from '../../../src/context/build-context';
import { ExclusionGate } from '../../../src/context/exclusions';
import { textTurn, toolUseTurn, type RecordedRequest } from '../../support/messages-api-server';
import { makeEngine, type Engine } from './engine-harness';

const CANARY = `CANARY-${randomUUID()}`;
const NAME = 'Okavango';
const PATH = `Trips/${NAME}.md`;
const PUBLIC_TEXT = `# Trip\n\nThe lagoon at dawn: ${CANARY}.\n`;
const PRIVATE_TEXT = `---\ntags: [private]\n---\n# Trip\n\nThe lagoon at dawn: ${CANARY}.\n`;

let engine: Engine | undefined;

afterEach(async () => {
    await engine?.cleanup();
    engine = undefined;
});

/** The person tags the note `#private` in their editor; the vault's index sees the change. */
async function tagPrivate(e: Engine): Promise<void> {
    await e.temp.write(PATH, PRIVATE_TEXT);
    await e.temp.vault.scan();
}

function bodyText(request: RecordedRequest): string {
    return JSON.stringify(request.body);
}

/** Every tool_result answers a tool_use of the assistant message just before it, and every tool_use is answered. */
function expectValidPairing(request: RecordedRequest): void {
    const messages = (request.body as { messages: { role: string; content: { type: string; id?: string }[] }[] })
        .messages;
    messages.forEach((message, index) => {
        const ids = (type: string, blocks: { type: string; id?: string; tool_use_id?: string }[]): string[] =>
            blocks.filter((b) => b.type === type).map((b) => (type === 'tool_use' ? b.id! : b.tool_use_id!));
        if (message.role !== 'assistant') return;
        const calls = ids('tool_use', message.content);
        if (calls.length === 0) return;
        const next = messages[index + 1];
        expect(next?.role).toBe('user');
        expect(ids('tool_result', next!.content as { type: string; tool_use_id?: string }[]).sort()).toEqual(
            calls.sort(),
        );
    });
}

function prefixOf(request: RecordedRequest): string {
    const { system, tools } = request.body as { system: unknown; tools: unknown };
    return JSON.stringify([system, tools]);
}

describe('a note made private mid-chat', () => {
    it('is dropped from the next request after the model read it with read_note', async () => {
        engine = await makeEngine({ files: { [PATH]: PUBLIC_TEXT, 'Other.md': 'Unrelated.\n' } });
        engine.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: PATH } }]),
            textTurn('It says the lagoon is lovely.'),
            textTurn('Noted.'),
        );
        await engine.session.send('What does my trip note say?');
        expect(bodyText(engine.server.messageRequests()[1]!)).toContain(CANARY);

        await tagPrivate(engine);
        await engine.session.send('Thanks. Anything else?');

        const after = engine.server.messageRequests()[2]!;
        expect(bodyText(after)).not.toContain(CANARY);
        expect(bodyText(after)).not.toContain(NAME);
        expect(bodyText(after)).toContain(WITHHELD_TEXT);
        expectValidPairing(after);
        expect(prefixOf(after)).toBe(prefixOf(engine.server.messageRequests()[0]!));
        expect(engine.events.some((event) => event.type === 'withheld')).toBe(true);
    });

    it('is dropped when it was found by a search, snippet and path alike', async () => {
        engine = await makeEngine({ files: { [PATH]: PUBLIC_TEXT, 'Lakes.md': 'A lagoon list.\n' } });
        engine.server.enqueue(
            toolUseTurn([{ name: 'search_notes', input: { query: 'lagoon' } }]),
            textTurn('Two notes mention a lagoon.'),
            textTurn('Sure.'),
        );
        await engine.session.send('Where did I write about lagoons?');
        expect(bodyText(engine.server.messageRequests()[1]!)).toContain(CANARY);

        await tagPrivate(engine);
        await engine.session.send('Go on.');

        const after = engine.server.messageRequests()[2]!;
        expect(bodyText(after)).not.toContain(CANARY);
        expect(bodyText(after)).not.toContain(NAME);
        expectValidPairing(after);
    });

    it('is dropped when it was attached as the focused note', async () => {
        engine = await makeEngine({ files: { [PATH]: PUBLIC_TEXT } });
        const builder = new ContextBuilder({ vault: engine.temp.vault, gate: () => gateOf(engine!) });
        const session = engine.another({ contextProvider: builder });
        const contextLines: string[][] = [];
        session.subscribe((event) => {
            if (event.type === 'context') contextLines.push(event.lines);
        });
        engine.server.enqueue(textTurn('A lagoon at dawn.'), textTurn('Fine.'));
        await session.send('Summarise this note', {
            context: { focus: { note: PATH, selection: null, cursorLine: null } },
        });
        expect(bodyText(engine.server.messageRequests()[0]!)).toContain(CANARY);
        expect(contextLines[0]?.join('\n')).toContain(PATH);

        await tagPrivate(engine);
        await session.send('And in one word?');

        const after = engine.server.messageRequests()[1]!;
        expect(bodyText(after)).not.toContain(CANARY);
        expect(bodyText(after)).not.toContain(NAME);
        // The person's own words stay; only the attached note went.
        expect(bodyText(after)).toContain('Summarise this note');
    });

    it('is dropped when the settings exclude its folder (the gate is read at every request)', async () => {
        engine = await makeEngine({ files: { [PATH]: PUBLIC_TEXT } });
        let gate = new ExclusionGate({ vault: engine.temp.vault, privacy: { excludedTags: [], excludedFolders: [] } });
        const session = engine.another({ gate: () => gate });
        engine.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: PATH } }]),
            textTurn('Read.'),
            toolUseTurn([{ name: 'read_note', input: { path: PATH } }]),
            textTurn('Gone.'),
        );
        await session.send('Read my trip note');
        gate = new ExclusionGate({
            vault: engine.temp.vault,
            privacy: { excludedTags: [], excludedFolders: ['Trips/'] },
        });
        await session.send('Read it again');

        const [, , third, fourth] = engine.server.messageRequests();
        expect(bodyText(third!)).not.toContain(CANARY);
        expect(bodyText(third!)).not.toContain(NAME);
        // The tools use the new gate too: the second read is "not found" and names nothing new.
        expect(bodyText(fourth!)).not.toContain(CANARY);
        expectValidPairing(fourth!);
    });

    it('keeps everything that never came from the note', async () => {
        engine = await makeEngine({ files: { [PATH]: PUBLIC_TEXT, 'Other.md': 'Public words here.\n' } });
        engine.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Other.md' } }]),
            textTurn('Other says public words.'),
            toolUseTurn([{ name: 'read_note', input: { path: PATH } }]),
            textTurn('Lagoon.'),
            textTurn('Ok.'),
        );
        await engine.session.send('Read Other');
        await engine.session.send('Now the trip');
        await tagPrivate(engine);
        await engine.session.send('Summarise both');

        const after = engine.server.messageRequests()[4]!;
        expect(bodyText(after)).toContain('Public words here.');
        expect(bodyText(after)).toContain('Other says public words.');
        expect(bodyText(after)).not.toContain(CANARY);
        expectValidPairing(after);
    });
});

function gateOf(e: Engine): ExclusionGate {
    return new ExclusionGate({ vault: e.temp.vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
}
