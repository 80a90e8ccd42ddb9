/**
 * The review inbox's two speed promises, on a real folder through FsVault:
 *
 * - an inbox of 1,000 pending proposals (one edit each on 1,000 notes, three hunks each) lists and opens within
 *   100 ms: the store's grouped listing (every proposal judged by the exclusion gate) plus opening the newest one
 *   against its note as it is now (what the inbox view needs to show the list and the first diff). The figure is the
 *   first listing of a fresh store (every file read and parsed, as after a restart); later listings are reported too.
 * - applying one accepted proposal costs no more than applying the same change from the chat: side by side in one
 *   run, on twin notes, the chat's `edit_note` call approved at once (locate, diff, ChangeController, checkpoint)
 *   against `applyProposal` (open against the note now, the same ChangeController, checkpoint, the proposal marked
 *   applied once the note is written: readers wait for it, the person does not). Undo records are kept as the CLI
 *   keeps them, one state file per path.
 *   Medians and ranges of both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeController } from '../../src/agent/changes/change-controller';
import type { CheckpointPersistence } from '../../src/agent/changes/change-ports';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { JsonFileCheckpoints } from '../../src/cli/cli-context';
import { buildProposal } from '../../src/agent/changes/proposal';
import { editNoteTool } from '../../src/agent/tools/edit-tools';
import { ReadLedger } from '../../src/agent/tools/read-ledger';
import { ExclusionGate } from '../../src/context/exclusions';
import { proposalsFolderFor } from '../../src/kernel/review-folder';
import { applyProposal, openProposal, type ReviewServices } from '../../src/review/proposal-review';
import { ProposalStore } from '../../src/review/proposal-store';
import { FsVault } from '../../src/vault/fs-vault-node';
import { median, type BenchRow } from '../bench-row';

const JOBS = 'Agent/Jobs';
const FOLDER = proposalsFolderFor(JOBS);
const PROPOSALS = 1_000;
const LIST_LIMIT_MS = 100;
const ORIGINS = 10;

class MemoryPersistence implements CheckpointPersistence {
    private value: unknown = null;
    load(): Promise<unknown> {
        return Promise.resolve(this.value);
    }
    save(data: unknown): Promise<void> {
        this.value = data;
        return Promise.resolve();
    }
}

/** A meeting note of ~60 lines with three places to link. */
function meetingNote(i: number): string {
    const lines = [`# Meeting ${i}`, ''];
    for (let k = 0; k < 60; k++) lines.push(k % 20 === 5 ? `see Project ${i}-${k}` : `line ${k} of meeting ${i}`);
    return `${lines.join('\n')}\n`;
}

function linked(text: string): string {
    return text.replace(/see (Project [\w-]+)/gu, 'see [[$1]]');
}

interface Rig {
    root: string;
    /** Undo records as the CLI keeps them: a JSON state file outside the vault, one per `name`. */
    checkpoints(name: string): CheckpointStore;
    vault: FsVault;
    gate: () => ExclusionGate;
    store(): ProposalStore;
    review(store: ProposalStore): ReviewServices;
    cleanup(): Promise<void>;
}

async function rig(files: Record<string, string>): Promise<Rig> {
    const root = await mkdtemp(join(tmpdir(), 'vault-agent-bench-review-'));
    const state = await mkdtemp(join(tmpdir(), 'vault-agent-bench-state-'));
    const seed = await FsVault.open(root, { configDir: '.obsidian' });
    for (const [path, text] of Object.entries(files)) await seed.create(path, text);
    const vault = await FsVault.open(root, { configDir: '.obsidian' });
    const gate = (): ExclusionGate =>
        new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] } });
    const checkpoints = (name: string): CheckpointStore =>
        new CheckpointStore({ vault, persistence: new JsonFileCheckpoints(join(state, `${name}.json`)) });
    return {
        root,
        vault,
        gate,
        checkpoints,
        store: () => new ProposalStore({ vault, gate, folder: () => FOLDER }),
        review: (store) => ({ store, vault, gate, checkpoints: checkpoints('inbox'), jobsFolder: () => JOBS }),
        cleanup: async () => {
            await rm(root, { recursive: true, force: true });
            await rm(state, { recursive: true, force: true });
        },
    };
}

