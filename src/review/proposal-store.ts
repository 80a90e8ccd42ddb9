/**
 * The review inbox's store: proposals kept as files in the proposals folder (`proposal-file.ts`), listed pending,
 * grouped by who proposed them and by note, newest first. Every proposal is judged by the exclusion gate when it is
 * written (text of an excluded note is never kept) and again whenever it is read: a proposal whose note became
 * private since is withheld, and says so. A proposer is bounded (a cap of pending proposals per job or client) and
 * the same hunk proposed twice is merged into the one already waiting.
 */
import type { ProposalOrigin, ProposalReceipt, ProposalSink, ProposalSinks } from '../agent/changes/change-ports';
import type { ChangeProposal, Hunk } from '../agent/changes/proposal';
import { sha256Utf16Hex } from '../agent/changes/sha256';
import type { ExclusionGate } from '../context/exclusions';
import { systemClock, type Clock } from '../kernel/ports';
import { VaultError, type VaultPort } from '../kernel/vault-port';
import { groupInbox, withheldWhy, type InboxEntry, type ProposalInbox } from './proposal-inbox';
import {
    parseProposalFile,
    PROPOSAL_FORMAT,
    ProposalFileError,
    renderProposalFile,
    type HunkVerdict,
    type StoredProposal,
} from './proposal-file';

export type { InboxEntry, NoteGroup, OriginGroup, ProposalInbox } from './proposal-inbox';

/** Pending proposals one job or MCP client may have waiting when it names no cap of its own. */
export const DEFAULT_PROPOSALS_PER_ORIGIN = 50;
/** Decided proposals are kept this long (for undo from the inbox), then removed when the next one is added. */
const KEEP_DECIDED_MS = 7 * 24 * 3600_000;

/** What the store needs. */
export interface ProposalStoreOptions {
    /** The vault the proposals folder is in. */
    vault: VaultPort;
    /** The exclusion gate as it is now. */
    gate: () => ExclusionGate;
    /** The proposals folder as the settings name it now (`proposalsFolderFor(jobsFolder)`); `null` while locked. */
    folder: () => string | null;
    /** Time. */
    clock?: Clock;
    /** The cap per origin when a sink names none. */
    defaultCap?: number;
}

/** A proposal as it may be shown now. */
export type ProposalRead =
    | { state: 'missing' }
    /** The note (or a rename's target) is excluded now: nothing of the proposal is given out. */
    | { state: 'withheld'; entry: InboxEntry; why: string }
    | { state: 'ok'; proposal: StoredProposal; entry: InboxEntry };

/** A file in the proposals folder that is not a readable proposal (reported, never rewritten). */
export interface UnreadableProposal {
    /** The file. */
    path: string;
    /** Why. */
    why: string;
}

interface Cached {
    mtime: number;
    size: number;
    read: StoredProposal | ProposalFileError;
}

/** The proposals of one vault. */
export class ProposalStore implements ProposalSinks {
    private readonly options: ProposalStoreOptions;
    private readonly clock: Clock;
    private readonly cache = new Map<string, Cached>();
    private readonly listeners = new Set<() => void>();
    private writes: Promise<unknown> = Promise.resolve();
    private lastCreated = 0;

    constructor(options: ProposalStoreOptions) {
        this.options = options;
        this.clock = options.clock ?? systemClock;
        // Another device's proposals arrive by sync: drop what changed so the next read sees it, and tell the views.
        options.vault.onChange((event) => {
            const folder = this.options.folder();
            if (folder === null) return;
            const touched = [event.path, 'oldPath' in event ? event.oldPath : ''];
            if (!touched.some((path) => path.startsWith(`${folder}/`))) return;
            for (const path of touched) this.cache.delete(path);
            this.emit();
        });
    }

