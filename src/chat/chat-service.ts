/**
 * One co-pilot chat without any UI: builds its session with the session factory (the same one jobs and the CLI use),
 * sends each message with the focus captured at send time so the session builds the context itself (attached notes
 * keep their sources, so a note made private later leaves the history — docs/RELIABILITY.md row 13), keeps the
 * transcript, saves it after every message and turn, resumes stored chats (replaying their model history into a fresh
 * session), undoes a turn's changes, runs the vault's custom `/commands` (their prompt and mode/model for one turn),
 * compacts on request, and notes under each answer which instructions and skills guided it. The chat view subscribes
 * and renders; tests drive it directly.
 */
import type { AgentSession } from '../agent/agent-session';
import type { CitedPassage } from '../agent/citations/answer-sources';
import { linkPassageToBlock, type BlockLinkResult } from '../agent/citations/block-link';
import type { CheckpointStore, UndoReport } from '../agent/changes/checkpoints';
import type { CompactionNotice } from '../agent/compaction/context-manager';
import type { TurnEvent, TurnResult } from '../agent/loop/turn-events';
import type { SessionServices } from '../agent/session-factory';
import { parseSlashCommand, type CommandCatalog } from '../context/commands';
import { captureFocus, type FocusSnapshot, type FocusSource } from '../context/focus';
import { guidanceInEffect } from '../context/guidance';
import { systemClock, type Clock } from '../kernel/ports';
import { DEFAULT_SETTINGS } from '../kernel/settings';
import type { JobSpec } from '../delegate/job-spec';
import { ChatSession, type TurnSettings } from './chat-session';
import type { ChatStore } from './chat-store';
import { continueFromJobPrompt, handOverJob, type HandOverResult, type JobToContinue } from './hand-over';
import {
    applyTurnEvent,
    guidanceEntry,
    newChatRecord,
    titleFrom,
    type ChatEntry,
    type ChatRecord,
    type ChatServiceEvent,
} from './transcript';

/** What a chat needs. */
export interface ChatServiceOptions {
    /** Where chats are kept. */
    store: ChatStore;
    /** What the person is looking at when they send. */
    focus: FocusSource;
    /** The vault's checkpoints, for undo. */
    checkpoints: CheckpointStore;
    /**
     * What sessions are built from: its `approvals` (the approval cards) ask the person about changes, its
     * `contextBuilder` builds each message's context. Rejects when nothing may be sent (settings locked, no key on
     * this device); the chat then shows the reason and sends nothing.
     */
    services(): Promise<SessionServices>;
    /** Mode, model and focus attachment a new chat starts with, read from settings when the chat starts. */
    defaults(): { mode: string; model: string; attachFocusedNote: boolean };
    /** The vault's custom commands (the current catalog); without it, `/name` is sent as typed. */
    commands?: () => Pick<CommandCatalog, 'expand'>;
    /** Time. */
    clock?: Clock;
    /** Queues a job note through the delegate enqueue path and resolves with its path; without it, no hand-over. */
    enqueue?: (spec: JobSpec) => Promise<string>;
}

/** A chat. */
export class ChatService {
    private readonly options: ChatServiceOptions;
    private readonly clock: Clock;
    private readonly listeners = new Set<(event: ChatServiceEvent) => void>();
    /** The session, for the mode and model of the latest turn (a command may ask for others for one turn). */
    private readonly sessions = new ChatSession();
    private turnKey = '';
    /** The person's message, shown once the session says what context went with it (or the turn failed first). */
    private pendingUser: Extract<ChatEntry, { kind: 'user' }> | null = null;
    private running = false;
    private stopRequested = false;
    /** What happened outside the chat since the last turn, told to the model with the next message. */
    private pendingNotes: string[] = [];
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

