/**
 * The MCP client against a real peer, `@modelcontextprotocol/server-everything`, over stdio: consent before launch,
 * namespaced tools, per-tool policies, the full input shown before a call, and re-approval when a definition changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toolApprovalKey } from '../../../src/agent/mcp/mcp-consent';
import { UntrustedContent } from '../../../src/agent/mcp/tool-call-gate';
import { TOOL_NAME_PATTERN } from '../../../src/agent/mcp/mcp-tool-names';
import { consentToAll, everythingServer, makeHubHarness, RecordingToolCallGate, type HubHarness } from './mcp-fixtures';

describe('MCP client with server-everything over stdio', () => {
    let harness: HubHarness | undefined;
    afterEach(async () => {
        await harness?.cleanup();
        harness = undefined;
    });

    it('does not launch a server before the person on this device consents to its exact command line', async () => {
        harness = await makeHubHarness([everythingServer({ env: { EVERYTHING_TOKEN: 'secret-value' } })]);
        const pending = await harness.hub.launchesNeedingConsent();
        expect(pending).toHaveLength(1);
        expect(pending[0]?.commandLine).toContain('server-everything/dist/index.js stdio');
        expect(pending[0]?.commandLine).toContain('EVERYTHING_TOKEN=…');
        expect(pending[0]?.commandLine).not.toContain('secret-value');

        const [status] = await harness.hub.connectAll();
        expect(status?.state).toBe('needs-consent');
        expect(harness.hub.tools({ surface: 'chat', gate: new RecordingToolCallGate() })).toEqual([]);

        await consentToAll(harness.hub);
        const [after] = await harness.hub.connectAll();
        expect(after?.state).toBe('connected');
        expect(after?.toolCount).toBeGreaterThan(5);
    }, 30_000);

    it('offers its tools namespaced, asks with the full description and input, then echoes', async () => {
        harness = await makeHubHarness([everythingServer()]);
        await consentToAll(harness.hub);
        await harness.hub.connectAll();
        const gate = new RecordingToolCallGate();
        const tools = harness.toolsByName({ surface: 'chat', gate });
        expect([...tools.keys()]).toContain('mcp__everything__echo');
        for (const name of tools.keys()) {
            expect(name).toMatch(TOOL_NAME_PATTERN);
            expect(name.startsWith('mcp__everything__')).toBe(true);
        }

        const result = await harness.run(tools, 'mcp__everything__echo', { message: 'hello from the vault' });
        expect(result).toEqual({ content: 'Echo: hello from the vault' });
        expect(gate.requests).toHaveLength(1);
        const shown = gate.requests[0];
        expect(shown?.reasons).toEqual(['new-definition', 'policy']);
        expect(shown?.input).toEqual({ message: 'hello from the vault' });
        expect(shown?.definition.description).toBe('Echoes back the input string');

        // The definition is approved now; the policy (ask, the chat default) still asks, for that reason alone.
        await harness.run(tools, 'mcp__everything__echo', { message: 'again' });
        expect(gate.requests[1]?.reasons).toEqual(['policy']);
    }, 30_000);

    it('sends nothing when the person declines, or when an approval names another input', async () => {
        harness = await makeHubHarness([everythingServer()]);
        await consentToAll(harness.hub);
        await harness.hub.connectAll();
        const declined = harness.toolsByName({
            surface: 'chat',
            gate: new RecordingToolCallGate(() => ({ kind: 'deny', reason: 'not now' })),
        });
        const no = await harness.run(declined, 'mcp__everything__echo', { message: 'x' });
        expect(no.isError).toBe(true);
        expect(no.content).toContain('declined');
        expect(no.content).toContain('not now');

        const replayed = harness.toolsByName({
            surface: 'chat',
            gate: new RecordingToolCallGate(() => ({ kind: 'allow', binding: 'a binding for some other input' })),
        });
        const stale = await harness.run(replayed, 'mcp__everything__echo', { message: 'x' });
        expect(stale.isError).toBe(true);
        expect(stale.content).toContain('Nothing was sent');
    }, 30_000);

    it('applies allow and deny per tool, and readOnlyHint alone never lets a tool skip the question', async () => {
        harness = await makeHubHarness([
            everythingServer({
                toolPolicies: { echo: 'allow', 'get-sum': 'allow', 'get-env': 'deny' },
                readOnlyTools: ['echo'],
            }),
        ]);
        await consentToAll(harness.hub);
        await harness.hub.connectAll();
        const gate = new RecordingToolCallGate();
        const untrusted = new UntrustedContent();
        const tools = harness.toolsByName({ surface: 'chat', gate, untrusted });
        expect(tools.has('mcp__everything__get-env')).toBe(false);

        // Approve both definitions once (first use always asks).
        await harness.run(tools, 'mcp__everything__echo', { message: 'a' }, 'turn-1');
        await harness.run(tools, 'mcp__everything__get-sum', { a: 1, b: 2 }, 'turn-0');
        expect(gate.requests.map((r) => r.reasons)).toEqual([['new-definition'], ['new-definition']]);

        // A fresh turn with nothing untrusted in it: `allow` runs without asking.
        const sum = await harness.run(tools, 'mcp__everything__get-sum', { a: 2, b: 3 }, 'turn-2');
        expect(sum.content).toContain('5');
        expect(gate.requests).toHaveLength(2);

        // A tool result is now in turn-2. get-sum says readOnlyHint: true, but the person did not vouch for it.
        await harness.run(tools, 'mcp__everything__get-sum', { a: 2, b: 3 }, 'turn-2');
        expect(gate.requests[2]?.reasons).toEqual(['untrusted-content']);
        // echo was vouched read-only by the person, so it keeps running unasked.
        await harness.run(tools, 'mcp__everything__echo', { message: 'b' }, 'turn-2');
        expect(gate.requests).toHaveLength(3);
    }, 30_000);

    it('asks again when the definition differs from the one approved on this device', async () => {
        harness = await makeHubHarness([
            everythingServer({ toolPolicies: { echo: 'allow' }, readOnlyTools: ['echo'] }),
        ]);
        await consentToAll(harness.hub);
        await harness.hub.connectAll();
        // What the person approved last week, before the server changed its echo tool.
        await harness.consent.set(toolApprovalKey('everything', 'echo'), 'hash-of-an-older-definition');
        const gate = new RecordingToolCallGate();
        const tools = harness.toolsByName({ surface: 'chat', gate });
        await harness.run(tools, 'mcp__everything__echo', { message: 'x' });
        expect(gate.requests[0]?.reasons).toEqual(['definition-changed']);
        await harness.run(tools, 'mcp__everything__echo', { message: 'y' });
        expect(gate.requests).toHaveLength(1);
    }, 30_000);

    it('in a job offers only the tools the job allows, and runs them only when reviewed and vouched', async () => {
        // No policies set: the job's own list is what lets a tool in; get-env, unlisted, stays out.
        harness = await makeHubHarness([
            everythingServer({ readOnlyTools: ['echo'], toolPolicies: { 'get-tiny-image': 'deny' } }),
        ]);
        await consentToAll(harness.hub);
        await harness.hub.connectAll();
        expect(harness.hub.tools({ surface: 'job', gate: null })).toEqual([]);

        const jobTools = harness.toolsByName({
            surface: 'job',
            gate: null,
            jobAllows: ['mcp__everything__echo', 'mcp__everything__get-sum', 'mcp__everything__get-tiny-image'],
        });
        expect([...jobTools.keys()].sort()).toEqual(['mcp__everything__echo', 'mcp__everything__get-sum']);
        const unreviewed = await harness.run(jobTools, 'mcp__everything__echo', { message: 'x' });
        expect(unreviewed.isError).toBe(true);
        expect(unreviewed.content).toContain('nobody can be asked');

        // Reviewed in a chat on this device first.
        const chat = harness.toolsByName({ surface: 'chat', gate: new RecordingToolCallGate() });
        await harness.run(chat, 'mcp__everything__echo', { message: 'x' });
        await harness.run(chat, 'mcp__everything__get-sum', { a: 1, b: 1 });

        expect((await harness.run(jobTools, 'mcp__everything__echo', { message: 'job' })).content).toBe('Echo: job');
        const sideEffect = await harness.run(jobTools, 'mcp__everything__get-sum', { a: 1, b: 1 });
        expect(sideEffect.isError).toBe(true);
    }, 30_000);

    it('asks for consent again after any change to the launch definition', async () => {
        harness = await makeHubHarness([everythingServer()]);
        await consentToAll(harness.hub);
        const changed = await makeHubHarness([everythingServer({ args: [...everythingServer().args, '--extra'] })], {
            consent: harness.consent,
        });
        try {
            const [status] = await changed.hub.connectAll();
            expect(status?.state).toBe('needs-consent');
            expect(status?.message).toContain('--extra');
        } finally {
            await changed.cleanup();
        }
    }, 30_000);
});
