/**
 * The exclusion gate's answers (`exclusions.ts`): why a path is excluded, the verdicts it gives often (made once), and
 * the sentence that tells the person why.
 */
import { SYSTEM_FOLDERS_TEXT } from '../kernel/system-folders';

/** Why a path is excluded. Shown to the person, never to the model. */
export type ExclusionReason =
    | { kind: 'tag'; tag: string }
    | { kind: 'folder'; rule: string }
    | { kind: 'system' }
    | { kind: 'unindexed' }
    | { kind: 'link' }
    | { kind: 'used-by-excluded' }
    | { kind: 'links-unknown' }
    | { kind: 'locked' }
    | { kind: 'obsidian'; filter: string }
    | { kind: 'obsidian-unreadable'; problem: string };

/** The gate's answer for one path. */
export type ExclusionVerdict = { excluded: false } | { excluded: true; reason: ExclusionReason };

export const VISIBLE: ExclusionVerdict = Object.freeze({ excluded: false });
export const SYSTEM: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'system' }) });
export const UNINDEXED: ExclusionVerdict = Object.freeze({
    excluded: true,
    reason: Object.freeze({ kind: 'unindexed' }),
});
export const LOCKED: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'locked' }) });
export const LINK: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'link' }) });
export const USED_BY_EXCLUDED: ExclusionVerdict = Object.freeze({
    excluded: true,
    reason: Object.freeze({ kind: 'used-by-excluded' }),
});
export const LINKS_UNKNOWN: ExclusionVerdict = Object.freeze({
    excluded: true,
    reason: Object.freeze({ kind: 'links-unknown' }),
});

/** The verdict of the folder rule `rule`. */
export function folderVerdict(rule: string): ExclusionVerdict {
    return { excluded: true, reason: { kind: 'folder', rule } };
}

/** A sentence for the PERSON (never the model) saying why, e.g. "tagged #private" / "in excluded folder Journal/". */
export function describeExclusion(reason: ExclusionReason): string {
    switch (reason.kind) {
        case 'tag':
            return `tagged #${reason.tag}`;
        case 'folder':
            return reason.rule.endsWith('/')
                ? `in excluded folder ${reason.rule}`
                : `matches excluded pattern ${reason.rule}`;
        case 'system':
            return `in a protected location (the config folder, ${SYSTEM_FOLDERS_TEXT})`;
        case 'unindexed':
            return 'not indexed yet, or its frontmatter could not be read';
        case 'link':
            return 'a symbolic link that leads outside the vault or nowhere';
        case 'used-by-excluded':
            return 'an attachment that only excluded notes link to or embed';
        case 'links-unknown':
            return 'an attachment whose linking notes are not known yet (links are still being indexed)';
        case 'locked':
            return 'settings could not be read, so every note is excluded until they are fixed';
        case 'obsidian':
            return `in Obsidian's Excluded files (${reason.filter})`;
        case 'obsidian-unreadable':
            return (
                `Obsidian's Excluded files could not be read (${reason.problem}), so every note is excluded ` +
                'until they are fixed or Vault Agent stops honouring them'
            );
    }
}
