/**
 * Every test run gets its own home and per-user state folder (`HOME` and `XDG_CONFIG_HOME` point into one temp folder,
 * removed at the end of the run), so a CLI or MCP server started by a test — which keeps undo records, the spend
 * ledger and the note index there — never writes into the real one. `HOME` matters as much as `XDG_CONFIG_HOME`: a
 * child started with a trimmed environment (the MCP SDK's stdio client passes on `HOME` but not `XDG_CONFIG_HOME`)
 * falls back to `$HOME/.config`.
 *
 * The run also checks that it kept its word: the real user's state folders are listed before the first test and after
 * the last. In CI, where nothing else runs, the run fails when anything in them was added, changed or removed in
 * between. On a machine shared with other runs (another checkout's tests or benchmark), it fails on what it can tell
 * is its own — a vault's state whose vault lies in this run's temp folder (`TMPDIR` points into the run's folder too)
 * or in this checkout — and only lists the rest.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/**
 * The vault a changed path of a state folder belongs to, as its index snapshot names it (`"root":"…"` in the file's
 * header, whatever its format); `null` when that cannot be told (a file of no vault, a vault with no snapshot).
 */
export function vaultRootOf(path: string, watched: readonly string[]): string | null {
    for (const folder of watched) {
        const parts = nodePath.relative(folder, path).split(nodePath.sep);
        if (parts[0] !== 'vaults' || parts[1] === undefined || parts[1] === '') continue;
        try {
            const head = readFileSync(nodePath.join(folder, 'vaults', parts[1], 'index.json')).toString(
                'utf8',
                0,
                4096,
            );
            const root = /"root":"((?:[^"\\]|\\.)*)"/u.exec(head)?.[1];
            return root === undefined ? null : (JSON.parse(`"${root}"`) as string);
        } catch {
            return null;
        }
    }
    return null;
}

/** Whether `root` is a vault of this run: under its temp folder or in this checkout. */
function isOwnVault(root: string, owned: readonly string[]): boolean {
    return owned.some((folder) => root === folder || root.startsWith(`${folder}${nodePath.sep}`));
}

export default function setup(): () => void {
    const watched = realStateFolders();
    const before = listState(watched);
    const folder = mkdtempSync(nodePath.join(os.tmpdir(), 'vault-agent-user-state-'));
    const home = nodePath.join(folder, 'home');
    const temp = nodePath.join(folder, 'tmp');
    mkdirSync(home);
    mkdirSync(temp);
    process.env.HOME = home;
    process.env.XDG_CONFIG_HOME = nodePath.join(folder, 'config');
    // Temp vaults of this run live in its folder, so a state written for one can be told from another run's.
    process.env.TMPDIR = temp;
    process.env[REAL_STATE_FOLDERS_VARIABLE] = JSON.stringify(watched);
    const owned = [folder, nodePath.resolve(__dirname, '../..')];
    return () => {
        const changes = stateChanges(before, listState(watched));
        // Read before the run's folder goes: the snapshot names its vault, not the folder.
        const own = changes.filter((line) => {
            const root = vaultRootOf(line.slice(line.indexOf(' ') + 1), watched);
            return root !== null && isOwnVault(root, owned);
        });
        rmSync(folder, { recursive: true, force: true });
        const strict = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
        const failing = strict ? changes : own;
        if (failing.length > 0) {
            // A global teardown's error is only printed: the exit code is what fails the run.
            process.exitCode = 1;
            throw new Error(
                `This test run wrote into the real user's state folder (every test must use the run's own HOME and ` +
                    `XDG_CONFIG_HOME):\n${failing.join('\n')}`,
            );
        }
        if (changes.length > 0) {
            process.stderr.write(
                `The real user's state folder changed while this run ran, not for a vault of this run (another ` +
                    `checkout's tests or benchmark, it seems):\n${changes.join('\n')}\n`,
            );
        }
    };
}
