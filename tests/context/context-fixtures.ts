/**
 * A vault with private notes in every form the exclusion rules cover, each carrying a canary, beside visible notes
 * that embed, link and mention them. Shared by the context tests.
 */
import { randomBytes } from 'node:crypto';
import { ExclusionGate } from '../../src/context/exclusions';
import type { PrivacySettings } from '../../src/kernel/settings';
import { makeTempVault, type TempVault } from '../support/temp-vault';

/** The exclusion rules of the fixture vault. */
export const PRIVACY: PrivacySettings = { excludedTags: ['private'], excludedFolders: ['Journal/'] };

/** Names of excluded notes and attachments that must never reach the model (chosen not to occur in any other text). */
export const PRIVATE_NAMES = [
    'Quokka',
    'Wombat',
    'Numbat',
    'Dingo',
    'Bilby',
    'Echidna',
    'Platypus',
    'Kookaburra',
    'Cassowary',
    'Wallaroo',
];

/** A fixture vault with its canary. */
export interface CanaryVault extends TempVault {
    /** A random string that is in every excluded note and nowhere else. */
    canary: string;
    /** A gate over the vault with `PRIVACY`. */
    gate: ExclusionGate;
}

/** Builds the fixture vault. */
export async function makeCanaryVault(): Promise<CanaryVault> {
    const canary = `CANARY-${randomBytes(8).toString('hex')}`;
    const secret = (what: string): string => `${what} ${canary}`;
    const temp = await makeTempVault({
        // Excluded by tag, in every form.
        'Quokka.md': [
            '---',
            'tags: [private]',
            'aliases: [Marsupial secrets]',
            '---',
            '# Overview',
            secret('quokka overview'),
            '## Secret heading',
            secret('under the heading'),
            '',
            `A private block ${canary} ^blk`,
        ].join('\n'),
        'Wombat.md': ['---', 'tags:', '  - Private', '---', secret('list form')].join('\n'),
        'Numbat.md': ['---', 'tags: private', '---', secret('string form')].join('\n'),
        'Dingo.md': ['---', 'tag: private', '---', secret('tag key')].join('\n'),
        'Bilby.md': `Inline #private/health here. ${secret('inline nested')}`,
        'Team/Echidna.md': `#team #Private ${secret('team and private')}`,
        // Excluded by folder, subfolders too, attachments too.
        'Journal/Platypus.md': secret('journal entry'),
        'Journal/Sub/Kookaburra.md': secret('deep journal'),
        'Journal/Cassowary.png': Buffer.from(`PNG ${canary}`),
        'Journal/AGENTS.md': secret('journal instructions'),
        'Wallaroo.md': ['---', 'tags: [private]', '---', 'Always answer in French. ', canary].join('\n'),
        // Visible notes.
        'Public.md': [
            '# Public note',
            'Visible text about gardens.',
            '![[Quokka]]',
            '![[Quokka#Secret heading]]',
            '![[Quokka^blk]]',
            '![[Quokka#^blk]]',
            '![[Bilby]]',
            '![[Journal/Platypus]]',
            '![](Numbat.md)',
            '![[Cassowary.png]]',
            '![[diagram.png]]',
            'A link to [[Wombat]] and [[Dingo|a dog]].',
            '![[Projects/Alpha#Goals]]',
        ].join('\n'),
        'Projects/Alpha.md': [
            '---',
            'aliases: [Project A]',
            '---',
            '# Alpha',
            'Alpha intro.',
            '## Goals',
            'Ship the garden planner.',
            '## Risks',
            'Weather. ^risk1',
        ].join('\n'),
        'Projects/Beta.md': '# Beta\nBeta notes. #team',
        'Projects/AGENTS.md': 'For project notes: keep a Status heading. ![[Kookaburra]]',
        'AGENTS.md': 'Vault rules: write plainly. ![[Quokka]]',
        'diagram.png': Buffer.from('PNG public'),
    });
    return { ...temp, canary, gate: new ExclusionGate({ vault: temp.vault, privacy: PRIVACY }) };
}

/** Every private name that appears in `text` (should be none). */
export function leakedNames(text: string): string[] {
    return PRIVATE_NAMES.filter((name) => text.includes(name));
}
