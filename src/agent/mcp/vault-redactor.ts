/**
 * Scans results from an MCP server that can read the vault by itself (a filesystem server pointed at it, say) before
 * the model sees them (docs/RELIABILITY.md rows 12, 13 and 15). Such a server does not know our exclusions, so we judge
 * what it returned against the notes of the vault:
 *
 * - A result holding ANY content of an excluded note (one of its distinctive lines, or the whole text of a note too
 *   short to have one) is withheld whole. Fail closed: a file server returning a private file is returning that file,
 *   frontmatter (`aliases:`, `tags:`) and short lines included, which line-by-line redaction used to let through.
 * - A result that only names excluded notes (a directory listing, a link) keeps its text with those names replaced:
 *   paths, file names, base names and aliases.
 * - Every result records which notes (public ones included) it carries text or names of: its `sources`. The session
 *   re-judges those with the CURRENT gate before every request, so a note made private later takes this result out
 *   of the history like a `read_note` result (row 13). Provenance is taken at call time, when the vault can be read;
 *   the re-check before a request is synchronous, and a note is often edited in the same breath as it is made
 *   private, so matching its later text would miss what the result actually carried.
 *
 * - Other files the gate excludes (a PDF or an image in an excluded folder, or one only private notes use) are known
 *   the same way: their bytes read as UTF-8, as a file server returns them, give the lines a result holding them is
 *   recognised by, and their paths and file names are names. Lines every PDF has (`<< /Type /Catalog … >>`) are
 *   among them, so while a PDF is excluded a server's raw read of any PDF is withheld: too much, never too little
 *   (`read_attachment` reads visible PDFs). A file too large to read whole is known by name only, and
 *   while one is excluded, any result holding binary data (NUL or undecodable bytes) is withheld: fail closed.
 *
 * A line is distinctive when it holds at least `MIN_LINE_CHARS` characters after trimming; shorter lines ("## Notes",
 * "- [ ] call") are shared by too many notes to recognise one by them. Lines are also split at escaped `\n`, so a
 * note's text inside a JSON string is caught too. Lines are kept as 53-bit hashes, not text, so the index of a large
 * vault stays small; a collision can only withhold too much, never too little.
 */
import type { ExclusionGate } from '../../context/exclusions';
import { isMarkdownPath, type FileEntry, type VaultPort } from '../../kernel/vault-port';

/** What replaces the name or path of an excluded note. */
export const REDACTED_NAME = '[redacted]';
/** What the model gets instead of a result that held text of an excluded note. Names nothing. */
export const WITHHELD_RESULT = '[result withheld: it contained text from notes hidden by the privacy settings]';

const MIN_LINE_CHARS = 20;
/** An excluded file larger than this is known by name only (see `unreadBinaryExcluded`). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Whether `text` holds NUL or U+FFFD: bytes that are no text, as a file server returns a binary file. */
function looksBinary(text: string): boolean {
    return text.includes('\u0000') || text.includes('\ufffd');
}
/** Shorter names are ordinary words ("Plan", "Todo"); redacting them everywhere would garble every result. */
const MIN_NAME_CHARS = 4;
const WORD = /[\p{L}\p{N}]+/gu;
/** Names are looked up by up to this many characters from their first word on, then checked in full. */
const KEY_CHARS = 16;

/** What the redactor needs. */
export interface VaultRedactorOptions {
    /** The vault whose notes are looked for. */
    vault: VaultPort;
    /** Which notes are excluded; asked at every scan, so it may answer differently over time. */
    gate: ExclusionGate;
}

/** What one scan found. */
export interface RedactionReport {
    /** The text with excluded names replaced, or `WITHHELD_RESULT` when it held text of an excluded note. */
    text: string;
    /** How many names were replaced (0 = untouched); 0 when withheld. */
    replaced: number;
    /** True when the whole text was withheld. */
    withheld: boolean;
    /** The notes whose text or names the returned text carries, sorted; empty when withheld. */
    sources: string[];
}

/** What the redactor remembers of one note. */
interface NoteTraces {
    /** When it was read, to reuse the traces while the file is unchanged. */
    mtime: number;
    /** Its size then. */
    size: number;
    /** Hashes of its distinctive lines. */
    lines: number[];
    /** Its whole text (trimmed, LF) when it has no distinctive line but is long enough; recognised only whole. */
    whole: string | null;
    /** True for a file too large to read: its content cannot be recognised. */
    unread?: boolean;
}

/** One name of a note, found in text by the characters from its first word on. */
interface NameEntry {
    /** The name, lower case. */
    name: string;
    /** Where its first word starts in it. */
    offset: number;
    /** The note it names. */
    path: string;
}

