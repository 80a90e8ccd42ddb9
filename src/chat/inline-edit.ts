/**
 * Asking in place: the writer selects a passage (or puts the cursor in a paragraph) and asks for a change; the agent
 * answers in a chat of its own (built like every chat, by the session factory, read-only: it may read other notes,
 * it writes nothing), with the note attached through the usual context builder (exclusions apply), and its rewrite
 * streams back between `<rewrite>` tags. The editor shows the rewrite as an inline diff; each region the person
 * accepts is written through the change controller (stale check, checkpoint, undo) into the open editor, and the chat
 * records what was accepted and rejected, so the conversation can go on in the sidebar.
 */
import { ChangeController, type ChangeOutcome } from '../agent/changes/change-controller';
import type { ApprovalGate } from '../agent/changes/approval';
import type { OpenNoteEditors } from '../agent/changes/change-ports';
import { buildProposal } from '../agent/changes/proposal';
import type { SessionServices } from '../agent/session-factory';
import { parseSlashCommand, type CommandCatalog } from '../context/commands';
import { ExclusionGate } from '../context/exclusions';
import { DEFAULT_SETTINGS } from '../kernel/settings';
import type { VaultPort } from '../kernel/vault-port';
import type { ChatService } from './chat-service';

/** The tags the rewrite is returned between. */
const OPEN_TAG = '<rewrite>';
const CLOSE_TAG = '</rewrite>';

/** A change the person already turned down, so a follow-up does not propose it again. */
export interface TurnedDown {
    /** The passage's words the agent wanted to replace. */
    removed: string;
    /** What it wanted to write instead. */
    inserted: string;
}

/** One request for a rewrite. */
export interface InlineRequest {
    /** The note's vault path. */
    path: string;
    /** The passage to rewrite, as it reads now (a follow-up: with the person's decisions and edits in it). */
    passage: string;
    /** What the person asked: free words, or `/command args` for a custom command. */
    instruction: string;
    /** A follow-up on an open proposal ("try again", "shorter", …) rather than a first request. */
    followUp?: boolean;
    /** Changes the person rejected in this proposal, for a follow-up. */
    turnedDown?: readonly TurnedDown[];
}

/** What came back. */
export type InlineAnswer =
    /** The rewrite (may equal the passage: nothing to change). */
    | { ok: true; text: string; turnId: string }
    /** Nothing to show, and why, in words for the person. */
    | { ok: false; message: string };

/** The open note's editor, for one accept: its text now, and the write of the accepted change through it. */
export interface InlineEditorPort extends OpenNoteEditors {
    /** The note's text in the editor now: for an open note, the newest version. */
    text(): string;
}

/** What an inline edit needs. */
export interface InlineEditOptions {
    /** The chat that carries the request and records what happened (a fresh one; it is switched to read-only). */
    chat: ChatService;
    /** What sessions and writes are built from (the same services the chat gets). */
    services: () => Promise<SessionServices>;
    /** The vault's custom commands. */
    commands?: () => Pick<CommandCatalog, 'expand'>;
}

/** One ask-in-place conversation about one note. */
export class InlineEdit {
    private readonly options: InlineEditOptions;
    private lastTurn: string | null = null;

    constructor(options: InlineEditOptions) {
        this.options = options;
        options.chat.setMode('read-only');
        options.chat.attachFocusedNote = true;
    }

    /** The chat behind this edit (its id is what the sidebar resumes). */
    get chat(): ChatService {
        return this.options.chat;
    }

    /**
     * Asks for the rewrite; `onText` hears the rewrite so far as it streams (only the text inside the tags). Refuses
     * without asking when the note is excluded from the agent.
     */
    async ask(request: InlineRequest, onText: (partial: string) => void): Promise<InlineAnswer> {
        let services: SessionServices;
        try {
            services = await this.options.services();
        } catch (error) {
            return { ok: false, message: error instanceof Error ? error.message : String(error) };
        }
        // The passage goes into the message itself, so the note's exclusion is judged here first: fail closed.
        const verdict = services.gate().check(request.path);
        if (verdict.excluded) {
            return {
                ok: false,
                message: `This note is excluded from the agent (${ExclusionGate.describe(verdict.reason)}); nothing was sent.`,
            };
        }
        const instruction = await this.instructionOf(request.instruction);
        if (!instruction.ok) return instruction;
        let raw = '';
        let shown = '';
        let failure = 'The request was not sent.';
        const unsubscribe = this.options.chat.subscribe((event) => {
            if (event.type === 'error') failure = event.message;
            if (event.type !== 'turn') return;
            if (event.event.type === 'text') raw += event.event.delta;
            else if (event.event.type === 'retry') raw = '';
            else return;
            const partial = rewriteSoFar(raw);
            if (partial !== null && partial !== shown) {
                shown = partial;
                onText(partial);
            }
        });
        let result;
        try {
            const label = request.followUp === true ? 'Inline follow-up' : 'Inline edit';
            result = await this.options.chat.sendAs(
                `${label} in [[${request.path}]]: ${request.instruction}`,
                promptOf(request, instruction.text),
            );
        } finally {
            unsubscribe();
        }
        if (result === null) return { ok: false, message: failure };
        const text = finalRewrite(result.text);
        if (result.outcome !== 'done' || text === null) {
            const why = result.outcome !== 'done' ? result.message : 'The agent answered without a rewrite.';
            return { ok: false, message: `${why} Its answer is in the chat.` };
        }
        this.lastTurn = result.turnId;
        return { ok: true, text, turnId: result.turnId };
    }

