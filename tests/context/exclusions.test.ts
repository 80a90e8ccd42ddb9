import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExclusionGate, type ExclusionReason } from '../../src/context/exclusions';
import { FsVault } from '../../src/vault/fs-vault-node';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../src/kernel/settings';
import type { NoteMetadata, VaultPort } from '../../src/kernel/vault-port';

/**
 * The gate only asks the port for `configDir`, `metadata(path)` and, for an attachment, `backlinks(path)` (the notes
 * that use it); this double answers exactly those from maps (a note absent from the map is "not indexed yet"; an
 * attachment absent from `users` is used by no note). Everything else the port does is out of the gate's reach.
 */
function vaultWith(
    tagsByPath: Record<string, string[] | undefined>,
    configDir = '.config',
    users: Record<string, string[]> = {},
): VaultPort {
    const index = new Map<string, NoteMetadata>();
    for (const [path, tags] of Object.entries(tagsByPath)) index.set(path, metadataWith(tags));
    const unused = (): never => {
        throw new Error('the exclusion gate must only read metadata and configDir');
    };
    return {
        configDir,
        list: unused,
        stat: unused,
        read: unused,
        create: unused,
        process: unused,
        rename: unused,
        trash: unused,
        metadata: (path) => index.get(path),
        resolveLink: unused,
        backlinks: (path) => users[path] ?? [],
        onChange: unused,
    };
}

function metadataWith(tags: string[] | undefined, frontmatterError?: string): NoteMetadata {
    return {
        frontmatter: null,
        tags,
        aliases: [],
        links: [],
        embeds: [],
        headings: [],
        blocks: [],
        ...(frontmatterError === undefined ? {} : { frontmatterError }),
    };
}

function gate(vault: VaultPort, privacy: Partial<PrivacySettings> = {}): ExclusionGate {
    return new ExclusionGate({ vault, privacy: { ...DEFAULT_SETTINGS.privacy, ...privacy } });
}

function reasonFor(g: ExclusionGate, path: string): ExclusionReason | null {
    const verdict = g.check(path);
    return verdict.excluded ? verdict.reason : null;
}

describe('ExclusionGate: tags (docs/RELIABILITY.md row 11)', () => {
    const vault = vaultWith({
        'a.md': ['#private'],
        'b.md': ['#Private'],
        'c.md': ['#private/health'],
        'd.md': ['#Private/Health'],
        'e.md': ['#work', '#PRIVATE/a/b'],
        'f.md': ['private'],
        'g.md': ['#privateer'],
        'h.md': ['#not-private'],
        'i.md': ['#work/private'],
        'j.md': [],
    });
    const g = gate(vault);

    it.each(['a.md', 'b.md', 'c.md', 'd.md', 'e.md', 'f.md'])(
        'excludes %s, a note tagged #private in any form',
        (path) => {
            expect(reasonFor(g, path)).toEqual({ kind: 'tag', tag: 'private' });
        },
    );

    it.each(['g.md', 'h.md', 'i.md', 'j.md'])(
        'keeps %s: #privateer, #not-private and #work/private are other tags',
        (path) => {
            expect(g.check(path)).toEqual({ excluded: false });
        },
    );

    it('reads tag rules written with #, a trailing slash or capitals as the same rule', () => {
        const loose = gate(vault, { excludedTags: ['  #Private/ '] });
        expect(loose.isExcluded('d.md')).toBe(true);
        expect(loose.isExcluded('g.md')).toBe(false);
    });

    it.each(['work, private', '#work #private', '"work";"private"', 'tag:work tag:private', 'work,#Private/'])(
        'reads the entry %j, written by hand, as each tag it names',
        (entry) => {
            const g = gate(vault, { excludedTags: [entry] });
            expect(reasonFor(g, 'a.md')).toEqual({ kind: 'tag', tag: 'private' });
            expect(g.isExcluded('e.md')).toBe(true);
            expect(g.isExcluded('g.md')).toBe(false);
            expect(g.isExcluded('j.md')).toBe(false);
        },
    );

    it('excludes by a nested rule without excluding its parent', () => {
        const nested = gate(vault, { excludedTags: ['private/health'] });
        expect(reasonFor(nested, 'd.md')).toEqual({ kind: 'tag', tag: 'private/health' });
        expect(nested.isExcluded('a.md')).toBe(false);
    });

    it('matches tags beyond ASCII without regard to case', () => {
        const accents = vaultWith({ 'x.md': ['#PRIVÉ/Santé'], 'y.md': ['#Épargne'], 'z.md': ['#privée'] });
        const g = gate(accents, { excludedTags: ['privé', '#ÉPARGNE'] });
        expect(reasonFor(g, 'x.md')).toEqual({ kind: 'tag', tag: 'privé' });
        expect(reasonFor(g, 'y.md')).toEqual({ kind: 'tag', tag: 'épargne' });
        expect(g.isExcluded('z.md')).toBe(false);
    });

    it('matches a tag written with a decomposed accent against a rule written composed, and the other way round', () => {
        const forms = vaultWith({ 'nfd.md': ['#Prive\u0301/sante\u0301'], 'nfc.md': ['#\u00e9pargne'] });
        const g = gate(forms, { excludedTags: ['priv\u00e9', 'e\u0301pargne'] });
        expect(reasonFor(g, 'nfd.md')).toEqual({ kind: 'tag', tag: 'priv\u00e9' });
        expect(reasonFor(g, 'nfc.md')).toEqual({ kind: 'tag', tag: '\u00e9pargne' });
    });

    it('excludes nothing by tag when no tag is excluded', () => {
        expect(gate(vault, { excludedTags: [] }).isExcluded('a.md')).toBe(false);
    });
});

