/**
 * The exclusion gate (docs/DESIGN.md, "Exclusions — one gate, every route"). Every listing, search, mention, embed,
 * tool call and job input asks this one gate whether a path may exist for the model. It fails closed: unknown metadata,
 * unreadable settings and odd path spellings all count as excluded.
 */
import { Minimatch, type MinimatchOptions } from 'minimatch';
import type { PrivacySettings } from '../kernel/settings';
import { SYSTEM_FOLDERS_ANYWHERE, SYSTEM_FOLDERS_TEXT, SYSTEM_ROOT_FOLDERS } from '../kernel/system-folders';
import { parseNote } from '../vault/note-parser';
import { mayNameExcludedTag } from '../vault/tag-screen';
import type { ScannedTags, TagScreen } from '../kernel/text-scan';
import type { VaultPort } from '../kernel/vault-port';
import type { ObsidianExcludedFiles } from './obsidian-excluded-files';

/** Why a path is excluded. Shown to the person, never to the model. */
export type ExclusionReason =
    | { kind: 'tag'; tag: string }
    | { kind: 'folder'; rule: string }
    | { kind: 'system' }
    | { kind: 'unindexed' }
    | { kind: 'link' }
    | { kind: 'used-by-excluded' }
    | { kind: 'links-unknown' }
    | { kind: 'locked' }
    | { kind: 'obsidian'; filter: string }
    | { kind: 'obsidian-unreadable'; problem: string };

/** The gate's answer for one path. */
export type ExclusionVerdict = { excluded: false } | { excluded: true; reason: ExclusionReason };

/** What the gate needs: the vault (for metadata and `configDir`) and the privacy rules, `null` while locked. */
export interface ExclusionGateOptions {
    /** The vault whose metadata supplies each note's tags. */
    vault: VaultPort;
    /** The exclusion rules; `null` means settings could not be read, so everything is excluded. */
    privacy: PrivacySettings | null;
    /** Obsidian's own Excluded files, when the settings honour them; a list with a `problem` excludes everything. */
    obsidianExcluded?: ObsidianExcludedFiles | null;
    /**
     * Folders of notes that are requests to the agent (the jobs folder and its proposals): a job naming an image as its
     * context asks for it, it does not use it, so what these notes link never makes an attachment visible.
     */
    requestFolders?: readonly string[];
}

const VISIBLE: ExclusionVerdict = Object.freeze({ excluded: false });
const SYSTEM: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'system' }) });
const UNINDEXED: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'unindexed' }) });
const LOCKED: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'locked' }) });
const LINK: ExclusionVerdict = Object.freeze({ excluded: true, reason: Object.freeze({ kind: 'link' }) });
const USED_BY_EXCLUDED: ExclusionVerdict = Object.freeze({
    excluded: true,
    reason: Object.freeze({ kind: 'used-by-excluded' }),
});
const LINKS_UNKNOWN: ExclusionVerdict = Object.freeze({
    excluded: true,
    reason: Object.freeze({ kind: 'links-unknown' }),
});

/**
 * Vault file systems are often case-insensitive (macOS, Windows, mobile), so `journal/x.md` may be the very file
 * `Journal/x.md`: globs match without regard to case. Platform is fixed so every device reads a rule the same way.
 */
const GLOB_OPTIONS: MinimatchOptions = { nocase: true, dot: true, nonegate: true, nocomment: true, platform: 'linux' };

