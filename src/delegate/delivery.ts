/**
 * Delivery off the device: when a job that asks for it (`deliver: webhook` or `ntfy`, set on the job or its trigger)
 * ends done, failed or with proposals to review, word of it goes to the webhook URL or ntfy topic in the settings.
 *
 * By default a message carries the job's title, its status and an `obsidian://` link to its result (or to the job
 * note): no note text. The result's text is added only when the job says `deliver-text: true`, and never when the
 * result note is excluded now (judged on its text, as every read is). Each message is tried a bounded number of
 * times; one that cannot be delivered is logged in the job note and never changes how the job ended.
 */
import type { HttpPost } from '../kernel/ports';
import type { DeliverySettings } from '../kernel/delivery-settings';
import { jobTitle, type JobNote } from './job-note';
import type { ExtensionContext, QueueExtension } from './queue-extension';

/** What a delivery needs. */
export interface DeliveriesOptions {
    /** The host's HTTP POST; without one nothing can be delivered (the log says so). */
    http: HttpPost | null;
    /** The delivery settings now (`null` while locked: nothing is sent). */
    settings(): DeliverySettings | null;
    /** The vault's name, for `obsidian://` links. */
    vaultName: string;
    /** Waits between tries, ms; the last is reused. */
    waitsMs?: number[];
}

/** The statuses worth a message. */
const WORTH_A_MESSAGE = new Set(['done', 'failed', 'needs-approval']);
/** Most characters of result text sent. */
const MAX_TEXT = 4000;

/** The message of one job, as sent to a webhook. */
export interface DeliveryPayload {
    /** The job's title. */
    title: string;
    /** `done`, `failed` or `needs-approval`. */
    status: string;
    /** `obsidian://open?…` of the result, or of the job note when there is none. */
    link: string;
    /** The result's text, only when the job asks for it and the result is not excluded. */
    text?: string;
}

/** The delivery extension of the queue. */
export class Deliveries implements QueueExtension {
    constructor(private readonly options: DeliveriesOptions) {}

    /** Sends word of `job`'s end where it asks; logs what could not be delivered. */
    async afterJob(job: JobNote, context: ExtensionContext): Promise<void> {
        if (job.deliver.length === 0 || !WORTH_A_MESSAGE.has(job.status)) return;
        const settings = this.options.settings();
        if (settings === null) return;
        const payload = await this.payload(job, context);
        const log: string[] = [];
        for (const channel of new Set(job.deliver)) {
            const request = requestFor(channel, payload, settings);
            if (typeof request === 'string') {
                log.push(`Not delivered to ${channel}: ${request}`);
                continue;
            }
            const outcome = await this.send(request, settings.attempts, context);
            log.push(outcome === null ? `Delivered to ${channel}.` : `Not delivered to ${channel}: ${outcome}`);
        }
        const updated = await context.store.update(job.path, () => ({ patch: {}, log }));
        if (updated !== null) context.remember(updated);
    }

    /** The default message, with the result's text only when asked for and not excluded. */
    private async payload(job: JobNote, context: ExtensionContext): Promise<DeliveryPayload> {
        const artifact = job.artifact === '' ? '' : `${job.artifact.replace(/^\[\[|\]\]$/gu, '').split('|')[0]}.md`;
        const target = artifact !== '' ? artifact : job.path;
        const payload: DeliveryPayload = {
            title: jobTitle(job.path),
            status: job.status,
            link: `obsidian://open?vault=${encodeURIComponent(this.options.vaultName)}&file=${encodeURIComponent(target)}`,
        };
        if (!job.deliverText || artifact === '' || job.status !== 'done') return payload;
        let text: string;
        try {
            text = await context.vault.read(artifact);
        } catch {
            return payload;
        }
        if (context.gate().isTextExcluded(artifact, text)) return payload;
        const body = text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n?/u, '').trim();
        payload.text = body.length > MAX_TEXT ? `${body.slice(0, MAX_TEXT)}…` : body;
        return payload;
    }

    /** Tries `request` up to `attempts` times; `null` when delivered, else why not (the last failure). */
    private async send(
        request: { url: string; body: string; headers: Record<string, string> },
        attempts: number,
        context: ExtensionContext,
    ): Promise<string | null> {
        const http = this.options.http;
        if (http === null) return 'this device cannot send web requests';
        const waits = this.options.waitsMs ?? [1_000, 4_000];
        let why = '';
        for (let attempt = 1; attempt <= attempts; attempt++) {
            try {
                const { status } = await http.post(request.url, request.body, request.headers);
                if (status >= 200 && status < 300) return null;
                why = `the server answered HTTP ${status}`;
                // A client error will not go away by asking again (a wrong URL or topic).
                if (status >= 400 && status < 500 && status !== 408 && status !== 429) break;
            } catch (e) {
                why = `no answer (${e instanceof Error ? e.message : String(e)})`;
            }
            if (attempt < attempts) await context.clock.sleep(waits[Math.min(attempt - 1, waits.length - 1)] ?? 1_000);
        }
        return `${why}, after ${attempts} ${attempts === 1 ? 'try' : 'tries'}.`;
    }
}

/** The request for `channel`, or why there is none. */
function requestFor(
    channel: string,
    payload: DeliveryPayload,
    settings: DeliverySettings,
): { url: string; body: string; headers: Record<string, string> } | string {
    if (channel === 'webhook') {
        if (settings.webhookUrl === '') return 'no webhook URL is set in the settings.';
        return {
            url: settings.webhookUrl,
            body: JSON.stringify(payload),
            headers: { 'Content-Type': 'application/json' },
        };
    }
    if (channel === 'ntfy') {
        if (settings.ntfyTopic === '') return 'no ntfy topic is set in the settings.';
        // ntfy's JSON publishing (a POST to the server's root) carries any text, where its headers take ASCII only.
        const message = [`${payload.title}: ${statusWords(payload.status)}`, payload.text ?? ''].join('\n\n').trim();
        return {
            url: `${settings.ntfyServer.replace(/\/+$/u, '')}/`,
            body: JSON.stringify({
                topic: settings.ntfyTopic,
                title: `Vault Agent: ${statusWords(payload.status)}`,
                message,
                click: payload.link,
            }),
            headers: { 'Content-Type': 'application/json' },
        };
    }
    return `"${channel}" is not a delivery (use webhook or ntfy).`;
}

function statusWords(status: string): string {
    return status === 'done' ? 'done' : status === 'failed' ? 'failed' : 'proposals to review';
}
