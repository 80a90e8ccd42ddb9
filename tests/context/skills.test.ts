import { symlink } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { FsHiddenFolderReader } from '../../src/context/hidden-folder-node';
import { renderLoadedSkills, SkillCatalog, skillsIndex } from '../../src/context/skills';
import type { PrivacySettings } from '../../src/kernel/settings';
import type { VaultPort } from '../../src/kernel/vault-port';
import { makeOutsideFolder, makeTempVault, type TempVault } from '../support/temp-vault';

const PRIVACY: PrivacySettings = {
    excludedTags: ['private'],
    excludedFolders: ['Journal/', '.claude/skills/secret-*'],
};
const CANARY = 'CANARY-skill-7f3a91';

function skill(name: string, description: string, body: string, extra = ''): string {
    return `---\nname: ${name}\ndescription: ${description}\n${extra}---\n${body}\n`;
}

const opened: TempVault[] = [];
afterEach(async () => {
    await Promise.all(opened.splice(0).map((temp) => temp.cleanup()));
});

async function catalogFor(files: Record<string, string>, options: { skillsFolder?: string } = {}) {
    const temp = await makeTempVault(files);
    opened.push(temp);
    const catalog = new SkillCatalog({
        vault: temp.vault,
        exclusions: (vault: VaultPort) => new ExclusionGate({ vault, privacy: PRIVACY }),
        hidden: new FsHiddenFolderReader({ root: temp.root, configDir: temp.vault.configDir }),
        skillsFolder: options.skillsFolder,
    });
    return { temp, catalog };
}

describe('skills: progressive disclosure', () => {
    it('lists a skill by name and description only; the body appears only when it is loaded', async () => {
        const { catalog } = await catalogFor({
            'Agent/Skills/meeting-brief/SKILL.md': skill(
                'meeting-brief',
                'Prepares a brief before a meeting.',
                'Step one: read the last two meeting notes. BODY-MARKER-1',
            ),
            'Agent/Skills/meeting-brief/template.md': '# Brief\n',
        });
        const scan = await catalog.scan();
        const index = skillsIndex(scan.skills);
        expect(index).toContain('- meeting-brief: Prepares a brief before a meeting.');
        expect(index).not.toContain('BODY-MARKER-1');
        expect(scan.problems).toEqual([]);

        const loaded = await catalog.load('Meeting-Brief');
        expect(loaded?.body).toBe('Step one: read the last two meeting notes. BODY-MARKER-1');
        expect(loaded?.files).toEqual(['template.md']);
    });

    it('orders the index by name, whatever order the folders are found in, so the cached prefix is stable', async () => {
        const { catalog } = await catalogFor({
            'Agent/Skills/zeta/SKILL.md': skill('zeta', 'Last.', 'z'),
            'Agent/Skills/alpha/SKILL.md': skill('alpha', 'First.', 'a'),
            '.claude/skills/middle/SKILL.md': skill('middle', 'Between.', 'm'),
        });
        const first = skillsIndex((await catalog.scan()).skills);
        expect(first.split('\n').slice(1)).toEqual(['- alpha: First.', '- middle: Between.', '- zeta: Last.']);
        expect(skillsIndex((await catalog.scan()).skills)).toBe(first);
        expect(skillsIndex([])).toBe('');
    });

    it('reads skills from the folder set in settings', async () => {
        const { catalog } = await catalogFor(
            { 'Playbooks/digest/SKILL.md': skill('digest', 'Digests.', 'd') },
            { skillsFolder: 'Playbooks/' },
        );
        expect((await catalog.scan()).skills.map((s) => s.path)).toEqual(['Playbooks/digest/SKILL.md']);
    });

    it('loads the skills a job names up front, and says which names matched nothing', async () => {
        const { catalog } = await catalogFor({
            'Agent/Skills/weekly-digest/SKILL.md': skill('weekly-digest', 'Digests.', 'Group by customer.'),
        });
        const { loaded, missing } = await catalog.loadSkills(['weekly-digest', 'no-such-skill', 'WEEKLY-DIGEST']);
        expect(loaded.map((l) => l.skill.name)).toEqual(['weekly-digest']);
        expect(missing).toEqual(['no-such-skill']);
        expect(renderLoadedSkills(loaded)).toBe(
            '<skill name="weekly-digest" path="Agent/Skills/weekly-digest/SKILL.md">\nGroup by customer.\n</skill>',
        );
    });
});

