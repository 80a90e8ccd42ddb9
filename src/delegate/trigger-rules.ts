/**
 * The rules that turn vault changes into trigger fires, the same for every host: the plugin feeds it Obsidian's vault
 * events and `vault-agent run --watch` the file-system watcher's (both through `VaultPort.onChange`).
 *
 * - Debounce: a note's changes are collected until it has been quiet for the trigger's `debounce`; then each trigger
 *   judges the note once. A burst of saves is one change.
 * - Kinds: the first event of a burst decides it (a created note that is then edited was created). A rename arrives as
 *   one event from Obsidian and as a delete and a create from the file system; a create whose size and modification
 *   time match a note deleted moments before is read as that rename, so both hosts see the same event.
 * - Tags and properties are compared with what the note had before the burst (a snapshot kept per note).
 * - Never fired: a note in the jobs folder (jobs and triggers themselves), an excluded note, a note as the agent left
 *   it (`refuse`); a paused trigger.
 * - Limits: per trigger and note, nothing within `cooldown` of the last fire; per trigger, at most `max-per-hour` fires
 *   in any hour. Fires recorded in job notes (`trigger`, `source`, `created`) count too (`TriggerLedger.seed`), so the
 *   limits hold across restarts and devices.
 */
import type { Clock } from '../kernel/ports';
import { isMarkdownPath, type VaultChange, type VaultPort } from '../kernel/vault-port';
import { inScope, type TriggerEvent, type TriggerNote } from './trigger-note';

/** A trigger that fired for a note. */
export interface TriggerFire {
    /** The trigger. */
    trigger: TriggerNote;
    /** The note that fired it. */
    note: string;
    /** What happened to it. */
    event: TriggerEvent;
}

/** What a note had the last time the rules looked. */
interface Facts {
    tags: string[];
    frontmatter: Record<string, unknown> | null;
    size: number;
    mtime: number;
}

/** A note with changes waiting for quiet. */
interface Pending {
    kind: 'created' | 'modified' | 'renamed';
    oldPath: string;
    before: Facts | null;
    lastAt: number;
    /** Triggers that judged this burst already. */
    judged: Set<string>;
}

/** Options of the rules. */
export interface TriggerRulesOptions {
    /** The vault the changes come from. */
    vault: VaultPort;
    /** Time. */
    clock: Clock;
    /** The readable triggers now. */
    triggers(): readonly TriggerNote[];
    /** Why `path` must never fire a trigger (jobs folder, excluded, written by the agent), or `null`. */
    refuse(path: string): Promise<string | null>;
    /** Starts the job of a fire that passed the limits. */
    fire(fire: TriggerFire): Promise<void>;
}

/** How long a deleted note is remembered to pair it with a create (a rename seen by the file system). */
const RENAME_PAIR_MS = 10_000;
const HOUR_MS = 3_600_000;

/** Fires of each trigger, for the cooldown and the hourly cap. */
export class TriggerLedger {
    private readonly fires = new Map<string, { at: number; note: string }[]>();
    private readonly seen = new Set<string>();

    /** Counts a fire recorded elsewhere (a job note), once per `key`. */
    seed(key: string, trigger: string, note: string, at: number): void {
        if (this.seen.has(key)) return;
        this.seen.add(key);
        this.add(trigger, note, at);
    }

    /** Marks `key` (a job note) as counted already: its fire was added when it happened. */
    counted(key: string): void {
        this.seen.add(key);
    }

    /** Counts a fire. */
    add(trigger: string, note: string, at: number): void {
        const list = this.fires.get(trigger) ?? [];
        list.push({ at, note });
        this.fires.set(trigger, list);
    }

    /** Why `trigger` may not fire for `note` at `now`, or `null`. */
    blocked(trigger: TriggerNote, note: string, now: number): string | null {
        const list = (this.fires.get(trigger.path) ?? []).filter(
            (fire) => fire.at > now - Math.max(HOUR_MS, trigger.cooldownMs),
        );
        this.fires.set(trigger.path, list);
        if (list.some((fire) => fire.note === note && fire.at > now - trigger.cooldownMs)) return 'cooldown';
        if (list.filter((fire) => fire.at > now - HOUR_MS).length >= trigger.maxPerHour) return 'hourly cap';
        return null;
    }