const GLOB_MAGIC = /[*?[\]{}]|[@+!]\(/;

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * `scanPath` results, as bits: 0 is plain ASCII in canonical form; `DOTTED` has a segment starting with a dot (every
 * system folder does); `NON_ASCII_CHARS` needs NFC; `IRREGULAR` needs full normalising.
 */
const DOTTED = 1;
const NON_ASCII_CHARS = 2;
const IRREGULAR = 4;

/**
 * How many paths a gate remembers the path rules' verdict for (see `byPath`): more than a vault of 100,000 notes and its
 * attachments. Past it the memo starts again, so paths made up by a model cannot make it grow without end.
 */
const PATH_MEMO_LIMIT = 1 << 17;

/** A glob rule: the rule as the person wrote it, and its matchers (the pattern and everything beneath it). */
interface GlobRule {
    /** The rule as shown to the person. */
    rule: string;
    /** Compiled once; any match excludes. */
    matchers: Minimatch[];
}

/** The one exclusion gate. Immutable: build a new one when settings change. */
export class ExclusionGate {
    private readonly vault: VaultPort;
    private readonly privacy: PrivacySettings | null;
    private readonly locked: boolean;
    private readonly systemPattern: RegExp;
    /** False when the config folder's name has no leading dot, so the dot pre-check cannot rule it out. */
    private readonly systemNeedsDot: boolean;
    /** Excluded tags, lowercased, without `#`. */
    private readonly tagRules: string[];
    /** Whether any tag rule has a letter beyond ASCII. */
    private readonly tagRulesNonAscii: boolean;
    /** Matches a path inside any literal excluded folder; `null` when there are none. */
    private readonly folderPattern: RegExp | null;
    private readonly folderRules: { rule: string; pattern: RegExp }[];
    private readonly globRules: GlobRule[];
    private readonly tagVerdicts = new Map<string, ExclusionVerdict>();
    /** Obsidian's Excluded files; `null` when not honoured or empty. */
    private readonly obsidian: ObsidianExcludedFiles | null;
    /** The verdict for every path while Obsidian's list cannot be read; `null` when it can. */
    private readonly obsidianUnreadable: ExclusionVerdict | null;
    /** Obsidian's list as given, so a derived gate keeps it. */
    private readonly obsidianGiven: ObsidianExcludedFiles | null;
    /** Matches a note in a request folder (see `requestFolders`); `null` when there are none. */
    private readonly requestPattern: RegExp | null;
    private readonly requestFolders: readonly string[];
    /**
     * What the rules that read a path's spelling alone (system folders, Obsidian's list, excluded folders and globs) say
     * of each path checked so far: its canonical form when none excludes it (its tags and where it leads are judged on
     * every check, they change), or the verdict that excludes it. A pure function of the path and this gate's rules,
     * which never change, so it is never stale. A note's entry also keeps the verdict on the last tags it was found
     * with (see `PathFacts`).
     */
    private readonly byPath = new Map<string, PathFacts | ExclusionVerdict>();

    constructor(options: ExclusionGateOptions) {
        this.vault = options.vault;
        this.obsidianGiven = options.obsidianExcluded ?? null;
        this.requestFolders = uniqueNonEmpty((options.requestFolders ?? []).map((f) => trimSlashes(f.trim())));
        this.requestPattern = this.requestFolders.length === 0 ? null : folderRegExp([...this.requestFolders]);
        this.privacy = options.privacy;
        this.locked = options.privacy === null;
        const obsidian = options.obsidianExcluded ?? null;
        this.obsidian = obsidian !== null && obsidian.filters.length > 0 ? obsidian : null;
        this.obsidianUnreadable =
            obsidian?.problem != null
                ? { excluded: true, reason: { kind: 'obsidian-unreadable', problem: obsidian.problem } }
                : null;
        const roots = [trimSlashes(options.vault.configDir), ...SYSTEM_ROOT_FOLDERS].filter((f) => f !== '');
        const anywhere = SYSTEM_FOLDERS_ANYWHERE.map(escapeRegExp).join('|');
        this.systemPattern = new RegExp(`${folderRegExp(roots).source}|(?:^|/)(?:${anywhere})(?:/|$)`, 'iu');
        this.systemNeedsDot = roots.every((root) => root.startsWith('.'));

        const privacy = options.privacy ?? { excludedTags: [], excludedFolders: [] };
        this.tagRules = uniqueNonEmpty(privacy.excludedTags.map(normaliseTagRule));
        this.tagRulesNonAscii = this.tagRules.some(hasNonAscii);

        const folders: string[] = [];
        this.globRules = [];
        for (const raw of privacy.excludedFolders) {
            const rule = trimSlashes(raw.trim().replace(/\\/g, '/')).normalize('NFC');
            if (rule === '') continue;
            // A folder may really be called `Archive [2019]`: a rule that looks like a glob also counts as the
            // literal folder, so reading it as a pattern can only exclude more, never leak the folder it names.
            if (GLOB_MAGIC.test(rule)) this.globRules.push(compileGlob(rule));
            folders.push(rule);
        }
        const uniqueFolders = uniqueNonEmpty(folders);
        this.folderPattern = uniqueFolders.length === 0 ? null : folderRegExp(uniqueFolders);
        this.folderRules = uniqueFolders.map((rule) => ({ rule: `${rule}/`, pattern: folderRegExp([rule]) }));
    }

    /**
     * The rules this gate applies, as one string: two gates with the same key exclude the same notes given the same
     * metadata. An index of visible notes compares it to know when every note must be judged again.
     */
    get rulesKey(): string {
        const obsidian = this.obsidianGiven === null ? null : [this.obsidianGiven.filters, this.obsidianGiven.problem];
        return JSON.stringify([this.vault.configDir, this.privacy, obsidian, this.requestFolders]);
    }

    /**
     * This gate with `folders` excluded too, like folder rules of the person's own: how a job's view leaves out the
     * jobs folder. A locked gate stays locked.
     */
    withHiddenFolders(folders: readonly string[]): ExclusionGate {
        const extra = folders.filter((folder) => folder.trim() !== '');
        if (this.privacy === null || extra.length === 0) return this;
        return new ExclusionGate({
            vault: this.vault,
            privacy: { ...this.privacy, excludedFolders: [...this.privacy.excludedFolders, ...extra] },
            obsidianExcluded: this.obsidianGiven,
            requestFolders: this.requestFolders,
        });
    }

    /**
     * Whether `path` is excluded, and why. A path that leads through a symbolic link on disk is judged by where it
     * really leads as well (the vault's `realPathOf`): a link into an excluded folder, onto a note an excluded glob
     * matches, into a hidden folder, or out of the vault is excluded, whatever it is called itself.
     */
    check(path: string): ExclusionVerdict {
        if (this.locked) return LOCKED;
        if (this.obsidianUnreadable !== null) return this.obsidianUnreadable;
        const byPath = this.byPath.get(path) ?? this.judgePath(path);
        if (!(byPath instanceof PathFacts)) return byPath;
        const { canonical, markdown } = byPath;
        let own = VISIBLE;
        if (markdown) {
            const screen = this.tagsOf(canonical);
            if (screen !== byPath.screen || byPath.tagVerdict === null) {
                byPath.screen = screen;
                byPath.tagVerdict = this.judgeTags(screen);
            }
            own = byPath.tagVerdict;
        }
        // "Not indexed" is no rule: a path that does not exist yet may still lead, through a linked folder, into one.
        if ((own.excluded && own.reason.kind !== 'unindexed') || this.vault.realPathOf === undefined) {
            return own.excluded || markdown ? own : this.checkUsers(canonical);
        }
        const real = this.vault.realPathOf(canonical);
        if (real === canonical) return own.excluded || markdown ? own : this.checkUsers(canonical);
        if (real === null || real === '') return LINK;
        const target = this.checkTarget(real);
        if (target.excluded) return target;
        // An attachment reached through a link is the file it leads to: the notes that use that file count too.
        return own.excluded || markdown ? own : this.checkUsers(canonical, real);
    }

    /** The path rules' verdict on `path` (see `byPath`), remembered. */
    private judgePath(path: string): PathFacts | ExclusionVerdict {
        const shape = scanPath(path);
        const canonical =
            shape & IRREGULAR ? canonicalPath(path) : shape & NON_ASCII_CHARS ? path.normalize('NFC') : path;
        let judged: PathFacts | ExclusionVerdict = SYSTEM;
        if (canonical !== null) {
            const verdict = this.checkPathRules(canonical, shape);
            judged = verdict.excluded ? verdict : new PathFacts(canonical);
        }
        if (this.byPath.size >= PATH_MEMO_LIMIT) this.byPath.clear();
        this.byPath.set(path, judged);
        return judged;
    }

    /**
     * An attachment (any file but a note) that notes link to or embed is as private as they are: excluded when every
     * note that uses it is excluded (an image only a `#private` note embeds is private too), and — failing closed —
     * while the host is still indexing links, since its users are not known yet. An attachment no note uses is judged
     * by its path alone. A symbolic link on disk and the file it leads to (`real`) are one file: the notes that use
     * either name are its users, so a link onto an image only a private note embeds is as private as the image. Notes
     * in a request folder (job notes) are no users: asking for a file neither makes it visible nor hides it.
     */
    private checkUsers(canonical: string, real?: string): ExclusionVerdict {
        if (this.vault.linksReady !== undefined && !this.vault.linksReady()) return LINKS_UNKNOWN;
        // One visible user settles it: the notes known to use it so far are asked first, since finding every user can
        // mean indexing every note of a vault just opened. More users can only add visible ones, never take one away
        // (decision 0028).
        const vault = this.vault;
        const visible = (user: string): boolean => isMarkdown(user) && !this.check(user).excluded;
        if (vault.knownBacklinks !== undefined) {
            const known = this.users((path) => vault.knownBacklinks?.(path) ?? [], canonical, real);
            if (known.some(visible)) return VISIBLE;
        }
        const users = this.users((path) => vault.backlinks(path), canonical, real);
        if (users.length === 0) return VISIBLE;
        return users.some(visible) ? VISIBLE : USED_BY_EXCLUDED;
    }

    /** The notes that use the file `canonical` (also called `real` on disk) as `backlinks` lists them; requests aside. */
    private users(
        backlinks: (path: string) => readonly string[],
        canonical: string,
        real: string | undefined,
    ): readonly string[] {
        const named = backlinks(canonical);
        const all = real === undefined || real === canonical ? named : [...named, ...backlinks(real)];
        const request = this.requestPattern;
        return all.filter((user) => user !== canonical && user !== real && (request === null || !request.test(user)));
    }

    /**
     * Whether `text`, just read from `path`, may be returned or sent: the verdict on the path (and where it leads), and
     * the tags of this very text, parsed now — not those of a scan made before the text was read, which may predate
     * the edit that made the note private. `lower`, when the caller has it, is `text.toLowerCase()`.
     */
    checkText(path: string, text: string, lower?: string): ExclusionVerdict {
        const verdict = this.check(path);
        if (verdict.excluded || !isMarkdown(path) || !this.mayNameExcludedTag(text, lower)) return verdict;
        return this.judgeTags(parseNote(text));
    }

    /**
     * Whether the tags of `text` alone exclude it, wherever it is kept: for text that is not (yet) a note's, such as a
     * proposed new note or a note's proposed new text waiting for review.
     */
    checkTextTags(text: string): ExclusionVerdict {
        if (this.locked) return LOCKED;
        if (!this.mayNameExcludedTag(text)) return VISIBLE;
        return this.judgeTags(parseNote(text));
    }

    /** True when `text`, just read from `path`, must not be returned or sent (see `checkText`). */
    isTextExcluded(path: string, text: string, lower?: string): boolean {
        return this.checkText(path, text, lower).excluded;
    }

    /**
     * The screen a text read elsewhere (a search worker) goes through before `isScannedTextExcluded`: the text is parsed
     * there exactly when `mayNameExcludedTag(screen, text)` says so.
     */
    tagScreen(): TagScreen {
        return { rules: this.tagRules, nonAscii: this.tagRulesNonAscii };
    }

    /**
     * `isTextExcluded` for a text just read and screened on another thread: `tags` is what `parseNote` found in it when
     * the screen (`tagScreen`) said it may name an excluded tag, `null` when it said it cannot.
     */
    isScannedTextExcluded(path: string, tags: ScannedTags | null): boolean {
        const verdict = this.check(path);
        if (verdict.excluded || !isMarkdown(path) || tags === null) return verdict.excluded;
        return this.judgeTags(tags).excluded;
    }

    /** True when `path` must not exist for the model. */
    isExcluded(path: string): boolean {
        return this.check(path).excluded;
    }

    /** Filters a list of paths down to the visible ones and counts the rest (never names them). */
    partition(paths: string[]): { visible: string[]; excludedCount: number } {
        const visible: string[] = [];
        let excludedCount = 0;
        for (const path of paths) {
            if (this.check(path).excluded) excludedCount++;
            else visible.push(path);
        }
        return { visible, excludedCount };
    }

    /** A sentence for the PERSON (never the model) saying why, e.g. "tagged #private" / "in excluded folder Journal/".
     */
    static describe(reason: ExclusionReason): string {
        switch (reason.kind) {
            case 'tag':
                return `tagged #${reason.tag}`;
            case 'folder':
                return reason.rule.endsWith('/')
                    ? `in excluded folder ${reason.rule}`
                    : `matches excluded pattern ${reason.rule}`;
            case 'system':
                return `in a protected location (the config folder, ${SYSTEM_FOLDERS_TEXT})`;
            case 'unindexed':
                return 'not indexed yet, or its frontmatter could not be read';
            case 'link':
                return 'a symbolic link that leads outside the vault or nowhere';
            case 'used-by-excluded':
                return 'an attachment that only excluded notes link to or embed';
            case 'links-unknown':
                return 'an attachment whose linking notes are not known yet (links are still being indexed)';
            case 'locked':
                return 'settings could not be read, so every note is excluded until they are fixed';
            case 'obsidian':
                return `in Obsidian's Excluded files (${reason.filter})`;
            case 'obsidian-unreadable':
                return (
                    `Obsidian's Excluded files could not be read (${reason.problem}), so every note is excluded ` +
                    'until they are fixed or Vault Agent stops honouring them'
                );
        }
    }

    /**
     * Whether `text` could carry an excluded tag at all, so that a note without one is not parsed again on every read
     * or search hit. A tag is a piece of the text, lowercased as the rules are, so a text that holds no rule can carry
     * no excluded tag — unless YAML escapes spell it (`"\u0070rivate"`), hence any backslash counts, and rules beyond
     * ASCII always parse (lowercasing may depend on the letters around them).
     */
    private mayNameExcludedTag(text: string, lower?: string): boolean {
        return mayNameExcludedTag(this.tagScreen(), text, lower);
    }

    /** The rules that read a path in canonical form alone: system folders, Obsidian's list, excluded folders and globs. */
    private checkPathRules(canonical: string, shape: number): ExclusionVerdict {
        const mayBeSystem = shape !== 0 || !this.systemNeedsDot;
        if (mayBeSystem && this.systemPattern.test(canonical)) return SYSTEM;
        const byObsidian = this.byObsidian(canonical);
        if (byObsidian !== VISIBLE) return byObsidian;
        return this.checkFolders(canonical);
    }

    /** Obsidian's own *Excluded files* list, where it applies. */
    private byObsidian(canonical: string): ExclusionVerdict {
        const filter = this.obsidian?.match(canonical) ?? null;
        return filter === null ? VISIBLE : { excluded: true, reason: { kind: 'obsidian', filter } };
    }

    /**
     * Where a link leads: system folders and any hidden (dot) folder, which Obsidian never shows; excluded folders and
     * globs; and the tags of the target when the vault knows them (the link's own were judged already).
     */
    private checkTarget(real: string): ExclusionVerdict {
        const shape = scanPath(real);
        if (shape & (IRREGULAR | DOTTED)) return SYSTEM;
        const canonical = shape & NON_ASCII_CHARS ? real.normalize('NFC') : real;
        if (this.systemPattern.test(canonical)) return SYSTEM;
        const byObsidian = this.byObsidian(canonical);
        if (byObsidian !== VISIBLE) return byObsidian;
        const byFolder = this.checkFolders(canonical);
        if (byFolder !== VISIBLE) return byFolder;
        if (!isMarkdown(canonical) || this.tagsOf(canonical) === undefined) return VISIBLE;
        return this.checkTags(canonical);
    }

    private checkFolders(path: string): ExclusionVerdict {
        if (this.folderPattern !== null && this.folderPattern.test(path)) {
            // Rare path: find which rule matched so the person can be told.
            const hit = this.folderRules.find((folder) => folder.pattern.test(path));
            return folderVerdict(hit?.rule ?? 'excluded folder');
        }
        for (const glob of this.globRules) {
            for (const matcher of glob.matchers) {
                if (matcher.match(path)) return folderVerdict(glob.rule);
            }
        }
        return VISIBLE;
    }

    private checkTags(path: string): ExclusionVerdict {
        return this.judgeTags(this.tagsOf(path));
    }

    /** What the vault knows of a note's tags (see `VaultPort.tagsOf`). */
    private tagsOf(path: string): ScannedTags | undefined {
        return this.vault.tagsOf === undefined ? this.vault.metadata(path) : this.vault.tagsOf(path);
    }

    private judgeTags(metadata: ScannedTags | undefined): ExclusionVerdict {
        const tags = metadata?.tags;
        if (tags === undefined) return UNINDEXED;
        for (const tag of tags) {
            const rule = matchingTagRule(tag, this.tagRules);
            if (rule !== null) return this.tagVerdict(rule);
        }
        // Tags found next to a broken frontmatter block are only the inline ones; the unread ones may be private.
        if (metadata?.frontmatterError !== undefined) return UNINDEXED;
        return VISIBLE;
    }

    private tagVerdict(tag: string): ExclusionVerdict {
        let verdict = this.tagVerdicts.get(tag);
        if (verdict === undefined) {
            verdict = { excluded: true, reason: { kind: 'tag', tag } };
            this.tagVerdicts.set(tag, verdict);
        }
        return verdict;
    }
}

/**
 * What a gate knows of a path no path rule excludes: its canonical form, and for a note the verdict on the tags it had
 * when last checked. The vault gives a note's tags as an object it never changes (a new one when the note changes), so
 * while the same object comes back, the verdict on it stands: the tag rules are not walked again for every check.
 */
class PathFacts {
    readonly markdown: boolean;
    /** The tags the verdict below was reached on (`undefined`: the note was not indexed). */
    screen: ScannedTags | undefined = undefined;
    tagVerdict: ExclusionVerdict | null = null;

    constructor(readonly canonical: string) {
        this.markdown = isMarkdown(canonical);
    }
}

/**
 * The rule that covers `tag` (`#Private/health` is covered by `private`), or `null`. The gate runs this for every tag
 * of every note in every listing, so the common case compares characters in place: a length and `/` test rules most
 * tags out, then an ASCII case-insensitive compare. Only non-ASCII tags that failed it are lowercased whole (and
 * composed as NFC, as the rules are).
 */
function matchingTagRule(tag: string, rules: readonly string[]): string | null {
    const offset = tag.charCodeAt(0) === 35 ? 1 : 0;
    for (const rule of rules) {
        const end = offset + rule.length;
        if (tag.length < end || (tag.length > end && tag.charCodeAt(end) !== 47)) continue;
        if (equalsIgnoringAsciiCase(tag, offset, rule)) return rule;
    }
    if (!hasNonAscii(tag)) return null;
    // Composed and decomposed accents are one tag to a person (`#privé` typed on two systems): compare both as NFC.
    const lower = tag.replace(/^#+/, '').toLowerCase().normalize('NFC');
    for (const rule of rules) {
        if (lower === rule || (lower.startsWith(rule) && lower.charCodeAt(rule.length) === 47)) return rule;
    }
    return null;
}

/** A plain loop: tags are short, and a regex call costs more than reading a dozen characters. */
function hasNonAscii(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 128) return true;
    return false;
}

/** `text` from `offset` starts with `lowerRule`, where `text` may have ASCII capitals. */
function equalsIgnoringAsciiCase(text: string, offset: number, lowerRule: string): boolean {
    for (let i = 0; i < lowerRule.length; i++) {
        const c = text.charCodeAt(offset + i);
        const r = lowerRule.charCodeAt(i);
        if (c !== r && !(c >= 65 && c <= 90 && c + 32 === r)) return false;
    }
    return true;
}

/**
 * Lowercases a tag rule (then NFC) and strips `#` and surrounding slashes, so `#Private/` and `private` are one rule.
 */
function normaliseTagRule(tag: string): string {
    return trimSlashes(tag.trim().replace(/^#+/, '')).toLowerCase().normalize('NFC');
}

function folderVerdict(rule: string): ExclusionVerdict {
    return { excluded: true, reason: { kind: 'folder', rule } };
}

/**
 * A glob without a slash matches at any depth (`*.secret.md` covers `a/b.secret.md`, as in `.gitignore`); a glob
 * that names a folder covers everything inside it. Both err towards excluding more.
 */
function compileGlob(rule: string): GlobRule {
    const pattern = rule.includes('/') ? rule : `**/${rule}`;
    const patterns = pattern.endsWith('/**') ? [pattern] : [pattern, `${pattern}/**`];
    return { rule, matchers: patterns.map((p) => new Minimatch(p, GLOB_OPTIONS)) };
}

/** Case-insensitive: a folder and everything beneath it, but not a sibling that merely starts with the same name. */
function folderRegExp(folders: string[]): RegExp {
    return new RegExp(`^(?:${folders.map(escapeRegExp).join('|')})(?:/|$)`, 'iu');
}

/**
 * The port's form of `path`: `/`-separated, no leading slash, no `.`/`..` segments, NFC. Callers should already pass
 * that form; anything else is normalised here so a guessed spelling cannot slip past a rule. `null` when the path
 * climbs out of the vault.
 */
function canonicalPath(path: string): string | null {
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
function scanPath(path: string): number {
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
function isMarkdown(path: string): boolean {
    const n = path.length;
    return (
        n >= 3 &&
        path.charCodeAt(n - 3) === 46 &&
        (path.charCodeAt(n - 2) | 32) === 109 &&
        (path.charCodeAt(n - 1) | 32) === 100
    );
}

function trimSlashes(value: string): string {
    return value.replace(/^\/+|\/+$/g, '');
}

function uniqueNonEmpty(values: string[]): string[] {
    return [...new Set(values.filter((v) => v !== ''))];
}

function escapeRegExp(value: string): string {
    return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