/** Knows the notes of one vault and judges text against them. Re-reads changed notes before the next scan. */
export class VaultRedactor {
    private readonly options: VaultRedactorOptions;
    private traces = new Map<string, NoteTraces>();
    private names = new Map<string, string[]>();
    private lineOwners = new Map<number, string[]>();
    private nameIndex = new Map<string, NameEntry[]>();
    private keyLengths: number[] = [];
    private excludedKey = '';
    private excludedNames: RegExp | null = null;
    private dirty = new Set<string>();
    private stale = true;
    private building: Promise<void> | null = null;
    private readonly unsubscribe: () => void;

    constructor(options: VaultRedactorOptions) {
        this.options = options;
        this.unsubscribe = options.vault.onChange((change) => {
            this.stale = true;
            this.dirty.add(change.path);
            if (change.type === 'rename') this.dirty.add(change.oldPath);
        });
    }

    /** Judges `text` against the notes as they are now and the exclusions as they are now. */
    async redact(text: string): Promise<RedactionReport> {
        await this.refresh();
        const excluded = [...this.traces.keys()].filter((path) => this.options.gate.isExcluded(path));
        const isExcluded = new Set(excluded);
        const carried = this.linesIn(text);
        const unreadBinary = looksBinary(text) && excluded.some((path) => this.traces.get(path)?.unread === true);
        if (unreadBinary || [...carried].some((path) => isExcluded.has(path)) || this.holdsWholeNote(text, excluded)) {
            return { text: WITHHELD_RESULT, replaced: 0, withheld: true, sources: [] };
        }
        let replaced = 0;
        const names = this.excludedNamePattern(excluded);
        const out =
            names === null
                ? text
                : text.replace(names, () => {
                      replaced++;
                      return REDACTED_NAME;
                  });
        for (const path of this.namesIn(out)) carried.add(path);
        // A name of an excluded note that survived the replacement (a form it does not know): fail closed.
        if ([...carried].some((path) => isExcluded.has(path))) {
            return { text: WITHHELD_RESULT, replaced: 0, withheld: true, sources: [] };
        }
        return { text: out, replaced, withheld: false, sources: [...carried].sort() };
    }

    /** Stops listening to the vault. */
    dispose(): void {
        this.unsubscribe();
    }

    /** The notes one of whose distinctive lines `text` holds. */
    private linesIn(text: string): Set<string> {
        const found = new Set<string>();
        for (const part of text.split(/\r?\n|\\r\\n|\\n/)) {
            if (part.length < MIN_LINE_CHARS) continue;
            const normal = normaliseLine(part);
            if (normal.length < MIN_LINE_CHARS) continue;
            this.lineOwners.get(lineHash(normal))?.forEach((path) => found.add(path));
        }
        return found;
    }

    /** Whether `text` holds the whole text of an excluded note that has no distinctive line. */
    private holdsWholeNote(text: string, excluded: readonly string[]): boolean {
        const plain = text.replace(/\r\n/g, '\n');
        const unescaped = unescapeJson(plain);
        return excluded.some((path) => {
            const whole = this.traces.get(path)?.whole;
            return whole !== null && whole !== undefined && (plain.includes(whole) || unescaped.includes(whole));
        });
    }

    /** The notes `text` names (path, file name, base name or alias), found word by word. */
    private namesIn(text: string): Set<string> {
        const found = new Set<string>();
        const lower = fold(text);
        for (const match of lower.matchAll(WORD)) {
            // A few keys per word, whatever the vault's size: names sharing a first word ("Meeting …") stay cheap.
            for (const length of this.keyLengths) {
                for (const entry of this.nameIndex.get(lower.slice(match.index, match.index + length)) ?? []) {
                    const at = match.index - entry.offset;
                    if (at >= 0 && lower.startsWith(entry.name, at)) found.add(entry.path);
                }
            }
        }
        return found;
    }

    private excludedNamePattern(excluded: readonly string[]): RegExp | null {
        const key = excluded.join('\n');
        if (key !== this.excludedKey) {
            this.excludedKey = key;
            const all = new Set(excluded.flatMap((path) => this.names.get(path) ?? []));
            // Longest first, so a path is replaced whole rather than leaving its folder part behind. No `u` flag: with
            // `i` it makes a long alternation about a hundred times slower, and the names are matched as literals.
            const sorted = [...all].sort((a, b) => b.length - a.length).map(escapeRegExp);
            this.excludedNames = sorted.length === 0 ? null : new RegExp(sorted.join('|'), 'gi');
        }
        return this.excludedNames;
    }

    private async refresh(): Promise<void> {
        while (this.stale || this.building !== null) {
            if (this.building === null) {
                this.stale = false;
                this.building = this.build().finally(() => {
                    this.building = null;
                });
            }
            await this.building;
        }
    }

