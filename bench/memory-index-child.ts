/**
 * Runs in a fresh `node --expose-gc` process for the memory row: heap in use after a full GC, before and after
 * `FsVault.open` and its reading of every note (`settle`: the open lists notes, and reads and parses them after, in
 * the background; decision 0025), printed as JSON. A fresh process means nothing else shares the heap.
 */
import { FsVault } from '../src/vault/fs-vault-node';

const [root, configDir] = process.argv.slice(2);
if (root === undefined || configDir === undefined)
    throw new Error('usage: memory-index-child <vault root> <configDir>');
const gc = (global as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
// Twice: the first pass may leave objects that finalizers free only on the second.
const settle = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
};
const before = settle();
const vault = await FsVault.open(root, { configDir });
await vault.settle(undefined, undefined, Number.POSITIVE_INFINITY);
const after = settle();
const files = (await vault.list()).length;
process.stdout.write(JSON.stringify({ before, after, files, rss: process.memoryUsage().rss }) + '\n');
