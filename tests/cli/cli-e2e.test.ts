/**
 * `vault-agent` end to end: the built `dist/cli.js` runs as a child process on a temp vault against the local
 * Messages-API server. Enqueue, run with concurrency, status and ask with @-mentions, with a canary in every kind of
 * excluded note (each tag form, an excluded folder and its subfolder) scanned for in every recorded request and in
 * everything the command printed (docs/RELIABILITY.md rows 11, 12, 14, 23).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    httpError,
    stall,
    startMessagesApiServer,
    textTurn,
    toolUseTurn,
    type MessagesApiServer,
    type RecordedRequest,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, REPO, runCli, type CliHome, type CliRun } from './cli-harness';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

const CANARY = `CANARY-${Math.random().toString(36).slice(2)}-CLI`;

const PRIVATE_NOTES: Record<string, string> = {
    'Health.md': `---\ntags: [private, project]\n---\n# Health\n${CANARY} list form\n`,
    'People/Therapy.md': `---\ntags: private\n---\n${CANARY} string form\n`,
    'People/Diary.md': `---\ntag: Private/health\n---\n${CANARY} tag key\n`,
    'People/Money.md': `---\ntags:\n  - work\n  - private/money\n---\n${CANARY} block list #project\n`,
    'Inline.md': `Some text #private and ${CANARY} inline\n`,
    'Journal/2026-11-01.md': `Journal entry ${CANARY} in folder #project\n`,
    'Journal/Deep/Older.md': `Older entry ${CANARY} in subfolder\n`,
};

const PUBLIC_NOTES: Record<string, string> = {
    'Plan.md': '# Plan\n\nShip the vault agent. #project\n\nSee [[Ideas]] and ![[Health]].\n',
    'Ideas.md': '# Ideas\nAn idea about the plan. #project\n',
    'Agent/Commands/Digest.md': '---\ndescription: A digest\n---\nWrite a digest of $ARGUMENTS from @[[Plan]].\n',
};

const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

const MODEL = DEFAULT_MODEL;

let server: MessagesApiServer;
/** Job requests the server is answering right now, and the most at once. */
const inFlight = { now: 0, most: 0 };
let temp: TempVault;
let home: CliHome;
/** Every run's output, for the canary scan at the end. */
const printed: string[] = [];

function env(extra: Record<string, string> = {}): Record<string, string> {
    return { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL, ...extra };
}

async function cli(args: string[], extraEnv?: Record<string, string>, root = temp.root): Promise<CliRun> {
    const run = await runCli([args[0] ?? '', '--vault', root, ...args.slice(1)], {
        env: extraEnv ?? env(),
        home: home.dir,
    });
    printed.push(run.stdout, run.stderr);
    return run;
}

function textOf(request: RecordedRequest): string {
    return JSON.stringify(request.body);
}

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    server.setResponder((request) => {
        const text = textOf(request);
        if (text.includes('PLEASE FAIL')) return httpError(400, 'invalid_request_error', 'This request is malformed.');
        const brief = /Brief number (\d+)/.exec(text)?.[1];
        if (brief === undefined) return textTurn('The plan is to ship the vault agent.');
        // Held a moment, so jobs that run in parallel overlap here and can be counted.
        inFlight.most = Math.max(inFlight.most, ++inFlight.now);
        return new Promise((resolve) =>
            setTimeout(() => {
                inFlight.now--;
                resolve(textTurn(`Result of brief ${brief}.`));
            }, 300),
        );
    });
    temp = await makeTempVault({
        ...PRIVATE_NOTES,
        ...PUBLIC_NOTES,
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
    });
    home = await makeCliHome();
}, 60_000);

afterAll(async () => {
    await server.close();
    await temp.cleanup();
    await home.cleanup();
});

