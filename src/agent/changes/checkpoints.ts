/**
 * Checkpoints: the before and after of every applied change, grouped by turn (or job) id, so a turn can be undone.
 * Undo only touches a note that is still exactly as the turn left it; anything changed since is named in the report
 * and left alone, and a dry run tells the person all of that before anything is touched.
 */
import { systemClock, type Clock } from '../../kernel/ports';
import type { VaultPort } from '../../kernel/vault-port';
import type { CheckpointPersistence } from './change-ports';
import { CHANGE_KINDS, type ChangeKind } from './proposal';
import { executeUndo, planUndo } from './undo';

/** One applied change, as recorded. */
export interface Checkpoint {
    /** Unique within the store: `<turnId>#<n>`. */
    id: string;
    /** The turn or job that made the change. */
    turnId: string;
    /** What the change did. */
    kind: ChangeKind;
    /** The note changed (for a rename: where it was). */
    path: string;
    /** Where a rename moved the note. */
    newPath?: string;
    /** The note's text before the change; `null` when it did not exist (create). */
    before: string | null;
    /** The note's text right after the change; `null` when it no longer exists there (delete). */
    after: string | null;
    /** When the change was applied, ms since the epoch. */
    time: number;
    /** Set once the change has been undone. */
    undone: boolean;
    /** The proposal the person approved (its id), so the card that showed it can undo just this change. */
    changeId?: string;
}

/** What the controller records after applying a change. */
export type CheckpointInput = Pick<
    Checkpoint,
    'turnId' | 'kind' | 'path' | 'newPath' | 'before' | 'after' | 'changeId'
>;

/** One step undo takes (or, in a dry run, would take). */
export interface UndoAction {
    /** The checkpoint undone. */
    checkpointId: string;
    /** The kind of change undone. */
    kind: ChangeKind;
    /** The note. */
    path: string;
    /** For a rename: where the note is now. */
    newPath?: string;
    /** What undo does, for the person: "moves the new note X to the trash". */
    description: string;
}

/** A change undo cannot (or did not) restore, and why. */
export interface UndoProblem {
    /** The checkpoint left alone. */
    checkpointId: string;
    /** The kind of change. */
    kind: ChangeKind;
    /** The note. */
    path: string;
    /** For a rename: where the note was moved. */
    newPath?: string;
    /** Why, for the person: "X was edited after the agent changed it". */
    why: string;
}

/** The outcome (or, in a dry run, the plan) of undoing a turn. */
export interface UndoReport {
    /** The turn or job undone. */
    turnId: string;
    /** True when nothing was touched: `restored` is what would be restored. */
    dryRun: boolean;
    /** Changes restored (or restorable), newest first. */
    restored: UndoAction[];
    /** Changes that cannot be restored, named, newest first. */
    notRestored: UndoProblem[];
}

/** What a checkpoint store needs. */
export interface CheckpointStoreOptions {
    /** The vault undo restores into. */
    vault: VaultPort;
    /** Where checkpoints are kept between sessions. */
    persistence: CheckpointPersistence;
    /** Time of each checkpoint. */
    clock?: Clock;
    /** How many of the most recent turns to keep (older checkpoints are forgotten). */
    maxTurns?: number;
}

const STORE_VERSION = 1;
const DEFAULT_MAX_TURNS = 50;

/** Records checkpoints and undoes turns. One per vault; pass it to every `ChangeController` of that vault. */
export class CheckpointStore {
    private readonly vault: VaultPort;
    private readonly persistence: CheckpointPersistence;
    private readonly clock: Clock;
    private readonly maxTurns: number;
    private checkpoints: Checkpoint[] = [];
    private loading: Promise<void> | null = null;
    private queue: Promise<unknown> = Promise.resolve();
    private sequence = 0;

    constructor(options: CheckpointStoreOptions) {
        this.vault = options.vault;
        this.persistence = options.persistence;
        this.clock = options.clock ?? systemClock;
        this.maxTurns = Math.max(1, options.maxTurns ?? DEFAULT_MAX_TURNS);
    }

    /** Records an applied change and saves; resolves with the stored checkpoint. */
    record(input: CheckpointInput): Promise<Checkpoint> {
        return this.serially(async () => {
            const checkpoint: Checkpoint = {
                id: `${input.turnId}#${++this.sequence}`,
                turnId: input.turnId,
                kind: input.kind,
                path: input.path,
                before: input.before,
                after: input.after,
                time: this.clock.now(),
                undone: false,
            };
            if (input.kind === 'rename' && input.newPath !== undefined) checkpoint.newPath = input.newPath;
            if (input.changeId !== undefined) checkpoint.changeId = input.changeId;
            this.checkpoints.push(checkpoint);
            this.forgetOldTurns();
            await this.save();
            return { ...checkpoint };
        }, true);
    }