describe('ExclusionGate: fail closed on unknown metadata', () => {
    it('excludes a note that is not indexed yet', () => {
        expect(reasonFor(gate(vaultWith({})), 'New note.md')).toEqual({ kind: 'unindexed' });
    });

    it('excludes a note whose tags are unknown', () => {
        expect(reasonFor(gate(vaultWith({ 'x.md': undefined })), 'x.md')).toEqual({ kind: 'unindexed' });
    });

    it('excludes a note whose frontmatter could not be parsed even when its inline tags are harmless', () => {
        const vault = vaultWith({});
        const broken = metadataWith(['#work'], 'bad YAML');
        const g = new ExclusionGate({
            vault: { ...vault, metadata: (path) => (path === 'x.md' ? broken : undefined) },
            privacy: DEFAULT_SETTINGS.privacy,
        });
        expect(reasonFor(g, 'x.md')).toEqual({ kind: 'unindexed' });
    });

    it('judges a note whose tags are not known yet by the text just read, when every other rule lets it pass', () => {
        const g = gate(vaultWith({}), { excludedFolders: ['Journal'] });
        expect(reasonFor(g, 'Plans/New.md')).toEqual({ kind: 'unindexed' });
        expect(g.checkText('Plans/New.md', '# New\nShip in May.\n')).toEqual({ excluded: false });
        expect(g.checkText('Plans/New.md', 'Shipping 🔒#private\n')).toMatchObject({
            reason: { kind: 'tag', tag: 'private' },
        });
        expect(g.checkText('Plans/New.md', '---\ntags: [unclosed\n---\nbody\n')).toMatchObject({
            reason: { kind: 'unindexed' },
        });
        // Another rule still decides first: the text cannot bring back a note in an excluded folder.
        expect(g.checkText('Journal/New.md', '# New\n')).toMatchObject({ reason: { kind: 'folder' } });
    });

    it('lets an attachment through on folder rules alone, since attachments have no tags', () => {
        const g = gate(vaultWith({}), { excludedFolders: ['Journal'] });
        expect(g.isExcluded('Assets/photo.png')).toBe(false);
        expect(g.isExcluded('Assets/report.pdf')).toBe(false);
        expect(reasonFor(g, 'Journal/photo.png')).toEqual({ kind: 'folder', rule: 'Journal/' });
    });
});

