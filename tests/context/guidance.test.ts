import { afterEach, describe, expect, it } from 'vitest';
import { ContextBuilder } from '../../src/context/build-context';
import { ExclusionGate } from '../../src/context/exclusions';
import { ensureInstructionNote, guidanceInEffect, INSTRUCTION_NOTE_STARTER } from '../../src/context/guidance';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const opened: TempVault[] = [];
afterEach(async () => {
    await Promise.all(opened.splice(0).map((temp) => temp.cleanup()));
});

async function vaultWith(files: Record<string, string>): Promise<TempVault> {
    const temp = await makeTempVault(files);
    opened.push(temp);
    return temp;
}

describe('the instruction note command', () => {
    it('creates AGENTS.md with a starter text when the vault has no instruction note', async () => {
        const temp = await vaultWith({});
        expect(await ensureInstructionNote(temp.vault)).toEqual({ path: 'AGENTS.md', created: true });
        expect(temp.readRaw('AGENTS.md').toString('utf8')).toBe(INSTRUCTION_NOTE_STARTER);
    });

    it('opens an existing AGENTS.md or CLAUDE.md and never overwrites it', async () => {
        const temp = await vaultWith({ 'CLAUDE.md': 'Mine.\n' });
        expect(await ensureInstructionNote(temp.vault)).toEqual({ path: 'CLAUDE.md', created: false });
        expect(temp.readRaw('CLAUDE.md').toString('utf8')).toBe('Mine.\n');
        expect(temp.exists('AGENTS.md')).toBe(false);
    });

    it('uses the note chosen in settings, creating it only when missing', async () => {
        const temp = await vaultWith({ 'AGENTS.md': 'Root.\n' });
        expect(await ensureInstructionNote(temp.vault, 'Meta/Agent guide')).toEqual({
            path: 'Meta/Agent guide.md',
            created: true,
        });
        expect(await ensureInstructionNote(temp.vault, 'Meta/Agent guide')).toEqual({
            path: 'Meta/Agent guide.md',
            created: false,
        });
        expect(temp.readRaw('AGENTS.md').toString('utf8')).toBe('Root.\n');
    });
});

describe('what guided a turn', () => {
    it('names the instruction notes used, the ones left out and why, and the skills loaded', async () => {
        const temp = await vaultWith({
            'AGENTS.md': 'Write in British English.\n',
            'Meetings/AGENTS.md': '---\ntags: [private]\n---\nSecret rules.\n',
            'Meetings/Acme.md': '# Acme\n',
        });
        const gate = new ExclusionGate({
            vault: temp.vault,
            privacy: { excludedTags: ['private'], excludedFolders: [] },
        });
        const bundle = await new ContextBuilder({ vault: temp.vault, gate }).build({
            message: 'Brief me on @[[Acme]]',
        });
        const report = guidanceInEffect({
            items: bundle.items,
            jobSkills: ['weekly-digest'],
            toolCalls: [
                { name: 'use_skill', input: { name: 'meeting-brief' }, result: { isError: undefined } },
                { name: 'use_skill', input: { name: 'meeting-brief', file: 'template.md' }, result: {} },
                { name: 'use_skill', input: { name: 'missing' }, result: { isError: true } },
                { name: 'read_note', input: { path: 'Meetings/Acme.md' }, result: {} },
            ],
        });
        expect(report.instructions).toEqual([
            { path: 'AGENTS.md', label: 'vault instructions', used: true },
            { path: 'Meetings/AGENTS.md', label: 'instructions for Meetings/', used: false, reason: 'tagged #private' },
        ]);
        expect(report.skills).toEqual([
            { name: 'weekly-digest', how: 'job', files: [] },
            { name: 'meeting-brief', how: 'model', files: ['template.md'] },
        ]);
    });
});
