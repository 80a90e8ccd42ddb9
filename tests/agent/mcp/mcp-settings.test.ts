/**
 * The stored MCP section: validated without throwing, half-understood servers left out (never launched), and the
 * consent hash bound to every part of a launch definition.
 */
import { describe, expect, it } from 'vitest';
import { describeLaunch, launchHash } from '../../../src/agent/mcp/mcp-consent';
import { DEFAULT_MCP_SETTINGS, parseMcpSettings, type StdioMcpServer } from '../../../src/kernel/mcp-settings';

const STDIO: StdioMcpServer = {
    name: 'files',
    transport: 'stdio',
    command: 'npx',
    args: ['-y', 'some-server', '/tmp/x'],
    env: { TOKEN: 'a' },
    enabled: true,
    toolPolicies: {},
    readOnlyTools: [],
    readsVault: false,
};

describe('MCP settings', () => {
    it('gives the defaults for settings written before MCP existed', () => {
        expect(parseMcpSettings(undefined)).toEqual({ settings: DEFAULT_MCP_SETTINGS, notes: [] });
    });

    it('leaves out servers it cannot fully understand, and says which', () => {
        const { settings, notes } = parseMcpSettings({
            servers: [
                STDIO,
                { name: 'no command', transport: 'stdio' },
                { name: 'bad args', transport: 'stdio', command: 'x', args: 'one two' },
                { name: 'ftp', transport: 'http', url: 'ftp://example.invalid/' },
                { name: 'files', transport: 'http', url: 'https://example.invalid/mcp' },
                { transport: 'http', url: 'https://example.invalid/mcp' },
            ],
            callTimeoutMs: 5,
        });
        expect(settings.servers.map((s) => s.name)).toEqual(['files']);
        expect(notes).toHaveLength(6);
        expect(settings.callTimeoutMs).toBe(DEFAULT_MCP_SETTINGS.callTimeoutMs);
    });

    it('reads an unknown tool policy as ask', () => {
        const { settings } = parseMcpSettings({
            servers: [{ ...STDIO, toolPolicies: { a: 'allow', b: 'always', c: 'deny' } }],
        });
        expect(settings.servers[0]?.toolPolicies).toEqual({ a: 'allow', b: 'ask', c: 'deny' });
    });

    it('binds consent to command, every argument and every environment value', () => {
        const base = launchHash(STDIO);
        expect(launchHash({ ...STDIO })).toBe(base);
        expect(launchHash({ ...STDIO, command: 'npx2' })).not.toBe(base);
        expect(launchHash({ ...STDIO, args: ['-y', 'some-server', '/tmp'] })).not.toBe(base);
        expect(launchHash({ ...STDIO, env: { TOKEN: 'b' } })).not.toBe(base);
        expect(launchHash({ ...STDIO, toolPolicies: { x: 'allow' } })).toBe(base);
        expect(describeLaunch(STDIO).commandLine).toBe('TOKEN=… npx -y some-server /tmp/x');
    });
});