describe('ExclusionGate: attachments follow the notes that use them', () => {
    const vault = vaultWith({ 'Diary.md': ['#private'], 'Plan.md': [] }, '.config', {
        'only-private.png': ['Diary.md'],
        'both.png': ['Diary.md', 'Plan.md'],
        'unindexed-user.png': ['Unknown.md'],
    });

    it('excludes an attachment every user of which is excluded, fail closed on a user not indexed', () => {
        const g = gate(vault, { excludedTags: ['private'] });
        expect(reasonFor(g, 'only-private.png')).toEqual({ kind: 'used-by-excluded' });
        expect(reasonFor(g, 'unindexed-user.png')).toEqual({ kind: 'used-by-excluded' });
        expect(g.isExcluded('both.png')).toBe(false);
        expect(g.isExcluded('unused.png')).toBe(false);
    });

    it('excludes every attachment while the links are not indexed yet', () => {
        const g = gate({ ...vault, linksReady: () => false }, { excludedTags: ['private'] });
        expect(reasonFor(g, 'both.png')).toEqual({ kind: 'links-unknown' });
        expect(g.isExcluded('Plan.md')).toBe(false);
    });
});

describe('ExclusionGate: folders and globs', () => {
    const vault = vaultWith({
        'Journal/2024-01-01.md': [],
        'Journal/2024/Jan/deep.md': [],
        'Journalism/article.md': [],
        'journal/lower.md': [],
        'Notes/plan.secret.md': [],
        'top.secret.md': [],
        'Clients/Acme/Private/contract.md': [],
        'Clients/Acme/Public/brochure.md': [],
        'Notes/plan.md': [],
    });

    it.each(['Journal', 'Journal/', '/Journal/', ' Journal '])(
        'reads the folder rule %j as the folder Journal',
        (rule) => {
            const g = gate(vault, { excludedFolders: [rule] });
            expect(reasonFor(g, 'Journal/2024-01-01.md')).toEqual({ kind: 'folder', rule: 'Journal/' });
            expect(g.isExcluded('Journal/2024/Jan/deep.md')).toBe(true);
            expect(g.isExcluded('journal/lower.md')).toBe(true);
        },
    );

    it.each(['./Journal', 'Journal/.', './Journal/', '\\Journal\\', '../Journal', 'Other/../Journal', 'Journal//'])(
        'reads the folder rule %j, written by hand, as the folder Journal',
        (rule) => {
            const g = gate(vault, { excludedFolders: [rule] });
            expect(reasonFor(g, 'Journal/2024-01-01.md')).toEqual({ kind: 'folder', rule: 'Journal/' });
            expect(g.isExcluded('Journal/2024/Jan/deep.md')).toBe(true);
            expect(g.isExcluded('Notes/plan.md')).toBe(false);
        },
    );

    it.each(['/', '.', './', '//'])('reads the folder rule %j as the vault itself: every note, said so', (rule) => {
        const g = gate(vault, { excludedFolders: [rule] });
        for (const path of ['Notes/plan.md', 'Journal/2024-01-01.md', 'top.md']) {
            expect(reasonFor(g, path)).toEqual({ kind: 'folder', rule: '/' });
        }
    });

    it('reads a blank folder rule as no rule', () => {
        expect(gate(vault, { excludedFolders: ['', '   '] }).isExcluded('Notes/plan.md')).toBe(false);
    });

    it('does not exclude Journalism/ with a Journal rule', () => {
        expect(gate(vault, { excludedFolders: ['Journal'] }).isExcluded('Journalism/article.md')).toBe(false);
    });

    it('matches a glob at any depth and without regard to case', () => {
        const g = gate(vault, { excludedFolders: ['**/*.secret.md'] });
        expect(reasonFor(g, 'Notes/plan.secret.md')).toEqual({ kind: 'folder', rule: '**/*.secret.md' });
        expect(g.isExcluded('top.secret.md')).toBe(true);
        expect(g.isExcluded('Notes/PLAN.SECRET.md')).toBe(true);
        expect(g.isExcluded('Notes/plan.md')).toBe(false);
    });

    it('matches a slash-free glob against file names in every folder', () => {
        expect(gate(vault, { excludedFolders: ['*.secret.md'] }).isExcluded('Notes/plan.secret.md')).toBe(true);
    });

    it('excludes everything inside a folder a glob names', () => {
        for (const rule of ['Clients/*/Private/**', 'Clients/*/Private']) {
            const g = gate(vault, { excludedFolders: [rule] });
            expect(g.isExcluded('Clients/Acme/Private/contract.md')).toBe(true);
            expect(g.isExcluded('Clients/Acme/Public/brochure.md')).toBe(false);
        }
    });

    it('excludes a folder whose name merely looks like a glob', () => {
        const g = gate(vault, { excludedFolders: ['Archive [2019]', 'Ideas {old}'] });
        expect(g.isExcluded('Archive [2019]/a.png')).toBe(true);
        expect(g.isExcluded('Ideas {old}/b.png')).toBe(true);
    });

    it('cannot be bypassed by a guessed spelling of the path', () => {
        const g = gate(vault, { excludedFolders: ['Journal'] });
        for (const path of [
            '/Journal/2024-01-01.md',
            'Journal//2024-01-01.md',
            './Journal/2024-01-01.md',
            'Journal\\2024-01-01.md',
            'Notes/../Journal/2024-01-01.md',
        ]) {
            expect(g.isExcluded(path), path).toBe(true);
        }
    });

    it('matches a folder rule written in one Unicode form against a path in the other', () => {
        const g = gate(vaultWith({ 'Café/x.md': [] }), { excludedFolders: ['Cafe\u0301'] });
        expect(g.isExcluded('Caf\u00e9/x.md')).toBe(true);
        expect(g.isExcluded('Cafe\u0301/x.md')).toBe(true);
    });
});

