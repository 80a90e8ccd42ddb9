/**
 * A vault whose disk fills up: a job's result cannot be written. The built `dist/cli.js run` on a vault in a real
 * 300 KB tmpfs, against the local Messages API; the job fails saying the disk is full (not only "failed"), and no
 * half-written result or temp file is left. Mounting a tmpfs needs root: where the test cannot mount one, it is
 * skipped, and the unit test of the message (`tests/agent/changes/change-messages.test.ts`) still runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJobNote } from '../../src/delegate/job-spec';
import { textTurn } from '../support/messages-api-server';
import { runCli, serverSuite } from './cli-harness';

/** A 300 KB tmpfs mounted for the test, or `null` where mounting is not allowed. */
function mountTiny(): string | null {
    const dir = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-tiny-'));
    try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=300k', 'tmpfs', dir], { stdio: 'ignore' });
        return dir;
    } catch {
        rmSync(dir, { recursive: true, force: true });
        return null;
    }
}

const mounted = mountTiny();
const suite = serverSuite();

afterAll(async () => {
    if (mounted !== null) {
        execFileSync('umount', [mounted], { stdio: 'ignore' });
        rmSync(mounted, { recursive: true, force: true });
    }
});

describe('a full disk', () => {
    it.skipIf(mounted === null)(
        'fails the job saying the disk is full, leaving no partial result',
        async () => {
            const root = nodePath.join(mounted ?? '', 'vault');
            mkdirSync(nodePath.join(root, '.obsidian/plugins/vault-agent'), { recursive: true });
            mkdirSync(nodePath.join(root, 'Agent/Jobs'), { recursive: true });
            writeFileSync(
                nodePath.join(root, '.obsidian/plugins/vault-agent/data.json'),
                JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: [] } }),
            );
            const job = 'Agent/Jobs/Report.md';
            writeFileSync(
                nodePath.join(root, job),
                renderJobNote({ title: 'Report', brief: 'Write a long report.' }, Date.now()),
            );
            // The disk, all but about 40 KB taken: room for the job note's updates, not for a 140 KB result.
            writeFileSync(nodePath.join(root, 'Attachments.bin'), Buffer.alloc(230 * 1024));
            suite.server.enqueue(textTurn('A long report. '.repeat(10_000)));
            const run = await runCli(['run', '--vault', root], {
                env: { ANTHROPIC_API_KEY: suite.server.apiKey, ANTHROPIC_BASE_URL: suite.server.baseURL },
                home: suite.home.dir,
                timeoutMs: 30_000,
            });
            expect(run.code).toBe(1);
            expect(run.stderr).toContain('The disk is full (ENOSPC): nothing was written.');
            const note = readFileSync(nodePath.join(root, job), 'utf8');
            expect(note).toContain('status: failed');
            expect(note).toContain('The disk is full (ENOSPC)');
            expect(readdirSync(nodePath.join(root, 'Agent', 'Outputs'))).toEqual([]);
            expect(readdirSync(nodePath.join(root, 'Agent', 'Jobs'))).toEqual(['Report.md']);
        },
        60_000,
    );
});
