/**
 * A quick reading of the frontmatter the queue writes itself (decision 0031): one `key: value` per line, every value
 * on its key's line as `formatEntry` writes it: a double-quoted (JSON) string, a word, a number, `true`, `false`,
 * `null`, or a flow collection of these. The `yaml` package takes 0.2–0.3 ms for a job note's fifteen lines, and a
 * job's lease, start and end each read one back.
 *
 * Anything else (a comment, a blank line, a block collection, text over several lines, single quotes, an anchor, a
 * tag, a repeated key, a word YAML 1.1 reads as a boolean, a number in any form JSON would not write) makes
 * `readFlat` answer `null`, and the caller reads the block with the `yaml` package. On what it accepts it reads what
 * `yaml` reads; `tests/delegate/flat-yaml.test.ts` compares the two on generated blocks.
 */

/** One entry of a flat block. */
export interface FlatEntry {
    key: string;
    /** The value as `yaml`'s `toJS` gives it. */
    value: unknown;
    /** Where `key: value` stands in the block (its line, without the line break). */
    start: number;
    end: number;
}

/** A key as `formatEntry` writes it without quotes. */
export const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/u;
/** Text that reads back as the same text in YAML 1.1 and 1.2, in and out of flow collections (as `formatEntry`). */
export const PLAIN_TEXT = /^[A-Za-z](?:[A-Za-z0-9 _./-]*[A-Za-z0-9_./-])?$/u;
/** Words YAML 1.1 reads as booleans or null. */
export const RESERVED_WORDS = /^(?:true|false|yes|no|on|off|null|y|n)$/iu;
/** A number as JSON writes it, no more than 15 digits, so every reader gets the same double. */
const NUMBER = /^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$/u;
/** A double-quoted scalar whose every character is printable YAML and whose escapes JSON knows. */
const QUOTED =
    /"(?:[\x20\x21\x23-\x5b\x5d-\x7e\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/uy;
/** Characters a plain scalar may hold here. */
const PLAIN_RUN = /[A-Za-z0-9 _./-]*/uy;

/** The deepest nesting of flow collections read here. */
const MAX_DEPTH = 32;

/** Thrown inside the reader when the block is not flat; never leaves this file. */
class NotFlat extends Error {
    override readonly name: string = 'NotFlat';
}

/** The entries of `source` (the text between the frontmatter delimiters), or `null` when it is not a flat block. */
export function readFlat(source: string): FlatEntry[] | null {
    const entries: FlatEntry[] = [];
    if (source === '') return entries;
    const seen = new Set<string>();
    let start = 0;
    try {
        while (start <= source.length) {
            const newline = source.indexOf('\n', start);
            const end = newline === -1 ? source.length : newline;
            const colon = source.indexOf(': ', start);
            if (colon === -1 || colon >= end) throw new NotFlat();
            const key = source.slice(start, colon);
            if (!PLAIN_KEY.test(key) || RESERVED_WORDS.test(key) || seen.has(key)) throw new NotFlat();
            seen.add(key);
            const reader = new LineReader(source, colon + 2, end);
            const value = reader.value();
            if (reader.at !== end) throw new NotFlat();
            entries.push({ key, value, start, end });
            if (newline === -1) break;
            start = newline + 1;
        }
    } catch (e) {
        if (e instanceof NotFlat) return null;
        throw e;
    }
    return entries;
}

/** Reads one value from `text` between `at` and `end`, the cursor moving past what it read. */
class LineReader {
    constructor(
        private readonly text: string,
        public at: number,
        private readonly end: number,
    ) {}

    /** How deep the collections being read are nested. */
    private depth = 0;

    value(): unknown {
        const char = this.text[this.at];
        if (char !== '[' && char !== '{') return char === '"' ? this.quoted() : this.plain();
        // Deeper nesting than any note needs goes to `yaml`, rather than deep into this reader's stack.
        if (++this.depth > MAX_DEPTH) throw new NotFlat();
        const collection = char === '[' ? this.sequence() : this.mapping();
        this.depth--;
        return collection;
    }

    private sequence(): unknown[] {
        const items: unknown[] = [];
        this.at++;
        this.spaces();
        if (this.take(']')) return items;
        for (;;) {
            items.push(this.value());
            this.spaces();
            if (this.take(']')) return items;
            this.expect(',');
            this.spaces();
        }
    }

    private mapping(): Record<string, unknown> {
        const items: Record<string, unknown> = {};
        const keys = new Set<string>();
        this.at++;
        this.spaces();
        if (this.take('}')) return items;
        for (;;) {
            const key = this.text[this.at] === '"' ? this.quoted() : this.plain();
            if (typeof key !== 'string' || key === '__proto__' || keys.has(key)) throw new NotFlat();
            keys.add(key);
            this.expect(':');
            this.expect(' ');
            this.spaces();
            items[key] = this.value();
            this.spaces();
            if (this.take('}')) return items;
            this.expect(',');
            this.spaces();
        }
    }

    private quoted(): string {
        QUOTED.lastIndex = this.at;
        const match = QUOTED.exec(this.text);
        if (match === null || this.at + match[0].length > this.end) throw new NotFlat();
        this.at += match[0].length;
        return JSON.parse(match[0]) as string;
    }

    private plain(): string | number | boolean | null {
        PLAIN_RUN.lastIndex = this.at;
        const word = (PLAIN_RUN.exec(this.text)?.[0] ?? '').trimEnd();
        this.at += word.length;
        if (word === 'true') return true;
        if (word === 'false') return false;
        if (word === 'null') return null;
        if (NUMBER.test(word)) {
            const number = Number(word);
            if (!Object.is(number, -0)) return number;
        } else if (PLAIN_TEXT.test(word) && !RESERVED_WORDS.test(word)) return word;
        throw new NotFlat();
    }

    private spaces(): void {
        while (this.at < this.end && this.text[this.at] === ' ') this.at++;
    }

    private take(char: string): boolean {
        if (this.at >= this.end || this.text[this.at] !== char) return false;
        this.at++;
        return true;
    }

    private expect(char: string): void {
        if (!this.take(char)) throw new NotFlat();
    }
}
