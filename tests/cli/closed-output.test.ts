/**
 * The reader of the command's output going away, through real pipes in bash: `vault-agent ask … | head` once `head`
 * has what it wanted, and `vault-agent run 2>&1 | head` whose log reader stops early (a cron line piped into a tool
 * that died). The built `dist/cli.js` against the local Messages-API server. Before, both crashed with an unhandled
 * EPIPE and a stack trace: `ask` went on paying for an answer nobody read until the crash, and `run` left its jobs
 * `running` with their leases. And `vault-agent mcp` whose client stops reading while keeping stdin open: it went on
 * serving nobody, with its watches, index and worker threads, until killed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import nodePath from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJobNote } from '../../src/delegate/job-spec';
import { textTurn, trickle } from '../support/messages-api-server';
import { makeTempVault } from '../support/temp-vault';
import { CLI, REPO, shellQuote, serverSuite } from './cli-harness';

const suite = serverSuite();

/** Runs `vault-agent <args> <redirect> | head -c <bytes>` in bash; resolves with the command's own exit status. */
function piped(
    args: string[],
    redirect: string,
    bytes: number,
): Promise<{ status: number; stderr: string; elapsedMs: number }> {
    const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
    const script = `${command} ${redirect} | head -c ${bytes} > /dev/null; echo "status=\${PIPESTATUS[0]}" >&3`;
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const child = spawn('bash', ['-c', script], {
            cwd: REPO,
            env: {
                PATH: process.env.PATH ?? '',
                HOME: suite.home.dir,
                XDG_CONFIG_HOME: nodePath.join(suite.home.dir, 'config'),
                ANTHROPIC_API_KEY: suite.server.apiKey,
                ANTHROPIC_BASE_URL: suite.server.baseURL,
            },
            stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        let status = '';
        child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdio[3]?.on('data', (chunk: Buffer) => (status += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
        child.on('error', reject);
        child.on('close', () => {
            clearTimeout(timer);
            resolve({
                status: Number(/status=(\d+)/u.exec(status)?.[1] ?? -1),
                stderr,
                elapsedMs: Date.now() - started,
            });
        });
    });
}

describe('the reader of the output going away', () => {
    it('stops an answer streaming into head once it has read enough, quietly, with the status of SIGPIPE', async () => {
        const temp = await makeTempVault({ 'Plan.md': '# Plan\n' });
        suite.keep(temp);
        // An answer that never ends: only stopping the turn ends the command.
        suite.server.enqueue(trickle({ intervalMs: 10, chunk: `${'word '.repeat(40)}\n` }));
        const run = await piped(['ask', '--vault', temp.root, '--default-settings', 'Go on'], '', 2_000);
        expect(run.status).toBe(141);
        expect(run.stderr).not.toMatch(/EPIPE|node:events|at .*\(/u);
        expect(run.elapsedMs).toBeLessThan(20_000);
    }, 60_000);

    it('runs every job to its end when the log reader of a run stops early', async () => {
        const files: Record<string, string> = {};
        for (let i = 0; i < 6; i++) {
            files[`Agent/Jobs/Job ${i}.md`] = renderJobNote({ title: `Job ${i}`, brief: `Do ${i}.` }, Date.now());
        }
        const temp = await makeTempVault(files);
        suite.keep(temp);
        suite.server.setDefault(textTurn('Done with it.', { latencyMs: 200 }));
        const run = await piped(['run', '--vault', temp.root, '--default-settings', '--concurrency', '2'], '2>&1', 10);
        expect(run.status).toBe(0);
        for (let i = 0; i < 6; i++) {
            expect(readFileSync(nodePath.join(temp.root, `Agent/Jobs/Job ${i}.md`), 'utf8')).toContain('status: done');
        }
    }, 60_000);

    it('ends vault-agent mcp once its client stops reading, though the client keeps stdin open', async () => {
        const temp = await makeTempVault({ 'Plan.md': '# Plan\n' });
        suite.keep(temp);
        const child = spawn(process.execPath, [CLI, 'mcp', '--vault', temp.root, '--default-settings'], {
            cwd: REPO,
            env: {
                PATH: process.env.PATH ?? '',
                HOME: suite.home.dir,
                XDG_CONFIG_HOME: nodePath.join(suite.home.dir, 'config'),
            },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const send = (message: unknown): boolean => child.stdin.write(`${JSON.stringify(message)}\n`);
        send({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'gone', version: '1' } },
        });
        await new Promise((resolve) => child.stdout.once('data', resolve));
        // The client's reading end goes (a crashed reader thread, a half-closed pipe); its writing end stays open.
        child.stdout.destroy();
        send({ jsonrpc: '2.0', method: 'notifications/initialized' });
        send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_notes', arguments: {} } });
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        expect(code).toBe(0);
        expect(stderr).not.toMatch(/EPIPE|Error:/u);
        child.stdin.destroy();
    }, 30_000);
});
