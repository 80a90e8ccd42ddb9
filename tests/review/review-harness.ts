/**
 * A review inbox on a real temp-folder vault: the proposal store in `Agent/Proposals` (next to `Agent/Jobs`), a
 * `propose`-mode ChangeController recording into it as a job would, and what applying needs (checkpoints, gate).
 */
import { spawn } from 'node:child_process';
import nodePath from 'node:path';
import { ChangeController } from '../../src/agent/changes/change-controller';
import type { ProposalOrigin } from '../../src/agent/changes/change-ports';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { buildProposal, type ProposalInput } from '../../src/agent/changes/proposal';
import { ExclusionGate } from '../../src/context/exclusions';
import { proposalsFolderFor } from '../../src/kernel/review-folder';
import type { ReviewServices } from '../../src/review/proposal-review';
import { ProposalStore } from '../../src/review/proposal-store';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { CLI, REPO, shellQuote } from '../cli/cli-harness';
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

/** Builds the harness with `#private` and `Journal/` excluded; remember `temp.cleanup()`. */
export async function makeReviewHarness(files: Record<string, string>): Promise<ReviewHarness> {
    const temp = await makeTempVault(files);
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
export function reviewInTerminal(
    root: string,
    homeDir: string,
    answers: string[],
): Promise<{ screen: string; code: number | null }> {
    const command = [process.execPath, CLI, 'review', '--vault', root].map(shellQuote).join(' ');
    return new Promise((resolve, reject) => {
        const child = spawn('script', ['-qfec', command, '/dev/null'], {
            cwd: REPO,
            env: {
                PATH: process.env.PATH ?? '',
                HOME: homeDir,
                XDG_CONFIG_HOME: nodePath.join(homeDir, 'config'),
                TERM: 'xterm',
                SHELL: '/bin/sh',
            },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let screen = '';
        let asked = 0;
        const hear = (chunk: Buffer): void => {
            screen += chunk.toString();
            const seen = screen.split(QUESTION).length - 1;
            while (asked < seen && asked < answers.length) {
                const answer = answers[asked++] ?? '';
                setTimeout(() => child.stdin.write(answer), 150);
            }
        };
        child.stdout.on('data', hear);
        child.stderr.on('data', hear);
        const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ screen, code });
        });
    });
}
