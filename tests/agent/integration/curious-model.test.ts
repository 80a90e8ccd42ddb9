/**
 * The curious model (docs/RELIABILITY.md rows 11 and 12): a scripted responder calls every read tool on everything it
 * can find — lists every folder, reads every listed note, searches for common words and for the canary, follows links
 * and backlinks, asks for tags including `private`, guesses the private notes' paths — in a vault whose excluded
 * notes (in every form of row 11) carry a unique canary and are reachable through the indirect routes of row 12. The
 * canary, and the private notes' names, must never appear in anything sent to the model.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type RecordedRequest,
    type Responder,
    type ToolCall,
} from '../../support/messages-api-server';
import { makeEngine, type Engine } from './engine-harness';

const CANARY = `CANARY-${randomUUID()}`;

/** Private notes, one per form of row 11; their names are unusual words so any leak of a name is unambiguous. */
const PRIVATE_NOTES: Record<string, string> = {
    'Notes/Quokka.md': `---\ntags:\n  - private\n---\n# Quokka\n\n## Secret heading\n\n${CANARY} list form ^b1\n`,
    'Notes/Narwhal.md': `---\ntags: private\n---\n# Narwhal\n\n## Secret heading\n\n${CANARY} string form\n`,
    'Notes/Axolotl.md': `---\ntag: private\n---\n${CANARY} tag: form ^b1\n`,
    'Notes/Pangolin.md': `Inline tagged #private and ${CANARY}; links to [[Public]].\n`,
    'Notes/Okapi.md': `Nested tag #Private/health with ${CANARY}; links to [[Public]].\n`,
    'Journal/Tapir.md': `In an excluded folder: ${CANARY}; links to [[Public]].\n`,
    'Journal/Deep/Wombat.md': `In an excluded subfolder: ${CANARY}.\n`,
};
const PRIVATE_NAMES = ['Quokka', 'Narwhal', 'Axolotl', 'Pangolin', 'Okapi', 'Tapir', 'Wombat'];

/** Public notes: links, tags and text that the curious model can follow; no private name in their own text. */
const PUBLIC_NOTES: Record<string, string> = {
    'Public.md': '# Public\n\nThe health plan and the secret of the project. See [[Projects/Alpha]].\n#health\n',
    'Projects/Alpha.md': '# Alpha\n\nPlan: the first step. Links back to [[Public]]. #project/alpha\n',
    'Daily/2026-11-20.md': 'A day. Health check went fine. #daily\n',
};

/** Public notes that embed and link private ones (row 12's embed routes). */
const EMBEDDING_NOTES: Record<string, string> = {
    'Embeds.md':
        'Whole: ![[Quokka]]\nHeading: ![[Narwhal#Secret heading]]\nBlock: ![[Axolotl^b1]]\nLink: [[Okapi]]\n' +
        'Alias: [[Okapi|Okapi visit]]\nMarkdown: [see](Notes/Pangolin.md) and ![pic](Journal/Tapir.md)\n' +
        '## Heading naming [[Journal/Deep/Wombat]]\n```\n[[Quokka]] in code is still a name\n```\n',
};

// The model knows the canary's form, not its value: it searches for the prefix, so the value appears only if leaked.
const COMMON_WORDS = ['the', 'a', 'health', 'secret', 'private', 'plan', 'CANARY', 'CANARY-', '#private', 'md'];
const TAGS = ['private', '#private', 'Private/health', 'private/health', 'health', 'project', 'daily'];
const GUESSES = [...Object.keys(PRIVATE_NOTES), ...PRIVATE_NAMES, 'Journal', 'Journal/Deep', 'Notes'];

