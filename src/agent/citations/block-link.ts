/**
 * Block links for cited passages (the chat's choice, never a job's): the block a quote sits in (a paragraph or a list
 * item), the block id it has or gets under Obsidian's rules (letters, digits and `-`, after a space at the end of the
 * block's last line; an id already there is reused), and the edit that adds it, submitted to the change controller so
 * it is written only when the person accepts the card. Never inside the frontmatter, a code fence or a comment; an
 * excluded note is refused; a passage no longer in the note changes nothing.
 */
import { ExclusionGate } from '../../context/exclusions';
import type { VaultPort } from '../../kernel/vault-port';
import type { ApprovalGate } from '../changes/approval';
import { ChangeController } from '../changes/change-controller';
import type { OpenNoteEditors } from '../changes/change-ports';
import type { CheckpointStore } from '../changes/checkpoints';
import { buildProposal } from '../changes/proposal';
import { sha256Utf16Hex } from '../changes/sha256';
import { NoteComments } from '../../vault/note-comments';

/** What a run of lines is, as far as block ids go. */
export type BlockKind = 'text' | 'list' | 'heading' | 'other' | 'code' | 'frontmatter' | 'comment';

/** One block: its kind and its first and last line (0-based, inclusive). */
export interface NoteBlock {
    kind: BlockKind;
    from: number;
    to: number;
}

/** The block id for a passage and the note's text with it: unchanged when the block already had one. */
export type BlockEdit = { ok: true; id: string; text: string } | { ok: false; message: string };