    private async build(): Promise<void> {
        const { vault } = this.options;
        const dirty = this.dirty;
        this.dirty = new Set();
        const traces = new Map<string, NoteTraces>();
        for (const entry of await vault.list()) {
            // Every note (a result's sources are recorded), and the other files only while they are excluded.
            if (!isMarkdownPath(entry.path) && !this.options.gate.isExcluded(entry.path)) continue;
            const known = this.traces.get(entry.path);
            const unchanged =
                known !== undefined &&
                !dirty.has(entry.path) &&
                known.mtime === entry.mtime &&
                known.size === entry.size;
            const note = unchanged ? known : await readTraces(vault, entry);
            if (note !== null) traces.set(entry.path, note);
        }
        this.traces = traces;
        this.index();
    }

    /** Rebuilds the lookups from the traces; names come from the metadata now (aliases may change without a write). */
    private index(): void {
        const lineOwners = new Map<number, string[]>();
        const names = new Map<string, string[]>();
        const nameIndex = new Map<string, NameEntry[]>();
        const keyLengths = new Set<number>();
        for (const [path, note] of this.traces) {
            for (const hash of note.lines) {
                const owners = lineOwners.get(hash);
                if (owners === undefined) lineOwners.set(hash, [path]);
                else if (owners[owners.length - 1] !== path) owners.push(path);
            }
            const own = namesOf(path, this.options.vault.metadata(path)?.aliases ?? []);
            names.set(path, own);
            for (const name of own) {
                const lower = fold(name);
                const first = /[\p{L}\p{N}]/u.exec(lower);
                if (first === null) continue;
                const key = lower.slice(first.index, first.index + KEY_CHARS);
                keyLengths.add(key.length);
                const entries = nameIndex.get(key) ?? [];
                entries.push({ name: lower, offset: first.index, path });
                nameIndex.set(key, entries);
            }
        }
        this.lineOwners = lineOwners;
        this.names = names;
        this.nameIndex = nameIndex;
        this.keyLengths = [...keyLengths];
        this.excludedKey = '\u0000';
    }
}

/**
 * Reads one file's traces: a note's text, another file's bytes as UTF-8 (how a file server returns them). `null` when
 * it cannot be read (gone since it was listed); a file too large is known by name only, as `unread`.
 */
async function readTraces(vault: VaultPort, entry: FileEntry): Promise<NoteTraces | null> {
    const markdown = isMarkdownPath(entry.path);
    if (!markdown && (entry.size > MAX_FILE_BYTES || vault.readBinary === undefined)) {
        return { mtime: entry.mtime, size: entry.size, lines: [], whole: null, unread: true };
    }
    let content: string;
    try {
        content = markdown
            ? await vault.read(entry.path)
            : new TextDecoder().decode(await (vault.readBinary as (path: string) => Promise<Uint8Array>)(entry.path));
    } catch {
        return markdown ? null : { mtime: entry.mtime, size: entry.size, lines: [], whole: null, unread: true };
    }
    const lines = new Set<number>();
    for (const line of content.split(/\r?\n/)) {
        const normal = normaliseLine(line);
        if (normal.length >= MIN_LINE_CHARS) lines.add(lineHash(normal));
    }
    const whole = content.replace(/\r\n/g, '\n').trim();
    return {
        mtime: entry.mtime,
        size: entry.size,
        lines: [...lines],
        // A shorter note is as common as a short line ("ok", "- [ ] call"): recognising it would withhold everything.
        whole: lines.size === 0 && whole.length >= MIN_LINE_CHARS ? whole : null,
    };
}

/**
 * The names a file goes by in text: its path, file name, and for a note its base name and aliases (the short ones are
 * words). Another file's name keeps its extension (`scan.pdf`): without it, it would be an ordinary word.
 */
function namesOf(path: string, aliases: readonly string[]): string[] {
    const file = path.slice(path.lastIndexOf('/') + 1);
    const base = isMarkdownPath(path) ? file.replace(/\.md$/i, '') : file;
    const names = [path, file, base, ...aliases].map((name) => name.trim().normalize('NFC'));
    return [...new Set(names.filter((name) => name.length >= MIN_NAME_CHARS))];
}

/** A line as compared: trimmed, NFC, with JSON's escaped quotes and backslashes read back. */
function normaliseLine(line: string): string {
    return line
        .replace(/\\(["\\/])/g, '$1')
        .trim()
        .normalize('NFC');
}

function unescapeJson(text: string): string {
    return text.replace(/\\r\\n|\\n/g, '\n').replace(/\\(["\\/])/g, '$1');
}

function fold(text: string): string {
    return text.normalize('NFC').toLowerCase();
}

/** Two 32-bit FNV-style hashes with different multipliers, joined into one 53-bit number (a safe integer). */
function lineHash(line: string): number {
    let a = 0x811c9dc5;
    let b = 0x9747b28c;
    for (let i = 0; i < line.length; i++) {
        const code = line.charCodeAt(i);
        a = Math.imul(a ^ code, 0x01000193);
        b = Math.imul(b ^ code, 0x5bd1e995);
    }
    return (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
