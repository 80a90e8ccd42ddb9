/**
 * `vault-agent mcp` driven by the official MCP SDK `Client` over stdio, as Claude Desktop or Claude Code would drive
 * it: the built `dist/cli.js` is spawned on a temp vault seeded with canaries in excluded notes (every tag form and an
 * excluded folder), every tool is called, and every response is scanned (docs/RELIABILITY.md rows 11, 12 and 14).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const REPO = nodePath.resolve(__dirname, '../..');
const CLI = nodePath.join(REPO, 'dist/cli.js');
const CANARY = `CANARY-${Math.random().toString(36).slice(2)}-MCPSERVER`;
/** In a note's name only: a guessed path is echoed back in "not found", so guesses use other notes. */
const NAME_CANARY = `NAMECANARY${Math.random().toString(36).slice(2)}`;

/** The excluded notes: each tag form, an excluded folder and its subfolder. Names carry the canary too. */
const PRIVATE_NOTES: Record<string, string> = {
    [`Health ${NAME_CANARY} list.md`]: `---\ntags: [private, project]\n---\n# Secret heading ${CANARY}\n${CANARY} line\n`,
    'People/Therapy.md': `---\ntags: private\n---\n${CANARY} frontmatter string\n[[Plan]]\n`,
    'People/Diary.md': `---\ntag: Private/health\n---\n${CANARY} tag key\n`,
    'People/Block list.md': `---\ntags:\n  - work\n  - private/money\n---\n${CANARY} block list #project\n`,
    'Inline.md': `Some text #private and ${CANARY} inline\n[[Plan]]\n`,
    'Nested inline.md': `A #Private/health note ${CANARY} nested\n`,
    // Obsidian files both under #private: a tag glued to the end of a formula, and one after an escaped backslash.
    'Glued to math.md': `Energy $E = mc^2$#private ${CANARY}\n`,
    'After escape.md': `A backslash \\\\#private ${CANARY}\n`,
    // Obsidian shows no tag after a zero-width space, but the line looks like `#private` at its start: read as one.
    'Zero width.md': `\u200B#private ${CANARY}\n`,
    // A YAML merge key brings the tags in; an old Mac file ends its lines with lone carriage returns (tags unknown);
    // a vertical tab before the tag; an accent typed decomposed against the rule `privé` typed composed.
    'Merged.md': `---\nbase: &b\n  tags: [private]\n<<: *b\n---\n${CANARY}\n`,
    'Old Mac.md': `---\rtags: private\r---\r${CANARY}\r`,
    'Vertical tab.md': `Text\v#private ${CANARY}\n`,
    'Accent.md': `Notes #prive\u0301 ${CANARY}\n`,
    // A lock emoji glued to the tag: Obsidian shows no tag there, but the person meant one.
    'Lock.md': `🔒#private ${CANARY}\n`,
    'Journal/2026-11-01.md': `Journal entry ${CANARY} in folder #project\n[[Plan]]\n`,
    'Journal/Deep/Older.md': `Older entry ${CANARY} in subfolder\n`,
};

const PUBLIC_NOTES: Record<string, string> = {
    'Plan.md': '# Plan\n\n## Goals\nShip the vault agent. #project\n\nSee [[Ideas]].\n',
    'Ideas.md': '# Ideas\nAn idea about the plan. #project\n[[Plan]]\n',
    // Links in properties, as Obsidian counts them: two to public notes, two to excluded ones.
    'Reading list.md': `---\nup: "[[Plan]]"\nsee: ["[[Ideas#Ideas|the ideas]]", "[[People/Therapy]]", "[[Health ${NAME_CANARY} list]]"]\n---\nA list.\n`,
};

const SETTINGS = {
    version: 1,
    privacy: { excludedTags: ['private', 'priv\u00e9'], excludedFolders: ['Journal/'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

function settingsFile(settings: unknown): Record<string, string> {
    return { '.obsidian/plugins/vault-agent/data.json': JSON.stringify(settings) };
}

/** Builds `dist/cli.js` when it is missing or older than the sources it is built from. */
function ensureBuilt(): void {
    const newestSource = (dir: string): number =>
        Math.max(
            ...execFileSync('find', [dir, '-name', '*.ts'], { encoding: 'utf8' })
                .split('\n')
                .filter((f) => f !== '')
                .map((f) => statSync(f).mtimeMs),
        );
    if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(nodePath.join(REPO, 'src'))) return;
    execFileSync('node', ['esbuild.config.mjs', 'production'], { cwd: REPO, stdio: 'ignore' });
}

interface Connected {
    client: Client;
    stderr: () => string;
    /** Every response text, except to calls that named an excluded note themselves (those echo the name). */
    texts: string[];
    call(
        name: string,
        args: Record<string, unknown>,
        options?: { guess?: boolean },
    ): Promise<{ text: string; isError: boolean }>;
}

async function connect(vaultRoot: string, extraArgs: string[] = []): Promise<Connected> {
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', vaultRoot, ...extraArgs],
        stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'vault-agent-test', version: '1' });
    await client.connect(transport);
    const texts: string[] = [];
    return {
        client,
        stderr: () => stderr,
        texts,
        async call(name, args, options = {}) {
            const result = await client.callTool({ name, arguments: args });
            const content = result.content as { type: string; text?: string }[];
            const text = content.map((c) => c.text ?? '').join('\n');
            if (options.guess !== true) texts.push(text);
            else if (!JSON.stringify(args).includes(CANARY)) expect(text).not.toContain(CANARY);
            return { text, isError: result.isError === true };
        },
    };
}

