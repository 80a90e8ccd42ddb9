/**
 * The search workers of every CLI command that searches notes (`ask`, `run`, `mcp`): `search_notes` reads and searches
 * the notes past its first ones in worker threads running `dist/text-scan-worker.js`, the program built next to
 * `dist/cli.js` (decision 0024). Without that program, or once a worker fails, every search runs on the serving thread
 * as before. The workers never keep a finished command alive: they are held only while a search runs.
 *
 * `VAULT_AGENT_DEBUG=search` says on stderr what each search did in them.
 */
import { fileURLToPath } from 'node:url';
import type { FsVault } from '../vault/fs-vault-node';
import { TextScanPool } from '../vault/text-scan-node';
import type { CliIo } from './cli-context';

/** The workers' program, next to this bundle. */
const WORKER_PROGRAM = new URL('./text-scan-worker.js', import.meta.url);

/** Whether `VAULT_AGENT_DEBUG` (a comma-separated list) names `channel`. */
export function debugChannel(env: CliIo['env'], channel: string): boolean {
    return (env.VAULT_AGENT_DEBUG ?? '').split(',').some((name) => name.trim() === channel);
}

/**
 * Lets `vault`'s searches run in worker threads. `warm` starts them now (a command about to search: `ask`); otherwise
 * the first search starts them (`run`, whose queue may hold nothing to do), or the caller does (`mcp`, once it answered
 * its first call: `FsVault.warmTextScan`).
 */
export function useSearchWorkers(
    vault: FsVault,
    options: { env: CliIo['env']; stderr: Pick<CliIo['stderr'], 'write'> | undefined; warm: boolean },
): void {
    vault.useTextScan(searchWorkers(options), options.warm);
}

/**
 * The search workers on their own, not started yet, for a vault still to be opened (`mcp` starts them once it answered
 * its first call, which may come while the vault opens); `null` without their program.
 */
export function searchWorkers(options: {
    env: CliIo['env'];
    stderr: Pick<CliIo['stderr'], 'write'> | undefined;
}): TextScanPool | null {
    const trace = debugChannel(options.env, 'search')
        ? (line: string): void => void options.stderr?.write(`vault-agent: ${line}\n`)
        : undefined;
    const pool = TextScanPool.forScript(WORKER_PROGRAM, { trace });
    if (pool === null) {
        trace?.(`search workers: no program at ${fileURLToPath(WORKER_PROGRAM)}; searches run on the serving thread`);
    }
    return pool;
}
