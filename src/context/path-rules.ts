/**
 * The exclusion gate's path rules (`exclusions.ts`): folder rules and globs, compiled once, and the one canonical
 * spelling of a vault path they are matched against, so a guessed spelling (`./`, `..`, `\\`, another Unicode form,
 * another case) cannot slip past a rule.
 */
import { Minimatch, type MinimatchOptions } from 'minimatch';
import type { ScannedTags } from '../kernel/text-scan';
import type { ExclusionVerdict } from './exclusion-verdicts';

/**
 * Vault file systems are often case-insensitive (macOS, Windows, mobile), so `journal/x.md` may be the very file
 * `Journal/x.md`: globs match without regard to case. Platform is fixed so every device reads a rule the same way.
 */
const GLOB_OPTIONS: MinimatchOptions = { nocase: true, dot: true, nonegate: true, nocomment: true, platform: 'linux' };

export const GLOB_MAGIC = /[*?[\]{}]|[@+!]\(/;

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * `scanPath` results, as bits: 0 is plain ASCII in canonical form; `DOTTED` has a segment starting with a dot (every
 * system folder does); `NON_ASCII_CHARS` needs NFC; `IRREGULAR` needs full normalising.
 */
export const DOTTED = 1;
export const NON_ASCII_CHARS = 2;
export const IRREGULAR = 4;

/** A glob rule: the rule as the person wrote it, and its matchers (the pattern and everything beneath it). */
export interface GlobRule {
    /** The rule as shown to the person. */
    rule: string;
    /** Compiled once; any match excludes. */
    matchers: Minimatch[];
}

/**
 * A glob without a slash matches at any depth (`*.secret.md` covers `a/b.secret.md`, as in `.gitignore`); a glob
 * that names a folder covers everything inside it. Both err towards excluding more.
 */
export function compileGlob(rule: string): GlobRule {
    const pattern = rule.includes('/') ? rule : `**/${rule}`;
    const patterns = pattern.endsWith('/**') ? [pattern] : [pattern, `${pattern}/**`];
    return { rule, matchers: patterns.map((p) => new Minimatch(p, GLOB_OPTIONS)) };
}

/**
 * An excluded-folder rule in the form paths are matched in: `./Journal`, `Journal/.`, `/Journal/` and `\\Journal`
 * all read `Journal`, and `Journal/../Private` reads `Private`. A `..` that would climb out of the vault is dropped: a
 * rule names a folder inside the vault, so `../Journal` names `Journal` (more is excluded, never less). `''` is the
 * vault's root itself (`/`, `.`): every note. `null` for a blank rule (an empty line in the list).
 */
export function folderRuleOf(raw: string): string | null {
    const trimmed = raw.trim();
    if (trimmed === '') return null;
    const segments: string[] = [];
    for (const segment of trimmed.normalize('NFC').split(/[/\\]/)) {
        if (segment === '' || segment === '.') continue;
        if (segment === '..') segments.pop();
        else segments.push(segment);
    }
    return segments.join('/');
}

/** Case-insensitive: a folder and everything beneath it, but not a sibling that merely starts with the same name. */
export function folderRegExp(folders: string[]): RegExp {
    return new RegExp(`^(?:${folders.map(escapeRegExp).join('|')})(?:/|$)`, 'iu');
}

/**
 * The port's form of `path`: `/`-separated, no leading slash, no `.`/`..` segments, NFC. Callers should already pass
 * that form; anything else is normalised here so a guessed spelling cannot slip past a rule. `null` when the path
 * climbs out of the vault.
 */
export function canonicalPath(path: string): string | null {
    const nfc = NON_ASCII.test(path) ? path.normalize('NFC') : path;
    const segments: string[] = [];
    for (const segment of nfc.split(/[/\\]/)) {
        if (segment === '' || segment === '.') continue;
        if (segment === '..') {
            if (segments.length === 0) return null;
            segments.pop();
        } else {
            segments.push(segment);
        }
    }
    return segments.join('/');
}

/** One pass over `path` that tells the hot path what it must do (see `DOTTED`, `NON_ASCII_CHARS`, `IRREGULAR`). */
export function scanPath(path: string): number {
    let result = 0;
    let segmentStart = 0;
    const n = path.length;
    if (n === 0) return IRREGULAR;
    for (let i = 0; i <= n; i++) {
        const c = i < n ? path.charCodeAt(i) : 47;
        if (c >= 128) result |= NON_ASCII_CHARS;
        if (c === 92) return IRREGULAR;
        if (c !== 47) continue;
        const length = i - segmentStart;
        if (length === 0) return IRREGULAR;
        if (path.charCodeAt(segmentStart) === 46) {
            if (length === 1 || (length === 2 && path.charCodeAt(segmentStart + 1) === 46)) return IRREGULAR;
            result |= DOTTED;
        }
        segmentStart = i + 1;
    }
    return result;
}

/** `.md` in any case, without allocating. */
export function isMarkdown(path: string): boolean {
    const n = path.length;
    return (
        n >= 3 &&
        path.charCodeAt(n - 3) === 46 &&
        (path.charCodeAt(n - 2) | 32) === 109 &&
        (path.charCodeAt(n - 1) | 32) === 100
    );
}

/** `value` without leading and trailing slashes. */
export function trimSlashes(value: string): string {
    return value.replace(/^\/+|\/+$/g, '');
}

/** `values` without empty strings and repeats, in first-seen order. */
export function uniqueNonEmpty(values: string[]): string[] {
    return [...new Set(values.filter((v) => v !== ''))];
}

/** `value` with every character a regular expression gives a meaning to escaped. */
export function escapeRegExp(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What a gate knows of a path no path rule excludes: its canonical form, and for a note the verdict on the tags it had
 * when last checked. The vault gives a note's tags as an object it never changes (a new one when the note changes), so
 * while the same object comes back, the verdict on it stands: the tag rules are not walked again for every check.
 */
export class PathFacts {
    readonly markdown: boolean;
    /** The tags the verdict below was reached on (`undefined`: the note was not indexed). */
    screen: ScannedTags | undefined = undefined;
    tagVerdict: ExclusionVerdict | null = null;

    constructor(readonly canonical: string) {
        this.markdown = isMarkdown(canonical);
    }
}
