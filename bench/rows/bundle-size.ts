/** Size of the production plugin bundle, which every Obsidian start (mobile included) loads. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchRow } from '../bench-row';

const LIMIT_KB = 1024;

/** `main.js` size after `npm run build` (production, minified). */
export const bundleSizeRow: BenchRow = {
    name: 'main.js size',
    async run({ repoRoot }) {
        const file = await stat(join(repoRoot, 'main.js')).catch(() => null);
        if (file === null) {
            return {
                value: Number.NaN,
                unit: 'KB',
                target: `≤ ${LIMIT_KB} KB`,
                pass: false,
                note: 'main.js missing: run `npm run build` first (`npm run bench` does).',
            };
        }
        const kb = file.size / 1024;
        return {
            value: kb,
            unit: 'KB',
            target: `≤ ${LIMIT_KB} KB`,
            pass: kb <= LIMIT_KB,
            note: 'production build, minified',
        };
    },
};
