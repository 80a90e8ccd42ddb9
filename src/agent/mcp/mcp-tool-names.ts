/**
 * Names under which MCP tools are offered to the model: `mcp__<server>__<tool>`, fitted to the Messages API's tool
 * name pattern. Namespacing keeps a server from shadowing a vault tool or another server's tool (docs/RELIABILITY.md
 * row 19); names that still collide after sanitising are told apart by a hash of the original names, so the outcome
 * does not depend on the order servers answered in.
 */
import { sha256Utf16Hex } from '../changes/sha256';

/** The API's tool name rule. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const MAX_NAME = 64;
const SUFFIX_CHARS = 6;

/** One server tool to be named. */
export interface ToolNameRequest {
    /** The configured server name. */
    server: string;
    /** The tool's name as the server gave it. */
    tool: string;
}

/** Assigns every requested tool a unique, valid name; the map's keys are `toolKey(server, tool)`. */
export function assignToolNames(requests: readonly ToolNameRequest[]): Map<string, string> {
    const groups = new Map<string, ToolNameRequest[]>();
    for (const request of requests) {
        const base = fit(`mcp__${sanitise(request.server)}__${sanitise(request.tool)}`, '');
        const group = groups.get(base.toLowerCase()) ?? [];
        group.push(request);
        groups.set(base.toLowerCase(), group);
    }
    const names = new Map<string, string>();
    const used = new Set<string>();
    for (const group of groups.values()) {
        group.sort((a, b) => compare(toolKey(a.server, a.tool), toolKey(b.server, b.tool)));
        group.forEach((request, index) => {
            const full = `mcp__${sanitise(request.server)}__${sanitise(request.tool)}`;
            let name =
                index === 0 && group.length === 1
                    ? fit(full, '')
                    : fit(full, `_${sha256Utf16Hex(toolKey(request.server, request.tool)).slice(0, SUFFIX_CHARS)}`);
            // A hash suffix could in theory meet another tool's plain name; extend until it is free.
            for (let extra = SUFFIX_CHARS + 2; used.has(name.toLowerCase()); extra += 2) {
                name = fit(full, `_${sha256Utf16Hex(toolKey(request.server, request.tool)).slice(0, extra)}`);
            }
            used.add(name.toLowerCase());
            names.set(toolKey(request.server, request.tool), name);
        });
    }
    return names;
}

/** The identity of one server tool, for maps. */
export function toolKey(server: string, tool: string): string {
    return `${server}\u0000${tool}`;
}

/** Replaces every character the API does not allow; an empty result becomes `_`. */
function sanitise(part: string): string {
    const cleaned = part.replace(/[^a-zA-Z0-9_-]/g, '_');
    return cleaned === '' ? '_' : cleaned;
}

/**
 * Cuts `name` so that `name + suffix` fits the limit. A name cut for length always gets a hash suffix when it has
 * none, so two long names that share their first 64 characters cannot end up equal.
 */
function fit(name: string, suffix: string): string {
    if (name.length + suffix.length <= MAX_NAME) return name + suffix;
    const tail = suffix === '' ? `_${sha256Utf16Hex(name).slice(0, SUFFIX_CHARS)}` : suffix;
    return name.slice(0, MAX_NAME - tail.length) + tail;
}

function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