    /**
     * True when the agent's last recorded change to `path` left exactly `text` there: the note is as the agent wrote
     * it, nobody changed it since (trigger notes never fire on such a note).
     */
    wroteAsIs(path: string, text: string): Promise<boolean> {
        return this.serially(() => {
            for (let i = this.checkpoints.length - 1; i >= 0; i--) {
                const checkpoint = this.checkpoints[i];
                if (checkpoint === undefined || checkpoint.undone) continue;
                const at = checkpoint.kind === 'rename' ? checkpoint.newPath : checkpoint.path;
                if (at === path) return Promise.resolve(checkpoint.after === text);
            }
            return Promise.resolve(false);
        });
    }

    /** The checkpoints of one turn, oldest first (undone ones included, marked). */
    list(turnId: string): Promise<Checkpoint[]> {
        return this.serially(() =>
            Promise.resolve(this.checkpoints.filter((c) => c.turnId === turnId).map((c) => ({ ...c }))),
        );
    }

    /** Turn ids that still have something to undo, oldest first. */
    undoableTurns(): Promise<string[]> {
        return this.serially(() =>
            Promise.resolve([...new Set(this.checkpoints.filter((c) => !c.undone).map((c) => c.turnId))]),
        );
    }

    /**
     * Undoes every change of `turnId`, newest first (only those of one approved proposal with `changeId`). With
     * `dryRun`, touches nothing and reports what would be restored and what cannot be, so the person can confirm first.
     */
    undo(turnId: string, options: { dryRun?: boolean; changeId?: string } = {}): Promise<UndoReport> {
        const dryRun = options.dryRun === true;
        return this.serially(async () => {
            const pending = this.checkpoints
                .filter((c) => c.turnId === turnId && !c.undone)
                .filter((c) => options.changeId === undefined || c.changeId === options.changeId)
                .reverse();
            const plan = await planUndo(this.vault, pending);
            if (dryRun) return { turnId, dryRun, restored: plan.actions, notRestored: plan.problems };
            const result = await executeUndo(this.vault, plan.actions, pending);
            for (const action of result.done) {
                const checkpoint = this.checkpoints.find((c) => c.id === action.checkpointId);
                if (checkpoint !== undefined) checkpoint.undone = true;
            }
            if (result.done.length > 0) await this.save();
            return { turnId, dryRun, restored: result.done, notRestored: [...plan.problems, ...result.problems] };
        }, !dryRun);
    }

    private forgetOldTurns(): void {
        const turns = [...new Set(this.checkpoints.map((c) => c.turnId))];
        if (turns.length <= this.maxTurns) return;
        const keep = new Set(turns.slice(turns.length - this.maxTurns));
        this.checkpoints = this.checkpoints.filter((c) => keep.has(c.turnId));
    }

    private async save(): Promise<void> {
        await this.persistence.save({ version: STORE_VERSION, checkpoints: this.checkpoints });
    }

    /**
     * Runs `task` after the store is loaded and after every earlier task, so records and undos never interleave. A task
     * that `saves` also runs under the persistence's `exclusive` (a lock across processes): no other process saves
     * between its load and its save, so each keeps the others' records.
     */
    private serially<T>(task: () => Promise<T>, saves = false): Promise<T> {
        const loaded = async (): Promise<T> => {
            await this.ensureLoaded();
            return task();
        };
        const run = this.queue.then(() =>
            saves && this.persistence.exclusive !== undefined ? this.persistence.exclusive(loaded) : loaded(),
        );
        this.queue = run.catch(() => undefined);
        return run;
    }

    private async ensureLoaded(): Promise<void> {
        // Another process on the vault saved meanwhile: its records are loaded too, so saving keeps them.
        if (this.loading !== null && (await this.persistence.changedElsewhere?.()) === true) this.loading = null;
        this.loading ??= this.persistence.load().then(
            (data) => {
                this.checkpoints = parseStored(data);
                this.sequence = Math.max(0, ...this.checkpoints.map((c) => Number(c.id.split('#').pop()) || 0));
            },
            (error: unknown) => {
                // Let the next call try again instead of failing for the rest of the session.
                this.loading = null;
                throw error;
            },
        );
        return this.loading;
    }
}

/** Keeps every well-formed checkpoint of a stored value; anything else (older shapes, damage) is skipped. */
function parseStored(data: unknown): Checkpoint[] {
    if (typeof data !== 'object' || data === null) return [];
    const list = (data as { checkpoints?: unknown }).checkpoints;
    if (!Array.isArray(list)) return [];
    return list.filter(isCheckpoint).map((c) => ({ ...c }));
}

function isCheckpoint(value: unknown): value is Checkpoint {
    if (typeof value !== 'object' || value === null) return false;
    const c = value as Record<string, unknown>;
    const textOrNull = (v: unknown): boolean => v === null || typeof v === 'string';
    return (
        typeof c.id === 'string' &&
        typeof c.turnId === 'string' &&
        CHANGE_KINDS.includes(c.kind as ChangeKind) &&
        typeof c.path === 'string' &&
        (c.newPath === undefined || typeof c.newPath === 'string') &&
        textOrNull(c.before) &&
        textOrNull(c.after) &&
        typeof c.time === 'number' &&
        typeof c.undone === 'boolean' &&
        (c.changeId === undefined || typeof c.changeId === 'string')
    );
}
