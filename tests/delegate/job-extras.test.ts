import { afterEach, describe, expect, it } from 'vitest';
import { defineTool, toolOk } from '../../src/agent/tools/define-tool';
import type { Tool } from '../../src/agent/tools/tool';
import { ExclusionGate } from '../../src/context/exclusions';
import { SkillCatalog } from '../../src/context/skills';
import { readJobNote } from '../../src/delegate/job-note';
import type { McpToolSource } from '../../src/agent/session-factory';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import type { McpToolsOptions } from '../../src/agent/mcp/mcp-hub';
import {
    lastUserText,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type RecordedRequest,
} from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

function jobOf(h: QueueHarness, path: string) {
    const read = readJobNote(path, h.temp.readRaw(path).toString('utf8'));
    if (read.kind !== 'job') throw new Error(`${path} is not a job`);
    return read.job;
}

function toolNames(request: RecordedRequest | undefined): string[] {
    return ((request?.body as { tools?: { name: string }[] } | undefined)?.tools ?? []).map((tool) => tool.name);
}

/** Two MCP tools as a connected hub would offer them; records what each job asked for. */
class TwoMcpTools implements McpToolSource {
    readonly asked: McpToolsOptions[] = [];
    readonly calls: unknown[] = [];

    tools(options: McpToolsOptions): Tool[] {
        this.asked.push(options);
        const make = (name: string, effect: 'read' | 'write'): Tool =>
            defineTool<{ q: string }>(
                {
                    name,
                    description: `${name} for tests.`,
                    effect,
                    inputSchema: {
                        type: 'object',
                        properties: { q: { type: 'string' } },
                        required: ['q'],
                        additionalProperties: false,
                    },
                },
                (input) => {
                    this.calls.push(input);
                    return Promise.resolve(toolOk(`Looked up ${input.q}: 42.`));
                },
            );
        const all = [make('mcp__crm__lookup', 'read'), make('mcp__crm__update', 'write')];
        return all.filter((tool) => options.jobAllows?.includes(tool.definition.name) === true);
    }
}

describe('jobs with skills, MCP tools and a files budget', () => {
    it('loads the skills a job names up front and says which were not found', async () => {
        harness = await makeQueueHarness({
            files: {
                'Agent/Skills/weekly-review/SKILL.md':
                    '---\nname: weekly-review\ndescription: Review the week.\n---\nList wins first, then SKILL-BODY-5e.\n',
                'Agent/Jobs/Review.md': jobNote('Review my week.', { skills: '[weekly-review, no-such-skill]' }),
            },
        });
        harness.server.enqueue(textTurn('Reviewed.'));
        const vault = harness.temp.vault;
        const privacy = harness.privacy;
        const skills = new SkillCatalog({ vault, exclusions: (v) => new ExclusionGate({ vault: v, privacy }) });
        const queue = await harness.queue({ skills });
        await queue.runUntilIdle();

        const request = harness.server.messageRequests()[0];
        const first = lastUserText(request!);
        expect(first).toContain('<loaded-skills>');
        expect(first).toContain('SKILL-BODY-5e');
        expect(first.indexOf('SKILL-BODY-5e')).toBeLessThan(first.indexOf('<job-brief>'));
        expect(toolNames(request)).toContain('use_skill');
        expect(jobOf(harness, 'Agent/Jobs/Review.md').status).toBe('done');
        expect(harness.temp.readRaw('Agent/Jobs/Review.md').toString('utf8')).toContain(
            'Skills not found: no-such-skill.',
        );
    });

    it('offers a job only the MCP tools its note allows, and only reading ones in read-only mode', async () => {
        harness = await makeQueueHarness({
            files: {
                'Agent/Jobs/Lookup.md': jobNote('Look up Acme.', {
                    'mcp-tools': '[mcp__crm__lookup, mcp__crm__update, mcp__crm__missing]',
                    mode: 'read-only',
                }),
                'Agent/Jobs/Plain.md': jobNote('No tools needed.', { created: '"2026-11-21T09:00:00Z"' }),
            },
            concurrency: 1,
        });
        const mcp = new TwoMcpTools();
        harness.server.setResponder((request) => {
            const brief = lastUserText(request);
            if (brief.includes('Look up Acme') && toolResultsOf(request).length === 0) {
                return toolUseTurn([{ name: 'mcp__crm__lookup', input: { q: 'Acme' } }]);
            }
            return textTurn('Done.');
        });
        const queue = await harness.queue({ mcp });
        await queue.runUntilIdle();

        const requests = harness.server.messageRequests();
        const lookup = requests.filter((r) => lastUserText(r).includes('Look up Acme') || toolResultsOf(r).length > 0);
        expect(toolNames(lookup[0])).toContain('mcp__crm__lookup');
        // Allowed by the note but it writes: not in a read-only job.
        expect(toolNames(lookup[0])).not.toContain('mcp__crm__update');
        expect(mcp.calls).toEqual([{ q: 'Acme' }]);
        expect(toolResultsOf(lookup[1]!)[0]?.text).toContain('Looked up Acme: 42.');
        expect(mcp.asked[0]).toMatchObject({ surface: 'job', gate: null });
        const plain = requests.find((r) => lastUserText(r).includes('No tools needed.'));
        expect(toolNames(plain).some((name) => name.startsWith('mcp__'))).toBe(false);
        const log = harness.temp.readRaw('Agent/Jobs/Lookup.md').toString('utf8');
        expect(log).toContain('MCP tools not available: mcp__crm__missing.');
        expect(log).toContain('Not offered to a read-only job (they change things): mcp__crm__update.');
        expect(jobOf(harness, 'Agent/Jobs/Lookup.md').status).toBe('done');
    });

    it('stops a job that tries to write more notes than its files budget allows (row 30)', async () => {
        harness = await makeQueueHarness({
            files: { 'Agent/Jobs/Loop.md': jobNote('Write a note per customer.', { budget: '{ files: 2 }' }) },
        });
        let call = 0;
        harness.server.setResponder(() => {
            call++;
            if (call <= 4) {
                return toolUseTurn([
                    { name: 'create_note', input: { path: `Agent/Outputs/Customer ${call}.md`, content: `C${call}` } },
                ]);
            }
            return textTurn('All written.');
        });
        const queue = await harness.queue();
        await queue.runUntilIdle();

        const { readdirSync } = await import('node:fs');
        const written = readdirSync(`${harness.temp.root}/Agent/Outputs`).filter((name) => name.startsWith('Customer'));
        expect(written.sort()).toEqual(['Customer 1.md', 'Customer 2.md']);
        const job = jobOf(harness, 'Agent/Jobs/Loop.md');
        expect(job.status).toBe('failed');
        expect(job.error).toContain('Stopped by its budget (2 new note(s))');
        // Stopped at the third attempt: no request after it.
        expect(harness.server.messageRequests()).toHaveLength(3);
        expect(DEFAULT_SETTINGS.delegate.jobsFolder).toBe('Agent/Jobs');
    });
});
