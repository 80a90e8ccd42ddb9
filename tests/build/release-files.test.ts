/**
 * What ships with a release, checked on the production build (`node esbuild.config.mjs production`, what
 * `npm run build` runs): the project's MIT licence, the licence notices of every bundled package inside `main.js`
 * and `dist/cli.js`, `main.js` under 1 MB, and that running the browser suite leaves the README's images alone.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshotFolder } from '../browser/harness/screenshots';
import { pluginBundleSizes } from '../../scripts/bundle-sizes.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; version: string };
const installed = (name: string): string =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** The runtime dependencies both bundles use (a change of dependencies may add to this list, never remove silently). */
const BUNDLED = ['@anthropic-ai/sdk', '@modelcontextprotocol/sdk', 'diff', 'minimatch', 'yaml'];

beforeAll(() => {
    execFileSync(process.execPath, ['esbuild.config.mjs', 'production'], { cwd: ROOT, stdio: 'pipe' });
}, 120_000);

describe('the licence', () => {
    it('LICENSE is the MIT licence of the Vault Agent contributors, as package.json says', () => {
        const licence = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
        expect(pkg.license).toBe('MIT');
        expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} Vault Agent contributors\n/);
        expect(licence).toContain('The above copyright notice and this permission notice shall be included');
    });

    for (const bundle of ['main.js', 'dist/cli.js']) {
        it(`${bundle} carries the licence notice of each bundled package, with its version and licence text`, () => {
            const text = readFileSync(join(ROOT, bundle), 'utf8');
            const notices = text.slice(text.lastIndexOf('/*! Third-party notices'));
            expect(notices.startsWith('/*! Third-party notices')).toBe(true);
            expect(notices.trimEnd().endsWith('*/')).toBe(true);
            // One comment: nothing inside closes it early.
            expect(notices.indexOf('*/')).toBe(notices.trimEnd().length - 2);
            for (const name of BUNDLED) expect(notices).toContain(`${name} ${installed(name)} (`);
            expect(notices).toContain('Permission is hereby granted, free of charge');
            expect(notices).toContain('Apache License');
            expect(notices).toContain('Blue Oak Model License');
        });
    }

    it('main.js keeps its code under 1 MB, with the notices after it (decision 0016)', () => {
        // 1 MB as the bench's size row counts it (1,024 KB of 1,024 bytes): the code an Obsidian start parses. The
        // licence notices are one comment after it, required by the licences, and held to 40 KB of their own.
        const text = readFileSync(join(ROOT, 'main.js'));
        const at = text.indexOf('/*! Third-party notices');
        expect(at).toBeGreaterThan(0);
        expect(at).toBeLessThanOrEqual(1024 * 1024);
        expect(text.length - at).toBeLessThanOrEqual(40 * 1024);
    });

    it('main.js runs regexes in a stoppable worker, not on RE2 (decision 0023)', async () => {
        const { rows } = await pluginBundleSizes();
        const owners = new Map(rows);
        expect(owners.has('re2js')).toBe(false);
        expect(owners.get('src/obsidian') ?? 0).toBeGreaterThan(0);
        // The CLI keeps RE2: a process serving other calls runs patterns in linear time on its own thread.
        expect(readFileSync(join(ROOT, 'dist/cli.js'), 'utf8')).toContain('error parsing regexp');
        expect(readFileSync(join(ROOT, 'main.js'), 'utf8')).not.toContain('error parsing regexp');
    }, 60_000);

    it('dist/cli.js can be run directly, as npm links it', () => {
        expect(readFileSync(join(ROOT, 'dist/cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
        expect(statSync(join(ROOT, 'dist/cli.js')).mode & 0o111).toBe(0o111);
    });
});

describe('the version', () => {
    it('is written in package.json; manifest.json and versions.json, which Obsidian reads, say the same', () => {
        const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8')) as {
            version: string;
            minAppVersion: string;
        };
        const versions = JSON.parse(readFileSync(join(ROOT, 'versions.json'), 'utf8')) as Record<string, string>;
        expect(manifest.version).toBe(pkg.version);
        expect(versions[pkg.version]).toBe(manifest.minAppVersion);
    });

    it('is injected into both bundles from package.json, not written in the source', () => {
        for (const bundle of ['main.js', 'dist/cli.js']) {
            const text = readFileSync(join(ROOT, bundle), 'utf8');
            expect(text).not.toContain('__VAULT_AGENT_VERSION__');
            expect(text).toContain(`"${pkg.version}"`);
        }
        expect(execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--version'], { encoding: 'utf8' })).toBe(
            `vault-agent ${pkg.version}\n`,
        );
    });
});

describe('screenshots', () => {
    it('a test run writes them to a folder git ignores; only npm run screenshots writes docs/images', () => {
        const folder = relative(ROOT, screenshotFolder({}));
        expect(folder.startsWith('docs')).toBe(false);
        const ignored = execFileSync('git', ['check-ignore', `${folder}/chat.png`], { cwd: ROOT, encoding: 'utf8' });
        expect(ignored.trim()).toBe(`${folder}/chat.png`);
        expect(relative(ROOT, screenshotFolder({ VAULT_AGENT_SCREENSHOTS: 'readme' }))).toBe(join('docs', 'images'));
        const scripts = (
            JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
        ).scripts;
        expect(scripts.screenshots).toBe('node scripts/screenshots.mjs');
        expect(readFileSync(join(ROOT, 'scripts/screenshots.mjs'), 'utf8')).toContain(
            "VAULT_AGENT_SCREENSHOTS: 'readme'",
        );
        expect(scripts['format:check']).toBe('prettier --check .');
    });
});