describe('ExclusionGate: system paths', () => {
    it('hides the vault config folder by the name the port gives, plus .git and .trash', () => {
        const g = gate(vaultWith({ 'Notes/a.md': [] }, '.config-custom'), { excludedTags: [] });
        for (const path of [
            '.config-custom/app.json',
            '.config-custom/plugins/vault-agent/data.json',
            '.git/HEAD',
            '.trash/old.md',
            'Projects/sub/.git/config',
            '.CONFIG-CUSTOM/x.md',
            '../outside.md',
        ]) {
            expect(reasonFor(g, path), path).toEqual({ kind: 'system' });
        }
        // Spelled indirectly because lint rightly flags the literal; the point is that it is not hard-coded here
        // either.
        const usualConfigDir = ['', 'obsidian'].join('.');
        expect(g.isExcluded(`${usualConfigDir}/app.json`)).toBe(false);
        expect(g.isExcluded('Notes/a.md')).toBe(false);
    });
});

describe('ExclusionGate: config folder names', () => {
    it('hides a config folder whose name has no leading dot', () => {
        const g = gate(vaultWith({}, 'vault-config'));
        expect(reasonFor(g, 'vault-config/plugins/vault-agent/data.json')).toEqual({ kind: 'system' });
        expect(g.isExcluded('vault-configuration/x.png')).toBe(false);
    });

    it('keeps ordinary dotted names visible', () => {
        const g = gate(vaultWith({ '.hidden-notes/a.md': [], 'Notes/.gitignore-tips.md': [] }));
        expect(g.isExcluded('.hidden-notes/a.md')).toBe(false);
        expect(g.isExcluded('Notes/.gitignore-tips.md')).toBe(false);
    });
});

describe('ExclusionGate: locked settings', () => {
    it('excludes every path while settings cannot be read', () => {
        const g = new ExclusionGate({ vault: vaultWith({ 'Notes/a.md': [] }), privacy: null });
        expect(reasonFor(g, 'Notes/a.md')).toEqual({ kind: 'locked' });
        expect(g.partition(['Notes/a.md', 'b.png'])).toEqual({ visible: [], excludedCount: 2 });
    });
});

describe('ExclusionGate.partition and describe', () => {
    it('returns the visible paths and only a count of the rest', () => {
        const g = gate(vaultWith({ 'a.md': ['#private'], 'b.md': [], 'Journal/c.md': [] }), {
            excludedFolders: ['Journal'],
        });
        expect(g.partition(['a.md', 'b.md', 'Journal/c.md', 'd.md', 'e.png'])).toEqual({
            visible: ['b.md', 'e.png'],
            excludedCount: 3,
        });
    });

    it('tells the person why in a short sentence', () => {
        expect(ExclusionGate.describe({ kind: 'tag', tag: 'private' })).toBe('tagged #private');
        expect(ExclusionGate.describe({ kind: 'folder', rule: 'Journal/' })).toBe('in excluded folder Journal/');
        expect(ExclusionGate.describe({ kind: 'folder', rule: '**/*.secret.md' })).toContain('**/*.secret.md');
        for (const kind of ['system', 'unindexed', 'locked'] as const) {
            expect(ExclusionGate.describe({ kind })).toMatch(/\w/);
        }
    });
});

