import type { ScannedTags, TextScanRequest, TextScanResult } from './text-scan';

/**
 * The one door to notes. Everything the core does to a vault goes through this interface; Obsidian's side is
 * `ObsidianVault`, Node's (CLI, tests, benchmarks) is `FsVault`.
 *
 * Paths are vault-relative, `/`-separated, without a leading slash, in Unicode NFC. Callers pass paths that the
 * path policy (`path-policy.ts`) has already accepted; implementations check again before any I/O.
 */
export interface VaultPort {
    /** The configuration folder of this vault (`Vault.configDir`), e.g. `.obsidian`. Never hard-code it. */
    readonly configDir: string;

    /** Every file in the vault (not folders), excluding the config folder, `.git` and `.trash`. */
    list(): Promise<FileEntry[]>;
    /**
     * The files whose path starts with `prefix` (a folder with its trailing `/`), as `list()` filtered to them, in
     * the same order. Optional: where the host can answer it without walking every file (a big vault's skills folder
     * is looked at for every session); callers fall back to filtering `list()`.
     */
    listUnder?(prefix: string): Promise<FileEntry[]>;
    /** The file at `path`, or `null` when there is none (folders are `null` too). */
    stat(path: string): Promise<FileEntry | null>;
    /** The text of a note. Rejects with `VaultError('not-found')` when there is no such file. */
    read(path: string): Promise<string>;
    /**
     * The bytes of a file (an attachment: a PDF, an image). Rejects with `VaultError('not-found')` when there is no
     * such file. Absent where the host cannot read binary files: attachments are then not sent.
     */
    readBinary?(path: string): Promise<Uint8Array>;
    /** Creates a new file with `content`, creating parent folders. Rejects with `VaultError('exists')`, never overwrites. */
    create(path: string, content: string): Promise<void>;
    /**
     * Atomic read-modify-write: `fn` receives the current text and returns the new one. Returning the current text
     * unchanged writes nothing. Resolves to the text now on disk.
     */
    process(path: string, fn: (current: string) => string): Promise<string>;
    /** Moves a file; rejects with `VaultError('exists')` when `to` is taken. Links are updated where the host can. */
    rename(from: string, to: string): Promise<void>;
    /** Moves a file to the vault's trash (recoverable), never a hard delete. */
    trash(path: string): Promise<void>;

    /**
     * Parsed metadata of a Markdown note, or `undefined` while it is not indexed yet (callers must fail closed). Never
     * changed once given: a change to the note gives a new object (the exclusion gate keeps its verdict per object).
     */
    metadata(path: string): NoteMetadata | undefined;
    /**
     * The tags of a note and whether its frontmatter could be read, as `metadata` has them, without the rest (the
     * exclusion gate asks this of every note of every listing). Absent where `metadata` is as cheap. Never changed once
     * given, as `metadata`.
     */
    tagsOf?(path: string): ScannedTags | undefined;
    /**
     * Hears each note whose tags became known again after a change (`tagsOf` had none for it meanwhile): the gate
     * excluded it until then, so a listing built meanwhile (search, suggestions) takes it in now. Not told of the first
     * reading of every note at start: listings are built once that is done. Absent where tags are known as soon as a
     * note is listed. Returns the unsubscribe function.
     */
    onTagsKnown?(listener: (path: string) => void): () => void;
    /** The path a link points to from `sourcePath`, by Obsidian's shortest-path rules; `null` when unresolved. */
    resolveLink(linkpath: string, sourcePath: string): string | null;
    /** Paths of notes that link to or embed `path`. */
    backlinks(path: string): readonly string[];
    /**
     * Whether `backlinks` is complete: false while the host is still indexing links at startup. The exclusion gate
     * judges an attachment by the notes that use it, so it excludes every attachment until this is true. Absent where
     * the index is complete from the start.
     */
    linksReady?(): boolean;
    /**
     * Some of `backlinks(path)`, found without indexing notes not indexed yet (a vault just opened indexes its notes
     * as they are touched). The exclusion gate asks it first: one visible note that uses an attachment settles it.
     * Absent where `backlinks` costs no more.
     */
    knownBacklinks?(path: string): readonly string[];
    /** Subscribes to changes made by anyone (the person, sync, other plugins, this plugin). Returns the unsubscribe. */
    onChange(listener: (event: VaultChange) => void): () => void;

    /**
     * Where `path` really leads on disk, as a vault path: `path` itself when no symbolic link is on the way, the link's
     * target otherwise, `null` when it leads outside the vault or nowhere. The exclusion gate judges this path too, so a
     * link cannot show an excluded note under another name. Absent where the host resolves links itself.
     */
    realPathOf?(path: string): string | null;

