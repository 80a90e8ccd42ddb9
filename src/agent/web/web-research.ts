/**
 * Web research, opt-in: the API's server-side `web_search` and `web_fetch` tools, offered with the person's domain
 * rules and a per-request cap, every search and fetch reported as it happens, and an exfiltration guard
 * (docs/decisions/0019-web-fetch-guard.md). The API itself only fetches addresses that appear in the conversation;
 * `url_sources` narrows that to the person's turns and search results (never a vault tool's result or a fetched
 * page). Attached notes travel in the person's turn, so the engine also checks every fetch as its call arrives: an
 * address the person did not type and no search returned stops the stream at once, then a chat asks the person and a
 * job refuses; a refused address's domain is blocked for the rest of the session, so the server answers the model's
 * fetch with `url_not_allowed` instead of fetching it.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { StreamedBlock } from '../loop/stream-turn';

/** What the person set for web research (settings `web`, a job's frontmatter). */
export interface WebResearchRules {
    /** Only these domains may be searched and fetched; empty = any domain not blocked. */
    allowedDomains: readonly string[];
    /** These domains are never searched or fetched. */
    blockedDomains: readonly string[];
    /** Most searches, and most fetches, per request. */
    maxUsesPerTurn: number;
}

/** One search or fetch, as the person sees it in the chat and the job log. */
export interface WebActivity {
    /** The server tool call's id. */
    id: string;
    /** A search or a fetch. */
    action: 'search' | 'fetch';
    /** The query or the address. */
    target: string;
    /** Running, done (with what was found) or failed (with the API's error code), or refused by the guard. */
    state: 'running' | 'done' | 'failed' | 'refused';
    /** For a finished search: what it found. */
    results?: { url: string; title: string }[];
    /** The error code, or why it was refused. */
    detail?: string;
}

/** Asks the person whether an address from a note or a tool result may be fetched; absent = refuse (jobs). */
export type FetchQuestion = (url: string, signal: AbortSignal) => Promise<boolean>;

/** One session's web research: the tools to offer, what is trusted, what was refused. */
export class WebResearch {
    private readonly trusted = new Set<string>();
    private readonly refused = new Set<string>();
    private pending: string | null = null;
    private readonly calls = new Map<string, WebActivity>();

    constructor(
        private readonly rules: WebResearchRules,
        private readonly ask?: FetchQuestion,
    ) {}

    /** The server tools for a request; changes only when a domain is refused. */
    tools(): Anthropic.ToolUnion[] {
        const domains = this.domainRules();
        const uses = Math.max(1, Math.floor(this.rules.maxUsesPerTurn));
        return [
            { type: 'web_search_20250305', name: 'web_search', max_uses: uses, ...domains.search },
            {
                type: 'web_fetch_20250910',
                name: 'web_fetch',
                max_uses: uses,
                citations: { enabled: true },
                // Only the person's turns and search results make an address fetchable; no vault tool, no page.
                url_sources: {
                    user_input: { type: 'all' },
                    client_tool_results: { type: 'none' },
                    server_tool_results: { type: 'only', tools: [{ type: 'tool_reference', name: 'web_search' }] },
                },
                ...domains.fetch,
            },
        ];
    }

    /** The addresses the person typed are theirs to fetch. */
    trustPersonText(text: string): void {
        for (const url of urlsIn(text)) this.trusted.add(normalise(url));
    }

    /**
     * Hears a complete block of a response: reports searches and fetches, trusts what searches return, and returns
     * why the stream must stop when a fetch names an address nobody vouched for.
     */
    onBlock(block: StreamedBlock, report: (activity: WebActivity) => void): string | undefined {
        if (block.type !== 'other') return undefined;
        const raw = block.block as unknown as Record<string, unknown>;
        if (raw.type === 'server_tool_use') {
            const id = String(raw.id);
            const input = (raw.input ?? {}) as Record<string, unknown>;
            if (raw.name === 'web_search') {
                const activity: WebActivity = {
                    id,
                    action: 'search',
                    target: text(input.query),
                    state: 'running',
                };
                this.calls.set(id, activity);
                report({ ...activity });
                return undefined;
            }
            if (raw.name !== 'web_fetch') return undefined;
            const url = text(input.url);
            if (this.refused.has(hostOf(url))) {
                // Its domain is blocked in this request's rules: the server answers `url_not_allowed`, fetching nothing.
                report({
                    id,
                    action: 'fetch',
                    target: url,
                    state: 'refused',
                    detail: 'its domain was refused earlier',
                });
                return undefined;
            }
            if (!this.trusted.has(normalise(url))) {
                this.pending = url;
                report({ id, action: 'fetch', target: url, state: 'refused', detail: UNVOUCHED });
                return `web_fetch of ${url}: ${UNVOUCHED}`;
            }
            const activity: WebActivity = { id, action: 'fetch', target: url, state: 'running' };
            this.calls.set(id, activity);
            report({ ...activity });
            return undefined;
        }
        if (raw.type === 'web_search_tool_result' || raw.type === 'web_fetch_tool_result') {
            const activity = this.calls.get(String(raw.tool_use_id));
            if (activity === undefined) return undefined;
            const content = raw.content;
            if (Array.isArray(content)) {
                const results = (content as { url?: unknown; title?: unknown }[]).flatMap((item) =>
                    typeof item.url === 'string' ? [{ url: item.url, title: text(item.title) || item.url }] : [],
                );
                for (const result of results) this.trusted.add(normalise(result.url));
                report({ ...activity, state: 'done', results });
            } else {
                const error = (content as { error_code?: unknown } | null)?.error_code;
                if (typeof error === 'string') report({ ...activity, state: 'failed', detail: error });
                else report({ ...activity, state: 'done' });
            }
        }
        return undefined;
    }

