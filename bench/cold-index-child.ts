/**
 * Runs in a fresh Node process for the cold-index row: opens an FsVault and lets it read and parse every
 * note (`settle`: the open itself only walks, and reads the notes after it, in the background; decision 0025), and
 * prints the time as JSON. A fresh process means no warm JIT and no index left over from an earlier run.
 */
import { FsVault } from '../src/vault/fs-vault-node';

const [root, configDir] = process.argv.slice(2);
if (root === undefined || configDir === undefined) throw new Error('usage: cold-index-child <vault root> <configDir>');
const cpuBefore = process.cpuUsage();
const started = performance.now();
const vault = await FsVault.open(root, { configDir });
await vault.settle(undefined, undefined, Number.POSITIVE_INFINITY);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const files = (await vault.list()).length;
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, files }) + '\n');
