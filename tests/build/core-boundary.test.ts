import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CORE_FOLDERS = ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose', 'cli'];

/** The rooms and what each may import (docs/ARCHITECTURE.md), restated so a change to the lint rule shows here. */
const ROOMS: Record<string, string[]> = {
    kernel: [],
    vault: ['kernel'],
    context: ['kernel', 'vault'],
    search: ['kernel', 'vault', 'context'],
    agent: ['kernel', 'vault', 'context', 'search'],
    delegate: ['kernel', 'vault', 'context', 'search', 'agent'],
    chat: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate'],
    review: ['kernel', 'vault', 'context', 'search', 'agent'],
    compose: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review'],
    cli: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose'],
    views: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose'],
    obsidian: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose', 'views'],
};
const BOUNDARY = '@typescript-eslint/no-restricted-imports';
const probes: string[] = [];

/** Writes a probe file into a core folder; lint runs type-aware, so the file must exist on disk while linted. */
function probe(folder: string, source: string): string {
    mkdirSync(join(ROOT, 'src', folder), { recursive: true });
    const file = join(ROOT, 'src', folder, `boundary-probe-${process.pid}-${probes.length}.ts`);
    writeFileSync(file, source);
    probes.push(file);
    return file;
}

afterAll(() => {
    for (const file of probes) rmSync(file, { force: true });
});

describe('the core boundary', () => {
    it('fails lint (and so npm test) when a core folder imports obsidian at runtime', async () => {
        const files = CORE_FOLDERS.map((folder) =>
            probe(folder, "import { Notice } from 'obsidian';\n\nexport const notice = Notice;\n"),
        );
        const results = await new ESLint({ cwd: ROOT }).lintFiles(files);
        for (const result of results) {
            const boundary = result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
            expect(boundary, result.filePath).toHaveLength(1);
            expect(boundary[0]?.severity).toBe(2);
        }
    }, 60_000);

    it('allows type-only imports of obsidian in the core', async () => {
        const file = probe('agent', "import type { App } from 'obsidian';\n\nexport type Host = App;\n");
        const [result] = await new ESLint({ cwd: ROOT }).lintFiles([file]);
        expect(result?.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')).toEqual([]);
    }, 60_000);

    it('fails lint when a room imports a room above it (or main.ts), and passes for the rooms below', async () => {
        const rooms = Object.keys(ROOMS);
        const targets = [...rooms, 'main'];
        // One probe per room, one side-effect import per line: line n + 1 imports targets[n].
        const files = rooms.map((room) =>
            probe(room, targets.map((target) => `import '../${target}/probe-x';\n`).join('')),
        );
        const results = await new ESLint({ cwd: ROOT }).lintFiles(files);
        for (const [index, room] of rooms.entries()) {
            const result = results.find((r) => r.filePath === files[index]);
            const flagged = new Set(
                (result?.messages ?? []).filter((m) => m.ruleId === BOUNDARY && m.severity === 2).map((m) => m.line),
            );
            const refused = targets.filter((_target, line) => flagged.has(line + 1));
            const expected = targets.filter((target) => target !== room && !(ROOMS[room] ?? []).includes(target));
            // A room's own folder is reached with './', never '../<room>/', so that line is flagged too.
            expect(
                refused.filter((target) => target !== room),
                room,
            ).toEqual(expected);
        }
    }, 120_000);

    it('keeps the kernel free of every other import, even of a folder that is not a room yet', async () => {
        const file = probe('kernel', "import '../somewhere-new/probe-x';\nimport './probe-y';\n");
        const [result] = await new ESLint({ cwd: ROOT }).lintFiles([file]);
        const lines = (result?.messages ?? []).filter((m) => m.ruleId === BOUNDARY).map((m) => m.line);
        expect(lines).toEqual([1]);
    }, 60_000);
});
