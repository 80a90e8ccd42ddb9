/**
 * The one door for every write a tool wants to make: path safety, exclusions, the mode's policy, the person's
 * approval (bound to the exact diff shown), the stale check, the atomic write, the read-back, and the checkpoint.
 * A tool builds a proposal and submits it; whatever happens, the outcome says so in words the model can act on.
 */
import type { ExclusionGate } from '../../context/exclusions';
import { parsePermissionMode, type PermissionModeName } from '../../kernel/permission-mode-name';
import { checkOutputFolder, checkWritablePath, isWithinFolder, normalizeVaultPath } from '../../kernel/path-policy';
import { proposalsFolderFor } from '../../kernel/review-folder';
import type { VaultPort } from '../../kernel/vault-port';
import { writeChange, type WriteResult } from './apply-change';
import { resolveDecision, type ApprovalGate, type ApprovalTrigger, type Decision } from './approval';
import * as say from './change-messages';
import { policyFor, type DelegateScope } from './change-policy';
import type { OpenNoteEditors, ProposalSink } from './change-ports';
import type { CheckpointStore } from './checkpoints';
import { rebaseHunks } from './hunks';
import { buildProposal, isProposalIntact, ProposalError, type ChangeProposal } from './proposal';
import { readState } from './undo';
import { inertMessage, inertUnapproved } from './unapproved-content';

/** Why a submitted change was not written. */
export type ChangeRefusal =
    /** A protected location (config folder, `.git`, `.trash`) or an unusable path. */
    | 'protected'
    /** The mode or the job's scope does not allow it. */
    | 'policy'
    /** The note does not exist for the agent (absent or excluded). */
    | 'not-found'
    /** A create or rename target the agent may not write to (an excluded location). */
    | 'unavailable'
    /** The target is taken; nothing is overwritten. */
    | 'exists'
    /** The note changed since it was read and the change no longer fits. */
    | 'stale'
    /** The note vanished before the write. */
    | 'vanished'
    /** The person said no. */
    | 'declined'
    /** The turn was stopped, or no approval could be obtained. */
    | 'cancelled'
    /** No approval matching the current version after the allowed rounds. */
    | 'gave-up'
    /** The approved text is the note as it is. */
    | 'unchanged'
    /** The proposal does not match its binding. */
    | 'tampered'
    /** The vault refused or failed the write. */
    | 'failed'
    /** `propose` mode: the review inbox did not take the proposal (its cap, or text it may not keep). */
    | 'not-proposed';

/** What happened to a submitted change. */
export interface ChangeOutcome {
    /** True when the change is now in the vault. */
    applied: boolean;
    /**
     * The vault paths this change wrote (the note; for a rename its old and new path), empty when nothing was written.
     * The typed answer to "did this have a side effect": callers ask this, never the message.
     */
    changed: string[];
    /** Why nothing was written; absent when applied. */
    refusal?: ChangeRefusal;
    /** What the MODEL is told: exactly what did or did not happen. */
    message: string;
    /** The note concerned. */
    path: string;
    /** The checkpoint that can undo it, when applied. */
    checkpointId?: string;
    /**
     * Set when nobody approved the write and code that other plugins run was made inert before writing: what was
     * changed, in words (also part of `message`), for the job log and the transcript.
     */
    inert?: string;
    /**
     * A change that was not written because the note moved on, re-diffed against the note's current text: the
     * person's version stays on disk, the agent's is kept here for the person's view (not for the model).
     */
    unapplied?: ChangeProposal;
    /** `propose` mode: the change was recorded for review instead of written (the note is untouched). */
    proposed?: { id: string; merged: boolean };
}

/** Where the controller's ports come from. */
export interface ChangeControllerOptions {
    /** The vault written to. */
    vault: VaultPort;
    /** The exclusion gate: excluded notes are "not found", excluded locations are not written to. */
    gate: ExclusionGate;
    /** Asks the person. */
    approvals: ApprovalGate;
    /** The permission mode (any unknown value is read as `read-only`). */
    mode: PermissionModeName;
    /** Records every applied change for undo. */
    checkpoints: CheckpointStore;
    /** Delegate mode: the job's output folder, the only place it may create notes. */
    scope?: DelegateScope;
    /**
     * The delegate jobs folder: no agent (chat in any mode, job, MCP client) creates, edits, renames or deletes
     * anything in it, since a note there is a job the queue would run. Only the person and the queue write job notes
     * (and `submitJobNote`, a new job note a chat offers, written only once the person accepts it).
     */
    jobsFolder?: string;
    /** The open-note editors, so an open note is changed through its editor. */
    editors?: OpenNoteEditors;
    /** In `auto-edits`, a turn that changes more distinct notes than this asks before each further one. */
    manyNotesThreshold?: number;
    /** `propose` mode: where changes are recorded for review instead of being written. */
    proposals?: ProposalSink;
}

