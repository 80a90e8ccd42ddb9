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

/** A line that states a copyright: kept with its package, since it differs between packages under one licence. */
const COPYRIGHT_LINE = /^\s*(?:copyright\s*(?:\(c\)|©|\d{4})|\(c\)\s*\d{4}|©\s*\d{4})/i;

/**
 * A licence text split into its copyright lines and its terms. The terms are compacted (indentation, runs of spaces
 * and line wrapping folded), which changes no word of them, so that packages under the same licence share one copy
 * of the terms.
 */
function splitLicence(text) {
    const copyrights = [];
    const terms = [];
    for (const line of text.split(/\r?\n/)) {
        if (COPYRIGHT_LINE.test(line)) copyrights.push(line.trim());
        else terms.push(line.replace(/\s+/g, ' ').trim());
    }
    // Paragraphs joined into single lines, so the same terms wrapped at another width are recognised as the same.
    const paragraphs = terms
        .join('\n')
        .split(/\n{2,}/)
        .map((paragraph) => paragraph.split('\n').join(' ').trim())
        .filter((paragraph) => paragraph !== '');
    return { copyrights: [...new Set(copyrights)], terms: paragraphs.join('\n\n') };
}

/**
 * The notices as plain text: each package with its licence and its own copyright lines, and the terms of each
 * licence printed once for all the packages that use the same terms.
 */
export function noticesText(packages, product) {
    const lines = [`${product} bundles the following third-party packages. Their licence notices follow.`, ''];
    const byTerms = new Map();
    for (const pkg of packages) {
        const parts = pkg.texts.map(splitLicence);
        const key =
            parts.length > 0
                ? parts.map((part) => part.terms).join('\n\n')
                : `(no licence file in the package) ${pkg.license}`;
        const group = byTerms.get(key) ?? [];
        group.push({ pkg, copyrights: parts.flatMap((part) => part.copyrights) });
        byTerms.set(key, group);
    }
    for (const [terms, group] of byTerms) {
        for (const { pkg, copyrights } of group) {
            const by = pkg.author !== '' ? `, by ${pkg.author}` : '';
            lines.push(`${pkg.name} ${pkg.version} (${pkg.license}${by})`);
            for (const copyright of copyrights) lines.push(`  ${copyright}`);
        }
        lines.push('', terms, '', '-'.repeat(78), '');
    }
    return lines.join('\n');
}

/** `text` as one JavaScript comment that minifiers keep, with any comment terminator inside it broken up. */
export function legalComment(text) {
    return `\n/*! Third-party notices\n\n${text.split('*/').join('* /')}\n*/\n`;
}
