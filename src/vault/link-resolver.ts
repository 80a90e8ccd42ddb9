/**
 * Link resolution with Obsidian's semantics (`metadataCache.getFirstLinkpathDest`), over a set of vault paths.
 *
 * For a linkpath (no subpath) written in `sourcePath`, in this order (all comparisons case-insensitive, an exact-case
 * match preferred among case twins, `.md` optional when the link has no `.md` ending):
 * 1. a link starting with `./` or `../` is a path relative to the source's folder, and nothing else;
 *    a link starting with `/` is a vault path, and nothing else;
 * 2. the exact vault path (`[[Folder/Note]]` is `Folder/Note.md`), even when a same-named note sits beside the source;
 * 3. the path relative to the source's folder (`[[Sub/Note]]` from `A/x.md` is `A/Sub/Note.md`);
 * 4. the files with that name whose path ends with the link (`[[Sub/Note]]` matches `X/Sub/Note.md`): one in the
 *    source's own folder wins (an ancestor folder counts for nothing), otherwise the shortest path string, then the
 *    first in code-unit order. This tie-break was observed on Obsidian 1.13.7 (exact path, then own folder, then
 *    shortest path string, not fewest folders).
 *
 * Lookups go through maps keyed by lowercased path and lowercased file name, so a resolution costs O(k) in the number
 * of files sharing the name.
 */

const MD = '.md';
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)|\/\//;
// Only text beyond printable ASCII can differ between NFC and NFD; skip the normalisation cost otherwise.
const NON_ASCII = /[^ -~\t]/;

/** The lowercased file name of `path`, without a `.md` extension: the key that links to it share. */
export function fileNameKey(path: string): string {
    return stripMd(baseName(path).toLowerCase());
}

/** The lowercased last segment of a linkpath, without subpath or `.md`: only files with this `fileNameKey` can match. */
export function linkNameKey(linkpath: string): string {
    return stripMd(baseName(cleanLinkpath(linkpath)).toLowerCase());
}

function stripMd(name: string): string {
    return name.endsWith(MD) ? name.slice(0, -MD.length) : name;
}

function baseName(path: string): string {
    return path.slice(path.lastIndexOf('/') + 1);
}

/** The folder of `path` (`''` for the vault root). */
export function folderOf(path: string): string {
    const slash = path.lastIndexOf('/');
    return slash === -1 ? '' : path.slice(0, slash);
}

/** The linkpath without subpath or surrounding whitespace, in NFC like vault paths. */
function cleanLinkpath(linkpath: string): string {
    const hash = linkpath.indexOf('#');
    const link = (hash === -1 ? linkpath : linkpath.slice(0, hash)).trim();
    return NON_ASCII.test(link) ? link.normalize('NFC') : link;
}

/** Collapses `.` and `..` segments; `null` when the path climbs above the vault root. */
function collapse(path: string): string | null {
    if (!DOT_SEGMENT.test(path)) return path;
    const out: string[] = [];
    for (const segment of path.split('/')) {
        if (segment === '' || segment === '.') continue;
        if (segment === '..') {
            if (out.pop() === undefined) return null;
        } else {
            out.push(segment);
        }
    }
    return out.join('/');
}

function addTo(map: Map<string, string[]>, key: string, path: string): void {
    const list = map.get(key);
    if (list === undefined) map.set(key, [path]);
    else if (!list.includes(path)) list.push(path);
}

function removeFrom(map: Map<string, string[]>, key: string, path: string): void {
    const list = map.get(key);
    if (list === undefined) return;
    const at = list.indexOf(path);
    if (at !== -1) list.splice(at, 1);
    if (list.length === 0) map.delete(key);
}

/** Resolves links against a changing set of vault files (notes and attachments). */
export class LinkResolver {
    private readonly byPath = new Map<string, string[]>();
    private readonly byName = new Map<string, string[]>();

    constructor(paths: Iterable<string> = []) {
        for (const path of paths) this.add(path);
    }

    /** Registers a file (idempotent). */
    add(path: string): void {
        addTo(this.byPath, path.toLowerCase(), path);
        addTo(this.byName, baseName(path).toLowerCase(), path);
    }

    /** Forgets a file. */
    remove(path: string): void {
        removeFrom(this.byPath, path.toLowerCase(), path);
        removeFrom(this.byName, baseName(path).toLowerCase(), path);
    }

    /** The file `linkpath` points to from `sourcePath`, or `null`. An empty linkpath (`[[#Heading]]`) is the source. */
    resolve(linkpath: string, sourcePath: string): string | null {
        let link = cleanLinkpath(linkpath);
        if (link === '') return this.exact(sourcePath);
        const folder = folderOf(sourcePath);
        if (link.startsWith('./') || link.startsWith('../')) {
            const joined = collapse(folder === '' ? link : `${folder}/${link}`);
            return joined === null ? null : this.exact(joined);
        }
        if (link.startsWith('/')) {
            const absolute = collapse(link.replace(/^\/+/, ''));
            return absolute === null ? null : this.exact(absolute);
        }
        link = collapse(link) ?? link;
        // A bare name's exact vault path is a file at the root, which `byFileName` prefers: one lookup, not three.
        if (link.indexOf('/') === -1) return this.byFileName(link, folder);
        return (
            this.exact(link) ??
            (folder === '' ? null : this.exact(`${folder}/${link}`)) ??
            this.byFileName(link, folder)
        );
    }

    /** The file at `path` or `path.md`, case-insensitively, preferring the exact case. */
    private exact(path: string): string | null {
        for (const candidate of withMd(path)) {
            const list = this.byPath.get(candidate.toLowerCase());
            if (list !== undefined && list.length > 0) return list.includes(candidate) ? candidate : pick(list, null);
        }
        return null;
    }

    private byFileName(link: string, sourceFolder: string): string | null {
        const partial = link.indexOf('/') !== -1;
        for (const candidate of withMd(link)) {
            const list = this.byName.get(baseName(candidate).toLowerCase());
            if (list === undefined) continue;
            if (!partial) return atRoot(list, candidate) ?? pick(list, sourceFolder);
            const suffix = '/' + candidate.toLowerCase();
            const matches = list.filter((path) => ('/' + path.toLowerCase()).endsWith(suffix));
            if (matches.length > 0) return pick(matches, sourceFolder);
        }
        return null;
    }
}

/** The file of `list` at the vault root (its exact vault path), preferring the exact case of `name`. */
function atRoot(list: readonly string[], name: string): string | null {
    let found: string | null = null;
    for (const path of list) {
        if (path === name) return path;
        if (found === null && path.indexOf('/') === -1) found = path;
    }
    return found;
}

/** `path` itself, then `path.md` when it does not already end in `.md`. */
function withMd(path: string): string[] {
    return path.toLowerCase().endsWith(MD) ? [path] : [path, path + MD];
}

/**
 * Obsidian's tie-break: a file in `sourceFolder` (when given), else the shortest path; equal candidates by code-unit
 * order so that the answer never depends on the order files were indexed in.
 */
function pick(paths: readonly string[], sourceFolder: string | null): string {
    let best = paths[0] as string;
    let bestHome = sourceFolder !== null && folderOf(best) === sourceFolder;
    for (let i = 1; i < paths.length; i++) {
        const path = paths[i] as string;
        const home = sourceFolder !== null && folderOf(path) === sourceFolder;
        if (home !== bestHome) {
            if (home) [best, bestHome] = [path, true];
        } else if (path.length < best.length || (path.length === best.length && path < best)) {
            best = path;
        }
    }
    return best;
}
