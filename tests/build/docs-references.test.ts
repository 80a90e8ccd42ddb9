/**
 * The project's documents stay true to the tree: every `docs/….md` path cited in the code, the tests, the README and
 * the docs exists; no comment or title cites a RELIABILITY or DESIGN file outside `docs/`; and every test that
 * `docs/RELIABILITY.md` names as proof exists, by file and by name.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every file under `dir` whose name ends with one of `exts`. */
function filesUnder(dir: string, exts: string[]): string[] {
    const found: string[] = [];
    for (const entry of readdirSync(join(ROOT, dir))) {
        const path = join(dir, entry);
        if (statSync(join(ROOT, path)).isDirectory()) found.push(...filesUnder(path, exts));
        else if (exts.some((ext) => entry.endsWith(ext))) found.push(path);
    }
    return found;
}

const SOURCES = [
    ...filesUnder('src', ['.ts']),
    ...filesUnder('tests', ['.ts', '.mjs']),
    ...filesUnder('docs', ['.md']),
    'README.md',
    'eslint.config.mjs',
    'esbuild.config.mjs',
];

/** A test named in docs/RELIABILITY.md: `tests/….test.ts` “name”. */
const PROOF = /`(tests\/[^`]+\.test\.ts)` “([^”]+)”/g;

/** Whether `source` holds `name` as a whole string literal (a test or describe title), in any quotes. */
function quoted(source: string, name: string): boolean {
    return ["'", '"', '`'].some((q) => source.includes(`${q}${name}${q}`));
}

describe('document references', () => {
    it('every docs/….md path cited anywhere exists', () => {
        const missing: string[] = [];
        for (const file of SOURCES) {
            for (const match of readFileSync(join(ROOT, file), 'utf8').matchAll(/docs\/[A-Za-z0-9_./-]+\.md/g)) {
                if (!existsSync(join(ROOT, match[0]))) missing.push(`${file}: ${match[0]}`);
            }
        }
        expect(missing).toEqual([]);
    });

    it('no reference to RELIABILITY or DESIGN names a file outside docs/', () => {
        const stray: string[] = [];
        for (const file of SOURCES.filter(
            (f) => !f.startsWith('docs/') && f !== relative(ROOT, fileURLToPath(import.meta.url)),
        )) {
            const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
            lines.forEach((line, index) => {
                const bare = line.replace(/docs\/(RELIABILITY|DESIGN|ARCHITECTURE)\.md/g, '');
                if (/\b(RELIABILITY|DESIGN)(\.md|,| rows?\b|:)/.test(bare))
                    stray.push(`${file}:${index + 1}: ${line.trim()}`);
            });
        }
        expect(stray).toEqual([]);
    });

    it('every test docs/RELIABILITY.md names as proof exists under that name', () => {
        const text = readFileSync(join(ROOT, 'docs/RELIABILITY.md'), 'utf8');
        const proofs = [...text.matchAll(PROOF)];
        expect(proofs.length).toBeGreaterThan(60);
        const missing: string[] = [];
        for (const [, file, name] of proofs) {
            const path = join(ROOT, file ?? '');
            if (!existsSync(path)) missing.push(`no file ${file}`);
            else if (!quoted(readFileSync(path, 'utf8'), name ?? '')) missing.push(`${file}: no test “${name}”`);
        }
        expect(missing).toEqual([]);
    });

    it('every numbered row of docs/RELIABILITY.md names at least one test', () => {
        const text = readFileSync(join(ROOT, 'docs/RELIABILITY.md'), 'utf8');
        const rows = [...text.matchAll(/^\| *(\d+) *\|/gm)].map((m) => Number(m[1]));
        expect(rows.length).toBeGreaterThanOrEqual(30);
        for (const row of rows) {
            const line = text.split('\n').find((l) => new RegExp(`^\\| *${row} *\\|`).test(l));
            expect(line, `row ${row}`).toBeDefined();
            expect([...(line ?? '').matchAll(PROOF)].length, `proofs of row ${row}`).toBeGreaterThan(0);
        }
    });
});
