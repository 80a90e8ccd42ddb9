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
    other: 'a quote, callout or table',
    code: 'a code block',
    frontmatter: 'the properties',
    comment: 'a comment',
};

/** The note's lines as blocks: frontmatter, fences and comments whole; paragraphs and list items with their lines. */
export function noteBlocks(lines: readonly string[]): NoteBlock[] {
    const blocks: NoteBlock[] = [];
    let open: NoteBlock | null = null;
    let close: string | null = null;
    const start = (kind: BlockKind, i: number): NoteBlock => {
        blocks.push((open = { kind, from: i, to: i }));
        return open;
    };
    let i = 0;
    if (/^---\s*$/u.test(lines[0] ?? '')) {
        const end = lines.findIndex((line, n) => n > 0 && /^(---|\.\.\.)\s*$/u.test(line));
        if (end > 0) blocks.push({ kind: 'frontmatter', from: 0, to: (i = end) });
        if (end > 0) i++;
    }
    for (; i < lines.length; i++) {
        const line = lines[i] as string;
        if (open !== null && close !== null) {
            (open as NoteBlock).to = i;
            const marker = FENCE.exec(line)?.[1];
            const ends =
                close[0] === '`' || close[0] === '~'
                    ? marker !== undefined && marker[0] === close[0] && marker.length >= close.length
                    : line.includes(close);
            if (ends) open = close = null;
            continue;
        }
        const fence = FENCE.exec(line)?.[1];
        const comment = /^\s*(%%|<!--)/u.exec(line)?.[1];
        const kind: BlockKind | null =
            fence !== undefined
                ? 'code'
                : comment !== undefined
                  ? 'comment'
                  : line.trim() === ''
                    ? null
                    : /^ {0,3}#{1,6}(\s|$)/u.test(line)
                      ? 'heading'
                      : /^\s*([-*+]|\d+[.)])(\s|$)/u.test(line)
                        ? 'list'
                        : /^\s*[>|]/u.test(line)
                          ? 'other'
                          : 'text';
        if (kind === null) open = null;
        else if (open !== null && (kind === 'text' ? open.kind === 'list' || open.kind === 'text' : kind === 'other'))
            open.to = i;
        else start(kind, i);
        if (fence !== undefined) close = fence;
        if (comment !== undefined) {
            const closing = comment === '%%' ? '%%' : '-->';
            if (!line.slice(line.indexOf(comment) + comment.length).includes(closing)) close = closing;
        }
        if (kind === 'heading' || (kind === 'comment' && close === null)) open = null;
    }
    return blocks;
}

/** The block id for `quote` in `text` and the text with it; `seed` makes a new id (the same seed, the same id). */
export function blockLinkEdit(text: string, quote: string, seed: string): BlockEdit {
    const lines = text.split('\n');
    const wanted = collapse(quote);
    const found = noteBlocks(lines).filter((b) => collapse(lines.slice(b.from, b.to + 1).join('\n')).includes(wanted));
    const block = found.find((b) => b.kind === 'text' || b.kind === 'list') ?? found[0];
    if (wanted === '' || block === undefined) {
        return {
            ok: false,
            message: collapse(text).includes(wanted)
                ? 'The passage runs over several blocks; a block link needs it inside one paragraph or list item. Nothing was changed.'
                : 'The passage is no longer in the note (it changed since the answer); nothing was changed.',
        };
    }
    if (WHERE[block.kind] !== undefined) {
        return {
            ok: false,
            message: `The passage is in ${WHERE[block.kind]}, where a block id does not belong; nothing was changed.`,
        };
    }
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
 * block already has is used as it is, without asking. An excluded note is refused before it is read.
 */
export async function linkPassageToBlock(
    services: BlockLinkServices,
    passage: { path: string; quote: string },
    turnId: string,
): Promise<BlockLinkResult> {
    const { path } = passage;
    const hidden = (): BlockLinkResult | null => {
        const verdict = services.gate.check(path);
        return verdict.excluded
            ? {
                  ok: false,
                  message: `${path} is excluded from the agent (${ExclusionGate.describe(verdict.reason)}); no block link was made.`,
              }
            : null;
    };
    let base: string;
    try {
        const refused = hidden();
        if (refused !== null) return refused;
        base = await services.vault.read(path);
    } catch {
        return { ok: false, message: `${path} cannot be read now; nothing was changed.` };
    }
    // Reading re-indexes the note: it may have become private since.
    const refused = hidden();
    if (refused !== null) return refused;
    const edit = blockLinkEdit(base, passage.quote, `${path}\n${passage.quote}`);
    if (!edit.ok || edit.text === base) return edit.ok ? { ok: true, id: edit.id, message: `Linked to ^${edit.id}.` } : edit;
    const mark = `^${edit.id}`;
    // The person may edit the text on the card; an edit that drops the id is taken as a no.
    const approvals: ApprovalGate = {
        request: async (proposal, options) => {
            const decision = await services.approvals.request(proposal, options);
            return decision.kind === 'approve-edited' && !decision.content.includes(mark)
                ? { kind: 'deny', reason: `the edited text has no ${mark}` }
                : decision;
        },
    };
    const outcome = await new ChangeController({ ...services, approvals, mode: 'ask' }).submit(
        buildProposal({ kind: 'edit', path, base, proposed: edit.text }),
        { turnId },
    );
    if (outcome.applied) return { ok: true, id: edit.id, message: `Added ${mark} to ${path}.` };
    const message =
        outcome.refusal === 'declined'
            ? 'Not linked: the change was rejected; nothing was changed.'
            : outcome.refusal === 'not-found'
              ? hidden()?.message
              : undefined;
    return { ok: false, message: message ?? outcome.message };
}
