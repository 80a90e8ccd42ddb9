import { readFile } from 'node:fs/promises';

/**
 * Obsidian on iOS before 16.4 cannot parse a regex with lookbehind: a literal one stops the whole plugin file from
 * loading, and one built with `new RegExp` throws where it is built. A few bundled libraries use one. This rewrites
 * each, as the library is bundled into the plugin, into a lookbehind-free regex that finds the same matches, with the
 * use site adjusted where the match is read. Every rewrite is an exact text replacement that must apply exactly once:
 * the build fails if a library changed, so an upgrade cannot bring a lookbehind back unseen. At the end the built
 * plugin is searched for lookbehind text, and the build fails if any is left, wherever it came from.
 *
 * The opening of a lookbehind is spelled in parts in this file (`LB`), so the file itself never holds that text.
 */
const LB = ['(?', '<'].join('');
const LOOKBEHIND_TEXT = /\(\?<[=!]/u;

/**
 * @typedef {object} Rewrite
 * @property {string} library What is rewritten, for messages.
 * @property {RegExp} file The library files (ESM and CommonJS builds alike) that hold it.
 * @property {Array<[string, string]>} replacements Exact text and what it becomes, each found exactly once.
 */

/** @type {Rewrite[]} */
export const REWRITES = [
    {
        // A `{lo..hi}` range not preceded by `\` or `$` (escaped, or a `${...}` variable). The regex no longer looks
        // behind; the replacer leaves a range so preceded as it is, which is what the regex refusing it did. No match
        // can start inside `{lo..hi}` (it holds no `{`), so skipping one finds no other.
        library: 'minimatch (numeric brace ranges)',
        file: /[\\/]minimatch[\\/]dist[\\/](?:esm|commonjs)[\\/]index\.js$/,
        replacements: [
            [
                String.raw`const rangeRe = /${LB}![\\$])\{(-?\d+)\.\.(-?\d+)\}/g;`,
                String.raw`const rangeRe = /\{(-?\d+)\.\.(-?\d+)\}/g;`,
            ],
            [
                'const marked = pattern.replace(rangeRe, (m, lo, hi) => {',
                'const marked = pattern.replace(rangeRe, (m, lo, hi, at, whole) => {\n' +
                    "            if (at > 0 && (whole[at - 1] === '\\\\' || whole[at - 1] === '$')) return m;",
            ],
        ],
    },
    {
        // A `.`/`..` path segment (percent-encoded too) that starts the path or follows `/`. The regex now captures
        // the start or the `/` before the segment, and the loop reads the match as the old regex reported it: the
        // segment alone, at its own offset. The capture never overlaps the next match, which it ends before a `/`.
        library: '@anthropic-ai/sdk (path segments)',
        file: /[\\/]@anthropic-ai[\\/]sdk[\\/]internal[\\/]utils[\\/]path\.m?js$/,
        replacements: [
            [
                String.raw`const invalidSegmentPattern = /${LB}=^|\/)(?:\.|%2e){1,2}(?:;[^/]*)?(?=\/|$)/gi;`,
                String.raw`const invalidSegmentPattern = /(^|\/)((?:\.|%2e){1,2}(?:;[^/]*)?)(?=\/|$)/gi;`,
            ],
            [
                'while ((match = invalidSegmentPattern.exec(pathOnly)) !== null) {',
                'while ((match = invalidSegmentPattern.exec(pathOnly)) !== null) {\n' +
                    '        match = Object.assign([match[2]], { index: match.index + match[1].length });',
            ],
        ],
    },
    {
        // yaml already builds this one in a try/catch and falls back when the engine refuses it; only the text moves,
        // built at run time from parts the minifier does not fold together.
        library: 'yaml (block scalar ends)',
        file: /[\\/]yaml[\\/](?:browser[\\/])?dist[\\/]stringify[\\/]stringifyString\.js$/,
        replacements: [
            [
                String.raw`new RegExp('(^|${LB}!\n))\n+(?!\n|$)', 'g')`,
                String.raw`new RegExp(['(^|(?', '<!\n))\n+(?!\n|$)'].join(''), 'g')`,
            ],
        ],
    },
    {
        // Likewise in a try/catch with a fallback in yaml.
        library: 'yaml (flow scalar trimming)',
        file: /[\\/]yaml[\\/](?:browser[\\/])?dist[\\/]compose[\\/]resolve-flow-scalar\.js$/,
        replacements: [
            [String.raw`new RegExp('${LB}![ \t])[ \t]+$')`, String.raw`new RegExp(['(?', '<![ \t])[ \t]+$'].join(''))`],
            [
                String.raw`new RegExp('^[ \t]+|${LB}![ \t])[ \t]+$', 'g')`,
                String.raw`new RegExp(['^[ \t]+|(?', '<![ \t])[ \t]+$'].join(''), 'g')`,
            ],
        ],
    },
];

/** `source` with every replacement of `rewrite` applied; throws if one is not found exactly once, or lookbehind is left. */
export function applyRewrite(rewrite, source, file) {
    let text = source;
    for (const [from, to] of rewrite.replacements) {
        const count = text.split(from).length - 1;
        if (count !== 1) {
            throw new Error(
                `${file}: expected the text ${JSON.stringify(from)} of ${rewrite.library} exactly once, found it ` +
                    `${count} times; the library changed, so update scripts/lookbehind-free-libraries.mjs`,
            );
        }
        text = text.replace(from, () => to);
    }
    if (LOOKBEHIND_TEXT.test(text)) {
        throw new Error(`${file}: lookbehind left in ${rewrite.library} after rewriting; update the rewrite`);
    }
    return text;
}

/** The esbuild plugin: rewrites the libraries as they load, and refuses a plugin bundle with lookbehind text in it. */
export const lookbehindFreeLibraries = {
    name: 'lookbehind-free-libraries',
    setup(build) {
        for (const rewrite of REWRITES) {
            build.onLoad({ filter: rewrite.file }, async (args) => {
                const source = await readFile(args.path, 'utf8');
                return { contents: applyRewrite(rewrite, source, args.path), loader: 'js' };
            });
        }
        build.onEnd(async (result) => {
            if (result.errors.length > 0) return undefined;
            const outputs =
                result.outputFiles ??
                (build.initialOptions.outfile
                    ? [
                          {
                              path: build.initialOptions.outfile,
                              text: await readFile(build.initialOptions.outfile, 'utf8'),
                          },
                      ]
                    : []);
            for (const file of outputs) {
                if (file.path.endsWith('.map')) continue;
                const at = file.text.search(LOOKBEHIND_TEXT);
                if (at < 0) continue;
                const around = file.text.slice(Math.max(0, at - 80), at + 40);
                // Thrown, since an end callback fails the build only that way.
                throw new Error(
                    `${file.path} holds regex lookbehind, which iOS before 16.4 cannot load: …${around}…; ` +
                        'rewrite it (scripts/lookbehind-free-libraries.mjs)',
                );
            }
            return undefined;
        });
    },
};
