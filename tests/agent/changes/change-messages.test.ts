import { describe, expect, it } from 'vitest';
import { failedMessage } from '../../../src/agent/changes/change-messages';
import { VaultError } from '../../../src/kernel/vault-port';

describe('failedMessage', () => {
    it.each([
        ['ENOSPC', 'The disk is full (ENOSPC): nothing was written.'],
        ['EDQUOT', 'The disk quota is used up (EDQUOT): nothing was written.'],
        ['EROFS', 'The vault is on a read-only file system (EROFS).'],
    ])('says what %s means, never the platform message that names this machine', (code, said) => {
        const error = Object.assign(new Error(`${code}: write /home/someone/vault/Notes/x.md`), { code });
        const message = failedMessage('Notes/x.md', error);
        expect(message).toContain(said);
        expect(message).not.toContain('/home/someone');
    });

    it("passes a vault error's own words on, and says nothing more of an error it does not know", () => {
        expect(failedMessage('a.md', new VaultError('protected', 'That folder is protected.'))).toContain(
            'That folder is protected.',
        );
        expect(failedMessage('a.md', new Error('/home/someone/secret'))).toBe(
            'Writing the change to "a.md" failed. Read the note again before retrying.',
        );
    });
});
