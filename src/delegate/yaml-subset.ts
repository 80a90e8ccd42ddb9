/**
 * A small, strict YAML subset for the frontmatter keys the queue owns. js-yaml (through gray-matter) needs Node's
 * `Buffer`, and the plugin must load on mobile, so job notes are read and written with this instead. It reads plain
 * and quoted scalars, flow sequences and maps (`[a, b]`, `{ k: v }`) and one level of block sequences or maps; it
 * throws `YamlSubsetError` on anything else, and the caller then falls back to the vault's metadata or quarantines.
 */

/** A value the subset can hold. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/** Text outside the subset. */
export class YamlSubsetError extends Error {
    override readonly name: string = 'YamlSubsetError';
}

/** One top-level entry of a frontmatter block: its key (`null` for comments and blank lines) and its raw lines. */
export interface YamlEntry {
    /** The key, or `null` for a line that belongs to no key (comment, blank). */
    key: string | null;
    /** The entry's lines exactly as written, the key line first. */
    lines: string[];
}

const KEY_LINE = /^([^\s#'"{[\-?:][^:#]*?|"[^"]*"|'[^']*'):(?:\s+(.*))?$/u;
const PLAIN_SAFE = /^[A-Za-z][A-Za-z0-9 _./-]*$/u;
const RESERVED_WORDS = /^(?:true|false|yes|no|on|off|null|y|n|~)$/iu;

/** Splits the lines of a frontmatter block into top-level entries; continuation lines stay with their key. */
export function splitEntries(lines: readonly string[]): YamlEntry[] {
    const entries: YamlEntry[] = [];
    for (const line of lines) {
        const key = topLevelKey(line);
        const last = entries[entries.length - 1];
        const continues = key === null && last !== undefined && last.key !== null && isContinuation(line);
        if (continues) last.lines.push(line);
        else entries.push({ key, lines: [line] });
    }
    return entries;
}

/** The value of one entry. Throws `YamlSubsetError` when it is outside the subset. */
export function entryValue(entry: YamlEntry): YamlValue {
    const first = entry.lines[0] ?? '';
    const match = KEY_LINE.exec(first);
    if (match === null) throw new YamlSubsetError(`not a key line: ${first}`);
    const inline = stripComment(match[2] ?? '').trim();
    const rest = entry.lines.slice(1).filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    if (inline !== '') {
        if (rest.length > 0) throw new YamlSubsetError(`unexpected lines after "${first}"`);
        return parseInline(inline);
    }
    if (rest.length === 0) return null;
    if (rest.every((line) => /^\s*- /u.test(line) || /^\s*-$/u.test(line))) {
        return rest.map((line) => {
            const item = parseInline(stripComment(line.replace(/^\s*-\s?/u, '')).trim());
            // `- [[Note]]` unquoted parses as a sequence holding the link.
            return Array.isArray(item) && item.length === 1 && typeof item[0] === 'string' ? item[0] : item;
        });
    }
    if (rest.every((line) => /^\s+\S/u.test(line))) {
        const map: { [key: string]: YamlValue } = {};
        for (const line of rest) {
            const inner = KEY_LINE.exec(line.trim());
            if (inner === null) throw new YamlSubsetError(`not a mapping line: ${line}`);
            map[unquoteKey(inner[1] ?? '')] = parseInline(stripComment(inner[2] ?? '').trim());
        }
        return map;
    }
    throw new YamlSubsetError(`unsupported block under "${first}"`);
}

/** Parses a one-line value: a flow collection or a scalar. Throws `YamlSubsetError` outside the subset. */
export function parseInline(text: string): YamlValue {
    if (text === '') return null;
    const parser = new FlowParser(text);
    const value = parser.value();
    parser.end();
    return value;
}

/** Serialises a value on one line: strings quoted unless plainly safe, collections in flow style. */
export function formatInline(value: YamlValue): string {
    if (value === null) return '""';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
    if (typeof value === 'string') {
        return PLAIN_SAFE.test(value) && !RESERVED_WORDS.test(value) && !/ $/u.test(value)
            ? value
            : JSON.stringify(value);
    }
    if (Array.isArray(value)) return `[${value.map(formatInline).join(', ')}]`;
    const pairs = Object.entries(value).map(([key, inner]) => `${formatKey(key)}: ${formatInline(inner)}`);
    return pairs.length === 0 ? '{}' : `{ ${pairs.join(', ')} }`;
}

/** `key: value` on one line. */
export function formatEntry(key: string, value: YamlValue): string {
    return `${formatKey(key)}: ${formatInline(value)}`;
}

function formatKey(key: string): string {
    return /^[A-Za-z][A-Za-z0-9_-]*$/u.test(key) ? key : JSON.stringify(key);
}

function topLevelKey(line: string): string | null {
    if (line.trim() === '' || line.startsWith('#') || /^\s/u.test(line)) return null;
    const match = KEY_LINE.exec(line);
    return match === null ? null : unquoteKey(match[1] ?? '');
}

function isContinuation(line: string): boolean {
    return line.trim() === '' || /^\s/u.test(line) || line.startsWith('- ') || line === '-';
}

function unquoteKey(raw: string): string {
    const trimmed = raw.trim();
    if ((trimmed.startsWith('"') && trimmed.endsWith('"')) || (trimmed.startsWith("'") && trimmed.endsWith("'"))) {
        return trimmed.slice(1, -1);
    }
    return trimmed;
}

/** Removes a ` # comment` that is outside quotes. */
function stripComment(text: string): string {
    let quote: string | null = null;
    for (let i = 0; i < text.length; i++) {
        const char = text[i];
        if (quote !== null) {
            if (char === '\\' && quote === '"') i++;
            else if (char === quote) quote = null;
        } else if (char === '"' || char === "'") quote = char;
        else if (char === '#' && (i === 0 || /\s/u.test(text[i - 1] ?? ''))) return text.slice(0, i);
    }
    return text;
}

class FlowParser {
    private at = 0;

    constructor(private readonly text: string) {}

    value(): YamlValue {
        this.space();
        const char = this.text[this.at];
        if (char === '[') return this.sequence();
        if (char === '{') return this.map();
        if (char === '"') return this.doubleQuoted();
        if (char === "'") return this.singleQuoted();
        return this.plain();
    }

    end(): void {
        this.space();
        if (this.at < this.text.length) throw new YamlSubsetError(`unexpected text: ${this.text.slice(this.at)}`);
    }

    private sequence(): YamlValue[] {
        this.at++;
        const items: YamlValue[] = [];
        this.space();
        if (this.eat(']')) return items;
        for (;;) {
            const item = this.value();
            // `[[Note]]` unquoted is a nested sequence in YAML; a person meant the link.
            items.push(isBareLink(item) ? `[[${String((item as string[])[0])}]]` : item);
            this.space();
            if (this.eat(']')) return items;
            if (!this.eat(',')) throw new YamlSubsetError('expected , or ] in a sequence');
        }
    }

    private map(): { [key: string]: YamlValue } {
        this.at++;
        const map: { [key: string]: YamlValue } = {};
        this.space();
        if (this.eat('}')) return map;
        for (;;) {
            this.space();
            const keyValue = this.text[this.at] === '"' ? this.doubleQuoted() : this.plain(':');
            if (typeof keyValue !== 'string' && typeof keyValue !== 'number') throw new YamlSubsetError('bad map key');
            this.space();
            if (!this.eat(':')) throw new YamlSubsetError('expected : in a map');
            map[String(keyValue)] = this.value();
            this.space();
            if (this.eat('}')) return map;
            if (!this.eat(',')) throw new YamlSubsetError('expected , or } in a map');
        }
    }

    private doubleQuoted(): string {
        const start = this.at;
        this.at++;
        while (this.at < this.text.length && this.text[this.at] !== '"') {
            if (this.text[this.at] === '\\') this.at++;
            this.at++;
        }
        if (this.at >= this.text.length) throw new YamlSubsetError('unclosed string');
        this.at++;
        try {
            return JSON.parse(this.text.slice(start, this.at)) as string;
        } catch {
            throw new YamlSubsetError('unsupported escape in a string');
        }
    }

    private singleQuoted(): string {
        let out = '';
        this.at++;
        for (;;) {
            if (this.at >= this.text.length) throw new YamlSubsetError('unclosed string');
            const char = this.text[this.at++] as string;
            if (char !== "'") out += char;
            else if (this.text[this.at] === "'") {
                out += "'";
                this.at++;
            } else return out;
        }
    }

    private plain(stopAlso = ''): YamlValue {
        const start = this.at;
        while (this.at < this.text.length && !`,]}${stopAlso}`.includes(this.text[this.at] as string)) this.at++;
        const raw = this.text.slice(start, this.at).trim();
        if (raw === '' || raw === '~' || raw === 'null') return null;
        if (/^(?:true|false)$/iu.test(raw)) return raw.toLowerCase() === 'true';
        if (/^-?\d+(?:\.\d+)?$/u.test(raw)) return Number(raw);
        if (/^[|>&*!%@`]/u.test(raw)) throw new YamlSubsetError(`unsupported scalar: ${raw}`);
        return raw;
    }

    private space(): void {
        while (this.at < this.text.length && /\s/u.test(this.text[this.at] as string)) this.at++;
    }

    private eat(char: string): boolean {
        if (this.text[this.at] !== char) return false;
        this.at++;
        return true;
    }
}

function isBareLink(item: YamlValue): boolean {
    return Array.isArray(item) && item.length === 1 && typeof item[0] === 'string' && !item[0].startsWith('[[');
}
