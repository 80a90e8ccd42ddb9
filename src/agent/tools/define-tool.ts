/**
 * Builds a tool from its definition and an implementation that receives already-checked input, and makes sure the
 * implementation's failures come back to the model as tool errors rather than exceptions.
 */
import { VaultError } from '../../kernel/vault-port';
import { checkInput, type SchemaNode } from './input-schema';
import type { Tool, ToolContext, ToolDefinition, ToolResult } from './tool';

/** A tool's definition with a schema the input checker understands. */
export interface CheckedToolDefinition extends Omit<ToolDefinition, 'inputSchema'> {
    /** The input schema, both shown to the model and enforced. */
    inputSchema: SchemaNode;
}

/**
 * A tool whose `run` checks the input against the schema first, refuses to start once the turn was aborted, and turns
 * anything thrown into a tool error. `I` is the input type the schema guarantees. A write tool's result always says
 * which notes it changed (`changed`), empty when it failed before reaching the ChangeController.
 */
export function defineTool<I>(
    definition: CheckedToolDefinition,
    implementation: (input: I, context: ToolContext) => Promise<ToolResult>,
): Tool {
    const runChecked = async (input: unknown, context: ToolContext): Promise<ToolResult> => {
        if (context.signal?.aborted === true) return toolError('Cancelled: the turn was stopped.');
        const checked = checkInput(input, definition.inputSchema);
        if (!checked.ok) return toolError(`Invalid input for ${definition.name}: ${checked.problem}.`);
        try {
            // The schema check above is what makes this cast true.
            return await implementation(checked.value as I, context);
        } catch (error) {
            return toolError(failureMessage(definition.name, error, context));
        }
    };
    return {
        definition,
        async run(input: unknown, context: ToolContext): Promise<ToolResult> {
            const result = await runChecked(input, context);
            if (definition.effect !== 'write' || result.changed !== undefined) return result;
            return { ...result, changed: [] };
        },
    };
}

/** A failed call: the text says what went wrong and what did not happen. */
export function toolError(content: string): ToolResult {
    return { content, isError: true };
}

/** A successful call. */
export function toolOk(content: string): ToolResult {
    return { content };
}

function failureMessage(name: string, error: unknown, context: ToolContext): string {
    if (context.signal?.aborted === true) return `Cancelled: ${name} was stopped before it finished.`;
    // VaultError messages are written to be shown; other errors may carry internals, so only their class is named.
    if (error instanceof VaultError) return `${name} failed: ${error.message}`;
    const kind = error instanceof Error ? error.name : 'unknown error';
    return `${name} failed unexpectedly (${kind}).`;
}