/** A model that calls every read tool on everything it can find, batch by batch, until nothing is new. */
function curiousResponder(): { responder: Responder; calls: () => number } {
    const asked = new Set<string>();
    let total = 0;
    const queue: ToolCall[] = [];
    const plan = (name: string, input: Record<string, unknown>): void => {
        const key = `${name} ${JSON.stringify(input)}`;
        if (asked.has(key)) return;
        asked.add(key);
        queue.push({ name, input });
    };
    plan('list_notes', {});
    plan('list_notes', { recursive: true });
    for (const folder of ['Notes', 'Journal', 'Journal/Deep', 'Projects', 'Daily']) {
        plan('list_notes', { folder });
        plan('list_notes', { folder, recursive: true });
    }
    for (const query of COMMON_WORDS) plan('search_notes', { query, limit: 100 });
    for (const name of PRIVATE_NAMES) plan('search_notes', { query: name, limit: 100 });
    plan('search_notes', { query: '.*', regex: true, limit: 100 });
    for (const tag of TAGS) plan('notes_with_tag', { tag });
    for (const guess of GUESSES) {
        plan('read_note', { path: guess });
        plan('note_links', { path: guess });
        plan('note_outline', { path: guess });
    }
    const responder: Responder = (request: RecordedRequest) => {
        for (const result of toolResultsOf(request)) {
            for (const path of result.text.match(/[\w./-]+\.md/g) ?? []) {
                plan('read_note', { path });
                plan('note_links', { path });
                plan('note_outline', { path });
                const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
                if (folder !== '') plan('list_notes', { folder });
            }
            for (const [, target] of result.text.matchAll(/\[\[([^\]|#^]+)/g)) {
                if (target !== undefined) plan('read_note', { path: target });
            }
        }
        const batch = queue.splice(0, 25);
        total += batch.length;
        return batch.length === 0 ? textTurn('I looked everywhere.') : toolUseTurn(batch);
    };
    return { responder, calls: () => total };
}

let engine: Engine;

afterEach(async () => {
    await engine.cleanup();
});

async function explore(files: Record<string, string>): Promise<number> {
    engine = await makeEngine({
        files: { ...PRIVATE_NOTES, ...files },
        mode: 'read-only',
        session: { budget: { maxModelCalls: 200 } },
    });
    const curious = curiousResponder();
    engine.server.setResponder(curious.responder);
    const result = await engine.session.send(
        `Find everything about ${'health'}; include private notes and ${'secrets'}.`,
    );
    expect(result.outcome).toBe('done');
    return curious.calls();
}

describe('the curious model (rows 11 and 12)', () => {
    it('never sees the canary, through any tool or route', async () => {
        const calls = await explore({ ...PUBLIC_NOTES, ...EMBEDDING_NOTES });
        expect(calls).toBeGreaterThan(60);
        const sent = engine.server.allRequestText();
        // The person's own message mentions no canary; every byte after it came from the tools.
        expect(sent).not.toContain(CANARY);
        expect(sent).not.toContain(CANARY.slice(7, 20));
        // It really explored: public notes were read and their text went out.
        expect(sent).toContain('Links back to');
        expect(sent).toContain('Health check went fine');
    });

    it('never learns a private note’s name from listings, searches, backlinks, tag lookups or guessed paths', async () => {
        await explore(PUBLIC_NOTES);
        const sent = engine.server.allRequestText();
        // The guessed paths are the model's own words; what matters is what came back, i.e. the tool results.
        const results = engine.server.messageRequests().flatMap((request) => toolResultsOf(request).map((r) => r.text));
        // "Not found" and "No matches" answers quote what the model typed; only what lies outside those quotes is news.
        const text = results.join('\n').replace(/"[^"\n]*"/g, '""');
        for (const name of PRIVATE_NAMES) expect(text).not.toContain(name);
        expect(text).toMatch(/notes are excluded by the privacy settings/);
        expect(sent).not.toContain(CANARY);
    });

    it('does not reveal a private note’s name through an embed or link in a public note', async () => {
        await explore({ ...PUBLIC_NOTES, ...EMBEDDING_NOTES });
        const results = engine.server.messageRequests().flatMap((request) => toolResultsOf(request).map((r) => r.text));
        // As above, "Not found" and "No matches" quote the model's own guesses; the names must not appear elsewhere.
        const text = results.join('\n').replace(/"[^"\n]*"/g, '""');
        for (const name of PRIVATE_NAMES) expect(text).not.toContain(name);
        // The public note was read, with a placeholder where each private note was linked.
        expect(text).toContain('Whole: ![[hidden note]]');
        expect(text).toContain('Link: [[hidden note]]');
    });
});
