/**
 * One message's context as a user turn: the bundle is built at send time through the current gate, its instructions
 * go to the cached prefix, and the notes go into the turn as blocks that remember their vault paths (provenance), so
 * a note made private later leaves the history (docs/RELIABILITY.md row 13).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ContextProvider } from '../../context/build-context';
import type { ContextBundle, ContextItem } from '../../context/bundle';
import { DEFAULT_EMBED_DEPTH } from '../../context/embeds';
import type { ExclusionGate } from '../../context/exclusions';
import type { FocusSnapshot } from '../../context/focus';
import type { VaultPort } from '../../kernel/vault-port';
import { linkedSources } from '../tools/tool-sources';
import { contextDocuments } from '../citations/context-documents';
import type { TurnEvent } from './turn-events';

/** What `send` accepts besides the message. */
export interface SendOptions {
    /** Stop. */
    signal?: AbortSignal;
    /**
     * Attach context: the session builds it now, through the current gate, from the message text, sends
     * `toPrompt()`'s parts as the user turn (with their provenance), puts the bundle's instructions in the prefix,
     * and emits a `context` event with what the person should see.
     */
    context?: SendContext;
    /**
     * The vault paths each block of `content` carries, parallel to it (a job's first message: its attachments), so a
     * block whose source turns private leaves the history. Ignored with `context`, which computes its own.
     */
    sources?: (string[] | undefined)[];
}

/** How to build a message's context. */
export interface SendContext {
    /** The builder; the session's `contextProvider` when absent. */
    provider?: ContextProvider;
    /** The focus when the person sent the message; none for jobs and the CLI. */
    focus?: FocusSnapshot;
    /** Whether the focused note and selection are attached; true when absent. */
    attachFocusedNote?: boolean;
}

/** Thrown by `send` when context is asked for and the session has no context provider. */
export class NoContextProviderError extends Error {
    override readonly name: string = 'NoContextProviderError';

    constructor() {
        super('This session has no context provider; pass one in send(…, { context: { provider } }).');
    }
}

/** The user turn built from a message and its context. */
export interface ContextTurn {
    /** The turn's blocks: the attached notes (when any), then the person's words. */
    blocks: Anthropic.ContentBlockParam[];
    /** The vault paths each block carries, parallel to `blocks`. */
    sources: (string[] | undefined)[];
    /** Whether any note (not only instructions) is attached. */
    attached: boolean;
    /** The bundle's instructions for the prefix (`ContextBundle.system()`), `''` when none. */
    instructions: string;
    /** The notes behind `instructions`, re-checked before every request like the history. */
    instructionSources: string[];
    /** What the person is told about the context. */
    event: Extract<TurnEvent, { type: 'context' }>;
}

/** Builds the context of `content` now and splits it into the turn's blocks, each with its provenance. */
export async function buildContextTurn(input: {
    content: string | Anthropic.ContentBlockParam[];
    context: SendContext;
    provider: ContextProvider | undefined;
    vault: VaultPort;
    gate: ExclusionGate;
    embedDepth?: number;
}): Promise<ContextTurn> {
    const { content, context, provider, vault, gate } = input;
    if (provider === undefined) throw new NoContextProviderError();
    const message =
        typeof content === 'string'
            ? content
            : content.map((block) => (block.type === 'text' ? block.text : '')).join('\n\n');
    const bundle = await provider.build({
        message,
        ...(context.focus !== undefined ? { focus: context.focus } : {}),
        ...(context.attachFocusedNote !== undefined ? { attachFocusedNote: context.attachFocusedNote } : {}),
    });
    const depth = input.embedDepth ?? DEFAULT_EMBED_DEPTH;
    // Links to notes hidden now were replaced by placeholders in the text, so they are no source of it.
    const hidden = (path: string): boolean => gate.isExcluded(path);
    const pathsOf = (wanted: (item: ContextItem) => boolean): string[] => sentPaths(bundle, wanted);
    const notes = bundle.sentItems().filter((item) => item.kind !== 'instructions');
    const excluded = bundle.items.filter((item) => item.kind === 'excluded').length;
    // Two blocks: the attached notes, and the person's words, which name only the notes they mention.
    const blocks: Anthropic.ContentBlockParam[] = [];
    const sources: (string[] | undefined)[] = [];
    // PDFs and images first, as the API advises: each block carries its own path, so it alone leaves the history
    // once the attachment is excluded.
    for (const { block, path } of bundle.attachmentBlocks()) {
        blocks.push(block);
        sources.push([path]);
    }
    // Each attached note goes as a citable document, so the answer can cite the passage it used.
    for (const part of contextDocuments(bundle)) {
        blocks.push(part.block);
        const paths = part.path === undefined ? [] : [part.path];
        sources.push(paths.length === 0 ? undefined : linkedSources(vault, paths, hidden, depth));
    }
    const mentioned = pathsOf((item) => item.kind === 'mention');
    blocks.push({ type: 'text', text: bundle.message === '' ? '(no message)' : bundle.message });
    sources.push(mentioned.length === 0 ? undefined : mentioned);
    return {
        blocks,
        sources,
        attached: notes.length > 0,
        instructions: bundle.system(),
        instructionSources: linkedSources(
            vault,
            pathsOf((item) => item.kind === 'instructions'),
            hidden,
            depth,
        ),
        event: { type: 'context', lines: bundle.forPerson(), attached: notes.length, excluded },
    };
}

function sentPaths(bundle: ContextBundle, wanted: (item: ContextItem) => boolean): string[] {
    return bundle.sentItems().flatMap((item) => (wanted(item) && item.path !== undefined ? [item.path] : []));
}