    /**
     * Sends a message and runs the turn; resolves with its result, or `null` when it never reached the model. With a
     * command catalog, `/name args` runs the custom command: its prompt is sent (its mentions resolved like typed
     * ones) in its mode and model for this turn only, while the transcript keeps what the person typed. An unknown
     * command sends nothing and says so.
     */
    async send(text: string): Promise<TurnResult | null> {
        if (this.running || text.trim() === '') return null;
        const slash = this.options.commands === undefined ? null : parseSlashCommand(text);
        if (slash === null || this.options.commands === undefined) return this.run(text, text, this.chatSettings());
        const expanded = await this.options.commands().expand(slash.name, slash.args);
        if (!expanded.ok) {
            this.emit({ type: 'notice', message: `${expanded.message} Nothing was sent.` });
            return null;
        }
        return this.run(text, expanded.prompt, {
            mode: expanded.mode ?? this.record.mode,
            model: expanded.model ?? this.record.model,
        });
    }

    /**
     * Sends `prompt` to the model while the transcript shows `shown` (an inline edit's wrapped request is shown as
     * what the person asked). Resolves like `send`.
     */
    sendAs(shown: string, prompt: string): Promise<TurnResult | null> {
        if (this.running || prompt.trim() === '') return Promise.resolve(null);
        return this.run(shown, prompt, this.chatSettings());
    }

    /**
     * Records what the person did outside the chat (accepted or rejected an inline proposal): a line in the
     * transcript now, and a line the model reads before the next message, so the conversation can go on from there.
     * `changedTurn` names the turn whose checkpoints now hold a change, so the chat's Undo can reach it.
     */
    async note(text: string, changedTurn?: string): Promise<void> {
        this.record.entries.push({ kind: 'note', text, time: this.clock.now() });
        this.pendingNotes.push(text);
        if (changedTurn !== undefined && !this.record.changedTurns.includes(changedTurn)) {
            this.record.changedTurns.push(changedTurn);
        }
        this.record.updated = this.clock.now();
        this.emit({ type: 'notice', message: text });
        if (!this.running) await this.persist();
    }

    /**
     * Gives a cited passage's block a block id, as the person chose on the answer: the edit is shown as a card and
     * written only when they accept it (`linkPassageToBlock`); then the passage links to the block and the chat is
     * saved, and the change is undoable from the chat.
     */
    async linkToBlock(passage: CitedPassage): Promise<BlockLinkResult> {
        const turnId = `block-link-${this.clock.now()}`;
        let result: BlockLinkResult;
        try {
            const services = await this.options.services();
            result = await linkPassageToBlock(
                {
                    ...services,
                    gate: services.gate(),
                    jobsFolder: services.settings().delegate?.jobsFolder ?? DEFAULT_SETTINGS.delegate.jobsFolder,
                },
                { path: passage.path ?? '', quote: passage.quote },
                turnId,
            );
        } catch (error) {
            return { ok: false, message: messageOf(error) };
        }
        if (result.ok) {
            passage.block = result.id;
            await this.note(result.message, turnId);
        }
        return result;
    }

    /** The model's context window in tokens for this chat's session, or `null` before the first message. */
    contextWindow(): number | null {
        return this.sessions.current?.contextMeter().windowTokens ?? null;
    }

    /** Sends the person's last message again (the *Retry* of a failed turn); `null` when there is none or a turn runs. */
    retry(): Promise<TurnResult | null> {
        const last = [...this.record.entries].reverse().find((entry) => entry.kind === 'user');
        return last === undefined ? Promise.resolve(null) : this.send(last.text);
    }

    /**
     * Compacts the conversation now (`/compact`): older messages become a record, a divider marks the place, and
     * the chat says what happened. Resolves with the notice, or `null` when there was nothing to compact or it failed.
     */
    async compact(): Promise<CompactionNotice | null> {
        if (this.running) return null;
        return this.busyWhile(
            async () => {
                const session = await this.ensureSession(this.chatSettings());
                if (this.stopRequested) return null;
                this.turnKey = `compact-${this.clock.now()}`;
                const notice = await session.compact();
                if (notice === null) this.emit({ type: 'notice', message: 'Nothing to compact yet.' });
                else {
                    this.record.history = structuredClone([...session.conversation.snapshot()]);
                    const saved = notice.tokensBefore - notice.tokensAfter;
                    this.emit({
                        type: 'notice',
                        message:
                            `Compacted: ${notice.summarisedMessages} messages summarised, ${notice.keptMessages} kept, ` +
                            `about ${Math.max(0, saved).toLocaleString('en-US')} tokens freed.`,
                    });
                }
                return notice;
            },
            (error) => this.emit({ type: 'error', message: `Could not compact: ${messageOf(error)}` }),
        );
    }

