/**
 * `InlineEdit` through the real engine: a chat built by the session factory against the local Messages-API server,
 * a real vault on disk, the change controller and checkpoints. The open editor is a text buffer behind the
 * `InlineEditorPort` (the browser test drives the real CodeMirror one).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { createModelClient } from '../../src/agent/model-client';
import type { SessionServices } from '../../src/agent/session-factory';
import { ChatService } from '../../src/chat/chat-service';
import { MemoryChatStore } from '../../src/chat/chat-store';
import { finalRewrite, InlineEdit, rewriteSoFar, type InlineEditorPort } from '../../src/chat/inline-edit';
import { ContextBuilder } from '../../src/context/build-context';
import { ExclusionGate } from '../../src/context/exclusions';
import { FixedFocus } from '../../src/context/focus';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const NOTE = 'Drafts/Chapter.md';
const TEXT = '# Chapter\n\nThe quick brown fox jumps over the dog.\n\nThe end.\n';
const PASSAGE = 'The quick brown fox jumps over the dog.';

let api: MessagesApiServer;
let temp: TempVault;
let checkpoints: CheckpointStore;

beforeEach(async () => {
    api = await startMessagesApiServer();
    temp = await makeTempVault({ [NOTE]: TEXT });
    checkpoints = new CheckpointStore({
        vault: temp.vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
});

afterEach(async () => {
    await api.close();
    await temp.cleanup();
});

function makeEdit(): InlineEdit {
    const vault = temp.vault;
    const gate = (): ExclusionGate => new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy });
    const throttle = new Throttle();
    const services = async (): Promise<SessionServices> => ({
        client: await createModelClient({
            secrets: { get: async () => api.apiKey },
            settings: { ...DEFAULT_SETTINGS.model, baseUrl: api.baseURL },
        }),
        vault,
        gate,
        approvals: { request: async () => ({ kind: 'deny' }) },
        settings: () => DEFAULT_SETTINGS,
        checkpoints,
        throttle,
        contextProvider: new ContextBuilder({ vault, gate }),
    });
    const chat = new ChatService({
        store: new MemoryChatStore(),
        focus: new FixedFocus({ note: NOTE, selection: null, cursorLine: null }),
        checkpoints,
        defaults: () => ({ mode: 'ask', model: DEFAULT_MODEL, attachFocusedNote: false }),
        services,
    });
    return new InlineEdit({ chat, services });
}

/** An open editor as a text buffer: `apply` replaces it only when it holds exactly `base`. */
function bufferEditor(initial: string): InlineEditorPort & { value: string } {
    const editor = {
        value: initial,
        text: () => editor.value,
        apply: async (path: string, base: string, next: string) => {
            if (path !== NOTE) return false;
            if (editor.value !== base) throw new Error('The editor moved on.');
            editor.value = next;
            return true;
        },
    };
    return editor;
}

describe('asking in place', () => {
    it('streams only the rewrite between the tags, and sends the instruction, the passage and the note', async () => {
        const edit = makeEdit();
        api.enqueue(textTurn('Here you are.\n<rewrite>\nThe fast brown fox leaps over the dog.\n</rewrite>\nEnjoy.'));
        const partials: string[] = [];
        const answer = await edit.ask({ path: NOTE, passage: PASSAGE, instruction: 'tighten this' }, (p) =>
            partials.push(p),
        );
        expect(answer).toMatchObject({ ok: true, text: 'The fast brown fox leaps over the dog.' });
        expect(partials.length).toBeGreaterThan(1);
        for (const partial of partials) expect('The fast brown fox leaps over the dog.'.startsWith(partial)).toBe(true);
        const sent = JSON.stringify(api.messageRequests().at(-1)?.body);
        expect(sent).toContain('tighten this');
        expect(sent).toContain(PASSAGE);
        expect(sent).toContain('The end.');
        expect(edit.chat.record.mode).toBe('read-only');
    });

    it('writes an accepted change through the change controller into the open editor, undoable from the chat', async () => {
        const edit = makeEdit();
        api.enqueue(textTurn('<rewrite>The fast brown fox jumps over the dog.</rewrite>'));
        const answer = await edit.ask({ path: NOTE, passage: PASSAGE, instruction: 'tighten' }, () => undefined);
        expect(answer.ok).toBe(true);
        const editor = bufferEditor(TEXT);
        const next = TEXT.replace('quick', 'fast');
        const outcome = await edit.accept(NOTE, TEXT, next, '"quick" → "fast"', editor);
        expect(outcome.applied).toBe(true);
        expect(editor.value).toBe(next);
        // Written through the editor: the file on disk waits for the host to save the editor.
        expect(temp.readRaw(NOTE).toString('utf8')).toBe(TEXT);
        const turnId = answer.ok ? answer.turnId : '';
        expect((await checkpoints.list(turnId)).map((c) => c.after)).toEqual([next]);
        expect(edit.chat.record.changedTurns).toContain(turnId);
        expect(edit.chat.record.entries.at(-1)).toMatchObject({
            kind: 'note',
            text: 'Accepted in the editor: "quick" → "fast".',
        });
        // The model hears what happened with the next message.
        api.enqueue(textTurn('Noted.'));
        await edit.chat.send('Thanks');
        expect(JSON.stringify(api.messageRequests().at(-1)?.body)).toContain('Accepted in the editor');
    });

    it('writes nothing when the note changed in the editor before the accept reached it', async () => {
        const edit = makeEdit();
        const editor = bufferEditor(TEXT.replace('quick', 'quick red'));
        const outcome = await edit.accept(NOTE, TEXT, TEXT.replace('quick', 'fast'), '"quick" → "fast"', editor);
        expect(outcome.applied).toBe(false);
        expect(editor.value).toBe(TEXT.replace('quick', 'quick red'));
        expect(await checkpoints.undoableTurns()).toEqual([]);
    });

    it('reads the rewrite out of a streaming answer, holding back a closing tag that is still arriving', () => {
        expect(rewriteSoFar('Sure. ')).toBeNull();
        expect(rewriteSoFar('Sure. <rewrite>\nThe fast')).toBe('The fast');
        expect(rewriteSoFar('<rewrite>The fast fox</rew')).toBe('The fast fox');
        expect(rewriteSoFar('<rewrite>a < b</rewrite> done')).toBe('a < b');
        expect(finalRewrite('<rewrite>unfinished')).toBeNull();
        expect(finalRewrite('<rewrite>\nline one\nline two\n</rewrite>')).toBe('line one\nline two');
    });
});
