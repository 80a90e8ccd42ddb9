/**
 * The plugin's spend ledger on the desktop app is the device's one ledger file, the one every `vault-agent` command of
 * this person uses (decision 0038): the daily cap counts the plugin's chats and jobs and the command line's alike.
 * The plugin's side runs here on real files (`DeviceSpendLedger` with the desktop opener, as `PluginServices` builds
 * it; what it cannot show is Obsidian's own `localStorage`, which a `Map` stands for); the command line's side is the
 * built `dist/cli.js` in a child process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyValueSpendLedger, type SpendEntry } from '../../src/agent/spend/spend-ledger';
import { renderJobNote } from '../../src/delegate/job-spec';
import { DeviceSpendLedger, desktopLedgerOpener } from '../../src/obsidian/device-spend-ledger';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome } from '../cli/cli-harness';

const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: [] },
    spend: { dailyCapUsd: 0.2, compactAtShare: 0.8 },
};

let server: MessagesApiServer;
const homes: CliHome[] = [];
const vaults: TempVault[] = [];

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
}, 60_000);

afterAll(async () => {
    await server.close();
    for (const home of homes) await home.cleanup();
    for (const temp of vaults) await temp.cleanup();
});

async function home(): Promise<CliHome> {
    const made = await makeCliHome();
    homes.push(made);
    return made;
}

/** `localStorage`, as far as the ledger uses it. */
function storage(): Map<string, string> & { getItem(key: string): string | null; setItem(k: string, v: string): void } {
    const map = new Map<string, string>();
    return Object.assign(map, {
        getItem: (key: string) => map.get(key) ?? null,
        setItem: (key: string, value: string) => void map.set(key, value),
    });
}

function entry(usd: number, id: string): SpendEntry {
    return {
        time: Date.now(),
        usd,
        model: 'claude-test',
        scope: { kind: 'chat', id },
        inputTokens: 10,
        outputTokens: 5,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
    };
}

function pluginLedger(dir: string, local = storage()): DeviceSpendLedger {
    return new DeviceSpendLedger(
        new KeyValueSpendLedger({ storage: local, key: 'vault-agent-spend' }),
        desktopLedgerOpener({ HOME: dir, XDG_CONFIG_HOME: nodePath.join(dir, 'config') }),
    );
}

describe("the desktop plugin's spend ledger", () => {
    it("counts the plugin's chats in the command line's daily cap: a run past it sends nothing", async () => {
        const { dir } = await home();
        await pluginLedger(dir).append(entry(0.3, 'chat-1'));
        const temp = await makeTempVault({
            '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
            'Agent/Jobs/Job.md': renderJobNote({ title: 'Job', brief: 'Summarise.' }, Date.now()),
        });
        vaults.push(temp);
        server.setDefault(textTurn('Done.'));
        const before = server.messageRequests().length;
        const run = await runCli(['run', '--vault', temp.root], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: dir,
        });
        expect(server.messageRequests().length).toBe(before);
        expect(run.stderr).toContain('spend cap of $0.20');
    }, 60_000);

    it("counts the command line's jobs in the plugin's", async () => {
        const { dir } = await home();
        const temp = await makeTempVault({
            '.obsidian/plugins/vault-agent/data.json': JSON.stringify({ ...SETTINGS, spend: undefined }),
            'Agent/Jobs/Job.md': renderJobNote({ title: 'Job', brief: 'Summarise.' }, Date.now()),
        });
        vaults.push(temp);
        server.setDefault(textTurn('Done.', { usage: { output_tokens: 30_000 } }));
        await runCli(['run', '--vault', temp.root], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: dir,
        });
        const seen = await pluginLedger(dir).entries(0);
        expect(seen.map((spent) => spent.scope.kind)).toEqual(['job']);
        expect(seen[0]?.usd).toBeGreaterThan(0.2);
    }, 60_000);

    it('moves what it kept in local storage into the file once, and never counts it twice', async () => {
        const { dir } = await home();
        const local = storage();
        await new KeyValueSpendLedger({ storage: local, key: 'vault-agent-spend' }).append(entry(0.5, 'earlier'));
        expect(await pluginLedger(dir, local).entries(0)).toHaveLength(1);
        // The next start of the plugin finds local storage empty.
        expect(await pluginLedger(dir, local).entries(0)).toHaveLength(1);
        const file = nodePath.join(dir, 'config', 'vault-agent', 'spend.json');
        // One entry, one line.
        expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    });

    it('stays in local storage where the state folder cannot be written, and on mobile', async () => {
        const { dir } = await home();
        // A file where the state folder would go: nothing can be made beneath it.
        writeFileSync(nodePath.join(dir, 'config'), 'not a folder');
        const local = storage();
        await pluginLedger(dir, local).append(entry(0.1, 'here'));
        expect(local.get('vault-agent-spend')).toContain('here');
        const mobile = storage();
        await new DeviceSpendLedger(new KeyValueSpendLedger({ storage: mobile, key: 'k' }), null).append(entry(1, 'm'));
        expect(mobile.get('k')).toContain('"m"');
    });
});
