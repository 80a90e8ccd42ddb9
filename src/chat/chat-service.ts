/**
 * One co-pilot chat without any UI: builds its session with the session factory (the same one jobs and the CLI use),
 * sends each message with the focus captured at send time so the session builds the context itself (attached notes
 * keep their sources, so a note made private later leaves the history — RELIABILITY row 13), keeps the transcript,
 * saves it after every message and turn, resumes stored chats (replaying their model history into a fresh session),
 * and undoes a turn's changes. The chat view subscribes and renders; tests drive it directly.
 */
import type { AgentSession } from '../agent/agent-session';
import type { ApprovalGate } from '../agent/changes/approval';
import type { CheckpointStore, UndoReport } from '../agent/changes/checkpoints';
import type { TurnEvent, TurnResult } from '../agent/loop/turn-events';
import { createAgentSession, type SessionServices } from '../agent/session-factory';
import { captureFocus, type FocusSnapshot, type FocusSource } from '../context/focus';
import { systemClock, type Clock } from '../ports';
import type { ChatStore } from './chat-store';
import { applyTurnEvent, newChatRecord, titleFrom, type ChatEntry, type ChatRecord } from './transcript';

/** What a chat needs. */
export interface ChatServiceOptions {
    /** Where chats are kept. */
    store: ChatStore;
    /** What the person is looking at when they send. */
    focus: FocusSource;
    /** The vault's checkpoints, for undo. */
    checkpoints: CheckpointStore;
    /** Asks the person about changes (the approval cards); every session of this chat uses it. */
    approvals: ApprovalGate;
    /**
     * What sessions are built from (its `contextBuilder` builds each message's context). Rejects when nothing may be
     * sent (settings locked, no key on this device); the chat then shows the reason and sends nothing.
     */
    services(): Promise<Omit<SessionServices, 'approvals'>>;
    /** Mode, model and focus attachment a new chat starts with, read from settings when the chat starts. */
    defaults(): { mode: string; model: string; attachFocusedNote: boolean };
    /** Time. */
    clock?: Clock;
}

/** What a chat tells its view. */
export type ChatServiceEvent =
    /** A different chat is shown (new or resumed): render it all again. */
    | { type: 'reset'; record: ChatRecord }
    /** The person's message was added. */
    | { type: 'user'; entry: Extract<ChatEntry, { kind: 'user' }> }
    /** An event of the running turn (already folded into the record). */
    | { type: 'turn'; turnKey: string; event: TurnEvent }
    /** A turn started or ended. */
    | { type: 'busy'; busy: boolean }
    /** A turn's changes were undone (or an undo was planned). */
    | { type: 'undo'; report: UndoReport }
    /** Something failed before the model was asked (e.g. the key is not set); in words for the person. */
    | { type: 'error'; message: string };

/** A chat. */
export class ChatService {
    private readonly options: ChatServiceOptions;
    private readonly clock: Clock;
    private readonly listeners = new Set<(event: ChatServiceEvent) => void>();
    private session: AgentSession | null = null;
    private unsubscribeSession: (() => void) | null = null;
    private turnKey = '';
    /** The person's message, shown once the session says what context went with it (or the turn failed first). */
    private pendingUser: Extract<ChatEntry, { kind: 'user' }> | null = null;
    private running = false;
    private stopRequested = false;
    /** The chat shown now. */
    record: ChatRecord;
    /** Whether the focused note and selection are attached to the next message. */
    attachFocusedNote: boolean;

    constructor(options: ChatServiceOptions) {
        this.options = options;
        this.clock = options.clock ?? systemClock;
        const defaults = options.defaults();
        this.record = this.freshRecord();
        this.attachFocusedNote = defaults.attachFocusedNote;
    }