/** How often the person may be asked about one submitted change (stale re-diffs and mismatched bindings). */
const MAX_ROUNDS = 3;
const DEFAULT_MANY_NOTES = 5;
/** Turns remembered for the many-notes rule. */
const REMEMBERED_TURNS = 20;

/** Applies changes under a permission mode. One per conversation or job. */
export class ChangeController {
    private readonly options: ChangeControllerOptions;
    private readonly mode: PermissionModeName;
    private readonly scope: DelegateScope | undefined;
    /** Why the delegate scope is unusable (every create is then refused), or `null`. */
    private readonly scopeProblem: string | null = null;
    private readonly turnNotes = new Map<string, string[]>();
    private writes: Promise<unknown> = Promise.resolve();

    constructor(options: ChangeControllerOptions) {
        this.options = options;
        this.mode = parsePermissionMode(options.mode);
        if (options.scope !== undefined) {
            const folder =
                options.jobsFolder === undefined
                    ? normalizeVaultPath(options.scope.outputFolder)
                    : checkOutputFolder(options.scope.outputFolder, {
                          configDir: options.vault.configDir,
                          jobsFolder: options.jobsFolder,
                      });
            // An unusable output folder becomes one no path is inside, so a delegate job can write nothing.
            this.scope = { outputFolder: folder.ok ? folder.path : '' };
            if (!folder.ok) this.scopeProblem = folder.reason;
        }
    }

    /** The one door for every write a tool wants: policy (mode × kind), approval, stale check, atomic apply, verify, checkpoint. */
    async submit(proposal: ChangeProposal, context: { turnId: string; signal?: AbortSignal }): Promise<ChangeOutcome> {
        if (!isProposalIntact(proposal)) return refused(proposal.path, 'tampered', say.tamperedMessage(proposal.path));
        const checked = this.checkPaths(proposal);
        if ('outcome' in checked) return checked.outcome;
        const current = checked.proposal;
        if (this.scopeProblem !== null && this.mode === 'delegate') {
            return refused(current.path, 'policy', `${this.scopeProblem} Nothing was written.`);
        }
        const verdict = policyFor(this.mode, current, this.scope);
        if (verdict.action === 'refuse') return refused(current.path, 'policy', verdict.message);
        const hidden = this.hiddenOutcome(current);
        if (hidden !== null) return hidden;
        const target =
            current.kind === 'rename' ? current.newPath : current.kind === 'create' ? current.path : undefined;
        // Checked before asking, so the person is never asked about a change that cannot happen.
        if (target !== undefined && (await this.options.vault.stat(target)) !== null) {
            // An existing note the gate hides (even one not indexed yet) must not be confirmed by "already exists".
            const hiddenNote = this.options.gate.isExcluded(target);
            return hiddenNote
                ? refused(current.path, 'unavailable', say.unavailableTargetMessage(target))
                : refused(current.path, 'exists', say.existsMessage(target));
        }
        if (verdict.action === 'propose') return this.propose(current, context);
        return this.negotiate(current, verdict.action === 'ask' ? 'policy' : null, context);
    }

