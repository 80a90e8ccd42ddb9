/**
 * A vault that can search its notes' texts off the calling thread (`VaultPort.scanTexts`): the FsVault of the CLI and
 * the MCP server does it in worker threads (`src/vault/text-scan-node.ts`, decision 0024). The scan reads each note
 * afresh, finds the lines that hold a plain lowercase needle, and parses the tags of a matching text when it may name
 * an excluded tag, so the caller judges each note on the very text its lines came from.
 */
import type { NoteMetadata } from './vault-port';

/** The excluded tags as the screen of `src/vault/tag-screen.ts` looks for them. */
export interface TagScreen {
    /** Excluded tags, lowercased, without `#`. */
    rules: string[];
    /** Whether any rule has a letter beyond ASCII (a lowercase search could then miss a spelling: parse every text). */
    nonAscii: boolean;
}

/** The tags a scan parsed from a note's text, as `NoteMetadata` has them. */
export type ScannedTags = Pick<NoteMetadata, 'tags' | 'frontmatterError'>;

/** What to scan. */
export interface TextScanRequest {
    /** Listed note paths, in the order results are wanted. */
    paths: string[];
    /** The text to find, already lowercased; a line matches when its lowercase holds it. */
    needle: string;
    /** When a matching text is parsed for tags (`ExclusionGate.tagScreen`). */
    screen: TagScreen;
    /** `Date.now()` after which the scan stops and reports how far it got. */
    deadline: number;
    /** Stops the scan early. */
    signal?: AbortSignal;
}

/** A note whose text holds the needle, as the scan read it. */
export interface ScannedMatch {
    /**
     * Lines whose lowercase holds the needle outside every link (wikilink or Markdown link, hidden or not): each is a
     * match whatever redaction replaces.
     */
    plainLines: number;
    /**
     * The other lines that hold it (only inside a link): `[line, text]` (1-based, as `read_note` numbers them), to be
     * redacted before they are matched.
     */
    linkLines: [number, string][];
    /** The tags parsed from the text, or `null` when the screen said it names no excluded tag. */
    tags: ScannedTags | null;
}

/**
 * Per requested path, in order: `undefined` = not searched (the scan stopped), `null` = its text lacks the needle,
 * `'read-here'` = the scan could not judge it (a symbolic link, a changed identity, an unusual text): the caller reads
 * it itself; a number = that many matching lines, none inside a link, in a text that names no excluded tag (most
 * matches, sent as a plain number); else the match.
 */
export type ScannedNote = ScannedMatch | number | 'read-here' | null | undefined;

/** What a scan found. */
export interface TextScanResult {
    /** One entry per requested path (see `ScannedNote`). */
    notes: ScannedNote[];
    /** True when the deadline or the signal stopped it before every path was searched. */
    stopped: boolean;
}
