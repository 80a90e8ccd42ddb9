/** Warm re-scan: `vault.scan()` on an already indexed vault where nothing changed (the cost of noticing no change). */
import { median, type BenchRow } from '../bench-row';

const LIMIT_MS = 250;

/** Walks and stats every file; re-parses only what changed (here: nothing). */
export const warmRescanRow: BenchRow = {
    name: 'warm re-scan (vault.scan)',
    async run(context) {
        const vault = await context.openVault();
        const times: number[] = [];
        let parsed = 0;
        const cpuTimes: number[] = [];
        for (let i = 0; i < 5; i++) {
            const cpuBefore = process.cpuUsage();
            const stats = await vault.scan();
            const cpu = process.cpuUsage(cpuBefore);
            times.push(stats.ms);
            cpuTimes.push((cpu.user + cpu.system) / 1000);
            parsed += stats.parsed;
        }
        const ms = median(times);
        return {
            value: ms,
            unit: 'ms',
            target: `≤ ${LIMIT_MS} ms`,
            pass: ms <= LIMIT_MS && parsed === 0,
            note:
                `median of ${times.length}; ${parsed} notes re-parsed (expected 0); ` +
                `CPU time ${Math.round(median(cpuTimes))} ms (all threads)`,
        };
    },
};
