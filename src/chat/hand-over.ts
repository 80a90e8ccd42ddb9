/**
 * A chat handed over to the queue (*Continue in background*) and a finished job brought back into a chat.
 *
 * Hand-over: the conversation's request (the person's last message) becomes the brief of a job, the notes the chat
 * used become the job's context references (resolved again, through the gate, when the job runs), and the
 * conversation so far is carried over as a quoted transcript below the request, so the job knows what was said and
 * decided. The transcript is the person's messages and the agent's answers, never tool results (the job reads the
 * notes again itself). Privacy fails closed: when any note the chat read is excluded now, the agent's answers (which
 * may quote it) are left out and the brief says so, and the excluded note is not named. Code other plugins would run
 * in the carried text (Dataview, Templater) is made inert, since the job note is a note in the vault.
 *
 * Coming back: a finished job opens as a chat whose first message carries the job's result note and its job note
 * (brief and context) as @-mentions, so the context builder attaches them through the gate like any mention.
 */
import { contextReferences } from '../delegate/job-context';
import type { JobSpec } from '../delegate/job-spec';
import { neutraliseExecutable } from '../vault/executable-content';
import type { ChatRecord } from './transcript';

/** What *Continue in background* did. */
export interface HandOverResult {
    /** The job note written. */
    jobPath: string;
    /** True when the agent's answers were left out for privacy. */
    answersWithheld: boolean;
}

/** What the hand-over needs to know besides the chat. */
export interface HandOverOptions {
    /** The current exclusion gate's verdict on a path. */
    isExcluded(path: string): boolean;
    /** Vault paths the live conversation's history carries (its provenance); empty for a chat resumed from disk. */
    sources: readonly string[];
    /** The job's mode: an edit-capable chat hands over to a `propose` job, whose edits wait in the review inbox. */
    mode?: JobSpec['mode'];
}

/** The job a chat becomes, and what was left out of it. */
export interface HandOver {
    /** The job to queue. */
    spec: JobSpec;
    /** True when the agent's answers were left out because a note the chat read is private now. */
    answersWithheld: boolean;
    /** How many earlier messages did not fit and were left out of the carried transcript (oldest first). */
    droppedMessages: number;
}

/** Thrown when a chat has nothing to hand over (no message from the person yet). */
export class NothingToHandOver extends Error {
    override readonly name: string = 'NothingToHandOver';

    constructor() {
        super('There is nothing to continue in the background yet: send a message first.');
    }
}

/** Most characters of carried transcript in a job's brief; older messages are dropped first (and counted). */
export const MAX_CARRIED_CHARS = 24_000;
/** Most characters of one carried message. */
const MAX_MESSAGE_CHARS = 4_000;
/** The heading under which the carried conversation sits in the brief. */
export const CARRIED_HEADING = 'Carried over from the chat';

/** The job that continues `record` in the background; throws `NothingToHandOver` for a chat with no message yet. */
export function handOverJob(record: ChatRecord, options: HandOverOptions): HandOver {
    const userTexts = record.entries.flatMap((entry) => (entry.kind === 'user' ? [entry.text] : []));
    const request = userTexts[userTexts.length - 1];
    if (request === undefined || request.trim() === '') throw new NothingToHandOver();

    const read = readPaths(record);
    const touched = [...new Set([...read, ...options.sources])];
    const answersWithheld = touched.some((path) => options.isExcluded(path));
    const context = [
        ...contextReferences(...userTexts),
        ...read.filter((path) => !options.isExcluded(path)).map(noteReference),
    ];

    const messages: string[] = [];
    for (const entry of record.entries) {
        if (entry.kind === 'user') messages.push(`**You:** ${clip(entry.text)}`);
        else if (entry.kind === 'assistant' && entry.text.trim() !== '' && !answersWithheld)
            messages.push(`**Agent:** ${clip(entry.text)}`);
    }
    // The request itself stands on its own above the transcript; the transcript keeps the newest that fit.
    let total = 0;
    let kept = 0;
    for (let i = messages.length - 1; i >= 0; i--) {
        total += (messages[i] ?? '').length;
        if (total > MAX_CARRIED_CHARS && kept > 0) break;
        kept++;
    }
    const droppedMessages = messages.length - kept;
    const lines: string[] = [];
    if (droppedMessages > 0) lines.push(`(${droppedMessages} earlier message(s) did not fit and are left out.)`, '');
    if (answersWithheld) {
        lines.push(
            "(The agent's answers are left out: a note the chat read is now hidden by the privacy settings.)",
            '',
        );
    }
    lines.push(messages.slice(messages.length - kept).join('\n\n'));
    const transcript = neutraliseExecutable(lines.join('\n')).text;
    const brief = [
        neutraliseExecutable(request.trim()).text,
        '',
        `${CARRIED_HEADING} "${record.title}" (continue its work; the person is not watching):`,
        '',
        quote(transcript),
    ].join('\n');

    const spec: JobSpec = {
        title: `${record.title} (from chat)`,
        brief,
        context: [...new Set(context)],
        ...(record.model !== '' ? { model: record.model } : {}),
        ...(options.mode !== undefined ? { mode: options.mode } : {}),
    };
    return { spec, answersWithheld, droppedMessages };
}

/** A finished job to continue in a chat: its result note and its job note, as vault paths. */
export interface JobToContinue {
    /** The job note (its brief and context): a vault path. */
    jobPath: string;
    /** The result note: a vault path or a link target (the job note's `artifact`). */
    resultPath: string;
    /** The job's title, for the chat's first line. */
    title: string;
}

/**
 * The first message of a chat that continues a finished job: the result note and the job note as @-mentions (the
 * context builder attaches them through the gate), and what the person is asked to do next left to them.
 */
export function continueFromJobPrompt(job: JobToContinue): string {
    return `Continue from the job "${job.title}": its result ${mention(job.resultPath)} and its brief ${mention(job.jobPath)}. `;
}

/** The note paths the chat's tools named (`read_note`, `edit_note`, …): what the job should look at again. */
function readPaths(record: ChatRecord): string[] {
    const paths: string[] = [];
    for (const entry of record.entries) {
        if (entry.kind !== 'tool' || entry.isError === true) continue;
        const input = entry.input;
        if (input === null || typeof input !== 'object') continue;
        const path = (input as Record<string, unknown>).path;
        if (typeof path === 'string' && path.trim() !== '') paths.push(path.trim());
    }
    return [...new Set(paths)];
}

function noteReference(path: string): string {
    return `[[${path.replace(/\.md$/u, '')}]]`;
}

function mention(path: string): string {
    return `@[[${path.replace(/\.md$/u, '')}]]`;
}

function clip(text: string): string {
    const trimmed = text.trim();
    return trimmed.length > MAX_MESSAGE_CHARS ? `${trimmed.slice(0, MAX_MESSAGE_CHARS - 1)}…` : trimmed;
}

/** Quotes every line, so no carried line can pass for a heading of the job note (`## Log`) or its frontmatter. */
function quote(text: string): string {
    return text
        .split(/\r?\n/u)
        .map((line) => (line === '' ? '>' : `> ${line}`))
        .join('\n');
}
