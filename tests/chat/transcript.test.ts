import { describe, expect, it } from 'vitest';
import {
    applyTurnEvent,
    compactionText,
    guidanceEntry,
    guidanceText,
    newChatRecord,
    transcriptToMarkdown,
} from '../../src/chat/transcript';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

function record() {
    return newChatRecord({ id: 'c1', mode: 'ask', model: DEFAULT_MODEL, now: 0 });
}

describe('the compaction divider', () => {
    it('is kept in the record where compaction happened and says what was summarised and kept', () => {
        const chat = record();
        applyTurnEvent(chat, 't1', { type: 'text', delta: 'Before.', modelCall: 1, attempt: 1 });
        applyTurnEvent(chat, 't1', {
            type: 'compacted',
            notice: {
                reason: 'threshold',
                method: 'summary',
                summarisedMessages: 12,
                keptMessages: 2,
                tokensBefore: 9000,
                tokensAfter: 1200,
                changesKept: 3,
                notesKept: 4,
            },
        });
        applyTurnEvent(chat, 't1', { type: 'text', delta: 'After.', modelCall: 2, attempt: 1 });
        expect(chat.entries.map((entry) => entry.kind)).toEqual(['assistant', 'compacted', 'assistant']);
        const divider = chat.entries[1];
        expect(divider?.kind === 'compacted' ? compactionText(divider) : '').toBe(
            'Earlier messages summarised — 12 messages, 3 changes kept',
        );
        expect(transcriptToMarkdown(chat)).toContain('*Earlier messages summarised — 12 messages, 3 changes kept*');
    });
});

describe('the guidance line', () => {
    it('names used instruction notes and loaded skills, and leaves out notes that were not used', () => {
        const entry = guidanceEntry('t1', {
            instructions: [
                { path: 'AGENTS.md', label: 'vault instructions', used: true },
                { path: 'Health/AGENTS.md', label: 'instructions for Health/', used: false, reason: 'tagged #private' },
            ],
            skills: [{ name: 'meeting-brief', how: 'model', files: [] }],
        });
        expect(entry).not.toBeNull();
        expect(guidanceText(entry!)).toBe('Instructions: AGENTS.md · Skills: meeting-brief');
        expect(JSON.stringify(entry)).not.toContain('Health');
    });

    it('is absent when no instructions or skills were in effect', () => {
        expect(guidanceEntry('t1', { instructions: [], skills: [] })).toBeNull();
        const excludedOnly = { path: 'X/AGENTS.md', label: 'instructions for X/', used: false };
        expect(guidanceEntry('t1', { instructions: [excludedOnly], skills: [] })).toBeNull();
    });

    it('is never part of the exported note', () => {
        const chat = record();
        chat.entries.push({ kind: 'guidance', turnId: 't1', instructions: ['AGENTS.md'], skills: [] });
        expect(transcriptToMarkdown(chat)).not.toContain('Instructions:');
    });
});