    /**
     * Writes one accepted change: `base` (the note as the editor holds it) becomes `next`, through the change
     * controller with the person's acceptance bound to exactly this change, into the open editor (its undo history
     * kept), with a checkpoint for the chat's Undo. `what` is the line the chat records.
     */
    async accept(
        path: string,
        base: string,
        next: string,
        what: string,
        editor: InlineEditorPort,
    ): Promise<ChangeOutcome> {
        const services = await this.options.services();
        const proposal = buildProposal({ kind: 'edit', path, base, proposed: next, reason: what });
        const controller = new ChangeController({
            vault: editorFirst(services.vault, path, () => editor.text()),
            gate: services.gate(),
            approvals: acceptanceOf(proposal.binding),
            mode: 'ask',
            checkpoints: services.checkpoints,
            editors: editor,
            jobsFolder: services.settings().delegate?.jobsFolder ?? DEFAULT_SETTINGS.delegate.jobsFolder,
        });
        const turnId = this.lastTurn ?? `inline-${Date.now()}`;
        const outcome = await controller.submit(proposal, { turnId });
        await this.options.chat.note(
            outcome.applied ? `Accepted in the editor: ${what}.` : `Could not apply ${what}: ${outcome.message}`,
            outcome.applied ? turnId : undefined,
        );
        return outcome;
    }

    /** Records a decision that wrote nothing (a rejected region, a closed proposal). */
    async record(text: string): Promise<void> {
        await this.options.chat.note(text);
    }

    /** Stops a running request. */
    stop(): void {
        this.options.chat.stop();
    }

    private async instructionOf(typed: string): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
        const slash = parseSlashCommand(typed);
        if (slash === null || this.options.commands === undefined) return { ok: true, text: typed.trim() };
        const expanded = await this.options.commands().expand(slash.name, slash.args);
        return expanded.ok ? { ok: true, text: expanded.prompt.trim() } : { ok: false, message: expanded.message };
    }
}

/** The message the model gets. */
export function promptOf(request: InlineRequest, instruction: string): string {
    const lines = [
        request.followUp === true
            ? `Rewrite the passage of "${request.path}" again: ${instruction}`
            : `Rewrite a passage of the note "${request.path}" (the note is attached): ${instruction}`,
        '',
        `Answer with the new passage between ${OPEN_TAG} and ${CLOSE_TAG}: inside the tags only the passage's new ` +
            "text, in the note's Markdown. You may read other notes first. If you cannot do it, say why without the tags.",
    ];
    if (request.followUp === true)
        lines.push('', 'The passage as it reads now, with the decisions and edits of the person:');
    const turnedDown = request.turnedDown ?? [];
    if (turnedDown.length > 0) {
        lines.push('', 'The person rejected these changes; do not propose them again:');
        for (const change of turnedDown) lines.push(`- "${change.removed}" → "${change.inserted}"`);
    }
    lines.push('', '<passage>', request.passage, '</passage>');
    return lines.join('\n');
}

/**
 * The rewrite so far in a streaming answer: the text after the opening tag, without a closing tag or the start of
 * one at the very end; `null` before the opening tag arrives.
 */
export function rewriteSoFar(answer: string): string | null {
    const start = answer.lastIndexOf(OPEN_TAG);
    if (start < 0) return null;
    const body = answer.slice(start + OPEN_TAG.length);
    const end = body.indexOf(CLOSE_TAG);
    if (end >= 0) return trimTagBreaks(body.slice(0, end));
    let open = body;
    for (let keep = Math.min(CLOSE_TAG.length - 1, body.length); keep > 0; keep--) {
        if (CLOSE_TAG.startsWith(body.slice(body.length - keep))) {
            open = body.slice(0, -keep);
            break;
        }
    }
    // A line break at the very end may be the one before the closing tag: held back until more arrives.
    return trimTagBreaks(open);
}

/** The finished rewrite of an answer: the text between the last complete pair of tags, or `null`. */
export function finalRewrite(answer: string): string | null {
    const start = answer.lastIndexOf(OPEN_TAG);
    if (start < 0) return null;
    const end = answer.indexOf(CLOSE_TAG, start);
    return end < 0 ? null : trimTagBreaks(answer.slice(start + OPEN_TAG.length, end));
}

/** One line break right after the opening tag and right before the closing one belongs to the tags. */
function trimTagBreaks(text: string): string {
    const lead = trimLeadingBreak(text);
    return lead.endsWith('\r\n') ? lead.slice(0, -2) : lead.endsWith('\n') ? lead.slice(0, -1) : lead;
}

function trimLeadingBreak(text: string): string {
    return text.startsWith('\r\n') ? text.slice(2) : text.startsWith('\n') ? text.slice(1) : text;
}

/** The person pressed Accept on exactly this change: an approval that names it, and nothing else. */
function acceptanceOf(binding: string): ApprovalGate {
    return {
        request: async (proposal) =>
            proposal.binding === binding
                ? { kind: 'approve', binding }
                : { kind: 'deny', reason: 'the note changed before the accepted change could be written' },
    };
}

/** The vault, where the open note reads as its editor holds it (the newest version; the host saves it later). */
function editorFirst(vault: VaultPort, path: string, text: () => string): VaultPort {
    return new Proxy(vault, {
        get(target, key) {
            if (key === 'read') {
                return (p: string) => (p === path ? Promise.resolve(text()) : target.read(p));
            }
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
    });
}
