/**
 * Web research settings: off by default. When on, chats (and jobs whose note says `web: true`) may use the API's
 * server-side web search and web fetch, within these domain rules and a cap per request.
 */

/** The web research group of the settings. */
export interface WebSettings {
    /** Whether the agent may search and fetch the web at all; off by default. */
    enabled: boolean;
    /** Only these domains may be searched and fetched; empty = any domain not blocked. Wins over `blockedDomains`. */
    allowedDomains: string[];
    /** These domains are never searched or fetched. */
    blockedDomains: string[];
    /** Most searches, and most fetches, per request (the API's `max_uses`). */
    maxUsesPerTurn: number;
}

/** The defaults: off, no domain rules, five of each per request. */
export const DEFAULT_WEB_SETTINGS: WebSettings = {
    enabled: false,
    allowedDomains: [],
    blockedDomains: [],
    maxUsesPerTurn: 5,
};

/** Bounds of `maxUsesPerTurn`. */
export const WEB_MAX_USES = { min: 1, max: 20 };

/** Reads the stored web group (any shape): a valid group, the default for anything wrong (noted). */
export function readWeb(raw: unknown, notes: string[]): WebSettings {
    if (raw === undefined) return structuredClone(DEFAULT_WEB_SETTINGS);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        notes.push('The web settings were not readable; web research stays off.');
        return structuredClone(DEFAULT_WEB_SETTINGS);
    }
    const record = raw as Record<string, unknown>;
    const uses = record.maxUsesPerTurn;
    const validUses =
        typeof uses === 'number' && Number.isInteger(uses) && uses >= WEB_MAX_USES.min && uses <= WEB_MAX_USES.max;
    if (uses !== undefined && !validUses) notes.push('web.maxUsesPerTurn was not valid; the default is used.');
    return {
        // Only an explicit `true` turns it on: anything else keeps the web out.
        enabled: record.enabled === true,
        allowedDomains: domains(record.allowedDomains),
        blockedDomains: domains(record.blockedDomains),
        maxUsesPerTurn: validUses ? uses : DEFAULT_WEB_SETTINGS.maxUsesPerTurn,
    };
}

/** A domain list: strings, trimmed, lowercased, scheme and path dropped, no duplicates. */
export function domains(value: unknown): string[] {
    if (!Array.isArray(value)) return [];
    const cleaned = value
        .filter((item): item is string => typeof item === 'string')
        .map((item) =>
            item
                .trim()
                .toLowerCase()
                .replace(/^https?:\/\//u, '')
                .replace(/\/.*$/u, ''),
        )
        .filter((item) => item !== '');
    return [...new Set(cleaned)];
}
