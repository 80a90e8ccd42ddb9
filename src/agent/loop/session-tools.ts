/** The tool set of a session (vault tools plus extras, no name twice) and the session's own errors. */
import type { Tool } from '../tools/tool';

/** Thrown at construction when an extra tool's name is taken (by a vault tool or another extra tool). */
export class ToolNameClashError extends Error {
    override readonly name: string = 'ToolNameClashError';

    constructor(
        /** The name offered twice. */
        readonly toolName: string,
    ) {
        super(`Two tools are named "${toolName}"; an extra tool must not reuse a vault tool's or another tool's name.`);
    }
}

/** Thrown by `send` while a turn is still running. */
export class SessionBusyError extends Error {
    override readonly name: string = 'SessionBusyError';

    constructor() {
        super('A turn is still running in this session; wait for it or press Stop.');
    }
}

/**
 * The vault tools plus the extra ones; throws `ToolNameClashError` on any repeated name. `reserved` are the names of
 * every registered vault tool, offered here or not, so an extra tool never takes a vault tool's name.
 */
export function withExtraTools(vault: Tool[], extra: readonly Tool[], reserved: readonly string[] = []): Tool[] {
    const taken = new Set([...reserved, ...vault.map((tool) => tool.definition.name)]);
    for (const tool of extra) {
        const name = tool.definition.name;
        if (taken.has(name)) throw new ToolNameClashError(name);
        taken.add(name);
    }
    return [...vault, ...extra];
}