    /** Hears chat events; returns the unsubscribe function. */
    subscribe(listener: (event: ChatServiceEvent) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** Whether a turn is running. */
    get busy(): boolean {
        return this.running;
    }

    /** Sends a message and runs the turn; resolves with its result, or `null` when it never reached the model. */
    async send(text: string): Promise<TurnResult | null> {
        if (this.running || text.trim() === '') return null;
        this.running = true;
        this.stopRequested = false;
        this.emit({ type: 'busy', busy: true });
        const focus: FocusSnapshot = captureFocus(this.options.focus);
        this.pendingUser = { kind: 'user', text, context: [], time: this.clock.now() };
        if (this.record.entries.length === 0) this.record.title = titleFrom(text);
        try {
            const session = await this.ensureSession();
            if (this.stopRequested) return null;
            this.turnKey = `pending-${this.clock.now()}`;
            const result = await session.send(text, {
                context: { focus, attachFocusedNote: this.attachFocusedNote },
            });
            await this.finishTurn(session, result);
            return result;
        } catch (error) {
            this.showUser();
            this.emit({ type: 'error', message: error instanceof Error ? error.message : String(error) });
            return null;
        } finally {
            this.showUser();
            this.running = false;
            this.record.updated = this.clock.now();
            await this.persist();
            this.emit({ type: 'busy', busy: false });
        }
    }

    /** Stops the running turn (within a second: the session aborts the stream, a retry wait or an approval). */
    stop(): void {
        this.stopRequested = true;
        this.session?.stop();
    }

    /** Starts an empty chat with the current defaults. */
    newChat(): void {
        if (this.running) this.stop();
        this.dropSession();
        this.pendingUser = null;
        this.record = this.freshRecord();
        this.emit({ type: 'reset', record: this.record });
    }

    /** Shows a stored chat; the next message continues its model history. Resolves `false` when it is gone. */
    async resume(id: string): Promise<boolean> {
        const record = await this.options.store.load(id);
        if (record === null) return false;
        if (this.running) this.stop();
        this.dropSession();
        this.pendingUser = null;
        this.record = record;
        this.emit({ type: 'reset', record });
        return true;
    }

    /** Changes the permission mode; the next message runs in it. */
    setMode(mode: string): void {
        if (this.record.mode === mode) return;
        this.record.mode = mode;
        this.dropSession();
    }

    /** Changes the model; the next message uses it. */
    setModel(model: string): void {
        if (this.record.model === model) return;
        this.record.model = model;
        this.dropSession();
    }

    /** The newest turn of this chat that still has changes to undo, or `null`. */
    async lastUndoableTurn(): Promise<string | null> {
        const open = new Set(await this.options.checkpoints.undoableTurns());
        for (let i = this.record.changedTurns.length - 1; i >= 0; i--) {
            const turnId = this.record.changedTurns[i];
            if (turnId !== undefined && open.has(turnId)) return turnId;
        }
        return null;
    }

    /** Undoes a turn's changes (the newest undoable one when none is named); `dryRun` only says what would happen. */
    async undo(turnId?: string, options: { dryRun?: boolean } = {}): Promise<UndoReport | null> {
        const target = turnId ?? (await this.lastUndoableTurn());
        if (target === null) return null;
        const report = await this.options.checkpoints.undo(target, options);
        if (!report.dryRun) this.emit({ type: 'undo', report });
        return report;
    }

    /** Releases the session. */
    dispose(): void {
        this.stop();
        this.dropSession();
        this.listeners.clear();
    }

    private freshRecord(): ChatRecord {
        const defaults = this.options.defaults();
        return newChatRecord({
            id: newChatId(this.clock),
            mode: defaults.mode,
            model: defaults.model,
            now: this.clock.now(),
        });
    }

    private async ensureSession(): Promise<AgentSession> {
        if (this.session !== null) return this.session;
        const services = await this.options.services();
        const { session } = await createAgentSession({
            services: { ...services, approvals: this.options.approvals },
            kind: 'chat',
            mode: this.record.mode,
            model: this.record.model,
            chatId: this.record.id,
            approvals: this.options.approvals,
        });
        // A resumed chat (or one whose mode or model changed) continues with the history the model saw before.
        for (const message of this.record.history) {
            const blocks = structuredClone(message.content);
            if (message.role === 'user') session.conversation.addUser(blocks);
            else session.conversation.addAssistant(blocks);
        }
        this.unsubscribeSession = session.subscribe((event) => {
            // The context event opens every turn sent with context: the message is shown with what went with it.
            if (event.type === 'context') {
                if (this.pendingUser !== null) this.pendingUser.context = event.lines;
                this.showUser();
            }
            applyTurnEvent(this.record, this.turnKey, event);
            this.emit({ type: 'turn', turnKey: this.turnKey, event });
        });
        this.session = session;
        return session;
    }

    /** Adds the pending message to the transcript once. */
    private showUser(): void {
        const entry = this.pendingUser;
        if (entry === null) return;
        this.pendingUser = null;
        this.record.entries.push(entry);
        this.emit({ type: 'user', entry });
    }

    private async finishTurn(session: AgentSession, result: TurnResult): Promise<void> {
        for (const entry of this.record.entries) {
            if (entry.kind !== 'user' && entry.turnId === this.turnKey) entry.turnId = result.turnId;
        }
        this.record.history = structuredClone([...session.conversation.snapshot()]);
        const applied = await this.options.checkpoints.list(result.turnId);
        if (applied.length > 0 && !this.record.changedTurns.includes(result.turnId)) {
            this.record.changedTurns.push(result.turnId);
        }
    }

    private dropSession(): void {
        this.unsubscribeSession?.();
        this.unsubscribeSession = null;
        this.session = null;
    }

    private async persist(): Promise<void> {
        if (this.record.entries.length === 0) return;
        try {
            await this.options.store.save(this.record);
        } catch (error) {
            this.emit({ type: 'error', message: `The chat could not be saved: ${String(error)}` });
        }
    }

    private emit(event: ChatServiceEvent): void {
        for (const listener of this.listeners) listener(event);
    }
}

function newChatId(clock: Clock): string {
    const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    return `${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}
