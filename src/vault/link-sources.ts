/**
 * The notes registered under each link name in the note index (`note-index.ts`): the only notes a file of that name can
 * have as backlinks.
 */

/**
 * The notes registered under one link name: a short list while few (most names), a set once many link to it (a hub
 * note), so adding and removing stay cheap either way.
 */
export type Sources = string[] | Set<string>;

/** Beyond this many sources, a list becomes a set. */
const LIST_LIMIT = 16;

export function addTo(map: Map<string, Sources>, key: string, value: string): void {
    const sources = map.get(key);
    if (sources === undefined) map.set(key, [value]);
    else if (!Array.isArray(sources)) sources.add(value);
    else if (!sources.includes(value)) {
        if (sources.length < LIST_LIMIT) sources.push(value);
        else map.set(key, new Set(sources).add(value));
    }
}

export function removeFrom(map: Map<string, Sources>, key: string, value: string): void {
    const sources = map.get(key);
    if (sources === undefined) return;
    if (Array.isArray(sources)) {
        const at = sources.indexOf(value);
        if (at !== -1) sources.splice(at, 1);
        if (sources.length === 0) map.delete(key);
    } else {
        sources.delete(value);
        if (sources.size === 0) map.delete(key);
    }
}
