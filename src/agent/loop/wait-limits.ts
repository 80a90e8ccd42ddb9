/**
 * Every wait on the model endpoint, capped in one place. An endpoint may ask for an hour's pause (`retry-after`), go
 * silent after its headers, or trickle one chunk a second forever; none of these may hold a chat, `ask` or a job
 * longer than these limits, and each wait is announced while it lasts (docs/RELIABILITY.md row 43).
 */

/** The caps; any left out takes its default. */
export interface WaitLimits {
    /** The longest `retry-after` honoured, ms. A longer one ends the call with a message saying when to try again. */
    maxRetryAfterMs?: number;
    /** The longest time one model call may take, all attempts and the waits between them, ms. */
    retryBudgetMs?: number;
    /** Silence on a stream after which it counts as stalled and is abandoned, ms. */
    idleTimeoutMs?: number;
    /** The longest one streamed response may take from request to its end, however steadily it trickles, ms. */
    responseDeadlineMs?: number;
    /** Silence after which the person hears that nothing has arrived (then again each time as long), ms. */
    silenceNoticeMs?: number;
}

/** The production defaults. */
export const DEFAULT_WAIT_LIMITS: Required<WaitLimits> = {
    maxRetryAfterMs: 60_000,
    retryBudgetMs: 180_000,
    idleTimeoutMs: 60_000,
    responseDeadlineMs: 600_000,
    silenceNoticeMs: 15_000,
};

/** `limits` with every default filled in. */
export function resolveWaitLimits(limits: WaitLimits | undefined): Required<WaitLimits> {
    const resolved = { ...DEFAULT_WAIT_LIMITS };
    for (const key of Object.keys(resolved) as (keyof WaitLimits)[]) {
        const value = limits?.[key];
        if (value !== undefined && Number.isFinite(value) && value > 0) resolved[key] = value;
    }
    return resolved;
}

/** The environment variables that set the caps for the CLI, in seconds (decimals allowed). */
export const WAIT_LIMIT_VARIABLES: Readonly<Record<keyof WaitLimits, string>> = {
    maxRetryAfterMs: 'VAULT_AGENT_MAX_RETRY_AFTER_S',
    retryBudgetMs: 'VAULT_AGENT_RETRY_BUDGET_S',
    idleTimeoutMs: 'VAULT_AGENT_STALL_S',
    responseDeadlineMs: 'VAULT_AGENT_RESPONSE_DEADLINE_S',
    silenceNoticeMs: 'VAULT_AGENT_SILENCE_NOTICE_S',
};

/** The caps the environment sets; a variable that is not a positive number is reported in `invalid`. */
export function waitLimitsFromEnv(env: Record<string, string | undefined>): {
    limits: WaitLimits;
    invalid: string[];
} {
    const limits: WaitLimits = {};
    const invalid: string[] = [];
    for (const [key, name] of Object.entries(WAIT_LIMIT_VARIABLES) as [keyof WaitLimits, string][]) {
        const raw = env[name]?.trim();
        if (raw === undefined || raw === '') continue;
        const seconds = Number(raw);
        if (!Number.isFinite(seconds) || seconds <= 0) invalid.push(name);
        else limits[key] = Math.round(seconds * 1000);
    }
    return { limits, invalid };
}

/** "20 s", "3 min", "1 h 5 min": a wait for people. */
export function describeWait(ms: number): string {
    const seconds = Math.max(1, Math.round(ms / 1000));
    if (seconds < 120) return `${seconds} s`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 120) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
