/**
 * The port through which a chat's `schedule_job` tool drafts a scheduled job note. The job note's format, the schedule
 * syntax and the jobs folder belong to the queue (`delegate/`), which implements this (`delegate/job-draft.ts`); the
 * tool only asks for a draft and submits it to the ChangeController, which shows it to the person.
 */

/** What the model asks to schedule. */
export interface JobDraftRequest {
    /** The job's name. */
    title: string;
    /** What each run should do. */
    brief: string;
    /** When it runs: `daily 08:00`, `weekdays 08:30`, `weekly mon 09:00` or a 5-field cron expression. */
    schedule: string;
    /** Context references (`[[Note]]`, `Folder/`, `#tag`), resolved again at every run. */
    context: string[];
    /** `delegate` (may create notes in its output folder) or `read-only`. */
    mode: 'delegate' | 'read-only';
}

/** A drafted job note, or why the request cannot be one. */
export type JobDraft =
    | {
          ok: true;
          /** Where the job note would be created (a free name in the jobs folder). */
          path: string;
          /** Its text. */
          text: string;
          /** The jobs folder it is in (the only folder such a draft may be written to). */
          jobsFolder: string;
          /** When it would first run, ms since the epoch; `null` when never. */
          firstRun: number | null;
          /**
           * What the person must know before accepting it, in Vault Agent's words (never the model's): the note would
           * carry a tag the privacy settings exclude, so it would never run. Shown on the card only: the model is not
           * told which tags are excluded.
           */
          warning?: string;
      }
    | { ok: false; reason: string };

/** Drafts job notes (nothing is written). */
export interface JobDrafter {
    /** The job note for `request`, or why not. */
    draft(request: JobDraftRequest): Promise<JobDraft>;
}