describe('skills written for Claude Code', () => {
    it('works unchanged from .claude/skills/, files included', async () => {
        const claudeSkill = [
            '---',
            'name: pdf-notes',
            'description: Turns a PDF summary into literature notes. Use when the person pastes a PDF summary.',
            'allowed-tools: Read, Write',
            '---',
            '',
            '# PDF notes',
            '',
            'Follow `reference.md` for the note layout.',
        ].join('\n');
        const { catalog } = await catalogFor({
            '.claude/skills/pdf-notes/SKILL.md': claudeSkill,
            '.claude/skills/pdf-notes/reference.md': '## Layout\n\nTitle, authors, year.\n',
            '.claude/skills/pdf-notes/scripts/split.py': 'print("split")\n',
        });
        const scan = await catalog.scan();
        expect(scan.skills).toEqual([
            {
                name: 'pdf-notes',
                description: 'Turns a PDF summary into literature notes. Use when the person pastes a PDF summary.',
                path: '.claude/skills/pdf-notes/SKILL.md',
                folder: '.claude/skills/pdf-notes',
                source: 'claude',
            },
        ]);
        expect(scan.problems).toEqual([]);
        const loaded = await catalog.load('pdf-notes');
        expect(loaded?.body).toBe('# PDF notes\n\nFollow `reference.md` for the note layout.');
        expect(loaded?.files).toEqual(['reference.md', 'scripts/split.py']);
        expect(await catalog.loadFile('pdf-notes', 'reference.md')).toEqual({
            ok: true,
            path: '.claude/skills/pdf-notes/reference.md',
            text: '## Layout\n\nTitle, authors, year.\n',
        });
    });

    it('refuses a skill file path that climbs out of the skill folder', async () => {
        const { catalog } = await catalogFor({
            '.claude/skills/a/SKILL.md': skill('a', 'A.', 'a'),
            '.claude/skills/b/SKILL.md': skill('b', 'B.', `b ${CANARY}`),
            'Notes/plain.md': `${CANARY}\n`,
        });
        for (const file of ['../b/SKILL.md', '../../../Notes/plain.md', '/etc/passwd', '%2e%2e/b/SKILL.md']) {
            const result = await catalog.loadFile('a', file);
            expect(result.ok).toBe(false);
            expect(JSON.stringify(result)).not.toContain(CANARY);
        }
    });

    it('does not follow a symlink in .claude/skills/ that leads out of the vault', async () => {
        const outside = await makeOutsideFolder();
        try {
            const { temp, catalog } = await catalogFor({
                '.claude/skills/inside/SKILL.md': skill('inside', 'I.', 'i'),
            });
            const { writeFile, mkdir } = await import('node:fs/promises');
            await mkdir(nodePath.join(outside.root, 'escape'));
            await writeFile(nodePath.join(outside.root, 'escape', 'SKILL.md'), skill('escape', 'E.', CANARY));
            await symlink(nodePath.join(outside.root, 'escape'), nodePath.join(temp.root, '.claude/skills/escape'));
            await symlink(
                nodePath.join(outside.root, 'escape', 'SKILL.md'),
                nodePath.join(temp.root, '.claude/skills/inside/leak.md'),
            );
            const scan = await catalog.scan();
            expect(scan.skills.map((s) => s.name)).toEqual(['inside']);
            expect((await catalog.load('inside'))?.files).toEqual([]);
            expect(JSON.stringify(scan)).not.toContain(CANARY);
            expect(JSON.stringify(await catalog.loadFile('inside', 'leak.md'))).not.toContain(CANARY);
        } finally {
            await outside.cleanup();
        }
    });
});