    /**
     * Runs `work` as the chat's one busy task: the view hears `busy` around it, and the chat is saved after it. A
     * failure is told through `failed` and resolves `null`.
     */
    private async busyWhile<T>(work: () => Promise<T | null>, failed: (error: unknown) => void): Promise<T | null> {
        this.running = true;
        this.stopRequested = false;
        this.emit({ type: 'busy', busy: true });
        try {
            return await work();
        } catch (error) {
            failed(error);
            return null;
        } finally {
            this.running = false;
            this.record.updated = this.clock.now();
            await this.persist();
            this.emit({ type: 'busy', busy: false });
        }
    }

    private run(shown: string, prompt: string, settings: TurnSettings): Promise<TurnResult | null> {
        const focus: FocusSnapshot = captureFocus(this.options.focus);
        this.pendingUser = { kind: 'user', text: shown, context: [], time: this.clock.now() };
        if (this.record.entries.length === 0) this.record.title = titleFrom(shown);
        const failed = (error: unknown): void => this.emit({ type: 'error', message: messageOf(error), error });
        return this.busyWhile(async () => {
            try {
                return await this.turn(prompt, settings, focus);
            } finally {
                // Shown before the chat is saved, even when the session never said what context went with it.
                this.showUser();
            }
        }, failed);
    }

    /** One turn: the message (with what happened since the last answer) sent in `settings`, and its guidance line. */
    private async turn(prompt: string, settings: TurnSettings, focus: FocusSnapshot): Promise<TurnResult | null> {
        const session = await this.ensureSession(settings);
        if (this.stopRequested) return null;
        this.turnKey = `pending-${this.clock.now()}`;
        this.sessions.newTurn();
        const notes = this.pendingNotes;
        this.pendingNotes = [];
        const told = notes.length === 0 ? prompt : `(Since your last answer: ${notes.join(' ')})\n\n${prompt}`;
        const result = await session.send(told, {
            context: { focus, attachFocusedNote: this.attachFocusedNote },
        });
        const items = this.sessions.turnItems;
        await this.finishTurn(session, result);
        const guidance = guidanceEntry(result.turnId, guidanceInEffect({ items, toolCalls: result.toolCalls }));
        if (guidance !== null) {
            this.record.entries.push(guidance);
            this.emit({ type: 'guidance', entry: guidance });
        }
        return result;
    }

    /** Stops the running turn (within a second: the session aborts the stream, a retry wait or an approval). */
    stop(): void {
        this.stopRequested = true;
        this.sessions.current?.stop();
    }

    /** Starts an empty chat with the current defaults. */
    newChat(): void {
        if (this.running) this.stop();
        this.sessions.drop();
        this.pendingUser = null;
        this.pendingNotes = [];
        this.record = this.freshRecord();
        this.emit({ type: 'reset', record: this.record });
    }

    /**
     * *Continue in background*: the conversation becomes a queued job (its request as the brief, the notes it used as
     * context, the conversation so far carried over; `hand-over.ts`), and the chat is freed for something else. A
     * running turn is stopped first. Rejects (and the chat stays as it is) when nothing can be handed over or the job
     * could not be written.
     */
    async continueInBackground(): Promise<HandOverResult> {
        const enqueue = this.options.enqueue;
        if (enqueue === undefined) throw new Error('This chat cannot hand over to the job queue here.');
        if (this.running) {
            this.stop();
            while (this.running) await this.clock.sleep(10);
        }
        const services = await this.options.services();
        const gate = services.gate();
        const handOver = handOverJob(this.record, {
            isExcluded: (path) => gate.isExcluded(path),
            sources: this.sessions.current?.conversation.allSources() ?? [],
            // The chat could edit notes with the person watching; in the background its edits wait in the review inbox.
            mode: this.record.mode === 'read-only' ? 'read-only' : 'propose',
        });
        const jobPath = await enqueue(handOver.spec);
        const title = this.record.title;
        this.newChat();
        const withheld = handOver.answersWithheld
            ? " The agent's answers were left out: a note the chat read is private now."
            : '';
        this.emit({
            type: 'notice',
            message: `"${title}" continues in the background as the job ${jobPath}.${withheld}`,
        });
        return { jobPath, answersWithheld: handOver.answersWithheld };
    }

