/**
 * The frontmatter block of a note: where it is, and its YAML parsed with the `yaml` package's core schema.
 *
 * The parser runs inside Obsidian too (skills in `.claude/skills/` are not in Obsidian's metadata cache), including on
 * mobile, so it must need neither Node's `Buffer` nor `eval` — see docs/decisions/0010-no-code-generation-in-the-bundle.md.
 */
import { parse as parseYamlText } from 'yaml';

/** What the first lines of a note say about its frontmatter. */
export interface FrontmatterBlock {
    /** Whether the note starts with a `---` line (so it means to have frontmatter). */
    present: boolean;
    /** Zero-based line where the body starts: after the closing delimiter, or 0 when there is no (closed) block. */
    bodyStart: number;
    /** The lines between the delimiters (empty when there is no closed block). */
    yamlLines: string[];
    /** The parsed mapping; `null` when absent or unparseable. */
    data: Record<string, unknown> | null;
    /** Why a block that is present could not be read (not closed, malformed YAML, not a mapping). */
    error?: string;
}

/** True when `line` is a delimiter line (`---`, trailing whitespace allowed). */
function isDashes(line: string): boolean {
    return line.startsWith('---') && line.trimEnd() === '---';
}

/**
 * Finds and parses the frontmatter of a note split into `lines` (line 0 without its BOM). Obsidian reads a block
 * only when line 0 is `---` and a later line is `---`; we also accept a YAML `...` end line when no `---` follows
 * (fail closed: a block we fail to see would hide its tags). A block that is opened but never closed is an error,
 * so its tags count as unknown.
 */
export function readFrontmatter(lines: readonly string[]): FrontmatterBlock {
    const first = lines[0];
    // Lone carriage returns end lines in CommonMark (old Mac files): a `---` line ended so may open a block whose lines
    // this reader does not split, so its tags count as unknown (fail closed).
    if (first?.startsWith('---\r') === true && first.slice(3).trimStart() !== '') {
        const error = 'The frontmatter block ends its lines with lone carriage returns, so its tags cannot be read';
        return { present: true, bodyStart: 0, yamlLines: [], data: null, error };
    }
    if (first === undefined || !isDashes(first)) return { present: false, bodyStart: 0, yamlLines: [], data: null };
    let close = -1;
    for (let i = 1; i < lines.length; i++) {
        if (isDashes(lines[i] as string)) {
            close = i;
            break;
        }
    }
    if (close === -1) close = lines.findIndex((line, i) => i > 0 && line.trimEnd() === '...');
    if (close === -1) {
        return { present: true, bodyStart: 0, yamlLines: [], data: null, error: 'The frontmatter block is not closed' };
    }
    const yamlLines = lines.slice(1, close);
    const parsed = parseYaml(yamlLines.join('\n'));
    const block: FrontmatterBlock = { present: true, bodyStart: close + 1, yamlLines, data: parsed.data };
    if (parsed.error !== undefined) block.error = parsed.error;
    return block;
}

/**
 * The most frontmatter parsed as YAML, in characters. The parser takes about half a millisecond a kilobyte of a long
 * list (a 5 MB one: 2.5 s, on every start that reads the note); past this a note's properties and tags count as
 * unknown, so the gate excludes it (fail closed), as for frontmatter that is not valid YAML.
 */
export const MAX_FRONTMATTER_CHARS = 1024 * 1024;

