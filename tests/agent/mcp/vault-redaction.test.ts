/**
 * docs/RELIABILITY.md rows 12, 13 and 15: an MCP server that can read the vault by itself (a "filesystem-like" server
 * pointed at it, or one the person marked) returns a private note; a result holding its text is withheld whole
 * (frontmatter included), one only naming it has the names removed, every result records the notes it carries so the
 * history can drop it once one of them turns private, and the person is warned on connect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED_NAME, VaultRedactor, WITHHELD_RESULT } from '../../../src/agent/mcp/vault-redactor';
import { ExclusionGate } from '../../../src/context/exclusions';
import { makePng, makeRawPdf } from '../../support/attachment-fixtures';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import {
    consentToAll,
    makeHubHarness,
    misbehavingServer,
    RecordingToolCallGate,
    type HubHarness,
} from './mcp-fixtures';

const CANARY = `CANARY-${Math.random().toString(36).slice(2)}-REDACT`;

const FILES = {
    'Health.md': `---\ntags: [private]\n---\n# Health\nThe diagnosis came back: ${CANARY} and more.\nShort line\n`,
    'Journal/Monday.md': `A day in the excluded journal folder, ${CANARY}.\n`,
    'Public.md': '# Public\nA perfectly ordinary public line of text.\nSee [[Health]] for nothing.\n',
};

let harness: HubHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

describe('results of servers that can read the vault', () => {
    it('detects a server whose arguments point into the vault, warns, and redacts excluded notes', async () => {
        // One harness holds the vault; the hub of the other is pointed at that vault's folder.
        const withVault = await makeHubHarness([], { files: FILES });
        harness = await makeHubHarness([misbehavingServer(['--root', withVault.temp.root])], {
            files: {},
            hub: { vault: withVault.temp.vault, vaultRoot: withVault.temp.root, gate: gateOf(withVault) },
        });
        try {
            await consentToAll(harness.hub);
            const [status] = await harness.hub.connectAll();
            expect(status?.readsVault).toBe(true);
            expect(harness.notices.messages.join('\n')).toContain('can read your vault by itself');

            const tools = harness.toolsByName({ surface: 'chat', gate: new RecordingToolCallGate() });
            const privateNote = await harness.run(tools, 'mcp__shady__read_file', { path: 'Health.md' });
            const journal = await harness.run(tools, 'mcp__shady__read_file', { path: 'Journal/Monday.md' });
            const publicNote = await harness.run(tools, 'mcp__shady__read_file', { path: 'Public.md' });
            expect(privateNote.content).toBe(WITHHELD_RESULT);
            expect(privateNote.sources).toBeUndefined();
            expect(journal.content).toBe(WITHHELD_RESULT);
            expect(publicNote.content).toContain('A perfectly ordinary public line of text.');
            // Its link names the excluded note: the name goes too, and the person is told.
            expect(publicNote.content).not.toContain('[[Health]]');
            expect(publicNote.content).toContain('removed from this result');
            // The result carries Public.md: once that note is private, the history drops it (row 13).
            expect(publicNote.sources).toEqual(['Public.md']);
        } finally {
            await withVault.cleanup();
        }
    }, 30_000);

    it('redacts for a server the person marked, and follows a note that became private meanwhile', async () => {
        const withVault = await makeHubHarness([], { files: FILES });
        harness = await makeHubHarness([misbehavingServer(['--root', withVault.temp.root], { readsVault: true })], {
            hub: { vault: withVault.temp.vault, gate: gateOf(withVault), vaultRoot: undefined },
        });
        try {
            await consentToAll(harness.hub);
            await harness.hub.connectAll();
            const tools = harness.toolsByName({ surface: 'chat', gate: new RecordingToolCallGate() });
            const before = await harness.run(tools, 'mcp__shady__read_file', { path: 'Public.md' });
            expect(before.content).toContain('A perfectly ordinary public line of text.');

            await withVault.temp.write('Public.md', '#private\nA perfectly ordinary public line of text.\n');
            await withVault.temp.vault.scan();
            const after = await harness.run(tools, 'mcp__shady__read_file', { path: 'Public.md' });
            expect(after.content).not.toContain('A perfectly ordinary public line of text.');
        } finally {
            await withVault.cleanup();
        }
    }, 30_000);

    it('refuses to start a vault-reading server where its results cannot be scanned', async () => {
        harness = await makeHubHarness([misbehavingServer([], { readsVault: true })], {
            hub: { vault: undefined, gate: undefined },
        });
        await consentToAll(harness.hub);
        const [status] = await harness.hub.connectAll();
        expect(status?.state).toBe('failed');
        expect(status?.message).toContain('cannot be scanned');
    });

    it('catches lines of an excluded note inside a JSON string, and leaves unrelated text byte for byte', async () => {
        const temp = await makeTempVault(FILES);
        try {
            const gate = new ExclusionGate({
                vault: temp.vault,
                privacy: { excludedTags: ['private'], excludedFolders: [] },
            });
            const redactor = new VaultRedactor({ vault: temp.vault, gate });
            const json = JSON.stringify({ content: `# Health\nThe diagnosis came back: ${CANARY} and more.\nok` });
            const redacted = await redactor.redact(json);
            expect(redacted.text).not.toContain(CANARY);
            const plain = 'Nothing private here,\r\nonly ordinary words.\n';
            expect((await redactor.redact(plain)).text).toBe(plain);
            redactor.dispose();
        } finally {
            await temp.cleanup();
        }
    });
    it('withholds a whole private file, its frontmatter alias and tags included', async () => {
        await withRedactor(async (redactor) => {
            const file = FILES_WITH_ALIAS['Notes/Quokka.md'];
            for (const text of [file, JSON.stringify({ content: file })]) {
                const report = await redactor.redact(text);
                expect(report).toEqual({ text: WITHHELD_RESULT, replaced: 0, withheld: true, sources: [] });
            }
            // Only its frontmatter and title, as a server that returns the head of a file would.
            const head = await redactor.redact(`---\naliases: [Bilby]\ntags:\n  - private\n---\n# Quokka\n`);
            expect(head.text).not.toContain('Bilby');
            expect(head.text).not.toContain('Quokka');
        });
    });

    it('removes the aliases of excluded notes from a result that only names them, and keeps the rest', async () => {
        await withRedactor(async (redactor) => {
            const report = await redactor.redact('Notes/Quokka.md\nBilby.md\nPublic.md\nSee [[Bilby]] soon.');
            expect(report.withheld).toBe(false);
            expect(report.text).not.toMatch(/quokka|bilby/i);
            expect(report.text).toBe(
                `${REDACTED_NAME}\n${REDACTED_NAME}.md\nPublic.md\nSee [[${REDACTED_NAME}]] soon.`,
            );
            expect(report.sources).toEqual(['Public.md']);
        });
    });

    it('withholds a short private note that has no distinctive line when a result holds it whole', async () => {
        await withRedactor(async (redactor) => {
            const pin = FILES_WITH_ALIAS['Pin.md'];
            expect((await redactor.redact(JSON.stringify({ text: pin }))).withheld).toBe(true);
            expect((await redactor.redact(`file: Pin.md\n${pin}`)).withheld).toBe(true);
            // Its short lines alone are everyday text.
            expect((await redactor.redact('PIN 4711 is not a secret here')).withheld).toBe(false);
        });
    });

    it('records which notes a result carries, by a line of their text or by their name', async () => {
        await withRedactor(async (redactor) => {
            const line = await redactor.redact('> A perfectly ordinary public line of text.');
            expect(line.sources).toEqual(['Public.md']);
            const named = await redactor.redact('- projects/alpha.md (1 KB)\n- unrelated.txt');
            expect(named.sources).toEqual(['Projects/Alpha.md']);
            expect((await redactor.redact('Nothing from the vault at all.')).sources).toEqual([]);
        });
    });

    it('withholds the same text once the note it came from is private (judged with the gate of now)', async () => {
        await withRedactor(async (redactor, temp) => {
            const text = 'Alpha: the first step of a long public plan.';
            expect((await redactor.redact(text)).text).toBe(text);
            await temp.write('Projects/Alpha.md', `---\ntags: [private]\n---\n${text}\n`);
            await temp.vault.scan();
            expect((await redactor.redact(text)).withheld).toBe(true);
        });
    });

    // Issue 18: a file server returns a PDF or an image as its bytes read as text, which the note traces never knew.
    it('withholds a result holding an excluded PDF’s or image’s bytes, and removes excluded files’ names', async () => {
        const pdf = makeRawPdf([`${CANARY} in a scanned letter.`]);
        const png = makePng(8, 8, [1, 2, 3], `${CANARY} in an image only a private note embeds`);
        const temp = await makeTempVault({
            'Journal/letter.pdf': pdf,
            'Media/scan.png': png,
            'Diary.md': '---\ntags: [private]\n---\n![[scan.png]]\n',
            'Public.md': '[[open.png]]\n',
            'Media/open.png': makePng(8, 8),
        });
        const gate = new ExclusionGate({
            vault: temp.vault,
            privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
        });
        const redactor = new VaultRedactor({ vault: temp.vault, gate });
        try {
            // As the fixture server (and Node's `readFileSync(path, 'utf8')`) returns them.
            for (const bytes of [pdf, png]) {
                const report = await redactor.redact(Buffer.from(bytes).toString('utf8'));
                expect(report.withheld).toBe(true);
            }
            const listing = await redactor.redact('Journal/letter.pdf\nMedia/scan.png\nMedia/open.png');
            expect(listing.text).toBe(`${REDACTED_NAME}\n${REDACTED_NAME}\nMedia/open.png`);
        } finally {
            redactor.dispose();
            await temp.cleanup();
        }
    });

    it('withholds any binary result while an excluded file cannot be read to be recognised', async () => {
        const temp = await makeTempVault({ 'Journal/scan.png': makePng(8, 8, [1, 2, 3], CANARY) });
        // A vault that cannot read files as bytes, as a file too large to read stands for.
        const vault = Object.assign(Object.create(temp.vault) as typeof temp.vault, { readBinary: undefined });
        const gate = new ExclusionGate({ vault, privacy: { excludedTags: [], excludedFolders: ['Journal/'] } });
        const redactor = new VaultRedactor({ vault, gate });
        try {
            const png = Buffer.from(temp.readRaw('Journal/scan.png')).toString('utf8');
            expect((await redactor.redact(png)).withheld).toBe(true);
            expect((await redactor.redact('Plain words, nothing binary.')).withheld).toBe(false);
        } finally {
            redactor.dispose();
            await temp.cleanup();
        }
    });
});

function gateOf(withVault: HubHarness): ExclusionGate {
    return new ExclusionGate({
        vault: withVault.temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    });
}

const FILES_WITH_ALIAS = {
    'Notes/Quokka.md': `---\naliases: [Bilby]\ntags:\n  - private\n---\n# Quokka\n\n${CANARY} list form ^b1\n`,
    'Pin.md': '---\ntags: [private]\n---\nPIN 4711\n',
    'Public.md': '# Public\nA perfectly ordinary public line of text.\n',
    'Projects/Alpha.md': 'Alpha: the first step of a long public plan.\n',
};

async function withRedactor(body: (redactor: VaultRedactor, temp: TempVault) => Promise<void>): Promise<void> {
    const temp = await makeTempVault(FILES_WITH_ALIAS);
    const gate = new ExclusionGate({ vault: temp.vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
    const redactor = new VaultRedactor({ vault: temp.vault, gate });
    try {
        await body(redactor, temp);
    } finally {
        redactor.dispose();
        await temp.cleanup();
    }
}