describe('ExclusionGate on a real vault folder (docs/RELIABILITY.md row 11)', () => {
    const CANARY = `canary-${Math.random().toString(36).slice(2)}`;
    const NOTES: Record<string, string> = {
        'fm-list.md': `---\ntags:\n  - work\n  - private\n---\n${CANARY}\n`,
        'fm-inline-list.md': `---\ntags: [work, Private/health]\n---\n${CANARY}\n`,
        'fm-string.md': `---\ntags: work private\n---\n${CANARY}\n`,
        'fm-tag-key.md': `---\ntag: PRIVATE\n---\n${CANARY}\n`,
        'inline.md': `Some text #private/Health here.\n${CANARY}\n`,
        'inline-caps.md': `#Private\n${CANARY}\n`,
        'broken-yaml.md': `---\ntags: [private\n  - : :\n---\n${CANARY}\n`,
        'Journal/day.md': `${CANARY}\n`,
        'Journal/2024/Jan/deep.md': `${CANARY}\n`,
        'Clients/Acme/Private/contract.md': `${CANARY}\n`,
        'Notes/plan.secret.md': `${CANARY}\n`,
        'Journalism/article.md': 'About journalism.\n',
        'privateer.md': '#privateer and #not-private are other tags.\n',
        'code.md': '```\n#private inside code is not a tag\n```\n',
        'Notes/plain.md': '---\ntags: [work]\n---\nNothing secret.\n',
    };

    let root: string;
    let vault: FsVault;

    beforeAll(async () => {
        root = await mkdtemp(join(tmpdir(), 'vault-agent-gate-'));
        for (const [path, text] of Object.entries(NOTES)) {
            await mkdir(dirname(join(root, path)), { recursive: true });
            await writeFile(join(root, path), text);
        }
        await mkdir(join(root, 'Assets'), { recursive: true });
        await writeFile(join(root, 'Assets', 'photo.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
        vault = await FsVault.open(root, { configDir: '.vault-config' });
    });

    afterAll(async () => {
        await rm(root, { recursive: true, force: true });
    });

    it('leaves only the notes that carry no private tag in any form and sit in no excluded folder', async () => {
        const g = new ExclusionGate({
            vault,
            privacy: {
                excludedTags: ['private'],
                excludedFolders: ['Journal/', 'Clients/*/Private/**', '**/*.secret.md'],
            },
        });
        const { visible, excludedCount } = g.partition((await vault.list()).map((file) => file.path));
        expect(visible.sort()).toEqual([
            'Assets/photo.png',
            'Journalism/article.md',
            'Notes/plain.md',
            'code.md',
            'privateer.md',
        ]);
        expect(excludedCount).toBe(11);
        for (const path of visible) expect(await vault.read(path)).not.toContain(CANARY);
    });

    it('gives each excluded note its reason', () => {
        const g = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: ['Journal'] } });
        expect(reasonFor(g, 'fm-inline-list.md')).toEqual({ kind: 'tag', tag: 'private' });
        expect(reasonFor(g, 'broken-yaml.md')).toEqual({ kind: 'unindexed' });
        expect(reasonFor(g, 'Journal/2024/Jan/deep.md')).toEqual({ kind: 'folder', rule: 'Journal/' });
        expect(reasonFor(g, '.vault-config/plugins/vault-agent/data.json')).toEqual({ kind: 'system' });
        expect(reasonFor(g, 'not-yet-indexed.md')).toEqual({ kind: 'unindexed' });
    });

    it('judges a note again on every check after its tags change, through the same gate', async () => {
        const g = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        const path = 'Notes/plain.md';
        for (let round = 0; round < 3; round++) {
            expect(g.isExcluded(path)).toBe(false);
            expect(g.isExcluded(path)).toBe(false);
            await vault.process(path, (text) => text.replace('tags: [work]', 'tags: [work, private]'));
            expect(reasonFor(g, path)).toEqual({ kind: 'tag', tag: 'private' });
            await vault.process(path, (text) => text.replace('tags: [work, private]', 'tags: [work'));
            expect(reasonFor(g, path)).toEqual({ kind: 'unindexed' });
            await vault.process(path, (text) => text.replace('tags: [work', 'tags: [work]'));
        }
        expect(g.isExcluded(path)).toBe(false);
        expect(await vault.read(path)).toBe(NOTES['Notes/plain.md']);
    });
});
