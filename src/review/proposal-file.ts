/**
 * One proposal as it is kept in the vault: a Markdown file in the proposals folder (so every sync carries it) whose
 * body is one fenced JSON block. A fence keeps Obsidian from reading links or tags out of the proposed text (no
 * backlinks, no tag counts, no link rewrites on rename), and JSON keeps every byte of the hunks exact. The plugin and
 * the CLI read and write it the same way; a file that does not read as a proposal is reported, never rewritten.
 */
import { CHANGE_KINDS, type ChangeKind, type Hunk } from '../agent/changes/proposal';
import type { ProposalOrigin } from '../agent/changes/change-ports';

/** The format version written; a newer one is reported as unreadable rather than guessed at. */
export const PROPOSAL_FORMAT = 1;

/** Where a proposal stands. */
export type ProposalStatus = 'pending' | 'applied' | 'rejected';

/** What the person decided about one hunk so far (kept so a review can be finished later, on any device). */
export type HunkVerdict = 'accept' | 'reject';

/** One proposal, as stored. */
export interface StoredProposal {
    /** The format version. */
    format: typeof PROPOSAL_FORMAT;
    /** Unique id, also the file's name: newest sorts last (`p-<time base36>-<random>`). */
    id: string;
    /** What the change does. */
    kind: ChangeKind;
    /** The note (for a rename: where it is now). */
    path: string;
    /** Where a rename moves the note. */
    newPath?: string;
    /** SHA-256 (UTF-16) of the note's text the change was computed against; `null` for a create. */
    baseHash: string | null;
    /** The hunks from the base (`''` for a create) to the proposed text; none for a rename or delete. */
    hunks: Hunk[];
    /** Who proposed it. */
    origin: ProposalOrigin;
    /** The proposer's stated reason, shown as its words, never as fact. */
    reason?: string;
    /** When it was proposed, ms since the epoch. */
    created: number;
    /** How many times the same change was proposed (duplicates merged into this one). */
    seen: number;
    /** Pending until a person decides. */
    status: ProposalStatus;
    /** Per-hunk verdicts so far, by hunk index (a partly reviewed proposal). */
    verdicts: Record<string, HunkVerdict>;
    /** Once applied: the checkpoint group that undoes it, and when. */
    applied?: { turnId: string; at: number };
    /** Once decided: when. */
    decided?: number;
}

/** Why a file did not read as a proposal. */
export class ProposalFileError extends Error {
    override readonly name: string = 'ProposalFileError';
}

const MARKER = 'vault-agent: proposal';
const FENCE = '~~~~~';

/** The file's text. */
export function renderProposalFile(proposal: StoredProposal): string {
    const note = proposal.kind === 'rename' ? `${proposal.path} → ${proposal.newPath ?? ''}` : proposal.path;
    return [
        '---',
        MARKER,
        '---',
        `A proposed ${proposal.kind} of "${note.replace(/[\r\n]/gu, ' ')}" waiting for review in Vault Agent.`,
        '',
        `${FENCE}json`,
        JSON.stringify(proposal, null, 1),
        FENCE,
        '',
    ].join('\n');
}

/** Reads a proposal file; throws `ProposalFileError` when it is not one this build can read. */
export function parseProposalFile(text: string): StoredProposal {
    const open = text.indexOf(`\n${FENCE}json\n`);
    const close = open < 0 ? -1 : text.indexOf(`\n${FENCE}\n`, open + FENCE.length + 6);
    if (!text.includes(MARKER) || open < 0 || close < 0) throw new ProposalFileError('it is not a proposal file');
    let value: unknown;
    try {
        value = JSON.parse(text.slice(open + FENCE.length + 6, close));
    } catch (error) {
        throw new ProposalFileError(`its JSON cannot be read (${error instanceof Error ? error.message : 'unknown'})`);
    }
    return checkProposal(value);
}

function checkProposal(value: unknown): StoredProposal {
    if (!isRecord(value)) throw new ProposalFileError('it holds no proposal');
    const p = value;
    if (p['format'] !== PROPOSAL_FORMAT) throw new ProposalFileError(`its format ${String(p['format'])} is unknown`);
    const kind = p['kind'];
    if (typeof kind !== 'string' || !(CHANGE_KINDS as readonly string[]).includes(kind)) {
        throw new ProposalFileError('its kind is unknown');
    }
    const strings = ['id', 'path'] as const;
    for (const key of strings) {
        if (typeof p[key] !== 'string' || p[key] === '') throw new ProposalFileError(`its ${key} is missing`);
    }
    if (kind === 'rename' && typeof p['newPath'] !== 'string') throw new ProposalFileError('its new path is missing');
    if (p['baseHash'] !== null && typeof p['baseHash'] !== 'string') throw new ProposalFileError('its base is unknown');
    if ((kind === 'create') !== (p['baseHash'] === null)) throw new ProposalFileError('its base does not fit its kind');
    if (!Array.isArray(p['hunks']) || !p['hunks'].every(isHunk))
        throw new ProposalFileError('its hunks are unreadable');
    const origin = p['origin'];
    if (
        !isRecord(origin) ||
        (origin['kind'] !== 'job' && origin['kind'] !== 'mcp') ||
        typeof origin['id'] !== 'string' ||
        typeof origin['title'] !== 'string'
    ) {
        throw new ProposalFileError('its origin is unreadable');
    }
    if (typeof p['created'] !== 'number' || !Number.isFinite(p['created'])) {
        throw new ProposalFileError('its time is unreadable');
    }
    const status = p['status'];
    if (status !== 'pending' && status !== 'applied' && status !== 'rejected') {
        throw new ProposalFileError('its status is unknown');
    }
    const verdicts = isRecord(p['verdicts']) ? p['verdicts'] : {};
    const cleanVerdicts: Record<string, HunkVerdict> = {};
    for (const [index, verdict] of Object.entries(verdicts)) {
        if (verdict === 'accept' || verdict === 'reject') cleanVerdicts[index] = verdict;
    }
    const proposal: StoredProposal = {
        format: PROPOSAL_FORMAT,
        id: p['id'] as string,
        kind: kind as ChangeKind,
        path: p['path'] as string,
        baseHash: p['baseHash'],
        hunks: p['hunks'],
        origin: { kind: origin['kind'], id: origin['id'], title: origin['title'] },
        created: p['created'],
        seen: typeof p['seen'] === 'number' && p['seen'] >= 1 ? p['seen'] : 1,
        status,
        verdicts: cleanVerdicts,
    };
    if (kind === 'rename') proposal.newPath = p['newPath'] as string;
    if (typeof p['reason'] === 'string' && p['reason'] !== '') proposal.reason = p['reason'];
    const applied = p['applied'];
    if (isRecord(applied) && typeof applied['turnId'] === 'string' && typeof applied['at'] === 'number') {
        proposal.applied = { turnId: applied['turnId'], at: applied['at'] };
    }
    if (typeof p['decided'] === 'number') proposal.decided = p['decided'];
    return proposal;
}

function isHunk(value: unknown): value is Hunk {
    if (!isRecord(value)) return false;
    const numbers = ['index', 'oldStart', 'oldLines', 'newStart', 'newLines'];
    return (
        numbers.every((key) => Number.isInteger(value[key]) && (value[key] as number) >= 0) &&
        typeof value['oldText'] === 'string' &&
        typeof value['newText'] === 'string' &&
        Array.isArray(value['lines']) &&
        value['lines'].every((line) => typeof line === 'string')
    );
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
