/**
 * One registry of vault tools: a tool registered once, with its effect and its audience, is offered to a chat, to a
 * job and to MCP clients exactly as declared. Chat and job run against the local Messages API (the tools the model is
 * offered are read from the real requests); MCP is the official SDK `Client` against the vault's MCP server over the
 * SDK's in-memory transport (the stdio CLI builds the same server from the same registry).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeController } from '../../../src/agent/changes/change-controller';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { Throttle } from '../../../src/agent/loop/throttle';
import { createAgentSession } from '../../../src/agent/session-factory';
import { defineTool, toolOk } from '../../../src/agent/tools/define-tool';
import {
    EVERYONE,
    ToolRegistrationError,
    vaultToolRegistry,
    type ToolRegistry,
} from '../../../src/agent/tools/registry';
import { readNoteTool } from '../../../src/agent/tools/read-tools';
import { createVaultMcpServer } from '../../../src/cli/mcp-server';
import { ExclusionGate } from '../../../src/context/exclusions';
import { readJobNote } from '../../../src/delegate/job-note';
import { DEFAULT_SETTINGS } from '../../../src/kernel/settings';
import { textTurn, toolResultsOf, toolUseTurn, type RecordedRequest } from '../../support/messages-api-server';
import { MemoryCheckpointPersistence } from '../changes/fixtures';
import { makeEngine, TEST_MODEL, type Engine } from '../integration/engine-harness';
import { jobNote, makeQueueHarness, type QueueHarness } from '../../delegate/queue-harness';

/** A read tool offered to everyone: counts a note's words through the gate like any vault tool. */
const wordCountTool = defineTool<{ path: string }>(
    {
        name: 'word_count',
        description: 'Count the words of a note.',
        inputSchema: {
            type: 'object',
            properties: { path: { type: 'string', minLength: 1, description: 'The note.' } },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    async (input, context) => {
        if (context.gate.isExcluded(input.path)) return toolOk(`"${input.path}" was not found.`);
        const text = await context.vault.read(input.path);
        return {
            ...toolOk(`${input.path}: ${text.split(/\s+/u).filter((w) => w !== '').length} words`),
            sources: [input.path],
        };
    },
);

/** A write tool for chats only. */
const stampTool = defineTool<{ path: string }>(
    {
        name: 'stamp_note',
        description: 'Stamp a note.',
        inputSchema: {
            type: 'object',
            properties: { path: { type: 'string', minLength: 1, description: 'The note.' } },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'write',
    },
    () => Promise.resolve(toolOk('Stamped.')),
);

/** The vault's tools plus the two above: the one place they are registered. */
function registry(): ToolRegistry {
    return vaultToolRegistry().register(wordCountTool, EVERYONE).register(stampTool, ['chat']);
}

function offered(request: RecordedRequest | undefined): string[] {
    return ((request?.body as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((tool) => tool.name);
}

let engine: Engine | undefined;
let harness: QueueHarness | undefined;
afterEach(async () => {
    await engine?.cleanup();
    await harness?.cleanup();
    engine = undefined;
    harness = undefined;
});

describe('the tool registry', () => {
    it('offers a tool registered once to chats as declared: a write tool in ask mode, only reads in read-only', async () => {
        engine = await makeEngine({ files: { 'Plan.md': 'one two three\n' } });
        const e = engine;
        const tools = registry();
        const services = {
            client: e.client,
            vault: e.temp.vault,
            gate: () => new ExclusionGate({ vault: e.temp.vault, privacy: { excludedTags: [], excludedFolders: [] } }),
            settings: () => ({ model: { ...DEFAULT_SETTINGS.model, defaultModel: TEST_MODEL } }),
            approvals: e.approvals,
            checkpoints: e.checkpoints,
            throttle: new Throttle(),
            retry: { random: () => 0 },
            registry: tools,
        };
        e.server.enqueue(toolUseTurn([{ name: 'word_count', input: { path: 'Plan.md' } }]), textTurn('Three.'));
        const ask = (await createAgentSession({ services, kind: 'chat', mode: 'ask' })).session;
        await ask.send('How long is the plan?');
        const requests = e.server.messageRequests();
        expect(offered(requests[0])).toEqual(expect.arrayContaining(['word_count', 'stamp_note', 'edit_note']));
        expect(toolResultsOf(requests[1] as RecordedRequest)[0]?.text).toContain('Plan.md: 3 words');

        e.server.enqueue(textTurn('Fine.'));
        const readOnly = (await createAgentSession({ services, kind: 'chat', mode: 'read-only' })).session;
        await readOnly.send('Hello');
        const names = offered(e.server.messageRequests()[2]);
        expect(names).toContain('word_count');
        expect(names).not.toContain('stamp_note');
        expect(names).not.toContain('create_note');
    });

    it('offers it to a job as declared (the read tool, not the chat-only write tool) and runs it', async () => {
        harness = await makeQueueHarness({
            files: {
                'Plan.md': 'one two three four\n',
                'Agent/Jobs/Count.md': jobNote('Count the words of the plan.'),
            },
        });
        harness.server.enqueue(toolUseTurn([{ name: 'word_count', input: { path: 'Plan.md' } }]), textTurn('Four.'));
        const queue = await harness.queue({ registry: registry() });
        await queue.runUntilIdle();
        const requests = harness.server.messageRequests();
        const names = offered(requests[0]);
        expect(names).toContain('word_count');
        expect(names).toContain('create_note');
        expect(names).not.toContain('stamp_note');
        expect(names).not.toContain('edit_note');
        expect(toolResultsOf(requests[1] as RecordedRequest)[0]?.text).toContain('Plan.md: 4 words');
        const read = readJobNote('Agent/Jobs/Count.md', harness.temp.readRaw('Agent/Jobs/Count.md').toString('utf8'));
        expect(read.kind === 'job' && read.job.status).toBe('done');
    });

    it('offers it to MCP clients as declared, through the official MCP client', async () => {
        engine = await makeEngine({ files: { 'Plan.md': 'one two\n' } });
        const vault = engine.temp.vault;
        const checkpoints = new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() });
        const server = createVaultMcpServer({
            outputFolder: 'Agent/Outputs',
            version: '0.0.0-test',
            tools: registry(),
            prepare: () => {
                const gate = new ExclusionGate({ vault, privacy: { excludedTags: [], excludedFolders: [] } });
                const changes = new ChangeController({
                    vault,
                    gate,
                    approvals: { request: () => Promise.resolve({ kind: 'deny' }) },
                    mode: 'delegate',
                    checkpoints,
                    scope: { outputFolder: 'Agent/Outputs' },
                });
                return Promise.resolve({ vault, gate, changes, proposals: null, outputFolder: 'Agent/Outputs' });
            },
        });
        const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
        await server.connect(serverSide);
        const client = new Client({ name: 'registry-test', version: '1.0.0' });
        await client.connect(clientSide);
        try {
            const { tools } = await client.listTools();
            const byName = new Map(tools.map((tool) => [tool.name, tool]));
            expect(byName.get('word_count')?.annotations?.readOnlyHint).toBe(true);
            expect(byName.has('stamp_note')).toBe(false);
            expect(byName.has('edit_note')).toBe(false);
            expect(byName.get('create_note')?.annotations?.readOnlyHint).toBe(false);
            const result = (await client.callTool({ name: 'word_count', arguments: { path: 'Plan.md' } })) as {
                content: { type: string; text: string }[];
            };
            expect(result.content[0]?.text).toBe('Plan.md: 2 words');
            const refused = await client.callTool({ name: 'stamp_note', arguments: { path: 'Plan.md' } });
            expect(refused.isError).toBe(true);
        } finally {
            await client.close();
            await server.close();
        }
    });

    it('refuses a second tool of the same name and a tool offered to nobody', () => {
        expect(() => vaultToolRegistry().register(readNoteTool, EVERYONE)).toThrow(ToolRegistrationError);
        expect(() => vaultToolRegistry().register(wordCountTool, [])).toThrow(ToolRegistrationError);
    });
});