describe('vault-agent mcp (built CLI, official SDK client over stdio)', () => {
    let temp: TempVault;
    let session: Connected;

    beforeAll(async () => {
        ensureBuilt();
        temp = await makeTempVault({ ...PRIVATE_NOTES, ...PUBLIC_NOTES, ...settingsFile(SETTINGS) });
        session = await connect(temp.root);
    }, 60_000);

    afterAll(async () => {
        await session.client.close();
        await temp.cleanup();
    });

    it('offers exactly the eleven vault tools, create_note and propose_edit being the only ones that are not read-only', async () => {
        const { tools } = await session.client.listTools();
        expect(tools.map((t) => t.name).sort()).toEqual([
            'create_note',
            'find_notes',
            'list_notes',
            'note_links',
            'note_outline',
            'notes_with_tag',
            'propose_edit',
            'read_attachment',
            'read_note',
            'related_notes',
            'search_notes',
        ]);
        const writable = tools.filter((t) => t.annotations?.readOnlyHint !== true).map((t) => t.name);
        expect(writable).toEqual(['create_note', 'propose_edit']);
        expect(tools.find((t) => t.name === 'create_note')?.description).toContain('Agent/Outputs/');
    });

    it('answers every tool from the vault, and no answer names or quotes an excluded note', async () => {
        const listing = await session.call('list_notes', { recursive: true });
        expect(listing.text).toContain('Plan.md');
        expect(listing.text).toContain('Ideas.md');

        const read = await session.call('read_note', { path: 'Plan.md' });
        expect(read.text).toContain('Ship the vault agent.');

        // The query itself is echoed back ("no matches for …"), so only the absence of hits is checked here.
        const search = await session.call('search_notes', { query: CANARY }, { guess: true });
        expect(search.text).not.toContain('.md');
        const entrySearch = await session.call('search_notes', { query: 'entry' });
        expect(entrySearch.text).not.toContain('Journal');

        const outline = await session.call('note_outline', { path: 'Plan.md' });
        expect(outline.text).toContain('Goals');

        const links = await session.call('note_links', { path: 'Plan.md' });
        expect(links.text).toContain('Ideas.md');
        expect(links.text).toMatch(/Backlinks \(2\):\nIdeas\.md\nReading list\.md$/u);
        // A note's links in its properties are listed as its links; those to excluded notes leave no trace.
        const properties = await session.call('note_links', { path: 'Reading list.md' });
        expect(properties.text).toBe(
            'Links of Reading list.md (0 links, 0 embeds, 2 property links, 0 backlinks):\nLinks: none.\n' +
                'Embeds: none.\nProperty links (2):\nup:\t[[Plan]] → Plan.md\nsee:\t[[Ideas#Ideas|the ideas]] → Ideas.md#Ideas\n' +
                'Backlinks: none.',
        );

        const tagged = await session.call('notes_with_tag', { tag: 'project' });
        expect(tagged.text).toContain('Plan.md');
        await session.call('notes_with_tag', { tag: 'private' });
        await session.call('notes_with_tag', { tag: 'private/health' });

        for (const path of Object.keys(PRIVATE_NOTES)) {
            const guessed = await session.call('read_note', { path }, { guess: true });
            expect(guessed.isError).toBe(true);
            expect(guessed.text).toContain('Not found');
            await session.call('note_outline', { path }, { guess: true });
            await session.call('note_links', { path }, { guess: true });
        }
        await session.call('list_notes', { folder: 'Journal', recursive: true }, { guess: true });
        await session.call('list_notes', { folder: 'People' }, { guess: true });

        const all = session.texts.join('\n');
        expect(all).not.toContain(CANARY);
        expect(all).not.toContain(NAME_CANARY);
        for (const word of [
            'Therapy',
            'Diary',
            'Block list',
            'Inline.md',
            'Nested inline',
            '2026-11-01',
            'Older',
            'Glued to math',
            'After escape',
            'Zero width',
            'Merged',
            'Old Mac',
            'Vertical tab',
            'Accent',
            'Lock',
        ]) {
            expect(all).not.toContain(word);
        }
    });

    it('creates new notes only inside the output folder, and never overwrites or edits', async () => {
        const made = await session.call('create_note', { path: 'Agent/Outputs/Summary.md', content: '# Summary\n' });
        expect(made.isError).toBe(false);
        expect(temp.readRaw('Agent/Outputs/Summary.md').toString()).toBe('# Summary\n');

        const again = await session.call('create_note', { path: 'Agent/Outputs/Summary.md', content: 'other' });
        expect(again.isError).toBe(true);
        expect(temp.readRaw('Agent/Outputs/Summary.md').toString()).toBe('# Summary\n');

        // A refusal is an ordinary result that says what did not happen, as it is for the agent.
        const outside = await session.call('create_note', { path: 'Plan 2.md', content: 'x' });
        expect(outside.text).toContain('Nothing was written');
        expect(temp.exists('Plan 2.md')).toBe(false);

        const over = await session.call('create_note', { path: 'Plan.md', content: 'overwritten' });
        expect(over.text).toMatch(/exists|Nothing was written/);
        expect(temp.readRaw('Plan.md').toString()).toBe(PUBLIC_NOTES['Plan.md']);

        const config = await session.call('create_note', { path: '.obsidian/plugins/x.md', content: 'x' });
        expect(config.text).toMatch(/Nothing was|not allowed|protected|refused/i);
        expect(temp.exists('.obsidian/plugins/x.md')).toBe(false);
    });

    it('sees a note made private after it started, on the very next call', async () => {
        await temp.write('Ideas.md', `---\ntags: [private]\n---\nNow private ${CANARY}\n`);
        const read = await session.call('read_note', { path: 'Ideas.md' }, { guess: true });
        expect(read.isError).toBe(true);
        const listing = await session.call('list_notes', { recursive: true });
        expect(listing.text).not.toContain('Ideas.md');
        expect(session.texts.join('\n')).not.toContain(CANARY);
        await temp.write('Ideas.md', PUBLIC_NOTES['Ideas.md'] ?? '');
    });
});

