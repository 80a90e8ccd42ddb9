/**
 * The vault as an MCP server: the vault tools registered for MCP clients (`src/agent/tools/registry.ts`) offered to any MCP client (Claude Desktop, Claude
 * Code, …) under the same names, with the same inputs and through the same exclusion gate. Nothing is re-implemented
 * here: a call is handed to the very `Tool` the agent itself uses.
 *
 * Writes: an MCP client has no person in our loop to approve a change, so only `create_note` is registered for it, and it runs
 * through the ChangeController in `delegate` mode scoped to the delegate output folder: new notes there, nothing else
 * (no edits, renames or deletes). That is exactly what an unattended job may do, and it is the same reasoning: text
 * from outside (here, another agent) can add a clearly placed new note but can never change or hide existing ones.
 * What a client would change in an existing note it may suggest with `propose_edit`: the change lands in the owner's
 * review inbox (a `propose`-mode ChangeController), never in the note.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
    CallToolRequestSchema,
    type CallToolRequest,
    ListToolsRequestSchema,
    type CallToolResult,
    type Tool as McpToolDescription,
} from '@modelcontextprotocol/sdk/types.js';
import type { ChangeController } from '../agent/changes/change-controller';
import { ReadLedger } from '../agent/tools/read-ledger';
import { VAULT_TOOLS, type ToolRegistry } from '../agent/tools/registry';
import type { Tool, ToolResult } from '../agent/tools/tool';
import type { PdfTextReader } from '../context/attachments';
import type { ExclusionGate } from '../context/exclusions';
import type { VaultPort } from '../kernel/vault-port';
import { callJobTool, isJobTool, JOB_TOOL_DESCRIPTIONS, type McpJobContext } from './mcp-jobs';
import type { NoteSearch } from '../search/note-search';

/** What one call runs against: fresh each call, so edits, new exclusions and changed settings apply at once. */
export interface VaultMcpCallContext {
    /** The vault. */
    vault: VaultPort;
    /** The gate built from the current settings (locked when they cannot be read). */
    gate: ExclusionGate;
    /** The delegate-mode controller scoped to the output folder; `null` refuses every write. */
    changes: ChangeController | null;
    /** The `propose`-mode controller recording into the review inbox for this client; `null` records nothing. */
    proposals: ChangeController | null;
    /** The folder new notes must go in, for the tool description. */
    outputFolder: string;
    /** The vault's relevance index (`find_notes`, `related_notes`), kept across calls. */
    search?: NoteSearch;
}

/** What the server needs. */
export interface VaultMcpServerOptions {
    /** Prepares each call (rescan the vault, reread the settings) for the client (its name, as it gave it). */
    prepare(client: { name: string }): Promise<VaultMcpCallContext>;
    /** The output folder named in `create_note`'s description. */
    outputFolder: string;
    /** The version reported to clients. */
    version: string;
    /** Where the tools come from: those registered for MCP clients. The one registry when absent. */
    tools?: ToolRegistry;
    /**
     * Delegation over MCP (`enqueue_job`, `job_status`, `job_result`): prepares each call; the tools are listed only
     * while the settings allow MCP clients to queue jobs, and never when this is absent.
     */
    jobs?: () => Promise<McpJobContext>;
    /** Reads PDFs' text for `read_attachment` (an MCP client gets a PDF's text and images as image content). */
    pdfText?: PdfTextReader;
    /** Told after each tool call, once its answer has gone out: work that can wait starts after the first answer. */
    answered?: () => void;
    /** Counts the tool calls being answered, so background work can give way to them. */
    inFlight?: CallsInFlight;
    /**
     * Why no call can be answered now (the vault folder is gone, the settings cannot be used), or `null`; asked once a
     * call is prepared, and the call then answers this instead.
     */
    unavailable?: () => string | null;
    /**
     * While the vault opens: a context in which `tool` can be answered from the files of the notes it names alone
     * (`OpeningVault`), or `null` when the call must wait for `prepare`. An answer for which the context was asked
     * anything beyond those notes (`beyondReach`) is thrown away unseen, and the call answered in `prepare`'s context.
     */
    opening?(tool: string, client: { name: string }): Promise<OpeningCallContext | null>;
}

/** A call's context while the vault opens (see `VaultMcpServerOptions.opening`). */
export interface OpeningCallContext extends VaultMcpCallContext {
    /** True once the call asked what only the opened vault can answer. */
    beyondReach(): boolean;
    /** The call is done with this context: `answered` from it, or else handed on to `prepare`. */
    done(answered: boolean): void;
}

/** The calls being answered, and when the last one ended (`performance.now()`). */
export interface CallsInFlight {
    calls: number;
    lastEnded?: number;
}