function parseYaml(yaml: string): { data: Record<string, unknown> | null; error?: string } {
    if (yaml.length > MAX_FRONTMATTER_CHARS) {
        return { data: null, error: `The frontmatter is too large to read (over ${MAX_FRONTMATTER_CHARS / 1024} KB)` };
    }
    // A line starting with `---` inside the block would start a second YAML document.
    if (/(?:^|\n)---/.test(yaml)) return { data: null, error: 'The frontmatter holds more than one YAML document' };
    let data: unknown;
    try {
        // The core schema builds plain data only; the alias cap stops a tiny note from expanding into millions of values.
        // `<<` merge keys are read as merges (`<<: *base` brings the base's `tags`), as Obsidian's YAML reader does.
        data = parseYamlText(yaml, { schema: 'core', merge: true, maxAliasCount: 100, uniqueKeys: true });
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        return { data: null, error: `The frontmatter is not valid YAML: ${message}` };
    }
    if (data === null || data === undefined) return { data: {} };
    if (typeof data !== 'object' || Array.isArray(data) || data instanceof Date) {
        return { data: null, error: 'The frontmatter is not a set of properties (a YAML mapping)' };
    }
    return { data: data as Record<string, unknown> };
}

/** `aliases`/`alias` (any case) from a frontmatter mapping: a list, or a comma-separated string. */
export function frontmatterAliases(frontmatter: Record<string, unknown>): string[] {
    const out: string[] = [];
    for (const key of Object.keys(frontmatter)) {
        if (/^\s*alias(es)?\s*$/i.test(key)) collectAliases(frontmatter[key], out);
    }
    return out;
}

// YAML anchors can make a short list huge; aliases are only a convenience, so stop reading past this many.
const MAX_ALIASES = 1_000;

function collectAliases(value: unknown, out: string[]): void {
    if (typeof value === 'string') {
        for (const part of value.split(',')) {
            const alias = part.trim();
            if (alias !== '' && out.length < MAX_ALIASES) out.push(alias);
        }
    } else if (typeof value === 'number' || typeof value === 'boolean') {
        if (out.length < MAX_ALIASES) out.push(String(value));
    } else if (Array.isArray(value)) {
        for (const item of value) {
            if (out.length >= MAX_ALIASES) return;
            if (!Array.isArray(item)) collectAliases(item, out);
        }
    }
}

/** Frontmatter values read for links at most (anchors can make a short block huge). */
const MAX_LINK_VALUES = 1_000;
const WIKILINK = /\[\[([^[\]\n]+)\]\]/g;

/** One wikilink in a property's value: `related: "[[Note#Part|shown]]"`. */
export interface PropertyLink {
    /** The property's name (the top-level key). */
    key: string;
    /** Between the brackets: `Note#Part|shown`. */
    inner: string;
    /** The whole link as written: `[[Note#Part|shown]]`. */
    original: string;
}

/**
 * The wikilinks in a frontmatter mapping's values (`cover: "[[photo.png]]"`, a list of `"[[Note]]"`), by property:
 * Obsidian counts these among a note's links, so a property that names an image makes the note one of its users.
 */
export function frontmatterLinks(frontmatter: Record<string, unknown> | null): PropertyLink[] {
    if (frontmatter === null) return [];
    const out: PropertyLink[] = [];
    let budget = MAX_LINK_VALUES;
    const visit = (key: string, value: unknown, depth: number): void => {
        if (budget-- <= 0 || depth > 4) return;
        if (typeof value === 'string') {
            if (value.indexOf('[[') === -1) return;
            for (const [original, inner] of value.matchAll(WIKILINK)) out.push({ key, inner: inner ?? '', original });
        } else if (Array.isArray(value)) {
            for (const item of value) visit(key, item, depth + 1);
        } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
            for (const item of Object.values(value)) visit(key, item, depth + 1);
        }
    };
    for (const [key, value] of Object.entries(frontmatter)) visit(key, value, 0);
    return out;
}

/** The link paths of `frontmatterLinks`, without subpath or alias; empty ones left out. */
export function frontmatterLinkPaths(frontmatter: Record<string, unknown> | null): string[] {
    const out: string[] = [];
    for (const { inner } of frontmatterLinks(frontmatter)) {
        const path = inner.split('|')[0]?.split('#')[0]?.trim() ?? '';
        if (path !== '') out.push(path);
    }
    return out;
}