const FENCE = /^ {0,3}(`{3,}|~{3,})/u;
const WHERE: Record<string, string> = {
    heading: 'a heading',
    other: 'a quote or table',
    code: 'a code block',
    frontmatter: 'the properties',
    comment: 'a comment',
};
const GONE = 'The passage is no longer in the note';

/**
 * The note's lines as blocks: frontmatter, fences and comments whole; paragraphs and list items with their lines.
 * Comments are read as the note parser reads them (HTML and `%%`, opened anywhere on a line, across blank lines): a line
 * that starts inside one is part of a comment block, and a paragraph or list item with a line that ends inside one
 * counts as a comment (an id at its end would be hidden).
 */
export function noteBlocks(lines: readonly string[]): NoteBlock[] {
    const blocks: NoteBlock[] = [];
    let open: NoteBlock | null = null;
    /** The closing fence marker while inside fenced code. */
    let close: string | null = null;
    const comments = new NoteComments(lines);
    let i = 0;
    if (/^---\s*$/u.test(lines[0] ?? '')) {
        const end = lines.findIndex((line, n) => n > 0 && /^(---|\.\.\.)\s*$/u.test(line));
        if (end > 0) blocks.push({ kind: 'frontmatter', from: 0, to: (i = end) });
        if (end > 0) i++;
    }
    for (; i < lines.length; i++) {
        const line = lines[i] as string;
        if (open !== null && close !== null) {
            open.to = i;
            const marker = FENCE.exec(line)?.[1];
            if (marker !== undefined && marker[0] === close[0] && marker.length >= close.length) open = close = null;
            continue;
        }
        const startsHidden = comments.html || comments.percent;
        const fence = startsHidden ? undefined : FENCE.exec(line)?.[1];
        const hidden = fence === undefined ? comments.ranges(line, i) : null;
        const first = line.search(/\S/u);
        const inComment = hidden !== null && hidden.some(([start, end]) => first >= start && first < end);
        const kind: BlockKind | null =
            fence !== undefined
                ? 'code'
                : inComment
                  ? 'comment'
                  : line.trim() === ''
                    ? startsHidden
                        ? 'comment'
                        : null
                    : /^ {0,3}#{1,6}(\s|$)/u.test(line)
                      ? 'heading'
                      : /^\s*([-*+]|\d+[.)])(\s|$)/u.test(line)
                        ? 'list'
                        : /^\s*[>|]/u.test(line)
                          ? 'other'
                          : 'text';
        const joins =
            kind === 'text'
                ? open?.kind === 'text' || open?.kind === 'list'
                : (kind === 'other' || kind === 'comment') && open?.kind === kind;
        if (kind === null) open = null;
        else if (joins && open !== null) open.to = i;
        else blocks.push((open = { kind, from: i, to: i }));
        if (fence !== undefined) close = fence;
        // A line that ends inside a comment: its block takes no id, and the lines the comment covers join it.
        if (open !== null && (comments.html || comments.percent)) open.kind = 'comment';
        if (kind === 'heading' || (kind === 'comment' && !comments.html && !comments.percent)) open = null;
    }
    return blocks;
}

/** The block id for `quote` in `text` and the text with it; `seed` makes a new id (the same seed, the same id). */
export function blockLinkEdit(text: string, quote: string, seed: string): BlockEdit {
    const lines = text.split('\n');
    const wanted = collapse(quote);
    const found = noteBlocks(lines).filter((b) => collapse(lines.slice(b.from, b.to + 1).join('\n')).includes(wanted));
    const block = found.find((b) => b.kind === 'text' || b.kind === 'list') ?? found[0];
    if (wanted === '' || block === undefined)
        return refusal(collapse(text).includes(wanted) ? 'The passage spans several blocks' : GONE);
    const where = WHERE[block.kind];
    if (where !== undefined) return refusal(`No block id can go in ${where}`);
    const last = lines[block.to] as string;
    const cr = last.endsWith('\r') ? '\r' : '';
    const body = last.slice(0, last.length - cr.length).trimEnd();
    const existing = /(?:^|\s)\^([A-Za-z0-9-]+)$/u.exec(body)?.[1];
    if (existing !== undefined) return { ok: true, id: existing, text };
    const taken = new Set(text.match(/\^[A-Za-z0-9-]+(?=\s*$)/gmu));
    const hash = sha256Utf16Hex(seed);
    let id = '';
    for (let n = 0; id === '' || taken.has(`^${id}`); n++) id = n < 10 ? hash.slice(n * 6, n * 6 + 6) : `${id}-${n}`;
    lines[block.to] = `${body} ^${id}${cr}`;
    return { ok: true, id, text: lines.join('\n') };
}

function refusal(why: string): { ok: false; message: string } {
    return { ok: false, message: `${why}; nothing was changed.` };
}

function collapse(text: string): string {
    return text.replace(/\s+/gu, ' ').trim();
}

/** What making a block link needs: the chat's vault, gate, approval cards and checkpoints. */
export interface BlockLinkServices {
    vault: VaultPort;
    gate: ExclusionGate;
    /** The person's approval cards. */
    approvals: ApprovalGate;
    checkpoints: CheckpointStore;
    editors?: OpenNoteEditors;
    jobsFolder?: string;
}

/** What came of it, in words for the person; `id` once the block has it. */
export type BlockLinkResult = { ok: true; id: string; message: string } | { ok: false; message: string };

/**
 * Gives the block of a cited passage in the note at `path` a block id: the edit is shown as a card and written through
 * the change controller (approval, stale check, checkpoint under `turnId`) only when the person accepts it. An id the
 * block already has is used as it is, without asking. An excluded note is refused (judged after the read, which
 * re-indexes it; the text goes nowhere).
 */
export async function linkPassageToBlock(
    services: BlockLinkServices,
    passage: { path: string; quote: string },
    turnId: string,
): Promise<BlockLinkResult> {
    const { path } = passage;
    const hidden = (): { ok: false; message: string } | null => {
        const verdict = services.gate.check(path);
        return verdict.excluded ? refusal(`${path} is excluded (${ExclusionGate.describe(verdict.reason)})`) : null;
    };
    const base = await services.vault.read(path).catch(() => null);
    if (base === null) return refusal(GONE);
    const edit = hidden() ?? blockLinkEdit(base, passage.quote, `${path}\n${passage.quote}`);
    if (!edit.ok) return edit;
    const mark = `^${edit.id}`;
    const linked: BlockLinkResult = { ok: true, id: edit.id, message: `Linked to ${path}#${mark}.` };
    if (edit.text === base) return linked;
    // The person may edit the text on the card; an edit that drops the id is taken as a no.
    const approvals: ApprovalGate = {
        request: async (proposal, options) => {
            const decision = await services.approvals.request(proposal, options);
            return decision.kind === 'approve-edited' && !decision.content.includes(mark) ? { kind: 'deny' } : decision;
        },
    };
    const { vault, gate, checkpoints, editors, jobsFolder } = services;
    const controller = new ChangeController({ vault, gate, approvals, checkpoints, editors, jobsFolder, mode: 'ask' });
    const outcome = await controller.submit(buildProposal({ kind: 'edit', path, base, proposed: edit.text }), {
        turnId,
    });
    if (outcome.applied) return linked;
    if (outcome.refusal === 'declined') return refusal('Rejected');
    return (outcome.refusal === 'not-found' ? hidden() : null) ?? { ok: false, message: outcome.message };
}
