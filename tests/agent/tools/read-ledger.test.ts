import { describe, expect, it } from 'vitest';
import { ReadLedger } from '../../../src/agent/tools/read-ledger';

describe('ReadLedger', () => {
    it('counts a note read window by window as read in full, and no longer once it changes', async () => {
        const ledger = new ReadLedger();
        expect(await ledger.stateOf('a.md', 'text')).toBe('unread');
        await ledger.recordRead('a.md', 'text', 10, { start: 6, end: 10 });
        expect(await ledger.stateOf('a.md', 'text')).toBe('partial');
        await ledger.recordRead('a.md', 'text', 10, { start: 1, end: 5 });
        expect(await ledger.stateOf('a.md', 'text')).toBe('current');
        expect(await ledger.stateOf('a.md', 'text!')).toBe('changed');
    });

    it('forgets what was read of an older text once a new text is read', async () => {
        const ledger = new ReadLedger();
        await ledger.recordRead('a.md', 'old', 2, { start: 1, end: 2 });
        await ledger.recordRead('a.md', 'new', 2, { start: 1, end: 1 });
        expect(await ledger.stateOf('a.md', 'new')).toBe('partial');
        ledger.forget('a.md');
        expect(await ledger.stateOf('a.md', 'new')).toBe('unread');
    });
});
