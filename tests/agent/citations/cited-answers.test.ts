/**
 * Cited answers end to end: notes go to the local Messages API as citable documents, the server answers with
 * citations computed from what was sent (streamed as `citations_delta` through the real SDK), and the answer's
 * sources link to the right heading or PDF page, checked against the note as it is now.
 */
import { makePdf } from '../../support/attachment-fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import type { TurnEvent, TurnResult } from '../../../src/agent/loop/turn-events';
import { VAULT_CONVENTIONS } from '../../../src/agent/loop/system-prompt';
import { NO_CITATIONS_NOTE, passageLink } from '../../../src/agent/citations/answer-sources';
import { ContextBuilder } from '../../../src/context/build-context';
import { ExclusionGate } from '../../../src/context/exclusions';
import {
    citePages,
    citeText,
    citedText,
    documentsOf,
    forgedCitation,
    systemTextOf,
    textTurn,
    turn,
} from '../../support/messages-api-server';
import { makeEngine, type Engine } from '../integration/engine-harness';

let engine: Engine | undefined;

afterEach(async () => {
    await engine?.cleanup();
    engine = undefined;
});

const FILES = {
    'Research/Solar.md':
        '# Solar\n\nNotes on the roof panels.\n\n## Output\n\nThe panels gave 4.2 kWh on a clear June day.\n\n' +
        '## Cost\n\nThe installer quoted 9,000 euros.\n',
    'Research/Wind.md': '# Wind\n\nThe turbine idea was dropped in March.\n',
};

function chat(e: Engine): { session: ReturnType<Engine['another']>; events: TurnEvent[] } {
    const vault = e.temp.vault;
    const gate = (): ExclusionGate =>
        new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
    const session = e.another({ gate, contextProvider: new ContextBuilder({ vault, gate }) });
    const events: TurnEvent[] = [];
    session.subscribe((event) => events.push(event));
    return { session, events };
}

describe('cited answers', () => {
    it('sends attached notes as plain-text documents with citations enabled, titled by their paths', async () => {
        engine = await makeEngine({ files: FILES });
        const { session } = chat(engine);
        engine.server.enqueue(textTurn('Ok.'));
        await session.send('What did @[[Solar]] and @[[Wind]] find?', { context: {} });
        const documents = documentsOf(engine.server.messageRequests()[0]!);
        expect(documents.map((d) => [d.title, d.sourceType, d.citations])).toEqual([
            ['Research/Solar.md', 'text', true],
            ['Research/Wind.md', 'text', true],
        ]);
        expect(documents[0]!.text).toContain('The panels gave 4.2 kWh');
    });

    it('citations in a streamed answer render as links to the right heading', async () => {
        engine = await makeEngine({ files: FILES });
        const { session } = chat(engine);
        engine.server.setResponder((request) =>
            turn({
                content: [
                    citedText('The panels gave 4.2 kWh', [
                        citeText(request, 'Research/Solar.md', 'The panels gave 4.2 kWh on a clear June day.'),
                    ]),
                    citedText(' and cost 9,000 euros.', [
                        citeText(request, 'Research/Solar.md', 'The installer quoted 9,000 euros.'),
                    ]),
                ],
            }),
        );
        const result = await session.send('Sum up @[[Solar]]', { context: {} });
        expect(result.text).toBe('The panels gave 4.2 kWh and cost 9,000 euros.');
        const passages = result.sources?.passages ?? [];
        expect(passages.map(passageLink)).toEqual(['[[Research/Solar#Output]]', '[[Research/Solar#Cost]]']);
        expect(passages.map((p) => p.verified)).toEqual([true, true]);
        expect(passages[0]!.quote).toBe('The panels gave 4.2 kWh on a clear June day.');
        // The history keeps the answer's text without the citations (they point into documents that may go).
        expect(JSON.stringify(session.conversation.snapshot())).not.toContain('char_location');
    });

    it('a page citation of a PDF links to its page', async () => {
        engine = await makeEngine({ files: FILES });
        const pdf = Buffer.from(
            await makePdf(3, (n) => (n === 3 ? 'Yield falls in the heat.' : `Page ${n}.`)),
        ).toString('base64');
        engine.server.setResponder((request) =>
            turn({
                content: [citedText('Yields drop in heat.', [citePages(request, 'Papers/pv.pdf', 'Yield falls', 3)])],
            }),
        );
        const result: TurnResult = await engine.session.send([
            {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: pdf },
                title: 'Papers/pv.pdf',
                context: 'Vault attachment',
                citations: { enabled: true },
            },
            { type: 'text', text: 'What does the paper say about heat?' },
        ]);
        const passage = result.sources?.passages[0];
        expect(passage && passageLink(passage)).toBe('[[Papers/pv.pdf#page=3]]');
        expect(passage?.verified).toBeNull();
    });

    it('flags a cited passage that is not in the note', async () => {
        engine = await makeEngine({ files: FILES });
        const { session } = chat(engine);
        engine.server.setResponder((request) =>
            turn({
                content: [
                    citedText('The panels gave 6 kWh.', [
                        forgedCitation(request, 'Research/Solar.md', 'The panels gave 6 kWh on a clear June day.', 40),
                    ]),
                ],
            }),
        );
        const result = await session.send('Sum up @[[Solar]]', { context: {} });
        expect(result.sources?.passages).toMatchObject([{ path: 'Research/Solar.md', verified: false }]);
    });

    it('falls back to note-level sources, and says so, when the endpoint returns no citations', async () => {
        engine = await makeEngine({ files: FILES });
        const { session } = chat(engine);
        engine.server.enqueue(textTurn('The panels work well.'));
        const result = await session.send('Sum up @[[Solar]]', { context: {} });
        expect(result.sources).toEqual({ passages: [], notes: ['Research/Solar.md'], fallback: NO_CITATIONS_NOTE });
    });

    it('teaches the model the vault conventions: wikilinks with headings, properties, callouts, tags, heading style', async () => {
        engine = await makeEngine({ files: FILES });
        engine.server.enqueue(textTurn('Ok.'));
        await engine.session.send('Hi');
        const request = engine.server.messageRequests()[0]!;
        const system = systemTextOf(request);
        expect(system).toContain(VAULT_CONVENTIONS);
        expect(system).toContain('[[Folder/Note#Heading]]');
        expect(system).toContain('never as a bare path');
        for (const word of ['frontmatter', '> [!note]', '#tag', 'heading style']) expect(system).toContain(word);
        const tools = (request.body as { tools: { name: string; description: string }[] }).tools;
        const create = tools.find((tool) => tool.name === 'create_note');
        if (create !== undefined) expect(create.description).toContain('[[wikilinks]]');
    });
});