    /**
     * The other vault paths of the file at `path` when it has more than one name on disk (hard links; none otherwise).
     * The exclusion gate judges them too: an excluded note linked hard under another name is excluded under that name.
     * Absent where the host cannot see file identities.
     */
    otherNamesOf?(path: string): readonly string[];

    /**
     * Searches the texts of `request.paths` for a plain needle off the calling thread (see `text-scan.ts`); `null` when
     * it cannot now (the caller then reads the notes itself). Absent where the host has no second thread for it.
     */
    scanTexts?(request: TextScanRequest): Promise<TextScanResult | null>;

    /**
     * Brings the metadata (tags) of `paths` up to date with the disk now, cheaply (no full scan), so the gate judges
     * notes as they are at this moment. Absent where the host keeps its metadata current by itself.
     */
    revalidate?(paths: Iterable<string>): Promise<void>;
}

/** A file's identity and size, as the vault reports it. */
export interface FileEntry {
    /** Vault-relative path. */
    path: string;
    /** Size in bytes. */
    size: number;
    /** Last modification time, ms since the epoch. */
    mtime: number;
    /** Creation time, ms since the epoch (where the platform knows it; otherwise equal to `mtime`). */
    ctime: number;
}

/** What changed in the vault. */
export type VaultChange =
    { type: 'create' | 'modify' | 'delete'; path: string } | { type: 'rename'; path: string; oldPath: string };

/** What a note says about itself and its neighbours, the same shape whether Obsidian or our parser produced it. */
export interface NoteMetadata {
    /** The parsed frontmatter, or `null` when the note has none. */
    frontmatter: Record<string, unknown> | null;
    /** Set when the note has a frontmatter block that could not be parsed; its tags are then unknown. */
    frontmatterError?: string;
    /**
     * Every tag of the note, frontmatter and inline, with a leading `#` and the case as written (`#Private/health`),
     * deduplicated. `undefined` when unknown (e.g. unparseable frontmatter): the exclusion gate treats that as excluded.
     */
    tags: string[] | undefined;
    /**
     * The tags as Obsidian shows them, for listings and suggestions (never for exclusion): without the ones `tags` reads
     * on purpose beyond Obsidian (comments, code in callouts and lists, YAML comments; see decision 0004). Absent where
     * the source has one reading only (Obsidian's own cache): then `tags` is what Obsidian shows.
     */
    shownTags?: string[];
    /** `aliases` from the frontmatter, in any of its forms. */
    aliases: string[];
    /** Outgoing links (wikilinks and Markdown links to notes), embeds excluded. */
    links: LinkReference[];
    /** Embeds: `![[…]]` and `![](…)` to vault files. */
    embeds: LinkReference[];
    /** Headings in order. */
    headings: HeadingInfo[];
    /** Block ids (`^id`) defined in the note, with their line. */
    blocks: BlockInfo[];
}

/** One link or embed as written in a note. */
export interface LinkReference {
    /** The link path without subpath: `Note` for `[[Note#Heading|alias]]`. */
    link: string;
    /** `#Heading`, `#^block`, or `''`. */
    subpath: string;
    /** The alias or Markdown link text, when given. */
    displayText?: string;
    /** The full original text, e.g. `![[Note#Heading]]`. */
    original: string;
    /** Zero-based line where it appears. */
    line: number;
}

/** One heading. */
export interface HeadingInfo {
    /** 1 to 6. */
    level: number;
    /** The heading text without the leading `#`s. */
    heading: string;
    /** Zero-based line. */
    line: number;
}

/** A block id (`^abc123`) and the line range of the block it names. */
export interface BlockInfo {
    /** The id without `^`. */
    id: string;
    /** Zero-based first line of the block. */
    startLine: number;
    /** Zero-based last line of the block (where the id stands). */
    endLine: number;
}

/** Why a vault operation failed, in terms a caller can act on. */
export type VaultErrorCode =
    'not-found' | 'exists' | 'invalid-path' | 'outside-vault' | 'protected' | 'not-a-note' | 'io';

/** The one error type vault implementations throw. `message` is fit to show a person or a model. */
export class VaultError extends Error {
    constructor(
        readonly code: VaultErrorCode,
        message: string,
        readonly path?: string,
    ) {
        super(message);
        this.name = 'VaultError';
    }
}

/** `process` found the file changed on disk after `fn` saw it; nothing was written (someone else got there first). */
export class StaleWriteError extends VaultError {
    /** Always true: tells a stale write from other I/O failures. */
    readonly stale = true;
    constructor(path: string) {
        super('io', `"${path}" changed on disk while it was being edited; nothing was written. Read it again.`, path);
    }
}

/** True for `.md` files, which are the notes (other files are attachments). */
export function isMarkdownPath(path: string): boolean {
    return path.toLowerCase().endsWith('.md');
}
