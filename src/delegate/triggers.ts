/**
 * Trigger notes as a queue extension: after each scan it reads the trigger notes of the jobs folder, follows the
 * vault's changes through `TriggerRules` (the same rules in the plugin and in `vault-agent run --watch`), and writes a
 * job note for each fire, linked to its trigger (`trigger`) and to the note that fired it (`source`). Those links are
 * also how the limits survive a restart: the jobs of the last hour are counted again from their notes.
 *
 * A note never fires a trigger when it is in the jobs folder (jobs and triggers themselves: no trigger can start
 * itself), when it is excluded (judged on its text now), or when it is exactly as the agent last wrote it (the undo
 * records say so) or is a job's result (its `job:` link). Three jobs of a trigger failing in a row pause it
 * (`trigger-state.paused`), with a notice, like a schedule; the person clears it to resume.
 */
import { linkTo } from './artifact';
import { jobTitle, type JobNote } from './job-note';
import { editNoteText, logLine } from './job-note-edit';
import { createJobNote, JobSpecError } from './job-spec';
import type { YamlValue } from './job-yaml';
import type { ExtensionContext, QueueExtension, TriggerView } from './queue-extension';
import { FAILURES_BEFORE_PAUSE } from './scheduler';
import { fillNote, mayBeTrigger, readTriggerNote, type TriggerNote, type TriggerState } from './trigger-note';
import { TriggerRules, type TriggerFire } from './trigger-rules';
import { isMarkdownPath, VaultError } from '../kernel/vault-port';

/** Options of the trigger extension. */
export interface TriggersOptions {
    /** Whether vault changes are followed (false in a one-shot `vault-agent run`, which watches nothing). */
    follow: boolean;
}

/** The trigger extension of the queue. */
export class Triggers implements QueueExtension {
    private rules: TriggerRules | null = null;
    private context: ExtensionContext | null = null;
    private known: TriggerNote[] = [];
    private unreadable: { path: string; reason: string }[] = [];
    private readonly cache = new Map<string, { stamp: string; read: ReturnType<typeof readTriggerNote> }>();
    private readonly reported = new Set<string>();
    private stopped = false;

    constructor(private readonly options: TriggersOptions = { follow: true }) {}

    /** Rereads the trigger notes, counts recorded fires, starts following the vault, and judges what is due. */
    async afterScan(context: ExtensionContext): Promise<void> {
        this.context = context;
        await this.readTriggers(context);
        if (!this.options.follow || this.stopped) return;
        if (this.rules === null) {
            this.rules = new TriggerRules({
                vault: context.vault,
                clock: context.clock,
                triggers: () => this.known,
                refuse: (path) => this.refuse(path),
                fire: (fire) => this.fire(fire),
            });
            await this.rules.start();
        }
        for (const job of context.jobs) {
            const at = Date.parse(job.created);
            if (job.trigger !== '' && job.source !== '' && Number.isFinite(at))
                this.rules.ledger.seed(job.path, pathOf(job.trigger), pathOf(job.source), at);
        }
        await this.rules.flush();
    }

    /** Counts a started job's failure against its trigger, or clears the count on success. */
    async afterJob(job: JobNote, context: ExtensionContext): Promise<void> {
        if (job.trigger === '' || (job.status !== 'done' && job.status !== 'failed')) return;
        const path = pathOf(job.trigger);
        let pausedNow = false;
        await this.update(context, path, (trigger) => {
            const state = trigger.state;
            if (job.status === 'done') return state.failures === 0 ? null : { state: { ...state, failures: 0 } };
            const failures = state.failures + 1;
            const paused = failures >= FAILURES_BEFORE_PAUSE;
            pausedNow = paused && !state.paused;
            return {
                state: { ...state, failures, paused },
                log: paused
                    ? [`Trigger paused: ${failures} jobs failed in a row (last: ${linkTo(job.path)}).`]
                    : [`${linkTo(job.path)} failed (${failures} in a row).`],
            };
        });
        if (pausedNow) {
            context.notifier.notify(
                `Vault Agent paused the trigger "${jobTitle(path)}": three jobs failed in a row.`,
                'error',
            );
        }
        await this.readTriggers(context);
        context.wake();
    }

    /** The triggers and where each stands. */
    triggers(): TriggerView[] {
        const now = this.context?.clock.now() ?? Date.now();
        const views: TriggerView[] = this.known.map((trigger) => ({
            path: trigger.path,
            title: jobTitle(trigger.path),
            when: describeWhen(trigger),
            state: trigger.state.paused ? 'paused' : 'active',
            reason: trigger.state.paused
                ? `${trigger.state.failures} jobs failed in a row; clear "paused" in its note to resume`
                : trigger.state.failures > 0
                  ? `${trigger.state.failures} failed in a row`
                  : '',
            lastHour: this.rules?.ledger.lastHour(trigger.path, now) ?? 0,
            maxPerHour: trigger.maxPerHour,
            last: trigger.state.last,
        }));
        for (const entry of this.unreadable) {
            views.push({
                path: entry.path,
                title: jobTitle(entry.path),
                when: '',
                state: 'unreadable',
                reason: entry.reason,
                lastHour: 0,
                maxPerHour: 0,
                last: '',
            });
        }
        return views;
    }

    /** Stops following the vault. */
    stop(): void {
        this.stopped = true;
        this.rules?.stop();
        this.rules = null;
    }

    /** The rules, once following (tests feed and flush them). */
    get following(): TriggerRules | null {
        return this.rules;
    }

