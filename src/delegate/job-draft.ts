/**
 * Scheduled job notes drafted for a chat's `schedule_job` tool (`agent/tools/job-drafts.ts`): the same note the
 * enqueue modal writes for "On a schedule" (`renderJobNote`), checked the same way (`jobProblem`, `parseSchedule`),
 * at a free name in the jobs folder. Nothing is written here: the tool submits the draft to the ChangeController,
 * which writes it only once the person approved it on their screen.
 */
import type { JobDraft, JobDrafter, JobDraftRequest } from '../agent/tools/job-drafts';
import { normalizeVaultPath } from '../kernel/path-policy';
import type { Clock } from '../kernel/ports';
import { sanitizeNoteName, uniqueNotePath } from '../kernel/safe-names';
import type { VaultPort } from '../kernel/vault-port';
import { jobProblem, renderJobNote } from './job-spec';
import { nextRun, parseSchedule } from './schedule';

/** Where drafts go and what they default to, read when a draft is made. */
export interface JobDraftPlace {
    /** The jobs folder. */
    jobsFolder: string;
    /** The settings' output folder. */
    outputFolder: string;
    /** The default budget of a new job. */
    budget: { turns?: number; usd?: number };
}

/**
 * A drafter over `vault` with the settings' jobs folder and defaults. `excluded` says why a job note with this text
 * would never run (its own tags excluded by the privacy settings, `excludedJobNote`): the draft carries it as the
 * card's warning.
 */
export function jobDrafter(
    vault: VaultPort,
    place: () => JobDraftPlace,
    clock: Clock,
    excluded?: (text: string) => string | null,
): JobDrafter {
    return {
        draft: async (request: JobDraftRequest): Promise<JobDraft> => {
            const { jobsFolder, outputFolder, budget } = place();
            const folder = normalizeVaultPath(jobsFolder);
            if (!folder.ok || folder.path === '') {
                return { ok: false, reason: `The jobs folder "${jobsFolder}" is not usable.` };
            }
            const parsed = parseSchedule(request.schedule);
            if (!parsed.ok) return { ok: false, reason: parsed.reason };
            const problem = jobProblem(
                { brief: request.brief, output: '' },
                { configDir: vault.configDir, jobsFolder: folder.path, defaultOutput: outputFolder },
            );
            if (problem !== null) return { ok: false, reason: problem };
            const title = request.title.trim() === '' ? 'Scheduled job' : request.title.trim();
            const desired = `${folder.path}/${sanitizeNoteName(`${title}.md`)}`;
            const path = await uniqueNotePath(desired, async (candidate) => (await vault.stat(candidate)) !== null);
            const now = clock.now();
            const text = renderJobNote(
                {
                    title,
                    brief: request.brief,
                    context: request.context,
                    mode: request.mode,
                    schedule: parsed.schedule.source,
                    budget: {
                        ...(budget.turns !== undefined && budget.turns > 0 ? { turns: budget.turns } : {}),
                        ...(budget.usd !== undefined && budget.usd > 0 ? { usd: budget.usd } : {}),
                    },
                },
                now,
            );
            const warning = excluded?.(text) ?? null;
            return {
                ok: true,
                path,
                text,
                jobsFolder: folder.path,
                firstRun: nextRun(parsed.schedule, now),
                ...(warning !== null ? { warning } : {}),
            };
        },
    };
}
