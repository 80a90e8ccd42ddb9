import { cp } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextBuilder } from '../../src/context/build-context';
import { CommandCatalog, expandTemplate, parseSlashCommand, splitArguments } from '../../src/context/commands';
import { ExclusionGate } from '../../src/context/exclusions';
import { FsHiddenFolderReader } from '../../src/context/hidden-folder-node';
import { SkillCatalog } from '../../src/context/skills';
import { FsVault } from '../../src/vault/fs-vault-node';
import type { PrivacySettings } from '../../src/kernel/settings';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

const PRIVACY: PrivacySettings = { excludedTags: ['private'], excludedFolders: ['Journal/'] };
const CANARY = 'CANARY-command-93c4';

const DIGEST = [
    '---',
    'description: A digest of customer meetings.',
    'mode: read-only',
    `model: ${DEFAULT_MODEL}`,
    'arguments: [customer, weeks]',
    '---',
    'Digest the meetings with $1 over the last $2 weeks, from @#customer.',
    'Everything typed: $ARGUMENTS',
].join('\n');

const opened: TempVault[] = [];
afterEach(async () => {
    await Promise.all(opened.splice(0).map((temp) => temp.cleanup()));
});

async function catalogFor(files: Record<string, string>) {
    const temp = await makeTempVault(files);
    opened.push(temp);
    const gate = new ExclusionGate({ vault: temp.vault, privacy: PRIVACY });
    return { temp, gate, catalog: new CommandCatalog({ vault: temp.vault, gate: () => gate }) };
}

describe('expanding a command', () => {
    it('fills $1, $2 and $ARGUMENTS, keeps @-mentions, and carries mode and model', async () => {
        const { catalog } = await catalogFor({ 'Agent/Commands/Weekly digest.md': DIGEST });
        const expanded = await catalog.expand('/weekly-digest', '"Acme Corp" 2');
        expect(expanded).toMatchObject({ ok: true, mode: 'read-only', model: DEFAULT_MODEL });
        if (!expanded.ok) throw new Error(expanded.message);
        expect(expanded.prompt).toBe(
            'Digest the meetings with Acme Corp over the last 2 weeks, from @#customer.\nEverything typed: "Acme Corp" 2',
        );
        expect(expanded.command.argumentHint).toBe('<customer> <weeks>');
    });

    it('leaves the mentions for the context builder, which resolves them through the gate', async () => {
        const { temp, gate, catalog } = await catalogFor({
            'Agent/Commands/weekly-digest.md': DIGEST,
            'Meetings/Acme call.md': '# Acme call\n\nThey want folder rules. #customer\n',
            'Meetings/Salary.md': `---\ntags: [customer, private]\n---\n${CANARY}\n`,
        });
        const expanded = await catalog.expand('weekly-digest', 'Acme 1');
        if (!expanded.ok) throw new Error(expanded.message);
        const bundle = await new ContextBuilder({ vault: temp.vault, gate }).build({ message: expanded.prompt });
        const prompt = bundle.toPrompt();
        expect(prompt).toContain('They want folder rules.');
        expect(prompt).not.toContain(CANARY);
    });

    it('appends typed arguments to a prompt without placeholders, and never re-expands them', () => {
        expect(expandTemplate('Summarise the week.', 'focus on churn')).toBe('Summarise the week.\n\nfocus on churn');
        expect(expandTemplate('Summarise the week.', '  ')).toBe('Summarise the week.');
        expect(expandTemplate('A $1 B $3', '$2 x')).toBe('A $2 B ');
        expect(expandTemplate('All: $ARGUMENTS.', '$ARGUMENTS')).toBe('All: $ARGUMENTS.');
        expect(splitArguments(`one "two words" 'three' four`)).toEqual(['one', 'two words', 'three', 'four']);
    });

    it('reads /name args typed in the chat', () => {
        expect(parseSlashCommand('/Weekly-Digest Acme 2')).toEqual({ name: 'weekly-digest', args: 'Acme 2' });
        expect(parseSlashCommand('  /brief\n@[[Acme]]  ')).toEqual({ name: 'brief', args: '@[[Acme]]' });
        expect(parseSlashCommand('no command here')).toBeNull();
        expect(parseSlashCommand('/ spaced')).toBeNull();
    });

    it('says there is no such command rather than guessing', async () => {
        const { catalog } = await catalogFor({ 'Agent/Commands/weekly-digest.md': DIGEST });
        expect(await catalog.expand('nope', '')).toEqual({ ok: false, message: 'There is no command called "/nope".' });
    });
});

