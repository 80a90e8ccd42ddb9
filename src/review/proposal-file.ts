/**
 * One proposal as it is kept in the vault: a Markdown file in the proposals folder (so every sync carries it) whose
 * body is one fenced JSON block. A fence keeps Obsidian from reading links or tags out of the proposed text (no
 * backlinks, no tag counts, no link rewrites on rename), and JSON keeps every byte of the hunks exact. The plugin and
 * the CLI read and write it the same way; a file that does not read as a proposal is reported, never rewritten.
 */
import { hunkDisplayLines, splitLines } from '../agent/changes/hunks';
import { CHANGE_KINDS, type ChangeKind, type Hunk } from '../agent/changes/proposal';
import type { ProposalOrigin } from '../agent/changes/change-ports';
import { normalizeVaultPath } from '../kernel/path-policy';

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
    return [
        '---',
        MARKER,
        '---',
        'A change waiting for review in Vault Agent.',
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
    const p = isRecord(value) ? value : {};
    const origin = isRecord(p['origin']) ? p['origin'] : {};
    const { kind, status } = p;
    const base = p['baseHash'];
    // The first field that does not read as it must, by name: the file is reported with it, never guessed at.
    const bad = [
        ['format', p['format'] === PROPOSAL_FORMAT],
        ['kind', typeof kind === 'string' && (CHANGE_KINDS as readonly string[]).includes(kind)],
        ['id', typeof p['id'] === 'string' && p['id'] !== ''],
        ['path', isVaultPath(p['path'])],
        ['newPath', kind !== 'rename' || isVaultPath(p['newPath'])],
        ['baseHash', kind === 'create' ? base === null : typeof base === 'string'],
        ['hunks', Array.isArray(p['hunks']) && p['hunks'].every(isHunkAt)],
        ['origin', (origin['kind'] === 'job' || origin['kind'] === 'mcp') && typeof origin['id'] === 'string'],
        ['origin', typeof origin['title'] === 'string'],
        ['created', typeof p['created'] === 'number' && Number.isFinite(p['created'])],
        ['status', status === 'pending' || status === 'applied' || status === 'rejected'],
    ].find(([, fits]) => fits !== true);
    if (bad !== undefined) throw new ProposalFileError(`its "${String(bad[0])}" cannot be read`);
    const verdicts: Record<string, HunkVerdict> = {};
    for (const [index, verdict] of Object.entries(isRecord(p['verdicts']) ? p['verdicts'] : {})) {
        if (verdict === 'accept' || verdict === 'reject') verdicts[index] = verdict;
    }
    const proposal: StoredProposal = {
        format: PROPOSAL_FORMAT,
        id: p['id'] as string,
        kind: kind as ChangeKind,
        path: p['path'] as string,
        baseHash: base as string | null,
        hunks: (p['hunks'] as Hunk[]).map(ownHunk),
        origin: {
            kind: origin['kind'] as ProposalOrigin['kind'],
            id: origin['id'] as string,
            title: origin['title'] as string,
        },
        created: p['created'] as number,
        seen: typeof p['seen'] === 'number' && p['seen'] >= 1 ? p['seen'] : 1,
        status: status as ProposalStatus,
        verdicts,
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

/**
 * A stored hunk that is what our own writer makes: the `index`-th of its proposal, with line counts that are those of
 * its two sides. A hunk whose numbers disagree with its text would be shown as one change and applied as another, or
 * fail while being applied: the file is reported instead.
 */
function isHunkAt(value: unknown, position: number): value is Hunk {
    if (!isRecord(value)) return false;
    const numbers = ['index', 'oldStart', 'oldLines', 'newStart', 'newLines'];
    const { oldText, newText } = value;
    return (
        numbers.every((key) => Number.isInteger(value[key]) && (value[key] as number) >= 0) &&
        value['index'] === position &&
        typeof oldText === 'string' &&
        typeof newText === 'string' &&
        splitLines(oldText).length === value['oldLines'] &&
        splitLines(newText).length === value['newLines'] &&
        Array.isArray(value['lines']) &&
        value['lines'].every((line) => typeof line === 'string')
    );
}

/** The hunk's fields, with display lines made anew from its two sides (`hunkDisplayLines`): the file's are not used. */
function ownHunk(hunk: Hunk): Hunk {
    const { index, oldStart, oldLines, newStart, newLines, oldText, newText } = hunk;
    return {
        index,
        oldStart,
        oldLines,
        newStart,
        newLines,
        lines: hunkDisplayLines(oldText, newText),
        oldText,
        newText,
    };
}

/** A path as our writer stores one: inside the vault and already in its normal form (an absolute or `..` path is not). */
function isVaultPath(value: unknown): value is string {
    if (typeof value !== 'string') return false;
    const checked = normalizeVaultPath(value);
    return checked.ok && checked.path === value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