describe('help and usage', () => {
    it('prints the commands for --help and each subcommand its own usage', async () => {
        const main = await runCli(['--help'], { home: home.dir });
        expect(main.code).toBe(0);
        for (const name of ['enqueue', 'run', 'status', 'ask', 'mcp']) expect(main.stdout).toContain(`  ${name} `);
        for (const name of ['enqueue', 'run', 'status', 'ask', 'mcp']) {
            const sub = await runCli([name, '--help'], { home: home.dir });
            expect(sub.code).toBe(0);
            expect(sub.stdout).toContain(`Usage: vault-agent ${name}`);
        }
    });

    it('rejects an unknown subcommand or flag with the usage and exit code 2', async () => {
        const unknown = await runCli(['frobnicate'], { home: home.dir });
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain('unknown command "frobnicate"');
        expect(unknown.stderr).toContain('Usage: vault-agent <command>');
        const flag = await cli(['status', '--jsn']);
        expect(flag.code).toBe(2);
        expect(flag.stderr).toContain('--jsn');
        expect(flag.stderr).toContain('Usage: vault-agent status');
    });
});

describe('refusing to start', () => {
    it('says the vault folder does not exist', async () => {
        const run = await cli(['status'], env(), `${temp.root}-missing`);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('does not exist');
    });

    it('says ANTHROPIC_API_KEY is not set, before sending anything', async () => {
        const before = server.requests.length;
        const run = await cli(['ask', 'hello'], { ANTHROPIC_BASE_URL: server.baseURL });
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('ANTHROPIC_API_KEY is not set');
        expect(server.requests.length).toBe(before);
    });

    it('refuses every command when the settings file is truncated, and sends nothing', async () => {
        const broken = await makeTempVault({
            ...PRIVATE_NOTES,
            '.obsidian/plugins/vault-agent/data.json': '{"privacy": {"excludedTags": ["priv',
            'Agent/Jobs/Old.md': '---\nvault-agent: job\nstatus: queued\n---\nBrief number 99\n',
        });
        try {
            const before = server.requests.length;
            for (const args of [['run'], ['ask', 'hi'], ['status'], ['enqueue', 'x']]) {
                const run = await cli(args, env(), broken.root);
                expect(run.code).toBe(2);
                expect(run.stderr).toContain('not valid JSON');
            }
            expect(server.requests.length).toBe(before);
            expect(broken.readRaw('Agent/Jobs/Old.md').toString()).toContain('status: queued');
        } finally {
            await broken.cleanup();
        }
    });

    it('names an unreachable endpoint in a classified message', async () => {
        const run = await cli(['ask', 'hello'], env({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' }));
        expect(run.code).toBe(1);
        // Node's own HTTP client reports the refusal itself (ECONNREFUSED), so the message names the base URL.
        expect(run.stderr).toMatch(/Nothing answers at http:\/\/127\.0\.0\.1:9: is the server running\?/);
    }, 30_000);

    it('says a refused connection once, as "nothing answers at <url>: is the server running?"', async () => {
        const closed = await new Promise<number>((resolve) => {
            const probe = createServer().listen(0, '127.0.0.1', () => {
                const { port } = probe.address() as AddressInfo;
                probe.close(() => resolve(port));
            });
        });
        const url = `http://127.0.0.1:${closed}`;
        const run = await cli(['ask', 'hello'], env({ ANTHROPIC_BASE_URL: url }));
        expect(run.code).toBe(1);
        const said = run.stderr
            .split('\n')
            .filter((line) => line.includes(`Nothing answers at ${url}: is the server running?`));
        // Once as the retries begin and once as the end; never the same sentence twice for one ending.
        expect(run.stderr).not.toMatch(/check your connection/);
        expect(said.filter((line) => !line.includes('Retrying'))).toHaveLength(1);
        expect(said.filter((line) => line.includes('Retrying')).length).toBeLessThanOrEqual(1);
    }, 30_000);
});

describe('the queue from the terminal', () => {
    const paths: string[] = [];

    it('enqueue writes a queued job note and prints its path', async () => {
        const run = await cli([
            'enqueue',
            '--context',
            '[[Plan]]',
            '--context',
            '#private',
            '--context',
            'Journal/',
            '--output',
            'Reports',
            '--model',
            MODEL,
            'Brief number 1: summarise the plan.',
        ]);
        expect(run.code).toBe(0);
        const path = run.stdout.trim();
        expect(path).toMatch(/^Agent\/Jobs\/Brief number 1.*\.md$/);
        const note = temp.readRaw(path).toString();
        expect(note).toContain('vault-agent: job');
        expect(note).toContain('status: queued');
        expect(note).toMatch(/context: \[.*\[\[Plan\]\].*#private.*Journal\/.*\]/);
        expect(note).toContain('output: Reports');
        expect(note).toContain(`model: ${MODEL}`);
        expect(note).toContain('Brief number 1: summarise the plan.');
        paths.push(path);
    });

    it('enqueue --command expands a custom command with its arguments', async () => {
        const run = await cli(['enqueue', '--command', 'digest', 'Brief number 2']);
        expect(run.code).toBe(0);
        const note = temp.readRaw(run.stdout.trim()).toString();
        expect(note).toContain('Write a digest of Brief number 2 from @[[Plan]].');
        paths.push(run.stdout.trim());
    });

    it('run --concurrency 3 finishes every job, writes the artifacts and exits 0', async () => {
        for (const n of [3, 4, 5]) {
            // One excluded and one visible note: a job whose context is all excluded would not run at all.
            const run = await cli([
                'enqueue',
                '--context',
                '[[Health]]',
                '--context',
                '[[Ideas]]',
                `Brief number ${n}`,
            ]);
            paths.push(run.stdout.trim());
        }
        const run = await cli(['run', '--concurrency', '3']);
        expect(run.stderr).toContain('5 job(s) ran: 5 done');
        expect(run.code).toBe(0);
        expect(inFlight.most).toBe(3);
        for (const path of paths) {
            const note = temp.readRaw(path).toString();
            expect(note).toContain('status: done');
            const artifact = /artifact: "?\[\[([^\]]+)\]\]/.exec(note)?.[1];
            expect(artifact).toBeDefined();
            expect(temp.exists(`${artifact ?? ''}.md`)).toBe(true);
        }
        expect(temp.readRaw(paths[0] ?? '').toString()).toContain('Reports/');
    });

    it('exits non-zero when a job fails, and status --json shows it', async () => {
        await cli(['enqueue', 'PLEASE FAIL this job']);
        const run = await cli(['run']);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/failed +Agent\/Jobs\/PLEASE FAIL/);
        const status = await cli(['status', '--json']);
        expect(status.code).toBe(0);
        const report = JSON.parse(status.stdout) as { counts: Record<string, number>; jobs: { status: string }[] };
        expect(report.counts).toEqual({ done: 5, failed: 1 });
        expect(report.jobs).toHaveLength(6);
    });

    it('status prints a table without --json', async () => {
        const status = await cli(['status']);
        expect(status.stdout).toMatch(/^STATUS +TRIES +COST +JOB/);
        expect(status.stdout).toContain('Idle: 5 done · 1 failed');
    });
});

// These vaults have no settings file: since settings fail closed, running on them takes --default-settings.
describe('stopping a run', () => {
    it('Ctrl-C ends a running job as interrupted, releases its lease and exits 130', async () => {
        const vault = await makeTempVault({
            'Agent/Jobs/Slow.md': '---\nvault-agent: job\nstatus: queued\n---\nSLOW job\n',
        });
        const stalled = await startMessagesApiServer({ responder: () => stall({ resumeAfterMs: 30_000 }) });
        try {
            const started = Date.now();
            const run = await runCli(['run', '--vault', vault.root, '--default-settings'], {
                env: { ANTHROPIC_API_KEY: stalled.apiKey, ANTHROPIC_BASE_URL: stalled.baseURL },
                home: home.dir,
                onSpawn: (child) => {
                    const poll = setInterval(() => {
                        if (stalled.messageRequests().length === 0) return;
                        clearInterval(poll);
                        child.kill('SIGINT');
                    }, 50);
                },
            });
            printed.push(run.stdout, run.stderr);
            expect(run.code).toBe(130);
            expect(Date.now() - started).toBeLessThan(10_000);
            const note = vault.readRaw('Agent/Jobs/Slow.md').toString();
            expect(note).toContain('status: interrupted');
            expect(note).not.toMatch(/device: "?cli-/);
        } finally {
            await stalled.close();
            await vault.cleanup();
        }
    }, 20_000);

    it('--watch picks up a job queued while it runs, and Ctrl-C ends it with exit 0', async () => {
        const vault = await makeTempVault({ 'Ideas.md': 'x\n' });
        try {
            const run = await runCli(['run', '--vault', vault.root, '--watch', '--default-settings'], {
                env: env(),
                home: home.dir,
                onSpawn: (child) => {
                    setTimeout(() => {
                        void vault.write(
                            'Agent/Jobs/Later.md',
                            '---\nvault-agent: job\nstatus: queued\n---\nBrief number 7\n',
                        );
                    }, 500);
                    const poll = setInterval(() => {
                        if (!vault.exists('Agent/Jobs/Later.md')) return;
                        if (!vault.readRaw('Agent/Jobs/Later.md').toString().includes('status: done')) return;
                        clearInterval(poll);
                        child.kill('SIGINT');
                    }, 100);
                },
            });
            printed.push(run.stdout, run.stderr);
            expect(run.code).toBe(0);
            expect(run.stderr).toContain('1 job(s) ran: 1 done');
        } finally {
            await vault.cleanup();
        }
    }, 20_000);

    it('stops a one-shot run when the endpoint cannot be reached, leaving the job to run again', async () => {
        const vault = await makeTempVault({
            'Agent/Jobs/Offline.md': '---\nvault-agent: job\nstatus: queued\n---\nA job\n',
        });
        try {
            const run = await runCli(['run', '--vault', vault.root, '--default-settings'], {
                env: { ANTHROPIC_API_KEY: 'key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
                home: home.dir,
            });
            expect(run.code).toBe(1);
            expect(run.stderr).toMatch(/stopping: Nothing answers at http:\/\/127\.0\.0\.1:9/);
            expect(vault.readRaw('Agent/Jobs/Offline.md').toString()).toMatch(/status: (interrupted|queued)/);
        } finally {
            await vault.cleanup();
        }
    }, 30_000);
});

describe('ask', () => {
    it('streams the answer to stdout with the @-mentioned note attached', async () => {
        const before = server.requests.length;
        const run = await cli(['ask', 'What is in @[[Plan]]? Also @[[Health]] and @[[Journal/2026-11-01]]']);
        expect(run.code).toBe(0);
        expect(run.stdout).toBe('The plan is to ship the vault agent.\n');
        const sent = server.requests.slice(before).map(textOf).join('\n');
        expect(sent).toContain('Ship the vault agent.');
        expect(run.stderr).toContain('vault-agent ask:');
    });

    it('refuses proposed changes when there is no terminal to ask on', async () => {
        server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Made by ask.md', content: 'hello' } }]),
            textTurn('I could not create it.'),
        );
        const run = await cli(['ask', '--mode', 'ask', 'Create a note']);
        expect(run.stderr).toContain('was not run in a terminal');
        expect(temp.exists('Made by ask.md')).toBe(false);
        expect(run.stdout).toContain('I could not create it.');
    });

    it('offers no write tools in the default read-only mode', async () => {
        const before = server.messageRequests().length;
        await cli(['ask', 'hello']);
        const tools = (server.messageRequests()[before]?.body as { tools?: { name: string }[] }).tools ?? [];
        expect(tools.map((tool) => tool.name)).not.toContain('create_note');
    });

    it("sends its model requests through Node's own HTTP client, not the built-in fetch (decision 0030)", async () => {
        const before = server.messageRequests().length;
        const run = await cli(['ask', 'hello']);
        expect(run.code).toBe(0);
        const request = server.messageRequests()[before];
        expect(request?.path).toBe('/v1/messages');
        // Node's built-in fetch sends the Fetch standard's metadata headers with every request; its `http` does not.
        expect(request?.headers['sec-fetch-mode']).toBeUndefined();
        expect(request?.body).toMatchObject({ stream: true });
    });
});

describe("HTTPS, as Anthropic's API speaks it", () => {
    // The CLI sends every model request through Node's `https` (decision 0030); Anthropic's API is only HTTPS.
    const certFile = nodePath.join(REPO, 'tests/support/tls/127.0.0.1-cert.pem');
    const tls = {
        cert: readFileSync(certFile, 'utf8'),
        key: readFileSync(nodePath.join(REPO, 'tests/support/tls/127.0.0.1-key.pem'), 'utf8'),
    };

    it('streams an answer from an HTTPS endpoint whose certificate the system trusts', async () => {
        const secure = await startMessagesApiServer({ tls, defaultResponse: textTurn('Answered over TLS.') });
        try {
            expect(secure.baseURL).toMatch(/^https:/);
            const trusted = { ANTHROPIC_BASE_URL: secure.baseURL, NODE_EXTRA_CA_CERTS: certFile };
            const run = await cli(['ask', 'hello'], env({ ...trusted, ANTHROPIC_API_KEY: secure.apiKey }));
            expect(run.stderr).toBe(run.stderr.replace(/certificate/iu, ''));
            expect(run.code).toBe(0);
            expect(run.stdout).toContain('Answered over TLS.');
            expect(secure.messageRequests()).toHaveLength(1);
            expect(secure.messageRequests()[0]?.body).toMatchObject({ stream: true });
        } finally {
            await secure.close();
        }
    }, 30_000);

    it('refuses an endpoint whose certificate nobody vouches for, says so, and never sends the key', async () => {
        const secure = await startMessagesApiServer({ tls, defaultResponse: textTurn('Should never be read.') });
        try {
            const run = await cli(
                ['ask', 'hello'],
                env({ ANTHROPIC_BASE_URL: secure.baseURL, ANTHROPIC_API_KEY: secure.apiKey }),
            );
            expect(run.code).toBe(1);
            expect(run.stdout).not.toContain('Should never be read.');
            // Said once, and not retried: no retry can make a certificate trusted.
            const said = run.stderr.split('\n').filter((line) => line.includes('is not trusted'));
            expect(said).toHaveLength(1);
            expect(said[0]).toContain(`The certificate of ${secure.baseURL} is not trusted (self-signed certificate)`);
            expect(said[0]).toContain('NODE_EXTRA_CA_CERTS');
            expect(run.stderr).not.toMatch(/Retrying|Can’t reach/u);
            expect(secure.messageRequests()).toHaveLength(0);
        } finally {
            await secure.close();
        }
    }, 30_000);
});

describe('the canary', () => {
    it('never appears in any request or in anything the command printed', () => {
        expect(server.messageRequests().length).toBeGreaterThan(5);
        expect(server.allRequestText()).not.toContain(CANARY);
        expect(printed.join('\n')).not.toContain(CANARY);
        expect(printed.join('\n')).not.toContain(server.apiKey);
        for (const folder of ['Agent/Outputs', 'Reports', 'Agent/Jobs']) {
            for (const name of readdirSync(nodePath.join(temp.root, folder), { recursive: true, encoding: 'utf8' })) {
                const file = nodePath.join(temp.root, folder, name);
                if (name.endsWith('.md')) expect(readFileSync(file, 'utf8')).not.toContain(CANARY);
            }
        }
    });
});