    /** Fires of `trigger` in the hour before `now`. */
    lastHour(trigger: string, now: number): number {
        return (this.fires.get(trigger) ?? []).filter((fire) => fire.at > now - HOUR_MS).length;
    }
}

/** The event rules. */
export class TriggerRules {
    /** Fires counted for the limits. */
    readonly ledger = new TriggerLedger();
    private readonly facts = new Map<string, Facts>();
    private readonly pending = new Map<string, Pending>();
    private readonly gone: { path: string; facts: Facts; at: number }[] = [];
    private timer: ReturnType<typeof setTimeout> | null = null;
    private tail: Promise<void> = Promise.resolve();
    private unsubscribe: (() => void) | null = null;
    private closed = false;

    constructor(private readonly options: TriggerRulesOptions) {}

    /** Takes a snapshot of every note, then follows the vault's changes. */
    async start(): Promise<void> {
        if (this.unsubscribe !== null) return;
        this.unsubscribe = this.options.vault.onChange((change) => this.observe(change));
        for (const file of await this.options.vault.list()) {
            if (isMarkdownPath(file.path) && !this.facts.has(file.path)) this.facts.set(file.path, this.factsOf(file));
        }
    }

    /** Stops following changes; pending ones are dropped. */
    stop(): void {
        this.closed = true;
        this.unsubscribe?.();
        this.unsubscribe = null;
        if (this.timer !== null) clearTimeout(this.timer);
        this.timer = null;
        this.pending.clear();
    }

    /** Notes waiting for quiet (for the queue view and tests). */
    get waiting(): number {
        return this.pending.size;
    }

    /** Takes one change in. */
    observe(change: VaultChange): void {
        if (this.closed || !isMarkdownPath(change.path)) return;
        const now = this.options.clock.now();
        if (change.type === 'delete') {
            const facts = this.facts.get(change.path);
            if (facts !== undefined) this.gone.push({ path: change.path, facts, at: now });
            this.facts.delete(change.path);
            this.pending.delete(change.path);
            return;
        }
        const existing = this.pending.get(change.path);
        if (existing !== undefined) {
            existing.lastAt = now;
            existing.judged.clear();
        } else if (change.type === 'rename') {
            const before = this.facts.get(change.oldPath) ?? null;
            this.facts.delete(change.oldPath);
            this.pending.delete(change.oldPath);
            this.pending.set(change.path, {
                kind: 'renamed',
                oldPath: change.oldPath,
                before,
                lastAt: now,
                judged: new Set(),
            });
        } else {
            const before = this.facts.get(change.path) ?? null;
            const kind = change.type === 'create' || before === null ? 'created' : 'modified';
            this.pending.set(change.path, { kind, oldPath: '', before, lastAt: now, judged: new Set() });
        }
        this.schedule();
    }

    /** Judges every note that has been quiet long enough; resolves when their jobs are started. */
    flush(): Promise<void> {
        const run = this.tail.then(() => this.judgeDue());
        this.tail = run.catch(() => undefined);
        return run;
    }

    private schedule(): void {
        if (this.closed || this.timer !== null) return;
        const triggers = this.options.triggers();
        const shortest = triggers.length === 0 ? 1000 : Math.min(...triggers.map((t) => t.debounceMs));
        this.timer = setTimeout(
            () => {
                this.timer = null;
                void this.flush().finally(() => {
                    if (this.pending.size > 0) this.schedule();
                });
            },
            Math.max(50, shortest),
        );
    }

