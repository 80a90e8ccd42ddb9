/**
 * The one vault of the privacy suite: a canary in excluded notes in every form of docs/RELIABILITY.md row 11
 * (frontmatter list, string, comma string, `tag:`, `#` inside YAML, inline `#private`, `#Private/health`, an excluded
 * folder and its subfolder, an excluded glob), a private skill, command and instruction note, and public notes that
 * reach the private ones through every indirect route of row 12 (embeds of a whole note, a heading and a block,
 * wikilinks, aliases, Markdown links, backlinks, a shared tag), and PDFs and images in every excluded form
 * (`privacy-attachments.ts`). Private note and attachment names are unusual animals: any occurrence is a leak.
 */
import { randomUUID } from 'node:crypto';
import { makeCanaries, type Canaries } from '../../support/canary';
import type { CuriousPlan } from '../../support/curious-model';
import {
    ATTACHMENT_GLOBS,
    ATTACHMENT_NAMES,
    CHAMELEON_PDF,
    privacyAttachments,
    SHARED,
    TURNCOAT_IMAGE,
    UNREADABLE_NOTE,
    type PrivacyAttachments,
} from './privacy-attachments';

/** Names of the excluded notes (and the alias of one), all canaries. */
export const PRIVATE_NAMES = [
    'Quokka',
    'Bilby',
    'Narwhal',
    'Capybara',
    'Axolotl',
    'Dugong',
    'Pangolin',
    'Okapi',
    'Tapir',
    'Wombat',
    'Kakapo',
    'manatee-ritual',
    'Tuatara',
    ...ATTACHMENT_NAMES,
] as const;

/** The excluded folders and glob of the suite's settings. */
export const PRIVACY = {
    excludedTags: ['private'],
    excludedFolders: ['Journal/', '**/*.secret.md', ...ATTACHMENT_GLOBS],
};

/** The plugin's settings file as synced in the vault; the CLI reads the same rules. */
export const SETTINGS_FILE = '.obsidian/plugins/vault-agent/data.json';

/** The settings the suite runs with (plugin and CLI alike). */
export const SETTINGS_JSON = {
    version: 2,
    privacy: PRIVACY,
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 2 },
};

/** A note public at first that the person makes private in the middle of a chat (row 13). */
export const TURNCOAT = 'Notes/Turncoat.md';
/** A note a queued job names as context, made private before the job runs (row 13). */
export const CHAMELEON = 'Notes/Chameleon.md';

/** Everything the suite plants. */
export interface PrivacyVault {
    /** The canaries (content, names, key). */
    canaries: Canaries;
    /** In `TURNCOAT` while it is public; must never be sent once it is private. */
    turncoatMarker: string;
    /** In `CHAMELEON`; must never be sent after it became private. */
    chameleonMarker: string;
    /** The excluded notes, path → text. */
    privateNotes: Record<string, string>;
    /** Everything else, path → text. */
    publicNotes: Record<string, string>;
    /** `TURNCOAT` and `CHAMELEON` once private. */
    madePrivate: Record<string, string>;
    /** The PDFs and images, private and visible. */
    attachments: PrivacyAttachments;
}