describe('command problems and exclusions', () => {
    it('reports each malformed command note clearly and keeps the good ones', async () => {
        const { catalog } = await catalogFor({
            'Agent/Commands/weekly-digest.md': DIGEST,
            'Agent/Commands/no-frontmatter.md': 'Just a prompt.\n',
            'Agent/Commands/bad-yaml.md': '---\ndescription: [unclosed\n---\nPrompt.\n',
            'Agent/Commands/no-description.md': '---\nmode: ask\n---\nPrompt.\n',
            'Agent/Commands/empty.md': '---\ndescription: Nothing below.\n---\n',
            'Agent/Commands/Team/Weekly Digest.md': '---\ndescription: Same name.\n---\nPrompt.\n',
            'Agent/Commands/odd-mode.md': '---\ndescription: Odd.\nmode: yolo\n---\nDo it.\n',
        });
        const scan = await catalog.scan();
        expect(scan.commands.map((c) => c.name)).toEqual(['odd-mode', 'weekly-digest']);
        const byPath = new Map(scan.problems.map((p) => [p.path, p]));
        expect(byPath.get('Agent/Commands/no-frontmatter.md')?.message).toMatch(/not used: it has no frontmatter/);
        expect(byPath.get('Agent/Commands/bad-yaml.md')?.message).toMatch(/not used: .*not valid YAML/);
        expect(byPath.get('Agent/Commands/no-description.md')?.message).toMatch(/no "description"/);
        expect(byPath.get('Agent/Commands/empty.md')?.message).toMatch(/no prompt below the frontmatter/);
        expect(byPath.get('Agent/Commands/weekly-digest.md')?.message).toBe(
            'Agent/Commands/weekly-digest.md is not used: the command name "/weekly-digest" is already ' +
                "Agent/Commands/Team/Weekly Digest.md's.",
        );
        expect(byPath.get('Agent/Commands/odd-mode.md')).toMatchObject({ severity: 'warning' });
        expect(scan.commands.find((c) => c.name === 'odd-mode')?.mode).toBe('read-only');
        expect(scan.problems).toHaveLength(6);
    });

    it('does not know excluded command notes, not even by name', async () => {
        const { catalog } = await catalogFor({
            'Agent/Commands/visible.md': '---\ndescription: Visible.\n---\nGo.\n',
            'Agent/Commands/salary.md': `---\ndescription: ${CANARY}\ntags: [private]\n---\n${CANARY}\n`,
            'Agent/Commands/inline.md': `---\ndescription: x\n---\n${CANARY} #private/health\n`,
        });
        const scan = await catalog.scan();
        expect(scan.commands.map((c) => c.name)).toEqual(['visible']);
        expect(scan.excludedCount).toBe(2);
        expect(JSON.stringify(scan)).not.toContain(CANARY);
        expect((await catalog.expand('salary')).ok).toBe(false);
    });
});

describe('the example vault', () => {
    it('ships one skill and one command that load without problems', async () => {
        const temp = await makeTempVault({});
        opened.push(temp);
        await cp(nodePath.resolve(__dirname, '../../example-vault'), temp.root, { recursive: true });
        const vault = await FsVault.open(temp.root, { configDir: '.obsidian' });
        const gate = new ExclusionGate({ vault, privacy: PRIVACY });
        const commands = await new CommandCatalog({ vault, gate }).scan();
        expect(commands.problems).toEqual([]);
        expect(commands.commands.map((c) => c.name)).toContain('weekly-digest');
        const skills = await new SkillCatalog({
            vault,
            exclusions: (v) => new ExclusionGate({ vault: v, privacy: PRIVACY }),
            hidden: new FsHiddenFolderReader({ root: temp.root, configDir: '.obsidian' }),
        }).scan();
        expect(skills.problems).toEqual([]);
        expect(skills.skills.map((s) => s.name)).toContain('meeting-brief');
        const expanded = await new CommandCatalog({ vault, gate }).expand('weekly-digest', 'pricing');
        expect(expanded.ok && expanded.prompt).toContain('@#customer');
        expect(expanded.ok && expanded.prompt).toContain('Pay particular attention to: pricing');
    });
});
