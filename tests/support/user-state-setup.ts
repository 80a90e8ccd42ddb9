/**
 * Every test run gets its own per-user state folder (`XDG_CONFIG_HOME`), so a CLI or MCP server started by a test —
 * which keeps undo records, the spend ledger and the note index there — never writes into the real one. Removed at
 * the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';

export default function setup(): () => void {
    const folder = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-user-state-'));
    process.env.XDG_CONFIG_HOME = folder;
    return () => rmSync(folder, { recursive: true, force: true });
}