export const reviewInboxListRow: BenchRow = {
    name: 'Review inbox: 1,000 proposals list and open',
    async run() {
        const files: Record<string, string> = {};
        for (let i = 0; i < PROPOSALS; i++) files[`Meetings/M${i}.md`] = meetingNote(i);
        const r = await rig(files);
        try {
            const writer = r.store();
            for (let i = 0; i < PROPOSALS; i++) {
                const path = `Meetings/M${i}.md`;
                const base = files[path] ?? '';
                const change = buildProposal({ kind: 'edit', path, base, proposed: linked(base) });
                const origin = { kind: 'job' as const, id: `job-${i % ORIGINS}`, title: `Job ${i % ORIGINS}` };
                const receipt = await writer.add(change, origin, { cap: PROPOSALS });
                if (!receipt.recorded) throw new Error(receipt.why);
            }
            // As after a restart: a fresh vault index and a fresh store read every proposal file.
            const vault = await FsVault.open(r.root, { configDir: '.obsidian' });
            const gate = (): ExclusionGate =>
                new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] } });
            const timed = async (store: ProposalStore): Promise<{ ms: number; hunks: number }> => {
                const t0 = performance.now();
                const inbox = await store.list();
                const newest = inbox.groups[0]?.notes[0]?.entries[0];
                const opened = await openProposal(
                    {
                        store,
                        vault,
                        gate,
                        checkpoints: new CheckpointStore({ vault, persistence: new MemoryPersistence() }),
                        jobsFolder: () => JOBS,
                    },
                    newest?.id ?? '',
                );
                const ms = performance.now() - t0;
                if (inbox.count !== PROPOSALS || opened.state !== 'ready') {
                    throw new Error(`listed ${inbox.count}, opened ${opened.state}`);
                }
                return { ms, hunks: opened.change.hunks.length };
            };
            const colds: number[] = [];
            const warms: number[] = [];
            let hunks = 0;
            for (let run = 0; run < 5; run++) {
                const store = new ProposalStore({ vault, gate, folder: () => FOLDER });
                const cold = await timed(store);
                colds.push(cold.ms);
                hunks = cold.hunks;
                for (let again = 0; again < 10; again++) warms.push((await timed(store)).ms);
            }
            const ms = median(colds);
            const range = (values: number[]): string =>
                `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} ms`;
            return {
                value: ms,
                unit: 'ms',
                target: `≤ ${LIST_LIMIT_MS} ms`,
                pass: ms <= LIST_LIMIT_MS,
                note:
                    `median of ${colds.length} first listings by a fresh store (every file read, parsed and judged by ` +
                    `the gate) plus opening the newest (${hunks} hunks, against its note now), range ${range(colds)}; ` +
                    `later listings and opens median ${median(warms).toFixed(1)} ms (${range(warms)}); ` +
                    `${PROPOSALS} proposals from ${ORIGINS} jobs on ${PROPOSALS} notes`,
            };
        } finally {
            await r.cleanup();
        }
    },
};

export const reviewApplyRow: BenchRow = {
    name: 'Review inbox: apply one accepted proposal vs the chat',
    async run({ quick }) {
        const rounds = quick ? 40 : 100;
        const files: Record<string, string> = {};
        for (let i = 0; i < rounds; i++) {
            files[`Chat/M${i}.md`] = meetingNote(i);
            files[`Review/M${i}.md`] = meetingNote(i);
        }
        const r = await rig(files);
        try {
            const store = r.store();
            const review = r.review(store);
            const ids: string[] = [];
            for (let i = 0; i < rounds; i++) {
                const path = `Review/M${i}.md`;
                const base = files[path] ?? '';
                const receipt = await store.add(
                    buildProposal({ kind: 'edit', path, base, proposed: linked(base) }),
                    { kind: 'job', id: 'job-bench', title: 'Bench' },
                    { cap: rounds },
                );
                if (!receipt.recorded) throw new Error(receipt.why);
                ids.push(receipt.id);
            }
            const checkpoints = r.checkpoints('chat');
            const controller = new ChangeController({
                vault: r.vault,
                gate: r.gate(),
                approvals: { request: (shown) => Promise.resolve({ kind: 'approve', binding: shown.binding }) },
                mode: 'ask',
                checkpoints,
                jobsFolder: JOBS,
            });
            const reads = new ReadLedger();
            const chat: number[] = [];
            const inbox: number[] = [];
            const marked: number[] = [];
            for (let i = 0; i < rounds; i++) {
                // The chat: the model's edit_note call, the person's approval, the write, the checkpoint.
                const path = `Chat/M${i}.md`;
                const edits = [...(files[path] ?? '').matchAll(/see (Project [\w-]+)/gu)].map((m) => ({
                    old: m[0],
                    new: `see [[${m[1] ?? ''}]]`,
                }));
                const t0 = performance.now();
                const result = await editNoteTool.run(
                    { path, edits },
                    { vault: r.vault, gate: r.gate(), reads, changes: controller, turnId: `chat-${i}` },
                );
                chat.push(performance.now() - t0);
                if (result.changed?.length !== 1) throw new Error(`chat edit not applied: ${result.content}`);
                // The inbox: the person's accept on the proposal the view shows (opened, as the view opens it), applied.
                const shown = await openProposal(review, ids[i] ?? '');
                if (shown.state !== 'ready') throw new Error(`not ready: ${shown.state}`);
                const t1 = performance.now();
                const applied = await applyProposal(review, shown, {
                    kind: 'approve',
                    binding: shown.change.binding,
                });
                inbox.push(performance.now() - t1);
                if (applied.status !== 'applied') throw new Error(`proposal not applied: ${applied.status}`);
                // The proposal marked applied behind it: finished before the next round, and reported apart.
                await store.settled();
                marked.push(performance.now() - t1);
            }
            for (let i = 0; i < rounds; i++) {
                const a = await r.vault.read(`Chat/M${i}.md`);
                const b = await r.vault.read(`Review/M${i}.md`);
                if (a !== b) throw new Error(`the two paths wrote different text for M${i}`);
            }
            const chatMs = median(chat);
            const inboxMs = median(inbox);
            const ratio = inboxMs / chatMs;
            const range = (values: number[]): string =>
                `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)} ms`;
            return {
                value: ratio,
                unit: '× chat',
                target: '≤ 1.0 × the chat',
                pass: ratio <= 1,
                note:
                    `${rounds} rounds side by side on twin notes (~60 lines, 3 hunks): inbox median ` +
                    `${inboxMs.toFixed(2)} ms (${range(inbox)}), chat median ${chatMs.toFixed(2)} ms (${range(chat)}); ` +
                    `the proposal's own status, written after the note, done at median ${median(marked).toFixed(2)} ms ` +
                    `(${range(marked)})`,
            };
        } finally {
            await r.cleanup();
        }
    },
};
