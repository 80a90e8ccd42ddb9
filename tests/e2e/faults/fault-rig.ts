/**
 * The world of the fault suite: a vault of 50 jobs, their source notes and notes no job may touch; runners (real
 * `JobQueue`s, each with its own throttle and clock, as two processes would have); a runner that can be "killed"; and
 * the read-outs the assertions need (hashes of every file outside the jobs and output folders, artifacts by job).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import nodePath from 'node:path';
import { createModelClient } from '../../../src/agent/model-client';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { Throttle } from '../../../src/agent/loop/throttle';
import { ExclusionGate } from '../../../src/context/exclusions';
import { JobQueue } from '../../../src/delegate/job-queue';
import { readJobNote, type JobNote } from '../../../src/delegate/job-note';
import { renderJobNote } from '../../../src/delegate/job-spec';
import { systemClock, type Clock, type Notifier } from '../../../src/kernel/ports';
import { DEFAULT_SETTINGS } from '../../../src/kernel/settings';
import { VaultError, type VaultPort } from '../../../src/kernel/vault-port';
import type { MessagesApiServer } from '../../support/messages-api-server';
import { seededRandom } from '../../support/seeded-random';
import { draftPath, sourceMarker, type JobLayout } from './fault-plan';

/** Jobs in the vault. */
export const JOB_COUNT = 50;
/** Jobs at once. */
export const CONCURRENCY = 6;
/** Where job notes live. */
export const JOBS_FOLDER = 'Agent/Jobs';
/** The two output folders jobs write to (one nested beside notes that must stay untouched). */
export const OUTPUT_FOLDERS = ['Agent/Outputs', 'Projects/Reports/Out'];
/** Silence after which a stream counts as stalled; short, so stalls cost the suite little. */
export const IDLE_TIMEOUT_MS = 300;
/** Lease length of every runner. */
export const LEASE_MS = 60_000;
/** The configuration folder of the vault. */
export const CONFIG_DIR = '.obsidian';

const SOURCES = 20;

/** The layout of every job. */
export function jobLayouts(): JobLayout[] {
    return Array.from({ length: JOB_COUNT }, (_, index) => ({
        index,
        output: OUTPUT_FOLDERS[index % OUTPUT_FOLDERS.length] ?? 'Agent/Outputs',
        source: `Sources/Topic ${index % SOURCES}.md`,
        writesDraft: index % 2 === 0,
    }));
}

/** The job note's path. */
export function jobPath(job: JobLayout): string {
    return `${JOBS_FOLDER}/Job ${job.index}.md`;
}

/** The files of the vault: sources, jobs, and notes (and bytes) that no job may change. */
export function vaultFiles(jobs: readonly JobLayout[], seed: number): Record<string, string | Uint8Array> {
    const random = seededRandom(seed);
    const files: Record<string, string | Uint8Array> = {};
    for (let i = 0; i < SOURCES; i++) {
        files[`Sources/Topic ${i}.md`] =
            `---\ntags: [topic]\n---\n# Topic ${i}\n\nWhat we learnt: ${sourceMarker(i)}.\n\nSee [[Projects/Plan]].\n`;
    }
    for (let day = 1; day <= 10; day++) {
        const tag = day % 3 === 0 ? '\n#private/health' : '';
        files[`Journal/2026-11-${String(day).padStart(2, '0')}.md`] = `# Day ${day}\r\n\r\nWalked ${day} km.${tag}\r\n`;
    }
    files['Projects/Plan.md'] = '\uFEFF# Plan\n\n- [ ] ship the queue\n- [ ] Zürich trip, café notes\n';
    files['Projects/Reports/Index.md'] = '# Reports\n\nEvery report lands in [[Projects/Reports/Out]].\n';
    files['Projects/Reports/Outline.md'] = '# Outline\n\nA sibling whose name starts like the output folder.\n';
    files[`${CONFIG_DIR}/app.json`] = '{"newFileLocation":"folder"}\n';
    files['Attachments/diagram.png'] = Uint8Array.from({ length: 2048 }, () => Math.floor(random() * 256));
    for (const job of jobs) {
        files[jobPath(job)] = renderJobNote(
            {
                title: `Job ${job.index}`,
                brief: `Job ${job.index}: summarise ${job.source.replace(/\.md$/u, '')} for the weekly review.`,
                context: job.index % 3 === 0 ? [`[[${job.source.replace(/\.md$/u, '')}]]`] : [],
                output: job.output,
                mode: 'delegate',
            },
            Date.UTC(2026, 10, 21, 8, 0, 0),
        );
    }
    return files;
}

