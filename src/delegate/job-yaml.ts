/**
 * The YAML of job notes and artifacts, read and written with the `yaml` package's document API (the same parser as
 * `vault/frontmatter.ts`). Reading parses the whole frontmatter block; writing changes only the entries the queue
 * owns, in place: each pair's source range comes from the parsed document, and every other byte (the person's keys,
 * comments, blank lines, quoting and indentation, a trailing comment on an own key's line) stays as it was.
 *
 * Values are written on one line each, as flow collections; text is plain only when it is a word-like string that no
 * YAML version reads as anything else, and double-quoted (JSON escapes are valid YAML) otherwise, so Obsidian's reader
 * and ours agree. A block made only of such lines (all the queue itself writes) is read and edited by `flat-yaml.ts`,
 * which reads what `yaml` reads in a twentieth of the time (decision 0031). Parsed documents of other blocks are kept
 * for the last texts seen: the queue reads a job note, edits the same text and rescans unchanged notes, and each of
 * those would otherwise parse it again.
 */
import { isMap, isNode, isScalar, parseDocument, type Document, type Pair } from 'yaml';
import { PLAIN_KEY, PLAIN_TEXT, readFlat, RESERVED_WORDS } from './flat-yaml';

/** A value the queue writes. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** What a frontmatter block holds. */
export interface ParsedFrontmatter {
    /** Top-level keys and their values (a later duplicate wins; see `duplicates`). */
    values: Map<string, unknown>;
    /** Keys that appear more than once. */
    duplicates: string[];
    /** Why the block is not valid YAML, or `null` when it is. */
    error: string | null;
}

/** Parses the text between the frontmatter delimiters: a flat block quickly (decision 0031), any other in full. */
export function parseFrontmatter(source: string): ParsedFrontmatter {
    const flat = readFlat(source);
    if (flat === null) return parseFrontmatterYaml(source);
    return { values: new Map(flat.map((entry) => [entry.key, links(entry.value)])), duplicates: [], error: null };
}

/** `parseFrontmatter` through the `yaml` package alone, whatever the block's form. */
export function parseFrontmatterYaml(source: string): ParsedFrontmatter {
    const cached = documentOf(source);
    cached.parsed ??= readValues(cached.doc);
    return cached.parsed;
}

function readValues(doc: Document): ParsedFrontmatter {
    const values = new Map<string, unknown>();
    const duplicates: string[] = [];
    const first = doc.errors[0];
    if (first !== undefined) return { values, duplicates, error: first.message.split('\n')[0] ?? first.code };
    const contents = doc.contents;
    if (contents === null || (isScalar(contents) && contents.value === null))
        return { values, duplicates, error: null };
    if (!isMap(contents)) return { values, duplicates, error: 'the frontmatter is not a mapping of keys' };
    for (const pair of contents.items) {
        const key = keyOf(pair);
        if (key === null) return { values, duplicates, error: 'a key is not plain text' };
        if (values.has(key) && !duplicates.includes(key)) duplicates.push(key);
        try {
            values.set(key, links(isNode(pair.value) ? (pair.value.toJS(doc) as unknown) : pair.value));
        } catch (e) {
            // An alias whose anchor is gone (or comes later) has no value: the block cannot be read.
            return { values, duplicates, error: e instanceof Error ? (e.message.split('\n')[0] ?? e.name) : String(e) };
        }
    }
    return { values, duplicates, error: null };
}

/**
 * `source` (the text between the delimiters) with each `[key, value]` set: an existing entry's key and value are
 * replaced where they stand (whatever follows the value on its line, such as a comment, stays), a missing key is added
 * after the last entry. Throws `FrontmatterYamlError` when `source` is not a YAML mapping.
 */
export function setEntries(source: string, entries: readonly (readonly [string, YamlValue])[]): string {
    const pairs = entrySpans(source);
    const replaced: { start: number; end: number; text: string }[] = [];
    const added: string[] = [];
    for (const [key, value] of entries) {
        const line = formatEntry(key, value);
        const pair = pairs.find((candidate) => candidate.key === key);
        if (pair === undefined) added.push(line);
        else replaced.push({ start: pair.start, end: pair.end, text: line });
    }
    // Added keys go on new lines after the last entry's line (before any comment or blank line below it).
    const last = pairs[pairs.length - 1];
    if (added.length > 0) {
        if (last === undefined)
            replaced.push({ start: 0, end: 0, text: `${added.join('\n')}${source === '' ? '' : '\n'}` });
        else {
            const lineEnd = source.indexOf('\n', last.end);
            const at = lineEnd === -1 ? source.length : lineEnd;
            replaced.push({ start: at, end: at, text: `\n${added.join('\n')}` });
        }
    }
    let text = source;
    // Spans do not overlap; applied from the end, the earlier offsets stay valid.
    for (const span of replaced.sort((a, b) => b.start - a.start || b.end - a.end)) {
        text = `${text.slice(0, span.start)}${span.text}${text.slice(span.end)}`;
    }
    return text;
}

