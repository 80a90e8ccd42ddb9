/**
 * Where proposals waiting for review are kept: a folder next to the jobs folder (`Agent/Jobs` → `Agent/Proposals`),
 * so they sync with the vault and survive restarts. Like the jobs folder, no agent reads or writes it: only the
 * review store does, and it judges every proposal with the exclusion gate when it is written and when it is read.
 */

/** The folder name used next to the jobs folder. */
const PROPOSALS = 'Proposals';
/** The folder used when the jobs folder sits at the vault's root (a bare `Proposals` would be too easily someone's). */
const ROOT_PROPOSALS = 'Vault Agent Proposals';

/** The proposals folder that goes with `jobsFolder` (a normalised vault path). */
export function proposalsFolderFor(jobsFolder: string): string {
    const trimmed = jobsFolder.replace(/^\/+|\/+$/gu, '');
    const slash = trimmed.lastIndexOf('/');
    if (slash <= 0) return ROOT_PROPOSALS;
    return `${trimmed.slice(0, slash)}/${PROPOSALS}`;
}
