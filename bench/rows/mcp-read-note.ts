/**
 * MCP `read_note` per-call overhead: the built `dist/cli.js mcp` on the generated vault, driven by the official MCP
 * SDK `Client` over stdio, as an MCP client sees it. The server is started, its file watcher allowed to get ready
 * (`VAULT_AGENT_DEBUG=scan` says when), then one short note is read many times; the figure is the median round trip.
 * The server must not walk the vault for any of these calls: the row fails if it reports a full scan meanwhile.
 *
 * The vault has its own settings file, as a person's vault does (the server reads it before every call): the row writes
 * one of the defaults when the bench vault has none (`--default-settings` alone would leave that read out).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrateSettings } from '../../src/kernel/migrate-settings';
import { median, type BenchRow } from '../bench-row';

const LIMIT_MS = 10;
const READY_TIMEOUT_MS = 120_000;

/**
 * Writes the settings file of the defaults under the vault's config folder when it is not there yet. A file changed in
 * the last two seconds is read afresh by every call (its time stamps cannot yet tell a later edit apart), so a new one
 * is given those seconds before the row measures.
 */
async function settingsFile(vaultRoot: string, configDir: string): Promise<void> {
    const folder = join(vaultRoot, configDir, 'plugins', 'vault-agent');
    if (existsSync(join(folder, 'data.json'))) return;
    const defaults = migrateSettings(undefined);
    if (!defaults.ok) throw new Error(defaults.error);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'data.json'), JSON.stringify(defaults.settings, null, 2));
    await sleep(2_100);
}

/** A short note of the vault: the smallest `.md` in the first folder that has one (deterministic for a seed). */
export function shortNote(root: string): string {
    const walk = (folder: string): string | null => {
        const entries = readdirSync(join(root, folder), { withFileTypes: true }).sort((a, b) =>
            a.name < b.name ? -1 : 1,
        );
        const notes = entries.filter((e) => e.isFile() && e.name.endsWith('.md'));
        if (notes.length > 0) {
            const sized = notes.map((e) => [e.name, statSync(join(root, folder, e.name)).size] as const);
            sized.sort((a, b) => a[1] - b[1]);
            return folder === '' ? (sized[0]?.[0] ?? null) : `${folder}/${sized[0]?.[0] ?? ''}`;
        }
        for (const e of entries) {
            if (!e.isDirectory() || e.name.startsWith('.')) continue;
            const found = walk(folder === '' ? e.name : `${folder}/${e.name}`);
            if (found !== null) return found;
        }
        return null;
    };
    const found = walk('');
    if (found === null) throw new Error('the vault has no note');
    return found;
}

export const mcpReadNoteRow: BenchRow = {
    name: 'MCP read_note per call (built mcp, official client)',
    async run({ repoRoot, vault, configDir, quick }) {
        const path = shortNote(vault.root);
        await settingsFile(vault.root, configDir);
        let stderr = '';
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [join(repoRoot, 'dist', 'cli.js'), 'mcp', '--vault', vault.root, '--config-dir', configDir],
            env: { ...process.env, VAULT_AGENT_DEBUG: 'scan' },
            stderr: 'pipe',
        });
        transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const client = new Client({ name: 'vault-agent-bench', version: '1' });
        const started = performance.now();
        await client.connect(transport);
        try {
            const deadline = Date.now() + READY_TIMEOUT_MS;
            while (!/watching \d+ folders/.test(stderr)) {
                if (Date.now() > deadline) throw new Error(`the watcher did not get ready; stderr: ${stderr}`);
                await sleep(50);
            }
            const readyMs = performance.now() - started;
            const scansBefore = (stderr.match(/full scan #/g) ?? []).length;
            const times: number[] = [];
            const calls = quick ? 50 : 200;
            for (let i = 0; i < 10 + calls; i++) {
                const t0 = performance.now();
                const result = await client.callTool({ name: 'read_note', arguments: { path } });
                const ms = performance.now() - t0;
                if (result.isError === true) throw new Error(`read_note failed: ${JSON.stringify(result.content)}`);
                if (i >= 10) times.push(ms);
            }
            const scansDuring = (stderr.match(/full scan #/g) ?? []).length - scansBefore;
            const ms = median(times);
            const sorted = [...times].sort((a, b) => a - b);
            const p90 = sorted[Math.floor(sorted.length * 0.9)] ?? Number.NaN;
            return {
                value: ms,
                unit: 'ms',
                target: `≤ ${LIMIT_MS} ms, no full scan per call`,
                pass: ms <= LIMIT_MS && scansDuring === 0,
                note:
                    `median of ${times.length} calls after 10 warm-up calls, range ${sorted[0]?.toFixed(2)}–` +
                    `${sorted.at(-1)?.toFixed(2)} ms, p90 ${p90.toFixed(2)} ms; the vault's own settings file read before each call; ` +
                    `${scansDuring} full scans during the ` +
                    `calls (expected 0); ${vault.notes} notes; start to watcher ready ${Math.round(readyMs)} ms`,
            };
        } finally {
            await client.close();
        }
    },
};