/** Each entry of `source` with where it stands: from the flat reading when the block is flat, else from `yaml`. */
function entrySpans(source: string): readonly { key: string | null; start: number; end: number }[] {
    const flat = readFlat(source);
    if (flat !== null) return flat;
    const { doc } = documentOf(source);
    if (doc.errors.length > 0) throw new FrontmatterYamlError(doc.errors[0]?.message ?? 'invalid YAML');
    const contents = doc.contents;
    if (contents !== null && !isMap(contents) && !(isScalar(contents) && contents.value === null)) {
        throw new FrontmatterYamlError('the frontmatter is not a mapping of keys');
    }
    return (isMap(contents) ? contents.items : []).map((pair) => {
        const [start, end] = spanOf(pair, source);
        return { key: keyOf(pair), start, end };
    });
}

interface CachedDocument {
    doc: Document;
    parsed?: ParsedFrontmatter;
}

const CACHE_SIZE = 256;
const cache = new Map<string, CachedDocument>();

/** The parsed document of `source`, from the cache of recent texts when it is there. Never mutated by callers. */
function documentOf(source: string): CachedDocument {
    const hit = cache.get(source);
    if (hit !== undefined) {
        cache.delete(source);
        cache.set(source, hit);
        return hit;
    }
    const entry: CachedDocument = { doc: parseDocument(source, { uniqueKeys: false, prettyErrors: false }) };
    cache.set(source, entry);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return entry;
}

/** Frontmatter that cannot be edited as YAML. */
export class FrontmatterYamlError extends Error {
    override readonly name: string = 'FrontmatterYamlError';
}

/** One entry on one line: `key: value`, the value as a flow collection or a scalar. */
export function formatEntry(key: string, value: YamlValue): string {
    return `${PLAIN_KEY.test(key) ? key : scalar(key)}: ${inline(value)}`;
}

function inline(value: YamlValue): string {
    if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
    if (value !== null && typeof value === 'object') {
        const items = Object.entries(value).map(([k, v]) => `${scalar(k)}: ${inline(v)}`);
        return items.length === 0 ? '{}' : `{ ${items.join(', ')} }`;
    }
    return scalar(value);
}

/** A scalar on one line: plain when no YAML version reads that text as anything but itself, double-quoted otherwise. */
function scalar(value: string | number | boolean | null): string {
    if (typeof value !== 'string') return value === null ? 'null' : String(value);
    return PLAIN_TEXT.test(value) && !RESERVED_WORDS.test(value) ? value : JSON.stringify(value);
}

function keyOf(pair: Pair): string | null {
    const key = pair.key;
    if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
    return null;
}

/** Where `pair` stands in `text`: from its key to the end of its value, trailing blanks and line breaks excluded. */
function spanOf(pair: Pair, text: string): [number, number] {
    const keyRange = (pair.key as { range?: [number, number, number] }).range ?? [0, 0, 0];
    const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
    let end = valueRange?.[1] ?? keyRange[1];
    // A key without a value (`key:`) ends after its colon.
    if (valueRange === undefined || valueRange[1] <= keyRange[1]) {
        const colon = text.indexOf(':', keyRange[1]);
        end = Math.max(end, colon === -1 ? keyRange[1] : colon + 1);
    }
    while (end > keyRange[0] && /\s/u.test(text[end - 1] ?? '')) end--;
    return [keyRange[0], end];
}

/**
 * `[[Note]]` written without quotes is a sequence holding a sequence holding `Note` in YAML; a person meant the link,
 * so that shape reads as the text `[[Note]]`, at any depth.
 */
function links(value: unknown): unknown {
    if (Array.isArray(value)) {
        const inner: unknown = value.length === 1 ? value[0] : undefined;
        if (Array.isArray(inner) && inner.length === 1 && typeof inner[0] === 'string') return `[[${inner[0]}]]`;
        return value.map(links);
    }
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, links(v)]));
    }
    return value;
}
