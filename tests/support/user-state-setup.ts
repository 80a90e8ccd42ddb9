/**
 * Every test run gets its own home and per-user state folder (`HOME` and `XDG_CONFIG_HOME` point into one temp folder,
 * removed at the end of the run), so a CLI or MCP server started by a test — which keeps undo records, the spend
 * ledger and the note index there — never writes into the real one. `HOME` matters as much as `XDG_CONFIG_HOME`: a
 * child started with a trimmed environment (the MCP SDK's stdio client passes on `HOME` but not `XDG_CONFIG_HOME`)
 * falls back to `$HOME/.config`.
 *
 * The run also checks that it kept its word: the real user's state folders are listed before the first test and after
 * the last, and the run fails when anything in them was added, changed or removed in between.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';

/** The variable that tells tests which real state folders the run watches (a JSON array of paths). */
export const REAL_STATE_FOLDERS_VARIABLE = 'VAULT_AGENT_TEST_REAL_STATE_FOLDERS';

/** The real user's state folders: under the account's home, the `HOME` the run was started with and its XDG folder. */
function realStateFolders(): string[] {
    const homes = [os.userInfo().homedir, process.env.HOME].filter(
        (home): home is string => home !== undefined && home.trim() !== '',
    );
    const folders = homes.map((home) => nodePath.join(home, '.config', 'vault-agent'));
    const xdg = process.env.XDG_CONFIG_HOME?.trim() ?? '';
    if (xdg !== '' && nodePath.isAbsolute(xdg)) folders.push(nodePath.join(xdg, 'vault-agent'));
    return [...new Set(folders.map((folder) => nodePath.resolve(folder)))];
}

/** Every path under `folders` with its kind, size and modification time (an absent folder lists nothing). */
export function listState(folders: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    const visit = (path: string): void => {
        let stats;
        try {
            stats = statSync(path);
        } catch {
            return;
        }
        if (stats.isDirectory()) {
            found.set(path, 'folder');
            let names: string[] = [];
            try {
                names = readdirSync(path);
            } catch {
                // An unreadable folder still counts as present.
            }
            for (const name of names) visit(nodePath.join(path, name));
        } else {
            found.set(path, `${stats.size} bytes, modified ${stats.mtime.toISOString()}`);
        }
    };
    for (const folder of folders) visit(folder);
    return found;
}

/** What differs between two listings, one line a path. */
export function stateChanges(before: Map<string, string>, after: Map<string, string>): string[] {
    const changes: string[] = [];
    for (const [path, now] of after) {
        const was = before.get(path);
        if (was === undefined) changes.push(`added ${path}`);
        else if (was !== now) changes.push(`changed ${path}`);
    }
    for (const path of before.keys()) if (!after.has(path)) changes.push(`removed ${path}`);
    return changes.sort();
}

export default function setup(): () => void {
    const watched = realStateFolders();
    const before = listState(watched);
    const folder = mkdtempSync(nodePath.join(os.tmpdir(), 'vault-agent-user-state-'));
    const home = nodePath.join(folder, 'home');
    mkdirSync(home);
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = nodePath.join(folder, 'config');
    process.env[REAL_STATE_FOLDERS_VARIABLE] = JSON.stringify(watched);
    return () => {
        rmSync(folder, { recursive: true, force: true });
        const changes = stateChanges(before, listState(watched));
        if (changes.length > 0) {
            // A global teardown's error is only printed: the exit code is what fails the run.
            process.exitCode = 1;
            throw new Error(
                `This test run wrote into the real user's state folder (every test must use the run's own HOME and ` +
                    `XDG_CONFIG_HOME; a run of another checkout at the same time may also have written it):\n` +
                    changes.join('\n'),
            );
        }
    };
}
