/**
 * The permission table of docs/DESIGN.md ("Permission modes") as a pure function: for a mode and a change, refuse, ask
 * or apply. Path safety (protected folders) and exclusions are checked by the controller before this.
 */
import { parsePermissionMode, type PermissionModeName } from '../../kernel/permission-mode-name';
import { hasHiddenSegment } from '../../kernel/path-policy';
import type { ChangeProposal } from './proposal';

/** What the mode allows for one change. */
export type PolicyVerdict =
    | { action: 'refuse'; message: string }
    | { action: 'ask' }
    | { action: 'apply' }
    /** Record the change for review (`propose` mode); the note is never touched. */
    | { action: 'propose' };

/** The delegate job's write scope. */
export interface DelegateScope {
    /** The only folder a delegate job may create notes in (vault-relative, normalised). */
    outputFolder: string;
}

/** What the mode allows for `proposal`. A value that is no mode (from a stale or hand-edited store) is `read-only`. */
export function policyFor(mode: PermissionModeName, proposal: ChangeProposal, scope?: DelegateScope): PolicyVerdict {
    const name = parsePermissionMode(mode);
    const { kind, path } = proposal;
    switch (name) {
        case 'read-only':
            return refuse(`Vault Agent is in read-only mode, so "${path}" was not changed. Nothing was written.`);
        case 'delegate':
            if (kind !== 'create') {
                return refuse(
                    `A delegate job only creates new notes in its output folder; it may not ${kind} "${path}". ` +
                        'Nothing was changed.',
                );
            }
            if (scope === undefined || !isStrictlyInside(path, scope.outputFolder)) {
                const where =
                    scope === undefined ? 'no output folder is set' : `the output folder is "${scope.outputFolder}/"`;
                return refuse(
                    `A delegate job may only create notes inside its output folder (${where}); "${path}" is not. Nothing was written.`,
                );
            }
            if (hasHiddenSegment(path.slice(scope.outputFolder.length + 1))) {
                return refuse(
                    `"${path}" is in a hidden folder or file (a name starting with a dot), which Obsidian does not show; ` +
                        `create the note directly in "${scope.outputFolder}/" or a visible subfolder. Nothing was written.`,
                );
            }
            return { action: 'apply' };
        case 'propose':
            // Every kind may be proposed; a person decides later, change by change, in the review inbox.
            return { action: 'propose' };
        case 'auto-edits':
            return kind === 'create' || kind === 'edit' ? { action: 'apply' } : { action: 'ask' };
        case 'ask':
            return { action: 'ask' };
    }
}

/** True when `path` lies beneath `folder` (never the folder itself); both are normalised vault paths. */
export function isStrictlyInside(path: string, folder: string): boolean {
    const prefix = folder.replace(/\/+$/u, '');
    return prefix !== '' && path.length > prefix.length + 1 && path.startsWith(`${prefix}/`);
}

function refuse(message: string): PolicyVerdict {
    return { action: 'refuse', message };
}