    /**
     * Starts a new chat that continues a finished job: the returned text (the result and the job note as @-mentions)
     * is what the view puts in the input, so the person adds what they want next and the context builder attaches
     * both notes through the gate.
     */
    continueFromJob(job: JobToContinue): string {
        this.newChat();
        this.emit({ type: 'notice', message: `Continuing from the job "${job.title}".` });
        return continueFromJobPrompt(job);
    }

    /** Shows a stored chat; the next message continues its model history. Resolves `false` when it is gone. */
    async resume(id: string): Promise<boolean> {
        const record = await this.options.store.load(id);
        if (record === null) return false;
        if (this.running) this.stop();
        this.sessions.drop();
        this.pendingUser = null;
        this.pendingNotes = [];
        this.record = record;
        this.emit({ type: 'reset', record });
        return true;
    }

    /** Changes the permission mode; the next message runs in it. */
    setMode(mode: string): void {
        if (this.record.mode === mode) return;
        this.record.mode = mode;
        this.sessions.drop();
    }

    /** Changes the model; the next message uses it. */
    setModel(model: string): void {
        if (this.record.model === model) return;
        this.record.model = model;
        this.sessions.drop();
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

    /**
     * Undoes a turn's changes (the newest undoable one when none is named), or with `changeId` only the change of one
     * approved card; `dryRun` only says what would happen.
     */
    async undo(turnId?: string, options: { dryRun?: boolean; changeId?: string } = {}): Promise<UndoReport | null> {
        const target = turnId ?? (await this.lastUndoableTurn());
        if (target === null) return null;
        const report = await this.options.checkpoints.undo(target, options);
        if (!report.dryRun)
            this.emit({
                type: 'undo',
                report,
                ...(options.changeId === undefined ? {} : { changeId: options.changeId }),
            });
        return report;
    }

    /** The approved changes (proposal ids) of a turn that can still be undone one by one. */
    async undoableChanges(turnId: string): Promise<Set<string>> {
        const list = await this.options.checkpoints.list(turnId);
        return new Set(list.flatMap((c) => (c.undone || c.changeId === undefined ? [] : [c.changeId])));
    }

    /** Releases the session. */
    dispose(): void {
        this.stop();
        this.sessions.drop();
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

    private chatSettings(): TurnSettings {
        return { mode: this.record.mode, model: this.record.model };
    }

    /** The session for a turn in `settings`; rebuilt from the chat's history when they differ from the last turn's. */
    private ensureSession(settings: TurnSettings): Promise<AgentSession> {
        return this.sessions.ensure(
            settings,
            this.record,
            () => this.options.services(),
            (event) => {
                // The context event opens every turn sent with context: the message is shown with what went with it.
                if (event.type === 'context') {
                    if (this.pendingUser !== null) this.pendingUser.context = event.lines;
                    this.showUser();
                }
                applyTurnEvent(this.record, this.turnKey, event);
                this.emit({ type: 'turn', turnKey: this.turnKey, event });
            },
        );
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
            if ((entry.kind === 'assistant' || entry.kind === 'tool') && entry.turnId === this.turnKey)
                entry.turnId = result.turnId;
        }
        this.record.history = structuredClone([...session.conversation.snapshot()]);
        const applied = await this.options.checkpoints.list(result.turnId);
        if (applied.length > 0 && !this.record.changedTurns.includes(result.turnId)) {
            this.record.changedTurns.push(result.turnId);
        }
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

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function newChatId(clock: Clock): string {
    const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    return `${stamp}-${crypto.randomUUID().slice(0, 6)}`;
}