    /**
     * A new job note an agent drafted (a chat's `schedule_job`): the one write into the jobs folder an agent may ask
     * for, and only by asking. It is shown to the person in every mode (auto-accept included) and written only on
     * their approval; a job, an MCP client (`delegate`) and `read-only` are refused, and so is anything but a new note
     * directly in the jobs folder.
     */
    async submitJobNote(
        proposal: ChangeProposal,
        context: { turnId: string; signal?: AbortSignal; warning?: string },
    ): Promise<ChangeOutcome> {
        if (!isProposalIntact(proposal)) return refused(proposal.path, 'tampered', say.tamperedMessage(proposal.path));
        if (this.mode !== 'ask' && this.mode !== 'auto-edits') {
            return refused(
                proposal.path,
                'policy',
                "Only a chat, with the person's approval, may schedule a job. Nothing was written.",
            );
        }
        const jobs = this.options.jobsFolder;
        const checked = checkWritablePath(proposal.path, this.options.vault.configDir);
        if (!checked.ok) return refused(proposal.path, 'protected', `${checked.reason} Nothing was changed.`);
        const parent = checked.path.slice(0, Math.max(0, checked.path.lastIndexOf('/')));
        if (proposal.kind !== 'create' || jobs === undefined || parent !== jobs.replace(/\/+$/u, '')) {
            return refused(
                proposal.path,
                'policy',
                'A job note can only be a new note directly in the jobs folder. Nothing was written.',
            );
        }
        const current = checked.path === proposal.path ? proposal : buildProposal({ ...proposal, path: checked.path });
        const hidden = this.hiddenOutcome(current);
        if (hidden !== null) return hidden;
        if ((await this.options.vault.stat(current.path)) !== null) {
            return refused(current.path, 'exists', say.existsMessage(current.path));
        }
        return this.negotiate(current, 'policy', context);
    }

    /**
     * The proposal against the note as it is on disk now: read (which re-indexes it), judged by the gate as it is now
     * (refused as not found once excluded), and re-diffed when the note changed since the proposal was made (stale
     * when its hunks no longer fit). A create is taken as it is.
     */
    private async againstDisk(
        proposal: ChangeProposal,
    ): Promise<{ proposal: ChangeProposal } | { outcome: ChangeOutcome }> {
        if (proposal.kind === 'create') return { proposal };
        const onDisk = await readState(this.options.vault, proposal.path);
        if (this.options.gate.isExcluded(proposal.path)) {
            return { outcome: refused(proposal.path, 'not-found', say.notFoundMessage(proposal.path)) };
        }
        if (onDisk === proposal.base) return { proposal };
        const fresh = onDisk === null ? null : refreshed(proposal, onDisk);
        return fresh === null ? { outcome: staleOutcome(proposal, onDisk) } : { proposal: fresh };
    }

    /**
     * `propose` mode: the change, checked against the note as it is now (re-based when the note moved on, refused when
     * it no longer fits), goes to the review inbox. Nothing is written to the note; a person decides later.
     */
    private async propose(proposal: ChangeProposal, context: { turnId: string }): Promise<ChangeOutcome> {
        const sink = this.options.proposals;
        if (sink === undefined) return refused(proposal.path, 'policy', say.noInboxMessage(proposal.path));
        const onDisk = await this.againstDisk(proposal);
        if ('outcome' in onDisk) return onDisk.outcome;
        const current = onDisk.proposal;
        let receipt;
        try {
            receipt = await sink.record(current, { turnId: context.turnId });
        } catch (error) {
            return refused(current.path, 'failed', say.failedMessage(current.path, error));
        }
        if (!receipt.recorded) {
            return refused(current.path, 'not-proposed', say.notProposedMessage(current.path, receipt.why));
        }
        return {
            applied: false,
            changed: [],
            message: say.proposedMessage(current, receipt.id, receipt.merged),
            path: current.path,
            proposed: { id: receipt.id, merged: receipt.merged },
        };
    }

    /** Normalises both paths and refuses protected ones (config folder, `.git`, `.trash`) without asking. */
    private checkPaths(proposal: ChangeProposal): { proposal: ChangeProposal } | { outcome: ChangeOutcome } {
        const configDir = this.options.vault.configDir;
        const source = checkWritablePath(proposal.path, configDir);
        if (!source.ok)
            return { outcome: refused(proposal.path, 'protected', `${source.reason} Nothing was changed.`) };
        let newPath = proposal.newPath;
        if (proposal.kind === 'rename') {
            const target = checkWritablePath(proposal.newPath ?? '', configDir);
            if (!target.ok)
                return { outcome: refused(proposal.path, 'protected', `${target.reason} Nothing was changed.`) };
            newPath = target.path;
        }
        const jobs = this.options.jobsFolder;
        const review = jobs === undefined ? undefined : proposalsFolderFor(jobs);
        for (const path of [source.path, ...(newPath !== undefined ? [newPath] : [])]) {
            if (jobs !== undefined && isWithinFolder(path, jobs)) {
                return { outcome: refused(proposal.path, 'protected', say.jobsFolderMessage(path, jobs)) };
            }
            if (review !== undefined && isWithinFolder(path, review)) {
                return { outcome: refused(proposal.path, 'protected', say.proposalsFolderMessage(path, review)) };
            }
        }
        if (source.path === proposal.path && newPath === proposal.newPath) return { proposal };
        // Rebuilt before anyone was asked, so the binding covers the paths that will really be written.
        return { proposal: buildProposal({ ...proposal, path: source.path, newPath }) };
    }

