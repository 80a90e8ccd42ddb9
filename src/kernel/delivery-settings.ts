/**
 * Settings of the work that reaches beyond the device: where word of a job's end is sent (a webhook, an ntfy topic;
 * each job or trigger opts in with `deliver:`), and what MCP clients may hand to the queue (off until the person
 * turns it on; each client's jobs get the budget set for it, or the default one).
 */
import type { DelegateBudget } from './settings';

/** Where word of a job's end goes. Nothing is sent unless a job or trigger asks for it (`deliver: webhook`). */
export interface DeliverySettings {
    /** A URL that gets a JSON POST (`title`, `status`, `link`, and `text` only when the job ticks it); '' = none. */
    webhookUrl: string;
    /** The ntfy server, `https://ntfy.sh` unless the person runs their own. */
    ntfyServer: string;
    /** The ntfy topic; '' = none. */
    ntfyTopic: string;
    /** Tries per message before it is logged as not delivered (1 to 5). */
    attempts: number;
}

/** Jobs MCP clients may queue (`enqueue_job`). */
export interface McpJobSettings {
    /** Whether MCP clients may queue jobs at all. */
    enabled: boolean;
    /** The budget of a client without its own. */
    budget: DelegateBudget;
    /** Budgets by client name, as the client gives it when it connects (`Claude Desktop`, `claude-code`). */
    clients: Record<string, DelegateBudget>;
}

/** Defaults: nothing is sent anywhere, and no MCP client may queue jobs. */
export const DEFAULT_DELIVERY: DeliverySettings = {
    webhookUrl: '',
    ntfyServer: 'https://ntfy.sh',
    ntfyTopic: '',
    attempts: 3,
};

/**
 * Jobs MCP clients may have waiting at once, all clients together (queued, running, needing approval, or interrupted
 * and due to run again). A client in a loop (an agent that queues a job for every note it sees) would otherwise fill
 * the queue faster than it runs, each job with its own budget; past this, `enqueue_job` refuses until some are done.
 * All clients together, because a client names itself: one that reconnected under new names would get a new share
 * (decision 0039).
 */
export const MCP_WAITING_JOBS = 25;

/** Defaults of MCP-queued jobs. */
export const DEFAULT_MCP_JOBS: McpJobSettings = { enabled: false, budget: { turns: 10, usd: 0.25 }, clients: {} };

/** Reads the delivery group; anything unreadable falls back to its default with a note. */
export function readDelivery(raw: unknown, notes: string[]): DeliverySettings {
    const value = record(raw, 'delivery', notes);
    const url = (key: 'webhookUrl' | 'ntfyServer', allowEmpty: boolean): string => {
        const text = value[key];
        if (text === undefined) return DEFAULT_DELIVERY[key];
        if (typeof text === 'string' && ((allowEmpty && text.trim() === '') || isWebUrl(text.trim())))
            return text.trim();
        notes.push(`The delivery ${key} is not an http(s) address; the default is used.`);
        return DEFAULT_DELIVERY[key];
    };
    const topic = value.ntfyTopic;
    const attempts = value.attempts;
    return {
        webhookUrl: url('webhookUrl', true),
        ntfyServer: url('ntfyServer', false),
        ntfyTopic: typeof topic === 'string' && /^[A-Za-z0-9_-]{0,64}$/u.test(topic.trim()) ? topic.trim() : '',
        attempts:
            typeof attempts === 'number' && Number.isInteger(attempts) && attempts >= 1 && attempts <= 5
                ? attempts
                : DEFAULT_DELIVERY.attempts,
    };
}

/** Reads the MCP jobs group. */
export function readMcpJobs(raw: unknown, notes: string[]): McpJobSettings {
    const value = record(raw, 'mcpJobs', notes);
    const clients: Record<string, DelegateBudget> = {};
    for (const [name, budget] of Object.entries(record(value.clients, 'mcpJobs.clients', notes))) {
        const read = budgetOf(budget);
        if (read !== null) clients[name] = read;
        else notes.push(`The MCP job budget of "${name}" is not readable; that client gets the default budget.`);
    }
    return {
        enabled: value.enabled === true,
        budget: budgetOf(value.budget) ?? structuredClone(DEFAULT_MCP_JOBS.budget),
        clients,
    };
}

/** True for an `http:` or `https:` URL. */
export function isWebUrl(text: string): boolean {
    try {
        const url = new URL(text);
        return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
        return false;
    }
}

function record(value: unknown, name: string, notes: string[]): Record<string, unknown> {
    if (value === undefined) return {};
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    notes.push(`The ${name} settings were not readable; the defaults are used.`);
    return {};
}

function budgetOf(value: unknown): DelegateBudget | null {
    if (typeof value !== 'object' || value === null) return null;
    const { turns, usd } = value as Record<string, unknown>;
    if (typeof turns !== 'number' || !Number.isInteger(turns) || turns < 1 || turns > 1000) return null;
    if (typeof usd !== 'number' || !(usd > 0) || usd > 1000) return null;
    return { turns, usd };
}