    /**
     * Settles the fetch that stopped the stream: the person allows it (it becomes trusted) or it is refused (its
     * domain is blocked for the rest of the session). Returns what happened, in a sentence, and whether the request
     * can go again (false when a refusal cannot be expressed with the allowed domains).
     */
    async settle(signal: AbortSignal): Promise<{ message: string; retry: boolean }> {
        const url = this.pending;
        this.pending = null;
        if (url === null) return { message: '', retry: true };
        const allowed = this.ask === undefined ? false : await this.ask(url, signal).catch(() => false);
        if (allowed) {
            this.trusted.add(normalise(url));
            return { message: `Fetching ${url}: allowed by the person.`, retry: true };
        }
        const host = hostOf(url);
        if (host !== '') this.refused.add(host);
        const why =
            this.ask === undefined
                ? `Refused to fetch ${url}: the address came from a note or a tool result, not from the job's brief or a search.`
                : `Refused to fetch ${url}: the person did not allow an address that came from a note or a tool result.`;
        return { message: why, retry: host !== '' && this.expressible() };
    }

    /** Every allowed address, for tests and diagnostics. */
    trustedUrls(): string[] {
        return [...this.trusted];
    }

    private domainRules(): { search: DomainRules; fetch: DomainRules } {
        const allowed = this.rules.allowedDomains.filter((d) => d.trim() !== '');
        const blocked = this.rules.blockedDomains.filter((d) => d.trim() !== '');
        if (allowed.length > 0) {
            const fetchAllowed = allowed.filter((domain) => ![...this.refused].some((host) => covers(host, domain)));
            return { search: { allowed_domains: allowed }, fetch: { allowed_domains: fetchAllowed } };
        }
        const fetchBlocked = [...new Set([...blocked, ...this.refused])];
        return {
            search: blocked.length > 0 ? { blocked_domains: blocked } : {},
            fetch: fetchBlocked.length > 0 ? { blocked_domains: fetchBlocked } : {},
        };
    }

    /** Whether every refused host is kept out by the rules now (an allowed parent domain cannot be narrowed). */
    private expressible(): boolean {
        const allowed = this.domainRules().fetch.allowed_domains;
        if (allowed === undefined) return true;
        return allowed.length > 0 && [...this.refused].every((host) => !allowed.some((domain) => within(host, domain)));
    }
}

type DomainRules = { allowed_domains?: string[]; blocked_domains?: string[] };

const UNVOUCHED = 'the address came from a note or a tool result, not from the person or a search result';

function text(value: unknown): string {
    return typeof value === 'string' ? value : '';
}

/** The http(s) addresses in a text. */
export function urlsIn(text: string): string[] {
    return [...text.matchAll(/https?:\/\/[^\s<>()"'`\]]+/giu)].map((m) => m[0].replace(/[.,;:!?]+$/u, ''));
}

function normalise(url: string): string {
    try {
        const parsed = new URL(url);
        parsed.hash = '';
        return parsed.href.replace(/\/$/u, '');
    } catch {
        return url.trim();
    }
}

/** The host of an address, lowercased; `''` when it has none. */
export function hostOf(url: string): string {
    try {
        return new URL(url).hostname.toLowerCase();
    } catch {
        return '';
    }
}

/** Whether `host` is `domain` or under it. */
function within(host: string, domain: string): boolean {
    const d = domain
        .toLowerCase()
        .replace(/^https?:\/\//u, '')
        .replace(/\/.*$/u, '');
    return host === d || host.endsWith(`.${d}`);
}

/** Whether an allowed entry is exactly the refused host (so dropping it keeps the host out). */
function covers(host: string, domain: string): boolean {
    return (
        domain
            .toLowerCase()
            .replace(/^https?:\/\//u, '')
            .replace(/\/.*$/u, '') === host
    );
}
