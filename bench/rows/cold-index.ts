/** Cold index: `FsVault.open` on the whole vault in a fresh process, the median of a few runs. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { median, type BenchRow } from '../bench-row';

const run = promisify(execFile);
const LIMIT_MS = 2000;

/** Builds the whole note index from disk; page cache warm (the generator or an earlier run just touched the files). */
export const coldIndexRow: BenchRow = {
    name: 'cold index (FsVault.open)',
    async run({ repoRoot, vault, configDir, quick }) {
        const child = join(repoRoot, 'bench', 'cold-index-child.ts');
        const times: number[] = [];
        const cpuTimes: number[] = [];
        let files = 0;
        for (let i = 0; i < (quick ? 3 : 5); i++) {
            const { stdout } = await run(process.execPath, ['--import', 'tsx', child, vault.root, configDir], {
                cwd: repoRoot,
                maxBuffer: 1 << 20,
            });
            const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
                ms: number;
                cpuMs: number;
                files: number;
            };
            times.push(result.ms);
            cpuTimes.push(result.cpuMs);
            files = result.files;
        }
        const ms = median(times);
        return {
            value: ms,
            unit: 'ms',
            target: `≤ ${LIMIT_MS} ms`,
            pass: ms <= LIMIT_MS,
            note:
                `${files} files, ${vault.notes} notes; median of ${times.length} fresh processes; OS page cache warm; ` +
                `CPU time ${Math.round(median(cpuTimes))} ms (all threads)`,
        };
    },
};
