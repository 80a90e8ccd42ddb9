/**
 * The lock beside a shared state file (decision 0038), against real second processes: writers that change one file
 * at the same moment, a holder killed with SIGKILL, a holder stopped with SIGSTOP, a lock left by another machine.
 */
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileLockBusy, withFileLock } from '../../src/vault/file-lock-node';
import { bundleStateWriter, runWritersAtOnce, startWriter, type Writer } from '../support/state-writer';

let bundle: string;
let dir: string;
let file: string;
const started: Writer[] = [];

beforeAll(async () => {
    bundle = await bundleStateWriter();
}, 60_000);

afterAll(async () => {
    await rm(nodePath.dirname(bundle), { recursive: true, force: true });
});

beforeEach(async () => {
    dir = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-lock-'));
    file = nodePath.join(dir, 'state.json');
});

afterEach(async () => {
    for (const writer of started.splice(0)) {
        writer.child.kill('SIGKILL');
        await writer.ended;
    }
    await rm(dir, { recursive: true, force: true });
});

function hold(staleMs?: number): Writer {
    const writer = startWriter(bundle, [
        'hold',
        file,
        '1',
        'holder',
        ...(staleMs === undefined ? [] : [String(staleMs)]),
    ]);
    started.push(writer);
    return writer;
}

async function timeToLock(options: { staleMs?: number; waitMs?: number }): Promise<number> {
    const start = Date.now();
    await withFileLock(file, () => Promise.resolve(), options);
    return Date.now() - start;
}

describe('withFileLock', () => {
    it('loses no change when four processes read, change and write one file back at once', async () => {
        await runWritersAtOnce(bundle, 'counter', file, 4, 100);
        expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 400 });
        // Every lock went with its task.
        expect(() => readFileSync(`${file}.lock`)).toThrow(/ENOENT/u);
    }, 60_000);

    it('takes over at once the lock of a process that was killed', async () => {
        const holder = hold();
        await holder.printed('holding');
        holder.child.kill('SIGKILL');
        await holder.ended;
        expect(readFileSync(`${file}.lock`, 'utf8')).toContain(` ${holder.child.pid} `);
        // Far less than the age at which any lock is taken over: the holder's process is known gone.
        expect(await timeToLock({ staleMs: 60_000, waitMs: 5_000 })).toBeLessThan(1_000);
    }, 30_000);

    it('waits for a holder that is working, however long, and takes the lock of one that was stopped', async () => {
        const holder = hold(400);
        await holder.printed('holding');
        // The holder touches its lock while it works: never stale, so the wait runs out.
        await expect(withFileLock(file, () => Promise.resolve(), { staleMs: 400, waitMs: 1_500 })).rejects.toThrow(
            FileLockBusy,
        );
        holder.child.kill('SIGSTOP');
        const waited = await timeToLock({ staleMs: 400, waitMs: 5_000 });
        expect(waited).toBeLessThan(3_000);
    }, 30_000);

    it("waits for another machine's lock and says whose it is, and takes it once nobody touched it for long", async () => {
        writeFileSync(`${file}.lock`, 'deadbeef 4242 0123456789abcdef\n');
        const failure = await withFileLock(file, () => Promise.resolve(), { staleMs: 10_000, waitMs: 300 }).catch(
            (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(FileLockBusy);
        expect((failure as Error).message).toContain('process 4242 on another machine');
        const old = new Date(Date.now() - 20_000);
        utimesSync(`${file}.lock`, old, old);
        expect(await timeToLock({ staleMs: 10_000, waitMs: 300 })).toBeLessThan(300);
    });

    it('leaves a lock that another process took over meanwhile', async () => {
        await withFileLock(file, () => {
            writeFileSync(`${file}.lock`, 'deadbeef 4242 fedcba9876543210\n');
            return Promise.resolve();
        });
        expect(readFileSync(`${file}.lock`, 'utf8')).toBe('deadbeef 4242 fedcba9876543210\n');
    });

    it('goes on after a task that failed, and the lock goes with it', async () => {
        await expect(withFileLock(file, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await timeToLock({ waitMs: 100 })).toBeLessThan(100);
    });

    it('takes over a lock that is not a file at all once nobody touched it for long', async () => {
        mkdirSync(`${file}.lock`);
        await expect(withFileLock(file, () => Promise.resolve(), { staleMs: 10_000, waitMs: 200 })).rejects.toThrow(
            FileLockBusy,
        );
        const old = new Date(Date.now() - 20_000);
        utimesSync(`${file}.lock`, old, old);
        expect(await timeToLock({ staleMs: 10_000, waitMs: 300 })).toBeLessThan(300);
    });
});
