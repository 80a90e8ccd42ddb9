/**
 * The spend ledger's file (`JsonFileSpendLedger`) on real files: one entry per line, added at the end; a file in the
 * older form (one JSON list) still read; what another ledger (another process) added seen; expired entries dropped
 * about once a day; a damaged line or a last line without its line break costing no other entry. How the queue fares
 * with a month of a busy queue's entries is the lived-in row of `bench/rows/queue-cli.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SPEND_RETENTION_MS, type SpendEntry } from '../../../src/agent/spend/spend-ledger';
import { JsonFileSpendLedger } from '../../../src/agent/spend/spend-ledger-node';

const DAY_MS = 86_400_000;
let dir: string;
let file: string;

beforeEach(async () => {
    dir = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-ledger-'));
    file = nodePath.join(dir, 'spend.json');
});

afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
});

function entry(id: string, time = Date.now()): SpendEntry {
    return {
        time,
        usd: 0.01,
        model: 'claude-test',
        scope: { kind: 'job', id },
        inputTokens: 1,
        outputTokens: 1,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
    };
}

const ids = (entries: SpendEntry[]): string[] => entries.map((spent) => spent.scope.id);
const fileLines = (): string[] =>
    readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '');

describe('the spend ledger file', () => {
    it('adds each entry as a line at the end, and sees what another ledger on the file added', async () => {
        const one = new JsonFileSpendLedger({ file });
        const other = new JsonFileSpendLedger({ file });
        await one.append(entry('a'));
        expect(ids(await other.entries(0))).toEqual(['a']);
        await other.append(entry('b'), entry('c'));
        await one.append(entry('d'));
        expect(ids(await one.entries(0))).toEqual(['a', 'b', 'c', 'd']);
        expect(ids(await other.entries(0))).toEqual(['a', 'b', 'c', 'd']);
        expect(fileLines()).toHaveLength(4);
    });

    it('reads a ledger in the older form, one list, and writes it in lines at the next change', async () => {
        writeFileSync(file, JSON.stringify([entry('old-1'), entry('old-2')]));
        const ledger = new JsonFileSpendLedger({ file });
        expect(ids(await ledger.entries(0))).toEqual(['old-1', 'old-2']);
        await ledger.append(entry('new'));
        expect(fileLines()).toHaveLength(3);
        expect(ids(await new JsonFileSpendLedger({ file }).entries(0))).toEqual(['old-1', 'old-2', 'new']);
    });

    it('drops expired entries about once a day, not at every entry', async () => {
        let now = Date.now();
        const ledger = new JsonFileSpendLedger({ file, now: () => now });
        await ledger.append(entry('first', now));
        now += SPEND_RETENTION_MS + DAY_MS / 2;
        await ledger.append(entry('second', now));
        // Half a day past the retention: kept until the file is written anew.
        expect(fileLines()).toHaveLength(2);
        now += DAY_MS;
        await ledger.append(entry('third', now));
        expect(ids(await new JsonFileSpendLedger({ file }).entries(0))).toEqual(['second', 'third']);
    });

    it('skips a damaged line, and ends a last line left without its line break before adding', async () => {
        writeFileSync(file, `${JSON.stringify(entry('kept'))}\n{not json\n${JSON.stringify(entry('unended'))}`);
        const ledger = new JsonFileSpendLedger({ file });
        expect(ids(await ledger.entries(0))).toEqual(['kept']);
        await ledger.append(entry('added'));
        expect(ids(await new JsonFileSpendLedger({ file }).entries(0))).toEqual(['kept', 'unended', 'added']);
    });
});
