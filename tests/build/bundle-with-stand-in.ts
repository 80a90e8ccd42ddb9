/**
 * Bundles a module with one of the plugin build's build-time stand-ins (decision 0016), as the plugin build does, and
 * loads the bundle: the build tests then run the real library through the stand-in and list what esbuild read, to
 * show what was left out. CommonJS on Node's platform, so the bundle can be required from a temp folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import { startMessagesApiServer, type MessagesApiServer } from '../support/messages-api-server';

const ROOT = join(import.meta.dirname, '..', '..');

/** What a bundle built with a stand-in gives a test. */
export interface BundledWithStandIn<T> {
    /** The bundle's exports. */
    module: T;
    /** Every input esbuild read, as the metafile names them (`node_modules/…`, `scripts/…`). */
    inputs: string[];
}

/** Bundles `contents` (ES module source resolved from the repository) with `plugin` into `dir`, then loads it. */
export async function bundleWithStandIn<T>(
    contents: string,
    plugin: esbuild.Plugin,
    dir: string,
): Promise<BundledWithStandIn<T>> {
    const built = await esbuild.build({
        stdin: { contents, resolveDir: ROOT, loader: 'js' },
        bundle: true,
        format: 'cjs',
        platform: 'node',
        write: false,
        metafile: true,
        plugins: [plugin],
        logLevel: 'silent',
    });
    const file = join(dir, `bundle-${plugin.name}.cjs`);
    writeFileSync(file, built.outputFiles[0]?.text ?? '');
    return { module: createRequire(import.meta.url)(file) as T, inputs: Object.keys(built.metafile.inputs) };
}

/** The real Anthropic SDK bundled with a stand-in, and the local Messages API to call it against (see `sdkSuite`). */
export interface SdkSuite<C> {
    server: MessagesApiServer;
    /** A temp folder for the bundle and whatever else the suite writes. */
    dir: string;
    /** Every input esbuild read. */
    inputs: string[];
    /** The SDK's client class from the bundle. */
    Anthropic: C;
}

/**
 * Bundles the SDK with `plugin` and starts the local Messages API before the suite's tests, and stops it and removes
 * the folder after them. The fields are set once `beforeAll` has run.
 */
export function sdkSuite<C>(plugin: esbuild.Plugin): SdkSuite<C> {
    const suite = {} as SdkSuite<C>;
    beforeAll(async () => {
        suite.server = await startMessagesApiServer();
        suite.dir = mkdtempSync(join(tmpdir(), `va-${plugin.name}-`));
        const built = await bundleWithStandIn<{ default: C }>(
            "export { default } from '@anthropic-ai/sdk';",
            plugin,
            suite.dir,
        );
        suite.Anthropic = built.module.default;
        suite.inputs = built.inputs;
    });
    afterAll(async () => {
        await suite.server.close();
        rmSync(suite.dir, { recursive: true, force: true });
    });
    return suite;
}
