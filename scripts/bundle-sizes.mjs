// What each package adds to the minified plugin bundle, from esbuild's metafile: `node scripts/bundle-sizes.mjs`
// prints one row per package (and one per `src/` room), largest first; `--detail <package>` lists that package's
// files instead; `--json` prints the rows as JSON. The code budget and what counts against it: decision 0016.
import esbuild from 'esbuild';
import process from 'node:process';
import { pluginBuild } from '../esbuild.config.mjs';

/** The package (`yaml`, `@scope/name`) or source room (`src/agent`) a metafile input belongs to. */
export function ownerOf(input) {
    const parts = input.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at >= 0) return parts.slice(at + 1, at + (parts[at + 1].startsWith('@') ? 3 : 2)).join('/');
    return parts.slice(0, 2).join('/');
}

/** Bytes of minified code in the plugin bundle per owner, and the bundle's total code bytes. */
export async function pluginBundleSizes({ detail } = {}) {
    const result = await esbuild.build({
        ...pluginBuild,
        minify: true,
        sourcemap: false,
        legalComments: 'none',
        write: false,
        logLevel: 'silent',
    });
    const [output] = Object.values(result.metafile.outputs);
    const sizes = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const owner = ownerOf(input);
        const key = detail === undefined ? owner : owner === detail ? input : null;
        if (key !== null) sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
    return { total: output.bytes, rows: [...sizes].sort((a, b) => b[1] - a[1]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const args = process.argv.slice(2);
    const detailAt = args.indexOf('--detail');
    const detail = detailAt >= 0 ? args[detailAt + 1] : undefined;
    const { total, rows } = await pluginBundleSizes({ detail });
    if (args.includes('--json')) {
        console.log(JSON.stringify({ total, rows }, null, 2));
    } else {
        for (const [name, bytes] of rows) console.log(`${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${name}`);
        console.log(`${(total / 1024).toFixed(1).padStart(8)} KiB  main.js code in all`);
    }
}
