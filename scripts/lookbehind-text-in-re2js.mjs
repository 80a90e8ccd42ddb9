import { readFile } from 'node:fs/promises';

/**
 * RE2JS (the linear-time regex engine of `search_notes`) spells its optional lookbehind syntax as plain strings: the
 * parser looks for the text "(?<" followed by "=" or "!", and a pattern prints itself back the same way. They are
 * strings, never JavaScript regexes, so they load on every iOS; but the bundle must contain no lookbehind text at
 * all, so the check that guards against real lookbehind stays a plain text search. The strings are rebuilt at run
 * time from parts the minifier cannot fold together. The build fails if the library changed and any such text
 * remains.
 */
export const lookbehindTextInRe2js = {
    name: 'lookbehind-text-in-re2js',
    setup(build) {
        build.onLoad({ filter: /[\\/]re2js[\\/]build[\\/]index\.c?js$/ }, async (args) => {
            const source = await readFile(args.path, 'utf8');
            const open = ['(?', '<'].join('');
            const rewritten = source
                .replaceAll(`"${open}=`, '__va_lookbehindOpen + "=')
                .replaceAll(`"${open}!`, '__va_lookbehindOpen + "!')
                .replaceAll(`\`${open}=`, '`${__va_lookbehindOpen}=')
                .replaceAll(`\`${open}!`, '`${__va_lookbehindOpen}!');
            if (/\(\?<[=!]/u.test(rewritten)) {
                throw new Error(`${args.path}: lookbehind text left after rewriting; update lookbehind-text-in-re2js`);
            }
            return { contents: `var __va_lookbehindOpen = ["(?", "<"].join("");\n${rewritten}`, loader: 'js' };
        });
    },
};
