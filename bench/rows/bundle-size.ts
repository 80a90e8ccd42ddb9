/** Size of the production plugin bundle, which every Obsidian start (mobile included) loads. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchRow } from '../bench-row';

const LIMIT_KB = 1024;

/** `main.js` code size after `npm run build` (production, minified), and the licence notices after it. */
export const bundleSizeRow: BenchRow = {
    name: 'main.js size',
    async run({ repoRoot }) {
        const file = await readFile(join(repoRoot, 'main.js')).catch(() => null);
        if (file === null) {
            return {
                value: Number.NaN,
                unit: 'KB',
                target: `≤ ${LIMIT_KB} KB`,
                pass: false,
                note: 'main.js missing: run `npm run build` first (`npm run bench` does).',
            };
        }
        // The code Obsidian parses on every start; the licence notices follow it as one comment (decision 0016).
        const at = file.indexOf('/*! Third-party notices');
        const code = (at < 0 ? file.length : at) / 1024;
        const notices = at < 0 ? 0 : (file.length - at) / 1024;
        return {
            value: code,
            unit: 'KB',
            target: `≤ ${LIMIT_KB} KB`,
            pass: code <= LIMIT_KB && at >= 0,
            note: `production build, minified; licence notices after the code: ${notices.toFixed(0)} KB (file ${(file.length / 1024).toFixed(0)} KB)`,
        };
    },
};
