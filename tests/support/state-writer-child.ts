/**
 * A second process that changes a shared state file many times, as another `vault-agent` command would: bundled by
 * the test with esbuild and run with `node <bundle> <mode> <file> <count> <name> [staleMs]`. Prints `ready` once it
 * starts, and `done` at the end.
 *
 * - `counter`: adds 1 to `{ "n": … }` in `file`, read and written back whole, under `withFileLock`.
 * - `counter-unlocked`: the same without the lock (what the lock is for).
 * - `spend`: appends one entry to the spend ledger `file` per round (`JsonFileSpendLedger`).
 * - `checkpoints`: records one undo record per round in the undo file `file` (`JsonFileCheckpoints`).
 * - `hold`: takes the lock of `file` and keeps it until killed (prints `holding`).
 */
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { JsonFileSpendLedger } from '../../src/agent/spend/spend-ledger-node';
import { JsonFileCheckpoints } from '../../src/cli/cli-context';
import { FsVault } from '../../src/vault/fs-vault-node';
import { withFileLock } from '../../src/vault/file-lock-node';

const [mode, file, countText, name, staleText] = process.argv.slice(2);
if (mode === undefined || file === undefined) throw new Error('usage: <mode> <file> <count> <name> [staleMs]');
const count = Number(countText ?? '1');
const staleMs = staleText === undefined ? undefined : Number(staleText);

function addOne(): void {
    let n = 0;
    try {
        n = (JSON.parse(readFileSync(file as string, 'utf8')) as { n: number }).n;
    } catch {
        // Not there yet.
    }
    const temp = `${file as string}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ n: n + 1 }));
    renameSync(temp, file as string);
}

/** Lets the other processes run between two rounds, as real commands do between two writes. */
const breathe = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

process.stdout.write('ready\n');
if (mode === 'counter') {
    for (let i = 0; i < count; i++) {
        await withFileLock(file, () => Promise.resolve(addOne()), { staleMs });
        await breathe();
    }
} else if (mode === 'counter-unlocked') {
    for (let i = 0; i < count; i++) {
        addOne();
        await breathe();
    }
} else if (mode === 'spend') {
    const ledger = new JsonFileSpendLedger({ file });
    for (let i = 0; i < count; i++) {
        await ledger.append({
            time: Date.now(),
            usd: 0.01,
            model: 'claude-test',
            scope: { kind: 'job', id: `${name ?? 'child'}-${i}` },
            inputTokens: 10,
            outputTokens: 5,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
        });
        await breathe();
    }
} else if (mode === 'checkpoints') {
    // Recording touches no note; the vault is there for undo only.
    const vault = await FsVault.open(mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-child-vault-')), {
        configDir: '.obsidian',
    });
    const store = new CheckpointStore({ vault, persistence: new JsonFileCheckpoints(file) });
    for (let i = 0; i < count; i++) {
        const turnId = `${name ?? 'child'}-${i}`;
        await store.record({ turnId, kind: 'create', path: `${turnId}.md`, before: null, after: `${turnId}\n` });
        await breathe();
    }
} else if (mode === 'hold') {
    await withFileLock(
        file,
        () => {
            process.stdout.write('holding\n');
            // Keeps the process alive (the lock's own timer does not), until it is killed.
            setInterval(() => undefined, 60_000);
            return new Promise<void>(() => undefined);
        },
        { staleMs },
    );
}
process.stdout.write('done\n');
