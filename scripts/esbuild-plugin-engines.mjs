// The esbuild plugin that gives the Obsidian plugin its own regex engines (decision 0023): the CLI's RE2 modules are
// resolved to the plugin's, which run JavaScript's own engine in a worker that is stopped at a deadline.
//   src/agent/tools/regex-engine.ts  → src/obsidian/regex-worker-engine.ts   (search_notes)
//   src/context/filter-regex.ts      → src/obsidian/filter-regex-native.ts   (Obsidian's Excluded files)
// and the parser's reading of the tags Obsidian shows, which Obsidian's own metadata cache gives the plugin:
//   src/vault/shown-reading.ts       → src/obsidian/shown-reading-lean.ts    (decision 0016)
// Used by the plugin build in esbuild.config.mjs and by the browser harness; the command-line bundle keeps RE2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each swapped module (path from the repository root, without `.ts`) and the plugin's own in its place. */
export const PLUGIN_ENGINES = {
    'src/agent/tools/regex-engine': 'src/obsidian/regex-worker-engine.ts',
    'src/context/filter-regex': 'src/obsidian/filter-regex-native.ts',
    'src/vault/shown-reading': 'src/obsidian/shown-reading-lean.ts',
};

export const pluginEngines = {
    name: 'plugin-engines',
    setup(build) {
        build.onResolve({ filter: /\/(regex-engine|filter-regex|shown-reading)$/ }, (args) => {
            const target = path.relative(ROOT, path.resolve(args.resolveDir, args.path)).split(path.sep).join('/');
            const swap = PLUGIN_ENGINES[target];
            return swap === undefined ? undefined : { path: path.join(ROOT, swap) };
        });
    },
};
