/**
 * Second processes that change shared state files (`state-writer-child.ts`), bundled once per test file with esbuild
 * and run with plain `node`, as another `vault-agent` command would run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { build } from 'esbuild';

const REPO = nodePath.resolve(__dirname, '../..');
const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/** Bundles the child program into a temp folder; resolves to its path. */
export async function bundleStateWriter(): Promise<string> {
    const dir = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-state-writer-'));
    const outfile = nodePath.join(dir, 'state-writer.mjs');
    await build({
        absWorkingDir: REPO,
        entryPoints: ['tests/support/state-writer-child.ts'],
        bundle: true,
        outfile,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: NODE_BUILTINS,
        banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
        logLevel: 'silent',
    });
    return outfile;
}

/** A running writer and the lines it printed so far. */
export interface Writer {
    child: ChildProcess;
    /** Resolves once the writer printed `line`. */
    printed(line: string): Promise<void>;
    /** Resolves with the exit code (`null` when killed) once it ended. */
    ended: Promise<number | null>;
    /** What it wrote to stderr so far. */
    stderr(): string;
}

/** Starts the bundled writer with `args` (`<mode> <file> <count> <name> [staleMs]`). */
export function startWriter(bundle: string, args: string[]): Writer {
    const child = spawn(process.execPath, [bundle, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const waiting: { line: string; resolve: () => void }[] = [];
    child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        for (const wait of waiting.splice(0)) {
            if (out.split('\n').includes(wait.line)) wait.resolve();
            else waiting.push(wait);
        }
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const ended = new Promise<number | null>((resolve) => {
        child.on('error', () => resolve(-1));
        child.on('close', (code) => resolve(code));
    });
    return {
        child,
        ended,
        stderr: () => err,
        printed: (line) =>
            out.split('\n').includes(line)
                ? Promise.resolve()
                : new Promise<void>((resolve) => waiting.push({ line, resolve })),
    };
}

/** Runs `count` writers with the same `mode` on `file` at once, `rounds` each; resolves when all are done. */
export async function runWritersAtOnce(
    bundle: string,
    mode: string,
    file: string,
    count: number,
    rounds: number,
): Promise<void> {
    const writers = Array.from({ length: count }, (_, i) => startWriter(bundle, [mode, file, String(rounds), `w${i}`]));
    const codes = await Promise.all(writers.map((writer) => writer.ended));
    const failed = codes.findIndex((code) => code !== 0);
    if (failed >= 0)
        throw new Error(`writer ${failed} exited ${codes[failed]}: ${writers[failed]?.stderr().slice(-600)}`);
}
