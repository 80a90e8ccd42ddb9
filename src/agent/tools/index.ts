/** The vault tools: their shared types, the set offered per permission mode, and the pieces other rooms reuse. */
export type { Tool, ToolContext, ToolDefinition, ToolResult } from './tool';
export {
    EVERYONE,
    ToolRegistry,
    ToolRegistrationError,
    VAULT_TOOLS,
    vaultToolRegistry,
    vaultTools,
    type ToolAudience,
    type ToolRegistration,
} from './registry';
export { ReadLedger, type LineRange, type ReadState } from './read-ledger';
export { MAX_RESULT_CHARS } from './bounded';
export { defineTool, toolError, toolOk, type CheckedToolDefinition } from './define-tool';
export { checkInput, type InputCheck, type SchemaNode } from './input-schema';
export { listNotesTool, noteOutlineTool, readNoteTool } from './read-tools';
export { notesWithTagTool, searchNotesTool } from './search-tools';
export { findNotesTool, relatedNotesTool } from './find-tools';
export { noteLinksTool } from './link-tools';
export { editNoteTool, rewriteNoteTool } from './edit-tools';
export { createNoteTool, deleteNoteTool, renameNoteTool } from './write-tools';
