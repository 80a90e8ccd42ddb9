/**
 * What the inbox lists: one entry per pending proposal (without its text), judged by the exclusion gate at the moment
 * it is listed, and the entries grouped by who proposed them and by note, newest first.
 */
import type { ProposalOrigin } from '../agent/changes/change-ports';
import type { ChangeKind } from '../agent/changes/proposal';
import { ExclusionGate } from '../context/exclusions';
import type { VaultPort } from '../kernel/vault-port';
import type { StoredProposal } from './proposal-file';

/** One proposal in the list: what it is about, never its text. */
export interface InboxEntry {
    /** The proposal's id. */
    id: string;
    /** What the change does. */
    kind: ChangeKind;
    /** The note. */
    path: string;
    /** Where a rename moves it. */
    newPath?: string;
    /** Who proposed it. */
    origin: ProposalOrigin;
    /** The proposer's stated reason (absent when withheld). */
    reason?: string;
    /** When it was proposed. */
    created: number;
    /** Hunks to decide (0 for a rename or delete, and when withheld). */
    hunks: number;
    /** Hunks the person has decided so far. */
    decided: number;
    /** How many times the same change was proposed. */
    seen: number;
    /** Set when the proposal is withheld: why, for the person (the note is excluded now). */
    withheld?: string;
}

/** The proposals of one note, newest first. */
export interface NoteGroup {
    /** The note. */
    path: string;
    /** Its proposals. */
    entries: InboxEntry[];
}

/** The proposals of one job or MCP client, by note. */
export interface OriginGroup {
    /** Who proposed them. */
    origin: ProposalOrigin;
    /** The newest proposal's time. */
    newest: number;
    /** How many proposals. */
    count: number;
    /** By note, the note with the newest proposal first. */
    notes: NoteGroup[];
}

/** The inbox: every pending proposal, grouped. */
export interface ProposalInbox {
    /** Pending proposals (the badge), withheld ones included. */
    count: number;
    /** How many of them are withheld. */
    withheld: number;
    /** By origin, the origin with the newest proposal first. */
    groups: OriginGroup[];
}

/** The entry for `proposal` as the gate judges it now; withheld entries carry no reason and no hunk count. */
export async function withheldWhy(
    proposal: StoredProposal,
    gate: ExclusionGate,
    vault: VaultPort,
): Promise<InboxEntry> {
    const entry: InboxEntry = {
        id: proposal.id,
        kind: proposal.kind,
        path: proposal.path,
        origin: proposal.origin,
        created: proposal.created,
        hunks: proposal.hunks.length,
        decided: Object.keys(proposal.verdicts).length,
        seen: proposal.seen,
    };
    if (proposal.newPath !== undefined) entry.newPath = proposal.newPath;
    const why = await exclusionOf(proposal, gate, vault);
    if (why !== null) {
        entry.withheld = why;
        entry.hunks = 0;
        entry.decided = 0;
        return entry;
    }
    if (proposal.reason !== undefined) entry.reason = proposal.reason;
    return entry;
}

/** What is said for a proposal withheld because its note is excluded now (`why`, when known: "tagged #private"). */
export function withheldText(path: string, why = 'made private or moved to an excluded place'): string {
    return `"${path}" is excluded now (${why}), so this proposal is withheld.`;
}

/** Groups entries by origin, then by note, newest first at both levels. */
export function groupInbox(entries: readonly InboxEntry[]): ProposalInbox {
    const byOrigin = new Map<string, OriginGroup>();
    const sorted = [...entries].sort((a, b) => b.created - a.created || b.id.localeCompare(a.id));
    for (const entry of sorted) {
        const key = `${entry.origin.kind}:${entry.origin.id}`;
        let group = byOrigin.get(key);
        if (group === undefined) {
            group = { origin: entry.origin, newest: entry.created, count: 0, notes: [] };
            byOrigin.set(key, group);
        }
        group.count++;
        let note = group.notes.find((candidate) => candidate.path === entry.path);
        if (note === undefined) {
            note = { path: entry.path, entries: [] };
            group.notes.push(note);
        }
        note.entries.push(entry);
    }
    return {
        count: entries.length,
        withheld: entries.filter((entry) => entry.withheld !== undefined).length,
        groups: [...byOrigin.values()],
    };
}

/**
 * Why the proposal must be withheld now, or `null`. The note (and a rename's target) is judged by its path and the
 * tags the vault knows; "not indexed" only withholds a note that exists (its tags cannot be read), since a note to
 * be created, or one gone since, has no tags to hide.
 */
async function exclusionOf(proposal: StoredProposal, gate: ExclusionGate, vault: VaultPort): Promise<string | null> {
    const paths = proposal.newPath === undefined ? [proposal.path] : [proposal.path, proposal.newPath];
    for (const path of paths) {
        const verdict = gate.check(path);
        if (!verdict.excluded) continue;
        if (verdict.reason.kind === 'unindexed' && (await vault.stat(path)) === null) continue;
        return withheldText(path, ExclusionGate.describe(verdict.reason));
    }
    return null;
}