    private async readTriggers(context: ExtensionContext): Promise<void> {
        const prefix = `${context.jobsFolder.replace(/\/+$/u, '')}/`;
        if (prefix === '/') return;
        const known: TriggerNote[] = [];
        const unreadable: { path: string; reason: string }[] = [];
        const files = (await (context.vault.listUnder?.(prefix) ?? context.vault.list())).filter(
            (f) => f.path.startsWith(prefix) && isMarkdownPath(f.path),
        );
        for (const file of files) {
            const stamp = `${file.mtime}:${file.size}`;
            let cached = this.cache.get(file.path);
            if (cached?.stamp !== stamp) {
                let text: string;
                try {
                    text = await context.vault.read(file.path);
                } catch {
                    continue;
                }
                cached = {
                    stamp,
                    read: mayBeTrigger(text) ? readTriggerNote(file.path, text) : { kind: 'not-a-trigger' },
                };
                this.cache.set(file.path, cached);
            }
            const read = cached.read;
            if (read.kind === 'trigger') known.push(read.trigger);
            else if (read.kind === 'unreadable') {
                unreadable.push({ path: read.path, reason: read.reason });
                if (!this.reported.has(`${read.path}:${read.reason}`)) {
                    this.reported.add(`${read.path}:${read.reason}`);
                    context.notifier.notify(`The trigger "${read.path}" cannot be read: ${read.reason}`, 'error');
                }
            }
        }
        this.known = known;
        this.unreadable = unreadable;
    }

    /** Why `path` must never fire a trigger, or `null`. */
    private async refuse(path: string): Promise<string | null> {
        const context = this.context;
        if (context === null) return 'not ready';
        const prefix = `${context.jobsFolder.replace(/\/+$/u, '')}/`;
        if (path.startsWith(prefix)) return 'a note in the jobs folder';
        let text: string;
        try {
            text = await context.vault.read(path);
        } catch {
            return 'unreadable';
        }
        // Judged on the text now, as every read is: a note made private a moment ago does not fire.
        if (context.gate().isTextExcluded(path, text)) return 'excluded';
        if (await context.checkpoints.wroteAsIs(path, text)) return 'written by the agent';
        if (isJobResult(text, prefix)) return 'a job result';
        return null;
    }

    private async fire(fire: TriggerFire): Promise<void> {
        const context = this.context;
        if (context === null) return;
        const { trigger, note } = fire;
        const now = context.clock.now();
        let path: string;
        try {
            path = await createJobNote(
                context.vault,
                context.jobsFolder,
                {
                    title: `${jobTitle(trigger.path)} - ${jobTitle(note)}`,
                    brief: fillNote(trigger.brief, note),
                    context: trigger.context.map((reference) => fillNote(reference, note)),
                    output: trigger.output,
                    model: trigger.model,
                    mode: trigger.mode,
                    budget: trigger.budget,
                    trigger: linkTo(trigger.path),
                    source: linkTo(note),
                    ...(trigger.deliver.length > 0 ? { deliver: trigger.deliver } : {}),
                    ...(trigger.deliverText ? { deliverText: true } : {}),
                },
                now,
                context.outputFolder,
            );
        } catch (e) {
            if (!(e instanceof JobSpecError) && !(e instanceof VaultError)) throw e;
            await this.update(context, trigger.path, () => ({
                log: [`Not started for ${linkTo(note)}: ${e.message}`],
            }));
            return;
        }
        const read = await context.store.read(path);
        if (read.kind === 'job') context.remember(read.job);
        this.rules?.ledger.counted(path);
        await this.update(context, trigger.path, (current) => ({
            state: { ...current.state, last: new Date(now).toISOString() },
            log: [`Started ${linkTo(path)} for ${linkTo(note)} (${fire.event}).`],
        }));
        context.wake();
    }

    /** Writes `trigger-state` and log lines into a trigger note, atomically; nothing when it is no trigger now. */
    private async update(
        context: ExtensionContext,
        path: string,
        decide: (trigger: TriggerNote) => { state?: TriggerState; log?: string[] } | null,
    ): Promise<void> {
        try {
            await context.vault.process(path, (current) => {
                const read = readTriggerNote(path, current);
                if (read.kind !== 'trigger') return current;
                const change = decide(read.trigger);
                if (change === null) return current;
                const entries: [string, YamlValue][] =
                    change.state !== undefined ? [['trigger-state', { ...change.state }]] : [];
                const now = context.clock.now();
                const log = (change.log ?? []).map((message) => logLine(now, message));
                return editNoteText(current, entries, log) ?? current;
            });
        } catch (e) {
            if (!(e instanceof VaultError)) throw e;
        }
    }
}

/** The trigger's event in words, for the queue view. */
export function describeWhen(trigger: TriggerNote): string {
    const where = trigger.folder === '' ? 'anywhere' : `in ${trigger.folder}`;
    switch (trigger.event) {
        case 'created':
            return `a note is created ${where}`;
        case 'modified':
            return `a note is changed ${where}`;
        case 'renamed':
            return `a note is moved ${trigger.folder === '' ? 'or renamed' : `into ${trigger.folder}`}`;
        case 'tag-added':
            return `#${trigger.tag} is added to a note ${where}`;
        case 'property-set':
            return `${trigger.property} becomes "${trigger.value}" ${where}`;
    }
}

function pathOf(link: string): string {
    return `${link.replace(/^\[\[|\]\]$/gu, '').split('|')[0] ?? ''}.md`;
}

/** A job's result: its frontmatter links the job note that wrote it (`job: "[[Agent/Jobs/…]]"`). */
function isJobResult(text: string, jobsPrefix: string): boolean {
    const link = /^job:\s*["']?\[\[([^\]|#]+)/mu.exec(text.slice(0, 4000))?.[1]?.trim();
    return link !== undefined && link.startsWith(jobsPrefix);
}
