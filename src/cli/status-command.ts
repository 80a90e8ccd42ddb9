/**
 * `vault-agent status`: the job notes as they are on disk, read without touching them (no lease is recovered and no
 * note rewritten, so looking at the queue never changes it). A table for people, `--json` for scripts.
 */
import { JobStore } from '../delegate/job-store';
import { activeCounts, jobStateWord, queueStateWord } from '../delegate/job-state-words';
import { jobView, type JobView } from '../delegate/queue-snapshot';
import { systemClock } from '../kernel/ports';
import { readArgs, VAULT_FLAGS, vaultOptions, type FlagSpec } from './cli-args';
import { openCliVault, type CliIo } from './cli-context';
import { STATUS_USAGE } from './usage';

const FLAGS = { ...VAULT_FLAGS, json: { type: 'boolean' } } satisfies Record<string, FlagSpec>;

/** What `status --json` prints. */
export interface StatusReport {
    /** The jobs folder read. */
    jobsFolder: string;
    /** Every job note, oldest first. */
    jobs: JobView[];
    /** Job notes that could not be read, with why (left as they are). */
    quarantined: { path: string; reason: string }[];
    /** How many jobs are in each status. */
    counts: Record<string, number>;
}

/** Runs `status`; resolves to the exit code. */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, FLAGS, STATUS_USAGE);
    const opened = await openCliVault(vaultOptions(parsed, STATUS_USAGE), io);
    const jobsFolder = opened.settings.delegate.jobsFolder;
    const reads = await new JobStore({ vault: opened.vault, clock: systemClock }).list(jobsFolder);
    const report: StatusReport = { jobsFolder, jobs: [], quarantined: [], counts: {} };
    for (const read of reads) {
        if (read.kind === 'job') {
            report.jobs.push(jobView(read.job, null));
            report.counts[read.job.status] = (report.counts[read.job.status] ?? 0) + 1;
        } else {
            report.quarantined.push({ path: read.path, reason: read.reason });
        }
    }
    if (parsed.values.json === true) {
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return 0;
    }
    io.stdout.write(renderStatus(report));
    return 0;
}

/** The report as a plain-text table. */
export function renderStatus(report: StatusReport): string {
    if (report.jobs.length === 0 && report.quarantined.length === 0) return `No jobs in ${report.jobsFolder}/.\n`;
    const rows = report.jobs.map((job) => [
        jobStateWord(job.status).toLowerCase(),
        job.schedule !== '' ? `every ${job.schedule}` : String(job.attempts),
        `$${job.usage.usd.toFixed(3)}`,
        job.path,
        job.error !== '' ? job.error : job.artifact,
    ]);
    const lines = table([['STATUS', 'TRIES', 'COST', 'JOB', 'RESULT'], ...rows]);
    for (const entry of report.quarantined) lines.push(`unreadable  ${entry.path}: ${entry.reason}`);
    const ended = (['done', 'failed', 'cancelled'] as const)
        .filter((status) => (report.counts[status] ?? 0) > 0)
        .map((status) => `${report.counts[status] ?? 0} ${jobStateWord(status).toLowerCase()}`);
    const counts = [activeCounts(report.jobs), ended.join(' · ')].filter((part) => part !== '').join(' · ');
    lines.push('', `${queueStateWord({ pause: null, jobs: report.jobs })}: ${counts === '' ? 'no jobs' : counts}`);
    return `${lines.join('\n')}\n`;
}

/** Rows padded into columns; the last column is never padded (it may be long). */
export function table(rows: string[][]): string[] {
    const widths: number[] = [];
    for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
    return rows.map((row) =>
        row
            .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
            .join('  ')
            .trimEnd(),
    );
}