    /** Excluded notes do not exist for the agent; excluded locations cannot be written to. */
    private hiddenOutcome(proposal: ChangeProposal): ChangeOutcome | null {
        const { gate } = this.options;
        if (proposal.kind !== 'create' && gate.isExcluded(proposal.path)) {
            return refused(proposal.path, 'not-found', say.notFoundMessage(proposal.path));
        }
        const target =
            proposal.kind === 'create' ? proposal.path : proposal.kind === 'rename' ? proposal.newPath : undefined;
        if (target === undefined) return null;
        const verdict = gate.check(target);
        // A path with no note yet has no metadata, which the gate reads as "unindexed"; only rules block a new note.
        if (verdict.excluded && verdict.reason.kind !== 'unindexed') {
            return refused(proposal.path, 'unavailable', say.unavailableTargetMessage(target));
        }
        return null;
    }

    /** Asks (when needed), writes, and loops when the note moved on or the approval named another version. */
    private async negotiate(
        proposal: ChangeProposal,
        firstTrigger: ApprovalTrigger | null,
        context: { turnId: string; signal?: AbortSignal; warning?: string },
    ): Promise<ChangeOutcome> {
        const { approvals, vault, editors } = this.options;
        let current = proposal;
        let trigger = firstTrigger;
        let rebased = false;
        for (let round = 0; round < MAX_ROUNDS; round++) {
            if (isAborted(context.signal)) return refused(current.path, 'cancelled', say.cancelledMessage(current));
            // Checked every round, after the read that re-indexes it: a note can become private meanwhile.
            const onDisk = await this.againstDisk(current);
            if ('outcome' in onDisk) return onDisk.outcome;
            if (onDisk.proposal !== current) {
                current = onDisk.proposal;
                trigger = 'changed-on-disk';
                rebased = true;
            }
            const { files, many } = this.filesToList(current, context.turnId);
            if (trigger === null && many) trigger = 'many-notes';

            let content = current.proposed;
            let partial: string | undefined;
            let edited = false;
            if (trigger !== null) {
                let decision: Decision;
                try {
                    decision = await approvals.request(current, {
                        signal: context.signal,
                        files,
                        trigger,
                        ...(context.warning !== undefined ? { warning: context.warning } : {}),
                    });
                } catch {
                    return refused(current.path, 'cancelled', say.cancelledMessage(current));
                }
                const resolution = resolveDecision(decision, current);
                if (resolution.kind === 'deny')
                    return refused(current.path, 'declined', say.declinedMessage(current, resolution.reason));
                if (resolution.kind === 'invalid') {
                    trigger = 'binding-mismatch';
                    continue;
                }
                content = resolution.content;
                edited = decision.kind === 'approve-edited' && content !== current.proposed;
                if (decision.kind === 'approve-hunks' && content !== current.proposed) {
                    const accepted = new Set(decision.hunks).size;
                    partial = `The person accepted ${accepted} of the ${current.hunks.length} changed regions; the others were not applied.`;
                }
                if (current.kind === 'edit' && content === current.base) {
                    return refused(current.path, 'unchanged', say.unchangedMessage(current.path));
                }
            }
            if (isAborted(context.signal)) return refused(current.path, 'cancelled', say.cancelledMessage(current));
            // Nobody looked at this write (a job, an MCP client, auto-accept): code other plugins run is made inert.
            let inert: string | null = null;
            if (trigger === null && content !== null) {
                const made = inertUnapproved(current, content);
                content = made.content;
                inert = inertMessage(made.found);
            }

            const change = current;
            let result: WriteResult;
            try {
                result = await this.serially(() => writeChange(vault, editors, change, content));
            } catch (error) {
                return refused(current.path, 'failed', say.failedMessage(current.path, error));
            }
            if (result.status === 'exists') return refused(current.path, 'exists', say.existsMessage(result.path));
            if (result.status === 'stale') {
                if (result.current === null)
                    return refused(current.path, 'vanished', say.vanishedMessage(current.path));
                const fresh = refreshed(current, result.current);
                if (fresh === null) return staleOutcome(current, result.current);
                current = fresh;
                trigger = 'changed-on-disk';
                rebased = true;
                continue;
            }
            this.remember(context.turnId, current);
            let message = result.verified
                ? say.appliedMessage(current, { partial, edited, rebased })
                : say.unverifiedMessage(current.path);
            if (inert !== null) message += ` ${inert}`;
            const changed = current.newPath === undefined ? [current.path] : [current.path, current.newPath];
            const outcome: ChangeOutcome = { applied: true, changed, message, path: current.path };
            if (inert !== null) outcome.inert = inert;
            try {
                const checkpoint = await this.options.checkpoints.record({
                    turnId: context.turnId,
                    kind: current.kind,
                    path: current.path,
                    newPath: current.newPath,
                    before: result.before,
                    after: result.after,
                    ...(trigger === null ? {} : { changeId: current.id }),
                });
                outcome.checkpointId = checkpoint.id;
            } catch {
                message += ' (The undo checkpoint for this change could not be saved.)';
                outcome.message = message;
            }
            return outcome;
        }
        return refused(current.path, 'gave-up', say.gaveUpMessage(current.path));
    }

