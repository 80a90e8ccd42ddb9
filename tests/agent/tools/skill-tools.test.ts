import { afterEach, describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/agent/loop/conversation';
import { PromptPrefix } from '../../../src/agent/loop/prompt-cache';
import { SYSTEM_PROMPT } from '../../../src/agent/loop/system-prompt';
import { Throttle } from '../../../src/agent/loop/throttle';
import { createModelClient } from '../../../src/agent/model-client';
import { MAX_RESULT_CHARS } from '../../../src/agent/tools/bounded';
import { ReadLedger } from '../../../src/agent/tools/read-ledger';
import { useSkillTool } from '../../../src/agent/tools/skill-tools';
import { vaultTools } from '../../../src/agent/tools/registry';
import { type ToolContext } from '../../../src/agent/tools/tool';
import { runTurn } from '../../../src/agent/turn-loop';
import { ExclusionGate } from '../../../src/context/exclusions';
import { guidanceInEffect } from '../../../src/context/guidance';
import { FsHiddenFolderReader } from '../../../src/context/hidden-folder-node';
import { SkillCatalog, skillsIndex } from '../../../src/context/skills';
import { DEFAULT_SETTINGS, type PrivacySettings } from '../../../src/kernel/settings';
import type { VaultPort } from '../../../src/kernel/vault-port';
import {
    startMessagesApiServer,
    systemTextOf,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import { DEFAULT_MODEL } from '../../../src/kernel/default-model';

const PRIVACY: PrivacySettings = { excludedTags: ['private'], excludedFolders: ['Journal/'] };
const BODY = 'Read the two most recent meeting notes, then fill in the template. SKILL-BODY-5d21';
const CANARY = 'CANARY-use-skill-0b7e';

const FILES: Record<string, string> = {
    'Agent/Skills/meeting-brief/SKILL.md': `---\nname: meeting-brief\ndescription: Prepares a meeting brief.\n---\n${BODY}\n`,
    'Agent/Skills/meeting-brief/template.md': '# Brief: {{meeting}}\n',
    'Agent/Skills/salary/SKILL.md': `---\nname: salary-talks\ndescription: Private ${CANARY}.\ntags: [private]\n---\n${CANARY}\n`,
    '.claude/skills/pdf-notes/SKILL.md': '---\nname: pdf-notes\ndescription: PDF notes.\n---\nClaude body.\n',
    'Meetings/Acme.md': '# Acme\n',
};

let temp: TempVault;
let server: MessagesApiServer | null = null;
afterEach(async () => {
    await server?.close();
    server = null;
    await temp.cleanup();
});

async function setup() {
    temp = await makeTempVault(FILES);
    const gate = new ExclusionGate({ vault: temp.vault, privacy: PRIVACY });
    const catalog = new SkillCatalog({
        vault: temp.vault,
        exclusions: (vault: VaultPort) => new ExclusionGate({ vault, privacy: PRIVACY }),
        hidden: new FsHiddenFolderReader({ root: temp.root, configDir: temp.vault.configDir }),
    });
    const context: ToolContext = { vault: temp.vault, gate, reads: new ReadLedger(), changes: null, turnId: 't1' };
    return { gate, catalog, context, tool: useSkillTool(catalog) };
}

describe('use_skill', () => {
    it('loads a skill’s instructions and lists its files', async () => {
        const { tool, context } = await setup();
        const result = await tool.run({ name: 'meeting-brief' }, context);
        expect(result.isError).toBeUndefined();
        expect(result.content).toContain(BODY);
        expect(result.content).toContain('loadable with use_skill and file: template.md');
        const file = await tool.run({ name: 'meeting-brief', file: 'template.md' }, context);
        expect(file.content).toBe(
            'File Agent/Skills/meeting-brief/template.md of skill "meeting-brief":\n\n# Brief: {{meeting}}\n',
        );
    });

    it('names a vault skill note as its source, so it is withheld if it turns private; .claude skills name none', async () => {
        const { tool, context } = await setup();
        expect((await tool.run({ name: 'meeting-brief' }, context)).sources).toEqual([
            'Agent/Skills/meeting-brief/SKILL.md',
        ]);
        expect((await tool.run({ name: 'meeting-brief', file: 'template.md' }, context)).sources).toEqual([
            'Agent/Skills/meeting-brief/template.md',
        ]);
        expect((await tool.run({ name: 'pdf-notes' }, context)).sources).toBeUndefined();
    });

    it('loads a .claude/skills skill the same way', async () => {
        const { tool, context } = await setup();
        expect((await tool.run({ name: 'pdf-notes' }, context)).content).toContain('Claude body.');
    });

    it('says "no such skill" for an excluded skill and never names it among the known ones', async () => {
        const { tool, context } = await setup();
        const result = await tool.run({ name: 'salary-talks' }, context);
        expect(result.isError).toBe(true);
        expect(result.content).toBe('There is no skill called "salary-talks". Skills: meeting-brief, pdf-notes.');
        expect(result.content).not.toContain(CANARY);
    });

    it('refuses bad input and files outside the skill as tool errors', async () => {
        const { tool, context } = await setup();
        expect((await tool.run({}, context)).content).toMatch(/name is required/);
        const climb = await tool.run({ name: 'meeting-brief', file: '../salary/SKILL.md' }, context);
        expect(climb.isError).toBe(true);
        expect(climb.content).not.toContain(CANARY);
    });

    it('cuts a huge skill body to the result bound and says so', async () => {
        const { tool, context } = await setup();
        await temp.write(
            'Agent/Skills/huge/SKILL.md',
            `---\nname: huge\ndescription: Huge.\n---\n${'x'.repeat(50_000)}\n`,
        );
        await temp.vault.scan();
        const result = await tool.run({ name: 'huge' }, context);
        expect(result.content.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
        expect(result.content).toMatch(/\[… cut: [\d,]+ more characters not shown\]/);
    });
});

describe('progressive disclosure through the real loop', () => {
    it('sends only names and descriptions until the model calls use_skill; the body arrives as its result', async () => {
        const { catalog, gate } = await setup();
        server = await startMessagesApiServer();
        const client = await createModelClient({
            secrets: { get: () => Promise.resolve(server?.apiKey ?? null) },
            settings: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL },
        });
        const tools = [...vaultTools('read-only'), useSkillTool(catalog)];
        const index = skillsIndex((await catalog.scan()).skills);
        server.enqueue(
            toolUseTurn([{ name: 'use_skill', input: { name: 'meeting-brief' }, id: 'toolu_skill1' }]),
            textTurn('Here is your brief.'),
        );
        const result = await runTurn(
            {
                client,
                model: DEFAULT_MODEL,
                maxOutputTokens: 1024,
                prefix: new PromptPrefix({
                    systemPrompt: SYSTEM_PROMPT,
                    instructions: index,
                    tools: tools.map((tool) => tool.definition),
                }),
                tools,
                toolContext: { vault: temp.vault, gate, reads: new ReadLedger(), changes: null },
                conversation: new Conversation(),
                throttle: new Throttle(),
                retry: { random: () => 0, waits: { idleTimeoutMs: 5_000 } },
            },
            {
                content: 'Prepare me for the Acme meeting.',
                turnId: 'turn-1',
                signal: new AbortController().signal,
                listener: () => undefined,
            },
        );
        expect(result.outcome).toBe('done');
        const [first, second] = server.messageRequests();
        if (first === undefined || second === undefined) throw new Error('expected two requests');
        expect(systemTextOf(first)).toContain('- meeting-brief: Prepares a meeting brief.');
        expect(systemTextOf(first)).toContain('- pdf-notes: PDF notes.');
        expect(JSON.stringify(first.body)).not.toContain('SKILL-BODY-5d21');
        expect(JSON.stringify(first.body)).toContain('"name":"use_skill"');
        const [skillResult] = toolResultsOf(second);
        expect(skillResult?.text).toContain(BODY);
        expect(server.allRequestText()).not.toContain(CANARY);
        expect(server.allRequestText()).not.toContain('salary-talks');

        const report = guidanceInEffect({ items: [], toolCalls: result.toolCalls });
        expect(report.skills).toEqual([{ name: 'meeting-brief', how: 'model', files: [] }]);
    });
});