describe('vault-agent mcp refuses to start without usable settings', () => {
    const temps: TempVault[] = [];
    afterEach(async () => {
        for (const temp of temps.splice(0)) await temp.cleanup();
    });

    beforeAll(() => ensureBuilt(), 60_000);

    function runCli(args: string[]): { code: number; stderr: string } {
        try {
            execFileSync(process.execPath, [CLI, ...args], { input: '', stdio: 'pipe', timeout: 20_000 });
            return { code: 0, stderr: '' };
        } catch (error) {
            const failure = error as { status: number; stderr: Buffer };
            return { code: failure.status, stderr: failure.stderr.toString() };
        }
    }

    it('says so on stderr and exits non-zero when the settings file is truncated', async () => {
        const temp = await makeTempVault({
            'Plan.md': 'x',
            '.obsidian/plugins/vault-agent/data.json': '{"privacy": {"excludedTags": ["priv',
        });
        temps.push(temp);
        const { code, stderr } = runCli(['mcp', '--vault', temp.root]);
        expect(code).not.toBe(0);
        expect(stderr).toContain('not valid JSON');
        expect(stderr).toContain('Not started');
    });

    it('refuses exclusions that are present but not a list, rather than serving with none', async () => {
        const temp = await makeTempVault({
            'Plan.md': 'x',
            ...settingsFile({ ...SETTINGS, privacy: { excludedTags: 'private', excludedFolders: [] } }),
        });
        temps.push(temp);
        const { code, stderr } = runCli(['mcp', '--vault', temp.root]);
        expect(code).not.toBe(0);
        expect(stderr).toContain('excluded tags');
    });

    it('refuses every call, saying why, while the settings break under it, and serves again once fixed', async () => {
        const temp = await makeTempVault({ 'Plan.md': '# Plan\nthe walrus plan\n', ...settingsFile(SETTINGS) });
        temps.push(temp);
        const session = await connect(temp.root);
        const file = '.obsidian/plugins/vault-agent/data.json';
        try {
            expect((await session.call('read_note', { path: 'Plan.md' })).text).toContain('the walrus plan');
            for (const [broken, why] of [
                ['null', 'holds no settings (null)'],
                ['{"version": 2, "privacy": ', 'is not valid JSON'],
                ['{"version": 2}', 'no exclusions (privacy) section'],
            ] as const) {
                await temp.write(file, broken);
                for (const [name, args] of [
                    ['read_note', { path: 'Plan.md' }],
                    ['search_notes', { query: 'walrus' }],
                    ['list_notes', {}],
                ] as const) {
                    const answer = await session.call(name, args);
                    // Not "no such note" or "0 notes": the client is told nothing is served, and why.
                    expect(answer.isError).toBe(true);
                    expect(answer.text).toContain("Nothing is served while Vault Agent's settings cannot be used.");
                    expect(answer.text).toContain(why);
                    expect(answer.text).not.toContain('walrus');
                }
            }
            await rm(nodePath.join(temp.root, file));
            expect((await session.call('list_notes', {})).text).toContain('There are no Vault Agent settings');
            // Said once per problem on stderr, not once per call.
            expect(session.stderr().match(/holds no settings \(null\)/gu)).toHaveLength(1);
            await temp.write(file, JSON.stringify(SETTINGS));
            const back = await session.call('read_note', { path: 'Plan.md' });
            expect(back.isError).toBe(false);
            expect(back.text).toContain('the walrus plan');
            expect(session.stderr()).toContain('the settings can be used again');
        } finally {
            await session.client.close();
        }
    });

    it('leaves out an image or a PDF too large to send or to read, by its size, before reading it', async () => {
        const temp = await makeTempVault({
            'Scans.md': 'See ![[Scan.png]] and ![[Book.pdf]].\n',
            ...settingsFile(SETTINGS),
        });
        temps.push(temp);
        // Sparse files: 3 GB and 150 MB on paper, nothing on disk. Read, they would fail as unreadable, not by size.
        for (const [name, size] of [
            ['Scan.png', 3 * 1024 ** 3],
            ['Book.pdf', 150 * 1024 ** 2],
        ] as const) {
            writeFileSync(nodePath.join(temp.root, name), '');
            truncateSync(nodePath.join(temp.root, name), size);
        }
        const session = await connect(temp.root);
        try {
            const image = await session.call('read_attachment', { path: 'Scan.png' });
            expect(image.isError).toBe(true);
            expect(image.text).toContain('Scan.png was left out: it is 3072.0 MB, over the 3.8 MB an image may be');
            const pdf = await session.call('read_attachment', { path: 'Book.pdf' });
            expect(pdf.isError).toBe(true);
            expect(pdf.text).toContain(
                'Book.pdf was left out: it is 150.0 MB, over the 100.0 MB a PDF may be to be read',
            );
        } finally {
            await session.client.close();
        }
    });

    it('names a missing vault folder', async () => {
        const { code, stderr } = runCli(['mcp', '--vault', nodePath.join(REPO, 'no-such-vault-folder')]);
        expect(code).not.toBe(0);
        expect(stderr).toContain('does not exist');
    });

    // Before settings failed closed, a vault without a settings file was served with the defaults unasked.
    it('refuses a vault with no settings file unless --default-settings is given', async () => {
        const temp = await makeTempVault({ 'Plan.md': '# Plan\n' });
        temps.push(temp);
        const { code, stderr } = runCli(['mcp', '--vault', temp.root]);
        expect(code).toBe(2);
        expect(stderr).toContain('Not started. There are no Vault Agent settings in this vault');
        expect(stderr).toContain('--default-settings');
    });

    it('serves with the default exclusions when the vault has no settings file and --default-settings', async () => {
        const temp = await makeTempVault({ 'Plan.md': '# Plan\n', 'Secret.md': `#private ${CANARY}\n` });
        temps.push(temp);
        const session = await connect(temp.root, ['--default-settings']);
        try {
            const listing = await session.call('list_notes', {});
            expect(listing.text).toContain('Plan.md');
            expect(listing.text).not.toContain('Secret');
            expect(session.stderr()).toContain('defaults apply');
        } finally {
            await session.client.close();
        }
        expect(await readdir(temp.root)).not.toContain('Agent');
    });

    it('serving with the defaults, still names the settings it found under another config folder', async () => {
        const temp = await makeTempVault({ 'Plan.md': '# Plan\n', ...settingsFile(SETTINGS) });
        temps.push(temp);
        const session = await connect(temp.root, ['--config-dir', '.obsidian-mobile', '--default-settings']);
        try {
            expect((await session.call('read_note', { path: 'Plan.md' })).text).toContain('# Plan');
            await expect.poll(() => session.stderr(), { timeout: 10_000 }).toContain('(use --config-dir .obsidian)');
            expect(session.stderr()).toContain('Vault Agent settings exist elsewhere');
        } finally {
            await session.client.close();
        }
    });
});