    /**
     * The files one approval concerns. In `auto-edits`, a turn past the many-notes threshold lists every note it has
     * changed plus this one, so the person sees the whole batch before it grows.
     */
    private filesToList(proposal: ChangeProposal, turnId: string): { files: string[]; many: boolean } {
        if (proposal.kind === 'rename') {
            // A rename also rewrites the links in every note that points at it; the person sees those too.
            const linking = this.options.vault.backlinks(proposal.path).filter((path) => path !== proposal.path);
            return { files: [proposal.path, proposal.newPath ?? proposal.path, ...linking], many: false };
        }
        const own = [proposal.path];
        if (this.mode !== 'auto-edits') return { files: own, many: false };
        const touched = this.turnNotes.get(turnId) ?? [];
        const threshold = this.options.manyNotesThreshold ?? DEFAULT_MANY_NOTES;
        const fresh = own.filter((path) => !touched.includes(path));
        if (fresh.length === 0 || touched.length + fresh.length <= threshold) return { files: own, many: false };
        return { files: [...touched, ...fresh], many: true };
    }

    private remember(turnId: string, proposal: ChangeProposal): void {
        const list = this.turnNotes.get(turnId) ?? [];
        for (const path of [proposal.path, proposal.newPath]) {
            if (path !== undefined && !list.includes(path)) list.push(path);
        }
        this.turnNotes.delete(turnId);
        this.turnNotes.set(turnId, list);
        while (this.turnNotes.size > REMEMBERED_TURNS) {
            const oldest = this.turnNotes.keys().next().value;
            if (oldest === undefined) break;
            this.turnNotes.delete(oldest);
        }
    }

    /** One write at a time, so two tool calls in one turn never interleave their read-modify-write. */
    private serially<T>(task: () => Promise<T>): Promise<T> {
        const run = this.writes.then(task);
        this.writes = run.catch(() => undefined);
        return run;
    }
}

/**
 * The same change against the note's current text, or `null` when it no longer fits. An edit keeps only its own
 * hunks (re-applied where their exact context still stands), so the person's newer text is never reverted; a
 * rename or delete is simply re-shown with the current text.
 */
function refreshed(proposal: ChangeProposal, onDisk: string): ChangeProposal | null {
    try {
        if (proposal.kind === 'edit') {
            const next = rebaseHunks(onDisk, proposal.hunks);
            return next === null ? null : buildProposal({ ...proposal, base: onDisk, proposed: next });
        }
        return buildProposal({ ...proposal, base: onDisk });
    } catch (error) {
        if (error instanceof ProposalError) return null;
        throw error;
    }
}

function staleOutcome(proposal: ChangeProposal, onDisk: string | null): ChangeOutcome {
    if (onDisk === null) return refused(proposal.path, 'vanished', say.vanishedMessage(proposal.path));
    const outcome = refused(proposal.path, 'stale', say.staleMessage(proposal.path));
    if (proposal.proposed !== null && proposal.proposed !== onDisk) {
        outcome.unapplied = buildProposal({ ...proposal, base: onDisk, proposed: proposal.proposed });
    }
    return outcome;
}

/** A function, not an inline check, so the compiler does not assume the flag cannot change across an `await`. */
function isAborted(signal: AbortSignal | undefined): boolean {
    return signal?.aborted === true;
}

function refused(path: string, refusal: ChangeRefusal, message: string): ChangeOutcome {
    return { applied: false, changed: [], refusal, message, path };
}
