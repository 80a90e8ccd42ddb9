/**
 * A search worker's read of one note (`scanFile`), on real files: a note changed a moment ago may be half written by
 * another program, so the worker leaves it to the caller (which waits until the file is quiet) instead of judging it;
 * once quiet, the worker reads and judges it itself (`src/vault/quiet-files.ts`).
 */
import { statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QUIET_MS } from '../../src/vault/quiet-files';
import { scanFile } from '../../src/vault/text-scan-file-node';
import { makeOutsideFolder } from '../support/temp-vault';

let folder: { root: string; cleanup(): Promise<void> };

beforeEach(async () => {
    folder = await makeOutsideFolder();
});

afterEach(async () => {
    await folder.cleanup();
});

const SCREEN = { rules: ['private'], nonAscii: false };

describe('scanFile', () => {
    it('leaves a note changed a moment ago to the caller, and reads it once it is quiet', async () => {
        const file = `${folder.root}/Note.md`;
        // The first look must come within the quiet time; a machine that stalls longer gets another try.
        let first: unknown = null;
        for (let attempt = 0; attempt < 5 && first !== 'read-here'; attempt++) {
            writeFileSync(file, `line one\nthe needle here ${attempt}\n`);
            const written = Date.now();
            const { dev, ino } = statSync(file);
            first = scanFile({ abs: file, dev, ino }, 'needle', SCREEN);
            if (Date.now() - written >= QUIET_MS) first = null;
        }
        expect(first).toBe('read-here');
        await new Promise((resolve) => setTimeout(resolve, QUIET_MS + 50));
        const { dev, ino } = statSync(file);
        const later = scanFile({ abs: file, dev, ino }, 'needle', SCREEN);
        expect(later).not.toBe('read-here');
        expect(later).not.toBeNull();
    });
});
