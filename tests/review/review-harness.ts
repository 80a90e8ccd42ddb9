/**
 * A review inbox on a real temp-folder vault: the proposal store in `Agent/Proposals` (next to `Agent/Jobs`), a
 * `propose`-mode ChangeController recording into it as a job would, and what applying needs (checkpoints, gate).
 */
import { ChangeController } from '../../src/agent/changes/change-controller';
import type { ProposalOrigin } from '../../src/agent/changes/change-ports';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { buildProposal, type ProposalInput } from '../../src/agent/changes/proposal';
import { ExclusionGate } from '../../src/context/exclusions';
import { proposalsFolderFor } from '../../src/kernel/review-folder';
import type { ReviewServices } from '../../src/review/proposal-review';
import { ProposalStore } from '../../src/review/proposal-store';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { runInTerminal, type TerminalRun } from '../cli/cli-harness';
import { makeTempVault, type TempVault } from '../support/temp-vault';

/** The jobs folder of the default settings. */
export const JOBS = 'Agent/Jobs';
/** Its proposals folder. */
export const PROPOSALS = proposalsFolderFor(JOBS);

/** A job as the origin of proposals. */
export const TIDY: ProposalOrigin = { kind: 'job', id: 'job-1234abcd', title: 'Tidy meeting links' };

/** What a test gets. */
export interface ReviewHarness {
    /** The temp vault. */
    temp: TempVault;
    /** The store. */
    store: ProposalStore;
    /** What applying needs. */
    review: ReviewServices;
    /** Proposes a change as a `propose` job of `origin` would (through the ChangeController). */
    propose(input: ProposalInput, origin?: ProposalOrigin, cap?: number): ReturnType<ChangeController['submit']>;
    /** A fresh store over the same folder, as after a restart. */
    reopen(): ProposalStore;
}

/**
 * Builds the harness with `#private` and `Journal/` excluded, on a temp vault made by `vault` (one `perTest` removes
 * after the test), else by `makeTempVault` (remember `temp.cleanup()`).
 */
export async function makeReviewHarness(
    files: Record<string, string>,
    vault: (files: Record<string, string>) => Promise<TempVault> = makeTempVault,
): Promise<ReviewHarness> {
    const temp = await vault(files);
    const gate = (): ExclusionGate =>
        new ExclusionGate({ vault: temp.vault, privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] } });
    const open = (): ProposalStore => new ProposalStore({ vault: temp.vault, gate, folder: () => PROPOSALS });
    const store = open();
    const checkpoints = new CheckpointStore({ vault: temp.vault, persistence: new MemoryCheckpointPersistence() });
    const review: ReviewServices = { store, vault: temp.vault, gate, checkpoints, jobsFolder: () => JOBS };
    const propose: ReviewHarness['propose'] = (input, origin = TIDY, cap) =>
        new ChangeController({
            vault: temp.vault,
            gate: gate(),
            approvals: { request: () => Promise.reject(new Error('a propose job never asks')) },
            mode: 'propose',
            checkpoints,
            jobsFolder: JOBS,
            proposals: store.sinkFor(origin, cap),
        }).submit(buildProposal(input), { turnId: origin.id });
    return { temp, store, review, propose, reopen: open };
}

/** A question of `vault-agent review`, as the terminal shows it (`[y/n/s/q]`, or `[y/N/q]` to reject a conflict). */
const QUESTION = /\[y\/[nN]\/(?:s\/)?q\]/g;

/** Runs `vault-agent review` in a pseudo-terminal, typing the next answer each time a question shows. */
export function reviewInTerminal(root: string, homeDir: string, answers: string[]): Promise<TerminalRun> {
    return runInTerminal(['review', '--vault', root], { home: homeDir, question: QUESTION, answers });
}