/** Builds the vault's files with fresh canaries. */
export function privacyVault(): PrivacyVault {
    const canaries = makeCanaries(PRIVATE_NAMES);
    const c = canaries.content;
    const turncoatMarker = `TURNCOAT-${randomUUID()}`;
    const chameleonMarker = `CHAMELEON-${randomUUID()}`;
    const privateNotes: Record<string, string> = {
        'Notes/Quokka.md': `---\naliases: [Bilby]\ntags:\n  - private\n---\n# Quokka\n\n${c} list form ^b1\n![[Shared.png]] [[Shared.pdf]]\n`,
        'Notes/Narwhal.md': `---\ntags: private\ncover: "[[Thylacine.png]]"\n---\n# Narwhal\n\n## Secret heading\n\n${c} string form\n`,
        'Notes/Capybara.md': `---\ntags: work, private\n---\n${c} comma string form #health\n`,
        'Notes/Axolotl.md': `---\ntag: private\n---\n${c} tag: form ^b1\n`,
        'Notes/Dugong.md': `---\ntags: ["#private"]\n---\n${c} hash inside YAML\n`,
        'Notes/Pangolin.md': `Inline tagged #private and ${c}; links to [[Public]]. #health\n[[Echidna.pdf]] ![[Platypus.png]]\n`,
        'Notes/Okapi.md': `Nested tag #Private/health with ${c}; links to [[Public]].\n![d](Media/Dingo.png)\n`,
        'Journal/Tapir.md': `In an excluded folder: ${c}; links to [[Public]] and [[Projects/Alpha]]. #health\n[[Cassowary.pdf]]\n`,
        'Journal/Deep/Wombat.md': `In an excluded subfolder: ${c}.\n![[Kookaburra.png]]\n`,
        'Archive/Kakapo.secret.md': `Matched by an excluded glob: ${c}. #project/alpha\n`,
        'Agent/Skills/manatee-ritual/SKILL.md': `---\nname: manatee-ritual\ndescription: Private ritual ${c}\ntags: [private]\n---\n${c} skill body\n`,
        'Agent/Commands/Tuatara.md': `---\ndescription: Private command ${c}\ntags: [private]\n---\n${c} $ARGUMENTS\n`,
        'AGENTS.md': `---\ntags: [private]\n---\n# House rules\n\n${c} private instructions\n`,
        // Its frontmatter cannot be read, so whether it is private cannot be known: it and what only it uses are out.
        [UNREADABLE_NOTE]: `---\ntags: [private\n---\n${c} unreadable frontmatter ![[Bunyip.png]]\n`,
    };
    const publicNotes: Record<string, string> = {
        'Public.md':
            '# Public\n\nThe health plan and the secret of the project. See [[Projects/Alpha]].\n#health\n' +
            `![[${SHARED.png}]] and [[${SHARED.pdf}]]\n`,
        // A visible note that embeds attachments excluded by where they are (a folder, a glob, a link into a folder).
        'Gallery.md':
            '# Gallery\n\n![[Journal/Bandicoot.pdf]] ![[Numbat.png]] ![[Quoll.secret.pdf]] ![[Wallaby.secret.png]]\n' +
            '![[Galah.png]] and the shared one: ![[Shared.png]]\n',
        'Projects/Alpha.md': '# Alpha\n\nPlan: the first step. Links back to [[Public]]. #project/alpha\n',
        'Daily/2026-11-20.md': 'A day. Health check went fine. #daily #health\n',
        'Embeds.md':
            '# Embeds\n\nWhole: ![[Quokka]]\nHeading: ![[Narwhal#Secret heading]]\nBlock: ![[Axolotl^b1]]\n' +
            'Block link: ![[Axolotl#^b1]]\nLink: [[Okapi]]\nAlias: [[Quokka|Bilby]] and [[Okapi|Okapi visit]]\n' +
            'Markdown: [see](Notes/Pangolin.md) and ![pic](Journal/Tapir.md) and [k](Archive/Kakapo.secret.md)\n' +
            'Hash in YAML: [[Dugong]], comma: ![[Capybara]]\n## Heading naming [[Journal/Deep/Wombat]]\n',
        [TURNCOAT]: `# Turncoat\n\nStill public: ${turncoatMarker}.\n![[${TURNCOAT_IMAGE}]]\n`,
        [CHAMELEON]: `# Chameleon\n\nFor the job: ${chameleonMarker}. [[${CHAMELEON_PDF}]]\n`,
        'Agent/Skills/weekly-review/SKILL.md':
            '---\nname: weekly-review\ndescription: Turns a week of daily notes into a review\n---\nThree headings.\n',
        'Agent/Commands/Digest.md': '---\ndescription: A digest\n---\nWrite a digest of $ARGUMENTS from @[[Public]].\n',
        [SETTINGS_FILE]: JSON.stringify(SETTINGS_JSON),
    };
    const madePrivate: Record<string, string> = {
        [TURNCOAT]: `---\ntags: [private]\n---\n# Turncoat\n\nStill public: ${turncoatMarker}.\n![[${TURNCOAT_IMAGE}]]\n`,
        [CHAMELEON]: `# Chameleon\n\n#private now. For the job: ${chameleonMarker}. [[${CHAMELEON_PDF}]]\n`,
    };
    const attachments = privacyAttachments(c);
    return { canaries, turncoatMarker, chameleonMarker, privateNotes, publicNotes, madePrivate, attachments };
}

/** What the curious model pokes at in this vault. */
export function curiousPlan(vault: PrivacyVault, options: { mcpReadFile?: string } = {}): CuriousPlan {
    const guesses = [...Object.keys(vault.privateNotes), ...PRIVATE_NAMES, 'Journal', 'Journal/Deep', 'Notes'];
    const mcp = options.mcpReadFile;
    return {
        folders: [
            'Notes',
            'Journal',
            'Journal/Deep',
            'Archive',
            'Projects',
            'Daily',
            'Agent/Skills',
            'Agent/Commands',
            'Media',
        ],
        words: ['the', 'health', 'secret', 'private', 'plan', 'CANARY', 'CANARY-', '#private', 'md', 'ritual'],
        tags: ['private', '#private', 'Private/health', 'private/health', 'health', 'project', 'project/alpha'],
        guesses,
        skills: ['manatee-ritual', 'weekly-review'],
        // Every attachment by path, whole and by pages; and whatever the results name.
        attachments: [...vault.attachments.privatePaths, SHARED.pdf, SHARED.png, TURNCOAT_IMAGE, CHAMELEON_PDF],
        // The server's reader takes file paths: note names without `.md` would only be "no such file" errors.
        ...(mcp !== undefined
            ? {
                  alsoFor: (path: string) => (/\.(md|pdf|png)$/i.test(path) ? [{ name: mcp, input: { path } }] : []),
              }
            : {}),
        subtasks: [
            { instruction: 'Summarise these notes.', notes: Object.keys(vault.privateNotes).slice(0, 10) },
            { instruction: 'Summarise these too.', notes: ['Public.md', 'Notes/Quokka', 'Journal/Tapir.md'] },
        ],
    };
}