    /** Calls `listener` whenever proposals were added, decided or removed (here or by sync); returns the unsubscribe. */
    subscribe(listener: () => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** The inbox: every pending proposal, grouped by origin and note, newest first, judged by the gate now. */
    async list(): Promise<ProposalInbox> {
        return groupInbox(await this.pending());
    }

    /** Every pending proposal, newest first, judged by the gate now; withheld ones carry only why. */
    async pending(): Promise<InboxEntry[]> {
        const gate = this.options.gate();
        const all = await this.current();
        const pending = all.proposals
            .filter((proposal) => proposal.status === 'pending')
            .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
        return Promise.all(pending.map((proposal) => this.entryOf(proposal, gate)));
    }

    /** Files in the proposals folder that could not be read as proposals. */
    async unreadable(): Promise<UnreadableProposal[]> {
        return (await this.current()).unreadable;
    }

    /** The proposal `id` as it may be shown now (any status). */
    async get(id: string): Promise<ProposalRead> {
        const proposal = (await this.current()).proposals.find((candidate) => candidate.id === id);
        if (proposal === undefined) return { state: 'missing' };
        const entry = await this.entryOf(proposal, this.options.gate());
        if (entry.withheld !== undefined) return { state: 'withheld', entry, why: entry.withheld };
        return { state: 'ok', proposal, entry };
    }

    /** A sink for a job or MCP client: records its proposals, at most `cap` pending at once. */
    sinkFor(origin: ProposalOrigin, cap?: number): ProposalSink {
        return { record: (change) => this.add(change, origin, cap === undefined ? {} : { cap }) };
    }

    /**
     * Records `change` (checked against the note as it is now by the caller's ChangeController) for review. Refuses
     * text of an excluded note and proposals past the origin's cap; merges hunks already waiting for the same note.
     */
    add(change: ChangeProposal, origin: ProposalOrigin, options: { cap?: number } = {}): Promise<ProposalReceipt> {
        return this.serially(async () => {
            const folder = this.options.folder();
            if (folder === null) return { recorded: false, why: 'the settings cannot be read right now.' };
            const refusal = this.judgeNew(change, this.options.gate());
            if (refusal !== null) return { recorded: false, why: refusal };
            const all = (await this.loadAll()).proposals;
            await this.prune(all);
            const pending = all.filter((proposal) => proposal.status === 'pending');
            const same = pending.filter(
                (p) => p.kind === change.kind && p.path === change.path && p.newPath === change.newPath,
            );
            const waiting = new Set(same.flatMap((p) => p.hunks.map(hunkKey)));
            const fresh = change.hunks.filter((hunk) => !waiting.has(hunkKey(hunk)));
            const merged = same[0];
            if (merged !== undefined && fresh.length === 0) {
                await this.rewrite(merged.id, (p) => ({ ...p, seen: p.seen + 1 }));
                return { recorded: true, id: merged.id, merged: true };
            }
            const cap = options.cap ?? this.options.defaultCap ?? DEFAULT_PROPOSALS_PER_ORIGIN;
            const own = pending.filter((p) => p.origin.kind === origin.kind && p.origin.id === origin.id).length;
            if (own >= cap) {
                return {
                    recorded: false,
                    why: `${origin.title} has ${own} change(s) waiting for review, its limit of ${cap}.`,
                };
            }
            // Strictly increasing here, so ids and the newest-first order never tie.
            const created = Math.max(this.clock.now(), this.lastCreated + 1);
            this.lastCreated = created;
            const stored: StoredProposal = {
                format: PROPOSAL_FORMAT,
                id: `p-${created.toString(36)}-${crypto.randomUUID().slice(0, 6)}`,
                kind: change.kind,
                path: change.path,
                baseHash: change.base === null ? null : sha256Utf16Hex(change.base),
                hunks: fresh.map((hunk, index) => ({ ...hunk, index })),
                origin: { ...origin },
                created,
                seen: 1,
                status: 'pending',
                verdicts: {},
            };
            if (change.newPath !== undefined) stored.newPath = change.newPath;
            if (change.reason !== undefined) stored.reason = change.reason;
            const path = `${folder}/${stored.id}.md`;
            await this.options.vault.create(path, renderProposalFile(stored));
            await this.remember(path, stored);
            this.emit();
            return { recorded: true, id: stored.id, merged: false };
        });
    }

    /** Records the person's verdict on one hunk (`null` clears it); `null` when there is no such pending proposal. */
    decide(id: string, hunk: number, verdict: HunkVerdict | null): Promise<StoredProposal | null> {
        return this.serially(() =>
            this.rewrite(id, (p) => {
                if (p.status !== 'pending' || !p.hunks.some((h) => h.index === hunk)) return null;
                const verdicts = { ...p.verdicts };
                if (verdict === null) delete verdicts[String(hunk)];
                else verdicts[String(hunk)] = verdict;
                return { ...p, verdicts };
            }),
        );
    }

    /** Marks `id` applied (undo names `turnId`), rejected, or pending again (after an undo). */
    mark(id: string, status: StoredProposal['status'], turnId?: string): Promise<StoredProposal | null> {
        return this.serially(() =>
            this.rewrite(id, (p) => {
                const next: StoredProposal = { ...p, status };
                delete next.applied;
                delete next.decided;
                if (status !== 'pending') next.decided = this.clock.now();
                if (status === 'applied' && turnId !== undefined) next.applied = { turnId, at: this.clock.now() };
                if (status === 'pending') next.verdicts = {};
                return next;
            }),
        );
    }

    /**
     * `mark`, without waiting for it: every later read of this store waits for it first. What the review inbox does
     * once a change is applied, so applying costs the person no more than the same change in the chat. A failure
     * leaves the proposal pending (it then opens as no longer fitting the note) and is told to the subscribers.
     */
    markSoon(id: string, status: StoredProposal['status'], turnId?: string): void {
        this.mark(id, status, turnId).catch(() => this.emit());
    }

    /** Resolves once every write started so far has finished. */
    async settled(): Promise<void> {
        await this.writes;
    }

    /** Removes the proposal file (to the vault's trash). True when there was one. */
    remove(id: string): Promise<boolean> {
        return this.serially(async () => {
            const path = await this.pathOf(id);
            if (path === null) return false;
            await this.options.vault.trash(path);
            this.cache.delete(path);
            this.emit();
            return true;
        });
    }

    /** Why `change` may not be kept, or `null`: text of an excluded note, or text that would make it excluded. */
    private judgeNew(change: ChangeProposal, gate: ExclusionGate): string | null {
        const keeps = 'proposals never keep excluded text.';
        if (change.kind !== 'create' && gate.checkText(change.path, change.base ?? '').excluded) {
            return `"${change.path}" is excluded, and ${keeps}`;
        }
        const target = change.kind === 'rename' ? change.newPath : change.kind === 'create' ? change.path : undefined;
        if (target !== undefined) {
            const verdict = gate.check(target);
            if (verdict.excluded && verdict.reason.kind !== 'unindexed') return `"${target}" is in an excluded place.`;
        }
        if (change.proposed !== null) {
            const tags = gate.checkTextTags(change.proposed);
            if (tags.excluded) {
                return `the proposed text would make "${change.path}" excluded, and ${keeps}`;
            }
        }
        return null;
    }

    private async entryOf(proposal: StoredProposal, gate: ExclusionGate): Promise<InboxEntry> {
        return withheldWhy(proposal, gate, this.options.vault);
    }

    /** What a reader sees: every proposal once the writes started so far have finished. */
    private async current(): Promise<{ proposals: StoredProposal[]; unreadable: UnreadableProposal[] }> {
        await this.writes;
        return this.loadAll();
    }

    /** Reads every proposal file, rereading only those changed since (by time and size). */
    private async loadAll(): Promise<{ proposals: StoredProposal[]; unreadable: UnreadableProposal[] }> {
        const folder = this.options.folder();
        if (folder === null) return { proposals: [], unreadable: [] };
        const prefix = `${folder}/`;
        const files = (await this.options.vault.list()).filter(
            (file) => file.path.startsWith(prefix) && file.path.endsWith('.md'),
        );
        const present = new Set(files.map((file) => file.path));
        for (const path of this.cache.keys()) if (!present.has(path)) this.cache.delete(path);
        await Promise.all(
            files.map(async (file) => {
                const known = this.cache.get(file.path);
                if (known !== undefined && known.mtime === file.mtime && known.size === file.size) return;
                let read: StoredProposal | ProposalFileError;
                try {
                    read = parseProposalFile(await this.options.vault.read(file.path));
                    // Decisions are kept in, and looked up by, the file its id names: a file holding another id (a
                    // copy, a sync conflict, a hand's edit) would be shown as one proposal and decided as another.
                    if (this.pathFor(read.id) !== file.path) {
                        read = new ProposalFileError(`its id "${read.id}" is not its file's name`);
                    }
                } catch (error) {
                    if (error instanceof VaultError && error.code === 'not-found') return;
                    read = error instanceof ProposalFileError ? error : new ProposalFileError(String(error));
                }
                this.cache.set(file.path, { mtime: file.mtime, size: file.size, read });
            }),
        );
        const proposals: StoredProposal[] = [];
        const unreadable: UnreadableProposal[] = [];
        for (const [path, cached] of this.cache) {
            if (cached.read instanceof ProposalFileError) unreadable.push({ path, why: cached.read.message });
            else proposals.push(cached.read);
        }
        return { proposals, unreadable };
    }

    /** Rewrites proposal `id` with `change` (which returns `null` to leave it as it is). */
    private async rewrite(
        id: string,
        change: (proposal: StoredProposal) => StoredProposal | null,
    ): Promise<StoredProposal | null> {
        const path = this.pathFor(id);
        if (path === null) return null;
        let written: StoredProposal | null = null;
        try {
            await this.options.vault.process(path, (text) => {
                let current: StoredProposal;
                try {
                    current = parseProposalFile(text);
                } catch {
                    return text;
                }
                written = change(current);
                return written === null ? text : renderProposalFile(written);
            });
        } catch (error) {
            if (error instanceof VaultError && error.code === 'not-found') return null;
            throw error;
        }
        if (written !== null) {
            // Reread on the next listing (one small file), rather than a stat now on the path of every decision.
            this.cache.delete(path);
            this.emit();
        }
        return written;
    }

    /** The file of proposal `id` (which may not exist); `null` for an id no proposal can have. */
    private pathFor(id: string): string | null {
        const folder = this.options.folder();
        if (folder === null || !/^[\w-]+$/u.test(id)) return null;
        return `${folder}/${id}.md`;
    }

    private async pathOf(id: string): Promise<string | null> {
        const path = this.pathFor(id);
        if (path === null) return null;
        return (await this.options.vault.stat(path)) === null ? null : path;
    }

    /** Caches what was just written, with the file's new time and size. */
    private async remember(path: string, proposal: StoredProposal): Promise<void> {
        this.cache.delete(path);
        const entry = await this.options.vault.stat(path);
        if (entry !== null) this.cache.set(path, { mtime: entry.mtime, size: entry.size, read: proposal });
    }

    /** Removes decided proposals older than a week (their undo has long been offered). */
    private async prune(all: StoredProposal[]): Promise<void> {
        const folder = this.options.folder();
        const cutoff = this.clock.now() - KEEP_DECIDED_MS;
        for (const proposal of all) {
            if (proposal.status === 'pending' || (proposal.decided ?? proposal.created) > cutoff) continue;
            const path = `${folder}/${proposal.id}.md`;
            await this.options.vault.trash(path).catch(() => undefined);
            this.cache.delete(path);
        }
    }

    private emit(): void {
        for (const listener of this.listeners) listener();
    }

    private serially<T>(task: () => Promise<T>): Promise<T> {
        const run = this.writes.then(task);
        this.writes = run.catch(() => undefined);
        return run;
    }
}

/** Two hunks are the same change when they replace the same text (context included) with the same text. */
function hunkKey(hunk: Hunk): string {
    return `${hunk.oldText.length}:${hunk.oldText}${hunk.newText}`;
}