    private async judgeDue(): Promise<void> {
        const now = this.options.clock.now();
        const triggers = this.options.triggers().filter((trigger) => !trigger.state.paused);
        while (this.gone.length > 0 && (this.gone[0]?.at ?? now) < now - RENAME_PAIR_MS) this.gone.shift();
        for (const [path, entry] of [...this.pending]) {
            const due = triggers.filter((t) => !entry.judged.has(t.path) && now - entry.lastAt >= t.debounceMs);
            const waiting = triggers.some((t) => !entry.judged.has(t.path) && now - entry.lastAt < t.debounceMs);
            if (due.length > 0) {
                const after = await this.currentFacts(path);
                if (entry.kind === 'created' && after !== null) this.pairRename(path, entry, after);
                const refused = after === null ? 'gone' : await this.options.refuse(path);
                for (const trigger of due) {
                    entry.judged.add(trigger.path);
                    if (after === null || refused !== null) continue;
                    const event = matches(trigger, path, entry, after);
                    if (event === null) continue;
                    if (this.ledger.blocked(trigger, path, now) !== null) continue;
                    this.ledger.add(trigger.path, path, now);
                    await this.options.fire({ trigger, note: path, event });
                }
            }
            if (!waiting && this.pending.get(path) === entry) {
                this.pending.delete(path);
                const after = await this.currentFacts(path);
                if (after !== null) this.facts.set(path, after);
            }
        }
    }

    /** A create that is really a rename seen by the file system (a delete with the same size and time just before). */
    private pairRename(path: string, entry: Pending, after: Facts): void {
        const index = this.gone.findIndex(
            (gone) => gone.path !== path && gone.facts.size === after.size && gone.facts.mtime === after.mtime,
        );
        const gone = index === -1 ? undefined : this.gone.splice(index, 1)[0];
        if (gone === undefined) return;
        entry.kind = 'renamed';
        entry.oldPath = gone.path;
        entry.before = gone.facts;
    }

    private async currentFacts(path: string): Promise<Facts | null> {
        const file = await this.options.vault.stat(path);
        if (file === null) return null;
        return this.factsOf(file);
    }

    private factsOf(file: { path: string; size: number; mtime: number }): Facts {
        const metadata = this.options.vault.metadata(file.path);
        return {
            tags: (metadata?.tags ?? []).map(normalTag),
            frontmatter: metadata?.frontmatter ?? null,
            size: file.size,
            mtime: file.mtime,
        };
    }
}

/** The event `trigger` sees in this burst of `path`, or `null`. */
function matches(trigger: TriggerNote, path: string, entry: Pending, after: Facts): TriggerEvent | null {
    if (!inScope(trigger, path)) return null;
    switch (trigger.event) {
        case 'created':
            return entry.kind === 'created' ? 'created' : null;
        case 'modified':
            return entry.kind === 'modified' ? 'modified' : null;
        case 'renamed':
            return entry.kind === 'renamed' && !inScope(trigger, entry.oldPath) ? 'renamed' : null;
        case 'tag-added': {
            const has = (tags: string[]): boolean =>
                tags.some((tag) => tag === trigger.tag || tag.startsWith(`${trigger.tag}/`));
            return has(after.tags) && !has(entry.before?.tags ?? []) ? 'tag-added' : null;
        }
        case 'property-set': {
            const is = (facts: Facts | null): boolean =>
                propertyIs(facts?.frontmatter ?? null, trigger.property, trigger.value);
            return is(after) && !is(entry.before) ? 'property-set' : null;
        }
    }
}

function propertyIs(frontmatter: Record<string, unknown> | null, property: string, value: string): boolean {
    if (frontmatter === null || !(property in frontmatter)) return false;
    const actual = frontmatter[property];
    const values = Array.isArray(actual) ? (actual as unknown[]) : [actual];
    return values.some((item) => {
        if (item === null || item === undefined) return value === '';
        if (item instanceof Date) return item.toISOString().startsWith(value);
        if (typeof item === 'string') return item.trim() === value;
        return typeof item === 'number' || typeof item === 'boolean' ? String(item) === value : false;
    });
}

function normalTag(tag: string): string {
    return tag.replace(/^#/u, '').toLowerCase();
}
