/**
 * The composition root on a real vault folder: a settings change reaches every service that holds the gate (the live
 * gate, the context builder, the commands catalog), locked settings exclude everything, the MCP hub is replaced only
 * when the MCP settings change, and skills in `.claude/skills/` are found through the host's hidden-folder reader.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySpendLedger } from '../../src/agent/spend/spend-ledger';
import { CoreServices, type HostAdapters } from '../../src/compose/core-services';
import { FsHiddenFolderReader } from '../../src/context/hidden-folder-node';
import { parseServer } from '../../src/kernel/mcp-settings';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let temp: TempVault | null = null;

afterEach(async () => {
    await temp?.cleanup();
    temp = null;
});

function settingsWith(excludedFolders: string[]): Settings {
    return { ...structuredClone(DEFAULT_SETTINGS), privacy: { ...DEFAULT_SETTINGS.privacy, excludedFolders } };
}

function adapters(made: TempVault): HostAdapters {
    return {
        vault: made.vault,
        notifier: { notify: () => undefined },
        checkpoints: { load: () => Promise.resolve(null), save: () => Promise.resolve() },
        spendLedger: new MemorySpendLedger(),
        mcpConsent: { get: () => Promise.resolve(null), set: () => Promise.resolve() },
        allowStdio: false,
        hiddenFolders: new FsHiddenFolderReader({ root: made.root, configDir: '.obsidian' }),
    };
}

describe('CoreServices', () => {
    it('applies a settings change to the live gate, the context builder and the commands catalog at once', async () => {
        temp = await makeTempVault({
            'Journal/Day.md': 'A private day JOURNAL-4c1d.\n',
            'Agent/Commands/Recap.md': '---\ndescription: Recap\n---\nRecap @[[Day]].\n',
        });
        const core = new CoreServices(adapters(temp), settingsWith([]));
        const gate = core.liveGate;
        const builder = core.contextBuilder(settingsWith([]), 200_000);
        expect(gate.check('Journal/Day.md').excluded).toBe(false);
        expect((await builder.build({ message: '@[[Day]]' })).context()).toContain('JOURNAL-4c1d');

        core.apply(settingsWith(['Journal/']));
        expect(gate.check('Journal/Day.md').excluded).toBe(true);
        expect((await builder.build({ message: '@[[Day]]' })).context()).not.toContain('JOURNAL-4c1d');
        expect((await core.commands.scan()).commands.map((command) => command.name)).toEqual(['recap']);

        core.apply(null);
        expect(gate.check('Agent/Commands/Recap.md').excluded).toBe(true);
    });

    it('replaces the MCP hub only when the MCP settings change', async () => {
        temp = await makeTempVault({ 'Plan.md': '# Plan\n' });
        const core = new CoreServices(adapters(temp), settingsWith([]));
        const first = core.hub;
        expect(core.apply(settingsWith(['Journal/'])).replacedHub).toBeNull();
        expect(core.hub).toBe(first);
        const server = parseServer({ name: 'files', transport: 'http', url: 'http://127.0.0.1:9/mcp', enabled: false });
        if (typeof server === 'string') throw new Error(server);
        const withServer = settingsWith([]);
        withServer.mcp = { ...withServer.mcp, servers: [server] };
        expect(core.apply(withServer).replacedHub).toBe(first);
        expect(core.hub).not.toBe(first);
    });

    it('finds skills in .claude/skills/ through the host reader, for chats and jobs alike', async () => {
        temp = await makeTempVault({
            '.claude/skills/tidy/SKILL.md': '---\nname: tidy\ndescription: Tidies notes.\n---\nSort them.\n',
        });
        const core = new CoreServices(adapters(temp), settingsWith([]));
        expect((await core.skills.scan()).skills.map((skill) => skill.name)).toEqual(['tidy']);
        expect((await core.liveSkills.scan()).skills.map((skill) => skill.name)).toEqual(['tidy']);
    });
});