describe('excluded skills do not exist', () => {
    const files = {
        'Agent/Skills/visible/SKILL.md': skill('visible', 'Visible.', 'v'),
        'Agent/Skills/visible/notes-private.md': `---\ntags: [private]\n---\n${CANARY}\n`,
        'Agent/Skills/tagged/SKILL.md': skill('tagged', `Tagged ${CANARY}.`, CANARY, 'tags: [private/health]\n'),
        'Agent/Skills/inline/SKILL.md': skill('inline', `Inline ${CANARY}.`, `${CANARY} #Private`),
        'Journal/Skills/diary/SKILL.md': skill('diary', 'Diary.', CANARY),
        '.claude/skills/hidden-tagged/SKILL.md': skill('hidden-tagged', `H ${CANARY}.`, `#private ${CANARY}`),
        '.claude/skills/secret-plans/SKILL.md': skill('secret-plans', `S ${CANARY}.`, CANARY),
        '.claude/skills/open/SKILL.md': skill('open', 'Open.', 'o'),
        '.claude/skills/open/private.md': `#private ${CANARY}\n`,
    };

    it('leaves excluded skills out of the index, the problems and loading, and only counts them', async () => {
        const { catalog } = await catalogFor(files);
        const scan = await catalog.scan();
        expect(scan.skills.map((s) => s.name)).toEqual(['open', 'visible']);
        expect(scan.problems).toEqual([]);
        expect(scan.excludedCount).toBe(4);
        expect(JSON.stringify(scan)).not.toContain(CANARY);
        for (const name of ['tagged', 'inline', 'hidden-tagged', 'secret-plans']) {
            expect(await catalog.load(name)).toBeNull();
        }
        expect((await catalog.load('visible'))?.files).toEqual([]);
        expect((await catalog.load('open'))?.files).toEqual([]);
        expect((await catalog.loadFile('open', 'private.md')).ok).toBe(false);
        expect((await catalog.loadFile('visible', 'notes-private.md')).ok).toBe(false);
    });

    it('finds nothing in a skills folder that is itself excluded', async () => {
        const { catalog } = await catalogFor(files, { skillsFolder: 'Journal/Skills' });
        const scan = await catalog.scan();
        expect(scan.skills.map((s) => s.name)).toEqual(['open']);
        expect(JSON.stringify(scan)).not.toContain('diary');
    });
});

describe('skill problems are reported, never skipped silently', () => {
    it('names each malformed SKILL.md with what to fix, and keeps the good ones', async () => {
        const { catalog } = await catalogFor({
            'Agent/Skills/good/SKILL.md': skill('good', 'Good.', 'g'),
            'Agent/Skills/no-frontmatter/SKILL.md': '# Just a body\n',
            'Agent/Skills/bad-yaml/SKILL.md': '---\nname: [unclosed\ndescription: x\n---\nbody\n',
            'Agent/Skills/no-name/SKILL.md': '---\ndescription: No name.\n---\nbody\n',
            'Agent/Skills/no-description/SKILL.md': '---\nname: no-description\n---\nbody\n',
            'Agent/Skills/wrong-case/skill.md': skill('wrong-case', 'W.', 'w'),
            'Agent/Skills/stray.md': 'A note beside the skill folders.\n',
            '.claude/skills/good/SKILL.md': skill('Good', 'A second skill called good.', 'g2'),
        });
        const scan = await catalog.scan();
        expect(scan.skills.map((s) => s.path)).toEqual(['Agent/Skills/good/SKILL.md']);
        const byPath = new Map(scan.problems.map((p) => [p.path, p]));
        expect(byPath.get('Agent/Skills/no-frontmatter/SKILL.md')?.message).toMatch(/no frontmatter/);
        expect(byPath.get('Agent/Skills/bad-yaml/SKILL.md')?.message).toMatch(/not used: .*not valid YAML/);
        expect(byPath.get('Agent/Skills/no-name/SKILL.md')?.message).toMatch(/no "name"/);
        expect(byPath.get('Agent/Skills/no-description/SKILL.md')?.message).toMatch(/no "description"/);
        expect(byPath.get('Agent/Skills/wrong-case')?.message).toMatch(
            /has no SKILL\.md \(the name is case-sensitive\)/,
        );
        expect(byPath.get('Agent/Skills/stray.md')?.severity).toBe('warning');
        expect(byPath.get('.claude/skills/good/SKILL.md')?.message).toBe(
            '.claude/skills/good/SKILL.md is not used: its name "Good" is already taken by Agent/Skills/good/SKILL.md. ' +
                'Rename one of them (names are compared without regard to case).',
        );
        for (const problem of scan.problems) {
            if (problem.path !== 'Agent/Skills/stray.md') expect(problem.severity).toBe('error');
        }
        expect(scan.problems).toHaveLength(7);
    });

    it('uses a skill whose name bends the format, with a warning', async () => {
        const { catalog } = await catalogFor({
            'Agent/Skills/brief/SKILL.md': skill('Meeting Brief', 'Briefs.', 'b'),
        });
        const scan = await catalog.scan();
        expect(scan.skills.map((s) => s.name)).toEqual(['Meeting Brief']);
        expect(scan.problems.map((p) => p.severity)).toEqual(['warning', 'warning']);
        expect(scan.problems[0]?.message).toMatch(/does not follow the Agent Skills rules/);
        expect(scan.problems[1]?.message).toMatch(/differs from its folder "brief"/);
    });
});