/** Builds the server; connect it to a transport (stdio in the CLI, an in-memory pair in tests). */
export function createVaultMcpServer(options: VaultMcpServerOptions): McpServer {
    const server = new McpServer(
        { name: 'vault-agent', version: options.version },
        {
            capabilities: { tools: {} },
            instructions:
                'Tools for an Obsidian vault. Some notes are excluded by the owner and do not exist for these tools. ' +
                `New notes can be created only inside "${options.outputFolder}/"; existing notes are never changed, ` +
                "but a change to one can be suggested with propose_edit: it waits for the owner's review.",
        },
    );
    const reads = new ReadLedger();
    // MCP clients write like a job: new notes in the output folder, through the delegate-mode controller.
    const tools = (options.tools ?? VAULT_TOOLS).toolsFor('mcp', 'delegate');
    let calls = 0;
    const jobs = options.jobs;
    server.server.setRequestHandler(ListToolsRequestSchema, async () => {
        // The job tools are offered only while the person allows MCP clients to queue jobs (asked anew each listing).
        const offerJobs = jobs !== undefined && (await jobs()).jobs?.enabled === true;
        return {
            tools: [
                ...tools.map((tool) => describe(tool, options.outputFolder)),
                ...(offerJobs ? JOB_TOOL_DESCRIPTIONS : []),
            ],
        };
    });
    server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
        if (options.inFlight !== undefined) options.inFlight.calls++;
        try {
            return await callTool(request, extra);
        } finally {
            if (options.inFlight !== undefined) {
                options.inFlight.calls--;
                options.inFlight.lastEnded = performance.now();
            }
        }
    });
    const callTool = async (request: CallToolRequest, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
        if (jobs !== undefined && isJobTool(request.params.name)) {
            // Jobs are marked with the name the client gave when it connected.
            const client = server.server.getClientVersion()?.name ?? 'unnamed MCP client';
            const context = await jobs();
            const unavailable = options.unavailable?.() ?? null;
            if (unavailable !== null) return toCallResult({ content: unavailable, isError: true });
            return callJobTool(request.params.name, request.params.arguments ?? {}, client, context);
        }
        const tool = tools.find((t) => t.definition.name === request.params.name);
        if (tool === undefined)
            return toCallResult({ content: `Unknown tool "${request.params.name}".`, isError: true });
        const named = server.server.getClientVersion()?.name;
        const client = { name: named !== undefined && named !== '' ? named : 'unnamed' };
        const turnId = `mcp-${++calls}`;
        const run = (context: VaultMcpCallContext, ledger: ReadLedger): Promise<ToolResult> =>
            tool.run(request.params.arguments ?? {}, {
                vault: context.vault,
                gate: context.gate,
                reads: ledger,
                changes: context.changes,
                proposals: context.proposals,
                turnId,
                signal: extra.signal,
                // MCP content has text and images, no PDF documents: a PDF's pages go as text.
                attachments: { pdf: options.pdfText, documents: () => false },
                search: context.search,
            });
        let result: ToolResult | null = null;
        const opening = await options.opening?.(tool.definition.name, client);
        if (opening != null) {
            // What the call read counts only if its answer goes out.
            const ledger = new ReadLedger();
            try {
                const answer = await run(opening, ledger);
                if (!opening.beyondReach()) {
                    reads.takeFrom(ledger);
                    result = answer;
                }
            } finally {
                opening.done(result !== null);
            }
        }
        if (result === null) {
            const context = await options.prepare(client);
            // Asked once the call is prepared (the settings read again, the vault brought up to date).
            const unavailable = options.unavailable?.() ?? null;
            result = unavailable !== null ? { content: unavailable, isError: true } : await run(context, reads);
        }
        // The answer goes out when this handler's promise settles: the hook runs after it.
        if (options.answered !== undefined) setImmediate(options.answered);
        return toCallResult(result);
    };
    return server;
}

function describe(tool: Tool, outputFolder: string): McpToolDescription {
    const { definition } = tool;
    const readOnly = definition.effect === 'read';
    const description =
        definition.name === 'create_note'
            ? `${definition.description} Over MCP, new notes can only be created inside "${outputFolder}/".`
            : definition.description;
    return {
        name: definition.name,
        description,
        inputSchema: definition.inputSchema as McpToolDescription['inputSchema'],
        annotations: { readOnlyHint: readOnly, destructiveHint: false, idempotentHint: readOnly, openWorldHint: false },
    };
}

function toCallResult(result: ToolResult): CallToolResult {
    const content: CallToolResult['content'] = [
        { type: 'text', text: result.content === '' ? '(empty result)' : result.content },
    ];
    for (const block of result.blocks ?? []) {
        if (block.type === 'image') {
            content.push({ type: 'image', data: block.source.data, mimeType: block.source.media_type });
        } else if (block.source.type === 'content') {
            for (const page of block.source.content) content.push({ type: 'text', text: page.text });
        }
    }
    return {
        content,
        // A write that did not happen is an error to an MCP client: there is no conversation in which it was decided.
        ...(result.isError === true || result.notApplied === true ? { isError: true } : {}),
    };
}