/** A clock `offsetMs` ahead of real time: "later, after the dead runner's leases expired", without waiting. */
export function clockAhead(offsetMs: number): Clock {
    return { now: () => Date.now() + offsetMs, sleep: (ms, signal) => systemClock.sleep(ms, signal) };
}

/** A vault whose writes fail once `kill()` is called: a process that is gone writes nothing more. */
export function killableVault(vault: VaultPort): { vault: VaultPort; kill(): void } {
    let dead = false;
    const gone = (): Promise<never> => Promise.reject(new VaultError('io', 'the process is gone'));
    const dying = Object.assign(Object.create(vault) as VaultPort, {
        process: (path: string, fn: (text: string) => string) => (dead ? gone() : vault.process(path, fn)),
        create: (path: string, text: string) => (dead ? gone() : vault.create(path, text)),
        rename: (from: string, to: string) => (dead ? gone() : vault.rename(from, to)),
        trash: (path: string) => (dead ? gone() : vault.trash(path)),
    });
    return { vault: dying, kill: () => (dead = true) };
}

/** One runner (one "process"): its own throttle and clock, the real SDK against the local server. */
export function startRunner(options: {
    vault: VaultPort;
    server: MessagesApiServer;
    deviceId: string;
    seed: number;
    notifier: Notifier;
    clock?: Clock;
}): JobQueue {
    const { vault, server } = options;
    const clock = options.clock ?? systemClock;
    const settings = {
        model: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL, maxOutputTokens: 1024 },
        delegate: { ...DEFAULT_SETTINGS.delegate, concurrency: CONCURRENCY, jobsFolder: JOBS_FOLDER },
    };
    const memory = { load: () => Promise.resolve(null), save: () => Promise.resolve() };
    return new JobQueue({
        vault,
        gate: () => new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy }),
        client: () =>
            createModelClient({ secrets: { get: () => Promise.resolve(server.apiKey) }, settings: settings.model }),
        throttle: new Throttle({ clock }),
        notifier: options.notifier,
        checkpoints: new CheckpointStore({ vault, persistence: memory }),
        settings: () => settings,
        deviceId: options.deviceId,
        clock,
        leaseMs: LEASE_MS,
        pollMs: 50,
        settleMs: 5,
        retry: {
            random: seededRandom(options.seed),
            baseDelayMs: 10,
            maxDelayMs: 80,
            waits: { idleTimeoutMs: IDLE_TIMEOUT_MS },
        },
        jobRetryBaseMs: 10,
        offlineBaseMs: 50,
    });
}

/** SHA-256 of every file under `root`, by vault path, leaving out the folders in `skip`. */
export function hashFiles(root: string, skip: readonly string[]): Map<string, string> {
    const hashes = new Map<string, string>();
    const walk = (folder: string): void => {
        for (const entry of readdirSync(nodePath.join(root, folder), { withFileTypes: true })) {
            const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
            if (skip.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) continue;
            if (entry.isDirectory()) walk(path);
            else
                hashes.set(
                    path,
                    createHash('sha256')
                        .update(readFileSync(nodePath.join(root, path)))
                        .digest('hex'),
                );
        }
    };
    walk('');
    return hashes;
}

/** The job note as it is on disk. */
export function readJob(root: string, job: JobLayout): JobNote {
    const path = jobPath(job);
    const read = readJobNote(path, readFileSync(nodePath.join(root, path), 'utf8'));
    if (read.kind !== 'job') throw new Error(`${path} is no longer a readable job (${read.kind})`);
    return read.job;
}

/** A note found in an output folder. */
export interface OutputNote {
    /** Vault path. */
    path: string;
    /** Its text. */
    text: string;
}

/** Every file in the output folders. */
export function outputNotes(root: string): OutputNote[] {
    const notes: OutputNote[] = [];
    for (const folder of OUTPUT_FOLDERS) {
        let names: string[];
        try {
            names = readdirSync(nodePath.join(root, folder));
        } catch {
            continue;
        }
        for (const name of names.sort()) {
            const path = `${folder}/${name}`;
            notes.push({ path, text: readFileSync(nodePath.join(root, path), 'utf8') });
        }
    }
    return notes;
}

/** The artifacts among `notes` that name `job` as theirs. */
export function artifactsOf(notes: readonly OutputNote[], job: JobLayout): OutputNote[] {
    const link = `job: "[[${jobPath(job).replace(/\.md$/u, '')}]]"`;
    return notes.filter((note) => /^vault-agent: artifact$/mu.test(note.text) && note.text.includes(link));
}

/** Whether `note` is the draft of one of `jobs`. */
export function isDraft(note: OutputNote, jobs: readonly JobLayout[]): JobLayout | undefined {
    return jobs.find((job) => job.writesDraft && draftPath(job) === note.path);
}
