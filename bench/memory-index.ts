/**
 * Memory used by the note index: heap in use after `FsVault.open` on the generated vault minus before, each after a
 * forced full GC, in a fresh Node process (`--expose-gc`). What the index keeps per note (metadata, tags, links,
 * headings — not the text) is what Obsidian's own cache would hold on top, so it must stay small.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, type BenchResult, type BenchRow } from './bench-row';

const run = promisify(execFile);
const LIMIT_MB = 100;

/** The row; its target is for the 20,000-note vault (the CI vault is a tenth of that). */
export const memoryIndexRow: BenchRow = {
    name: 'index memory (heap after FsVault.open)',
    fullSizeOnly: true,
    async run({ repoRoot, vault, configDir, quick }): Promise<BenchResult> {
        const child = join(repoRoot, 'bench', 'memory-index-child.ts');
        const deltas: number[] = [];
        let files = 0;
        for (let i = 0; i < (quick ? 1 : 3); i++) {
            const { stdout } = await run(
                process.execPath,
                ['--expose-gc', '--import', 'tsx', child, vault.root, configDir],
                {
                    cwd: repoRoot,
                    maxBuffer: 1 << 20,
                },
            );
            const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
                before: number;
                after: number;
                files: number;
            };
            deltas.push(result.after - result.before);
            files = result.files;
        }
        const mb = median(deltas) / (1024 * 1024);
        return {
            value: mb,
            unit: 'MB',
            target: `≤ ${LIMIT_MB} MB at 20,000 notes`,
            pass: mb <= LIMIT_MB,
            note:
                `${files} files, ${vault.notes} notes: ${((mb * 1024) / vault.notes).toFixed(1)} KB per note; ` +
                `median of ${deltas.length} fresh processes, heap after forced GC`,
        };
    },
};
