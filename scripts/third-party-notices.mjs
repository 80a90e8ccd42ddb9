// The licence notices of every third-party package that ends up in a bundle, gathered from esbuild's metafile, so
// that the shipped file carries them (MIT, ISC, BSD, Apache-2.0 and Blue Oak all ask for the notice to travel with
// copies). Used by esbuild.config.mjs after a production build; the text is appended to the bundle as one comment.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGE_IN_PATH = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//;
const LICENCE_FILE = /^(licen[cs]e|copying|notice)(-[a-z]+)?(\.(md|txt|markdown))?$/i;

/**
 * The packages whose code is in `outfile` (bytes in the output > 0), each with its folder, name, version and
 * licence, sorted by name. `root` is the folder the metafile's paths are relative to.
 */
export function bundledPackages(metafile, outfile, root = process.cwd()) {
    const output = metafile.outputs[outfile];
    if (output === undefined) throw new Error(`The metafile has no output ${outfile}`);
    const folders = new Map();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        if (bytesInOutput === 0) continue;
        const match = PACKAGE_IN_PATH.exec(input.replace(/\\/g, '/'));
        if (match === null) continue;
        folders.set(match[1], match[2]);
    }
    const packages = [];
    for (const [folder, name] of folders) {
        const dir = join(root, folder);
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        const files = readdirSync(dir)
            .filter((file) => LICENCE_FILE.test(file))
            .sort();
        packages.push({
            name,
            version: manifest.version ?? '',
            license: typeof manifest.license === 'string' ? manifest.license : 'see its package',
            author: typeof manifest.author === 'string' ? manifest.author : (manifest.author?.name ?? ''),
            texts: files.map((file) => readFileSync(join(dir, file), 'utf8').trim()),
        });
    }
    return packages.sort((a, b) => a.name.localeCompare(b.name));
}

/** The notices as plain text: each package with its licence, identical licence texts printed once. */
export function noticesText(packages, product) {
    const lines = [`${product} bundles the following third-party packages. Their licence notices follow.`, ''];
    const byText = new Map();
    for (const pkg of packages) {
        const key = pkg.texts.length > 0 ? pkg.texts.join('\n\n') : `(no licence file in the package) ${pkg.license}`;
        const group = byText.get(key) ?? [];
        group.push(pkg);
        byText.set(key, group);
    }
    for (const [text, group] of byText) {
        for (const pkg of group) {
            const by = pkg.author !== '' ? `, by ${pkg.author}` : '';
            lines.push(`${pkg.name} ${pkg.version} (${pkg.license}${by})`);
        }
        lines.push('', text, '', '-'.repeat(78), '');
    }
    return lines.join('\n');
}

/** `text` as one JavaScript comment that minifiers keep, with any comment terminator inside it broken up. */
export function legalComment(text) {
    return `\n/*! Third-party notices\n\n${text.split('*/').join('* /')}\n*/\n`;
}
