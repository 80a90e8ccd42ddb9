import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CORE_FOLDERS = ['vault', 'context', 'agent', 'delegate', 'cli'];
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
});
