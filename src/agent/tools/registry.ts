/**
 * The one registry of vault tools. Each tool is registered once, with what it does (its definition's `effect`: read or
 * write) and who is offered it: a chat (a person approves every change), a job (unattended, writes only new notes in
 * its output folder) and MCP clients (another agent; the same scope as a job). The chat and job sessions and the MCP
 * server all take their tools from here, so a new tool is added in one place and reaches every surface it declares.
 */
import type { PermissionModeName } from '../../kernel/permission-mode-name';
import { readAttachmentTool } from './attachment-tools';
import { editNoteTool, rewriteNoteTool } from './edit-tools';
import { findNotesTool, relatedNotesTool } from './find-tools';
import { noteLinksTool } from './link-tools';
import { listNotesTool, noteOutlineTool, readNoteTool } from './read-tools';
import { notesWithTagTool, searchNotesTool } from './search-tools';
import { proposeEditTool } from './propose-tools';
import { scheduleJobTool } from './schedule-tool';
import type { Tool } from './tool';
import { createNoteTool, deleteNoteTool, renameNoteTool } from './write-tools';

/** Who may be offered a tool. */
export type ToolAudience = 'chat' | 'job' | 'mcp';

/** Every audience, for a tool offered everywhere. */
export const EVERYONE: readonly ToolAudience[] = ['chat', 'job', 'mcp'];

/** One registered tool. */
export interface ToolRegistration {
    /** The tool; `definition.effect` says whether it reads or writes. */
    tool: Tool;
    /** Who is offered it. */
    offeredTo: readonly ToolAudience[];
}

/** Thrown when a registration is unusable (a name taken twice, nobody to offer it to). */
export class ToolRegistrationError extends Error {
    override readonly name: string = 'ToolRegistrationError';
}

/** The registered tools, in the order they are offered. */
export class ToolRegistry {
    private readonly entries: ToolRegistration[] = [];

    /** Adds `tool` for `offeredTo`; throws `ToolRegistrationError` on a name already taken or an empty audience. */
    register(tool: Tool, offeredTo: readonly ToolAudience[]): this {
        const name = tool.definition.name;
        if (this.entries.some((entry) => entry.tool.definition.name === name)) {
            throw new ToolRegistrationError(`A tool named "${name}" is already registered.`);
        }
        if (offeredTo.length === 0) throw new ToolRegistrationError(`"${name}" is offered to nobody.`);
        this.entries.push({ tool, offeredTo: [...new Set(offeredTo)] });
        return this;
    }

    /** Every registration. */
    all(): readonly ToolRegistration[] {
        return this.entries;
    }

    /** Every registered name (reserved: an extra tool of a session may not reuse one). */
    names(): string[] {
        return this.entries.map((entry) => entry.tool.definition.name);
    }

    /**
     * The tools offered to `audience` in `mode`. Read-only (and any mode name this build does not know) offers only
     * tools that read: the model is not even told a write tool exists.
     */
    toolsFor(audience: ToolAudience, mode: PermissionModeName): Tool[] {
        const readsOnly = !WRITING_MODES.has(mode);
        // In `propose` mode every write becomes a proposal a person reviews change by change, as a chat's approval
        // card does: whoever proposes is offered the chat's tools.
        const offeredAs: ToolAudience = mode === 'propose' ? 'chat' : audience;
        return this.entries
            .filter((entry) => entry.offeredTo.includes(offeredAs))
            .filter((entry) => !readsOnly || entry.tool.definition.effect === 'read')
            .map((entry) => entry.tool);
    }
}

const WRITING_MODES: ReadonlySet<string> = new Set<PermissionModeName>(['ask', 'auto-edits', 'delegate', 'propose']);

/**
 * The vault tools: the ONE place a vault tool is registered. Reads go to everyone. Of the writes, jobs and MCP clients
 * get only `create_note`: their writes are new notes in the output folder (the ChangeController's scope refuses every
 * other kind), so edit, rewrite, rename and delete would only waste their turns; a chat gets them all, and
 * `schedule_job`, whose job note is written only once the person accepts it. MCP clients also get `propose_edit`,
 * which records a change in the owner's review inbox instead of writing it.
 */
export function vaultToolRegistry(): ToolRegistry {
    return new ToolRegistry()
        .register(listNotesTool, EVERYONE)
        .register(readNoteTool, EVERYONE)
        .register(noteOutlineTool, EVERYONE)
        .register(noteLinksTool, EVERYONE)
        .register(findNotesTool, EVERYONE)
        .register(searchNotesTool, EVERYONE)
        .register(relatedNotesTool, EVERYONE)
        .register(notesWithTagTool, EVERYONE)
        .register(readAttachmentTool, EVERYONE)
        .register(createNoteTool, EVERYONE)
        .register(editNoteTool, ['chat'])
        .register(rewriteNoteTool, ['chat'])
        .register(renameNoteTool, ['chat'])
        .register(deleteNoteTool, ['chat'])
        .register(scheduleJobTool, ['chat'])
        .register(proposeEditTool, ['mcp']);
}

/** The registry every surface uses unless it is handed another one. */
export const VAULT_TOOLS: ToolRegistry = vaultToolRegistry();

/**
 * The vault tools a session in `mode` is offered: `delegate` is a job's mode, every other one a chat's (a read-only
 * job and a read-only chat are offered the same reads).
 */
export function vaultTools(mode: PermissionModeName, registry: ToolRegistry = VAULT_TOOLS): Tool[] {
    return registry.toolsFor(mode === 'delegate' ? 'job' : 'chat', mode);
}
