/**
 * The exclusion gate (docs/DESIGN.md, "Exclusions — one gate, every route"). Every listing, search, mention, embed,
 * tool call and job input asks this one gate whether a path may exist for the model. It fails closed: unknown metadata,
 * unreadable settings and odd path spellings all count as excluded.
 */
import type { PrivacySettings } from '../kernel/settings';
import { SYSTEM_FOLDERS_ANYWHERE, SYSTEM_ROOT_FOLDERS } from '../kernel/system-folders';
import { parseNote } from '../vault/note-parser';
import { mayNameExcludedTag } from '../vault/tag-screen';
import type { ScannedTags, TagScreen } from '../kernel/text-scan';
import type { VaultPort } from '../kernel/vault-port';
import type { ObsidianExcludedFiles } from './obsidian-excluded-files';
import {
    folderVerdict,
    LINK,
    LINKS_UNKNOWN,
    LOCKED,
    SYSTEM,
    UNINDEXED,
    USED_BY_EXCLUDED,
    VISIBLE,
    describeExclusion,
    type ExclusionReason,
    type ExclusionVerdict,
} from './exclusion-verdicts';
import {
    canonicalPath,
    compileGlob,
    DOTTED,
    escapeRegExp,
    folderRegExp,
    folderRuleOf,
    GLOB_MAGIC,
    IRREGULAR,
    isMarkdown,
    NON_ASCII_CHARS,
    PathFacts,
    scanPath,
    trimSlashes,
    uniqueNonEmpty,
    type GlobRule,
} from './path-rules';
import { hasNonAscii, matchingTagRule, tagRulesOf } from './tag-rules';

export type { ExclusionReason, ExclusionVerdict } from './exclusion-verdicts';

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

/**
 * How many paths a gate remembers the path rules' verdict for (see `byPath`): more than a vault of 100,000 notes and its
 * attachments. Past it the memo starts again, so paths made up by a model cannot make it grow without end.
 */
const PATH_MEMO_LIMIT = 1 << 17;

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
        this.tagRules = uniqueNonEmpty(privacy.excludedTags.flatMap(tagRulesOf));
        this.tagRulesNonAscii = this.tagRules.some(hasNonAscii);

        const folders: string[] = [];
        this.globRules = [];
        for (const raw of privacy.excludedFolders) {
            const rule = folderRuleOf(raw);
            if (rule === null) continue;
            if (rule === '') {
                // The vault's root (`/`, `.`): the person excluded every note, and is told so by that rule.
                this.globRules.push({ ...compileGlob('**'), rule: '/' });
                continue;
            }
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
     * matches, into a hidden folder, or out of the vault is excluded, whatever it is called itself. A file with other
     * names in the vault (hard links: the vault's `otherNamesOf`) is excluded when any of them is.
     */
    check(path: string): ExclusionVerdict {
        const own = this.checkName(path);
        if (own.excluded || this.vault.otherNamesOf === undefined) return own;
        const others = this.vault.otherNamesOf(path);
        for (let i = 0; i < others.length; i++) {
            const other = this.checkName(others[i] as string);
            if (other.excluded) return other;
        }
        return own;
    }

    /** `check` of one name of a file. */
    private checkName(path: string): ExclusionVerdict {
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
        // Every rule let the path pass but its tags are not known yet (not read since it changed, or ever): this very
        // text says what they are. A frontmatter it cannot read leaves them unknown, and the note excluded.
        if (verdict.excluded && verdict.reason.kind === 'unindexed' && isMarkdown(path)) {
            return this.judgeTags(parseNote(text));
        }
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

    /** A sentence for the PERSON (never the model) saying why (see `describeExclusion`). */
    static describe(reason: ExclusionReason): string {
        return describeExclusion(reason);
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
