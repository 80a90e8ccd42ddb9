/**
 * Skills in the Agent Skills format: a folder holding a `SKILL.md` whose frontmatter has `name` and `description` and
 * whose body is the instructions, with optional files beside it. Found in the skills folder (default `Agent/Skills/`)
 * and in `.claude/skills/`, so skills written for Claude Code work unchanged.
 *
 * Progressive disclosure: only names and descriptions go into the cached prefix (`skillsIndex`); the body, and a
 * skill's files, are loaded when the model calls `use_skill` or a job names the skill. Every lookup scans again and
 * asks the gate again, so a skill made private or deleted mid-chat is gone at once. Excluded skills do not exist:
 * not listed, not loadable, not counted among the problems.
 */
import { parseNote } from '../vault/note-parser';
import { normalizeVaultPath } from '../kernel/path-policy';
import { isMarkdownPath, VaultError, type FileEntry, type VaultPort } from '../kernel/vault-port';
import type { ExclusionGate, ExclusionVerdict } from './exclusions';
import { MetadataOverlay, type HiddenFolderReader, type HiddenListing } from './hidden-folder';
import { skillProblems, type SkillCandidate } from './skill-checks';
import { nameKey, noteBody, type GuidanceProblem } from './note-text';

/** Where skills live unless settings say otherwise. */
export const DEFAULT_SKILLS_FOLDER = 'Agent/Skills';
/** Where Claude Code keeps a project's skills; read when the vault has one. */
export const CLAUDE_SKILLS_FOLDER = '.claude/skills';
/** The file that makes a folder a skill. */
export const SKILL_FILE = 'SKILL.md';
/** The most files of one skill that are listed (and, in hidden folders, read to be judged). */
export const MAX_SKILL_FILES = 100;
const MAX_HIDDEN_DEPTH = 3;

/** Builds the exclusion gate of the current settings over `vault` (a factory, so hidden files can be judged too). */
export type GateFactory = (vault: VaultPort) => ExclusionGate;

/** A skill that can be used. */
export interface Skill {
    /** Its name, as written in the frontmatter. */
    name: string;
    /** When to use it, written for the model (one line in the index). */
    description: string;
    /** Vault-relative path of its `SKILL.md`. */
    path: string;
    /** Vault-relative path of its folder. */
    folder: string;
    /** `vault`: the skills folder; `claude`: `.claude/skills/`. */
    source: 'vault' | 'claude';
}

/** What a scan found. */
export interface SkillScan {
    /** Usable skills, sorted by name. */
    skills: Skill[];
    /** Notes that are not (or not fully) usable, with what to fix; for the person. */
    problems: GuidanceProblem[];
    /** Skills left out by the exclusion rules (counted, never named). */
    excludedCount: number;
}

/** A skill with its instructions. */
export interface LoadedSkill {
    /** The skill. */
    skill: Skill;
    /** The body of `SKILL.md`, without the frontmatter. */
    body: string;
    /** Its other visible files, relative to its folder, sorted. */
    files: string[];
}

/** A skill file's text, or why it cannot be read (a sentence fit for the model). */
export type SkillFileResult = { ok: true; path: string; text: string } | { ok: false; message: string };

/** What the catalog needs. */
export interface SkillCatalogOptions {
    /** The vault. */
    vault: VaultPort;
    /** The gate of the current settings over a vault; called on every scan. */
    exclusions: GateFactory;
    /** Reads `.claude/skills/`, which the vault does not list; absent where no such access exists. */
    hidden?: HiddenFolderReader;
    /** The skills folder from settings; `Agent/Skills` when absent or empty. */
    skillsFolder?: string;
}

/** Where a candidate came from, with how to read and judge its files. */
interface Origin {
    source: Skill['source'];
    read(path: string): Promise<string>;
    /** The gate's verdict on `path`; `text` is its content, for notes the vault does not index. */
    verdict(path: string, text?: string): ExclusionVerdict;
    /** True when `path` is excluded. */
    excluded(path: string, text?: string): boolean;
    files(folder: string): Promise<string[]>;
}

/** A usable skill with its text and origin, as scanned. */
interface Found {
    skill: Skill;
    text: string;
    origin: Origin;
}

/** Finds, checks and loads skills. Holds no state between calls. */
export class SkillCatalog {
    private readonly vault: VaultPort;
    private readonly exclusions: GateFactory;
    private readonly hidden: HiddenFolderReader | undefined;
    private readonly folder: string;

    constructor(options: SkillCatalogOptions) {
        this.vault = options.vault;
        this.exclusions = options.exclusions;
        this.hidden = options.hidden;
        const folder = (options.skillsFolder ?? '').trim().replace(/^\/+|\/+$/g, '');
        this.folder = folder === '' ? DEFAULT_SKILLS_FOLDER : folder;
    }

    /** Every usable skill, the problems found, and how many skills the exclusions left out. */
    async scan(): Promise<SkillScan> {
        const { found, problems, excludedCount } = await this.scanAll();
        return { skills: found.map((entry) => entry.skill), problems, excludedCount };
    }

    /** The skill called `name` (case-insensitive) with its body and files; `null` when there is none. */
    async load(name: string): Promise<LoadedSkill | null> {
        const entry = (await this.scanAll()).found.find((candidate) => nameKey(candidate.skill.name) === nameKey(name));
        if (entry === undefined) return null;
        const prefix = `${entry.skill.folder}/`;
        const files = (await entry.origin.files(entry.skill.folder)).map((path) => path.slice(prefix.length));
        return { skill: entry.skill, body: noteBody(entry.text), files };
    }

    /** The skills a job names, in the order named; names that match no usable skill are returned as `missing`. */
    async loadSkills(names: readonly string[]): Promise<{ loaded: LoadedSkill[]; missing: string[] }> {
        const loaded: LoadedSkill[] = [];
        const missing: string[] = [];
        for (const name of names) {
            const skill = await this.load(name);
            if (skill === null) missing.push(name);
            else if (!loaded.some((other) => other.skill.path === skill.skill.path)) loaded.push(skill);
        }
        return { loaded, missing };
    }

    /** The text of `file` (relative to the skill's folder) of skill `name`, when it is one of the skill's files. */
    async loadFile(name: string, file: string): Promise<SkillFileResult> {
        const entry = (await this.scanAll()).found.find((candidate) => nameKey(candidate.skill.name) === nameKey(name));
        if (entry === undefined) return { ok: false, message: `There is no skill called "${name}".` };
        const checked = normalizeVaultPath(`${entry.skill.folder}/${file}`);
        const prefix = `${entry.skill.folder}/`;
        const files = await entry.origin.files(entry.skill.folder);
        if (!checked.ok || !checked.path.startsWith(prefix) || !files.includes(checked.path)) {
            const known = files.map((path) => path.slice(prefix.length));
            const list = known.length === 0 ? 'it has none besides SKILL.md' : `its files: ${known.join(', ')}`;
            return { ok: false, message: `Skill "${entry.skill.name}" has no file "${file}" (${list}).` };
        }
        const text = await entry.origin.read(checked.path);
        if (text.includes('\u0000')) {
            return { ok: false, message: `"${file}" of skill "${entry.skill.name}" is not a text file.` };
        }
        return { ok: true, path: checked.path, text };
    }

    private async scanAll(): Promise<{ found: Found[]; problems: GuidanceProblem[]; excludedCount: number }> {
        const problems: GuidanceProblem[] = [];
        const candidates: SkillCandidate<Origin>[] = [];
        let excludedCount = 0;
        const collect = async (origin: Origin, skillFiles: string[]): Promise<void> => {
            for (const path of skillFiles) {
                const text = await origin.read(path).catch((e: unknown) => {
                    if (!(e instanceof VaultError)) throw e;
                    problems.push({ path, message: `${path} could not be read: ${e.message}`, severity: 'error' });
                    return null;
                });
                if (text === null) continue;
                const verdict = origin.verdict(path, text);
                if (!verdict.excluded) candidates.push({ path, text, origin });
                else if (verdict.reason.kind !== 'unindexed') excludedCount++;
                // A broken frontmatter hides the note's tags, so the gate leaves it out; the person is told why.
                else problems.push(unreadableSkill(path, text));
            }
        };
        const vaultOrigin = this.vaultOrigin();
        const listing = await this.vaultSkillFiles(vaultOrigin, problems);
        excludedCount += listing.excludedCount;
        await collect(vaultOrigin, listing.paths);
        if (this.hidden !== undefined) {
            const hiddenOrigin = this.hiddenOrigin(this.hidden);
            const hiddenListing = await this.hiddenSkillFiles(this.hidden, hiddenOrigin, problems);
            excludedCount += hiddenListing.excludedCount;
            await collect(hiddenOrigin, hiddenListing.paths);
        }
        const checked = skillProblems(candidates);
        const found = checked.usable
            .map(({ skill, candidate }) => ({ skill, text: candidate.text, origin: candidate.origin }))
            .sort((a, b) => compareNames(a.skill.name, b.skill.name));
        return { found, problems: [...problems, ...checked.problems], excludedCount };
    }

    private vaultOrigin(): Origin {
        const gate = this.exclusions(this.vault);
        return {
            source: 'vault',
            read: (path) => this.vault.read(path),
            // The text read is judged itself: the note may have turned private since the gate last looked.
            verdict: (path, text) => (text === undefined ? gate.check(path) : gate.checkText(path, text)),
            excluded: (path) => gate.isExcluded(path),
            files: async (folder) => {
                const prefix = `${folder}/`;
                const paths = (await this.filesUnder(prefix))
                    .map((entry) => entry.path)
                    .filter((path) => path.startsWith(prefix) && path !== `${prefix}${SKILL_FILE}`);
                return gate.partition(paths).visible.slice(0, MAX_SKILL_FILES);
            },
        };
    }

    private hiddenOrigin(hidden: HiddenFolderReader): Origin {
        const overlay = new MetadataOverlay(this.vault);
        const gate = this.exclusions(overlay);
        const verdict = (path: string, text?: string): ExclusionVerdict => {
            if (text !== undefined && isMarkdownPath(path)) overlay.remember(path, parseNote(text));
            return gate.check(path);
        };
        const excluded = (path: string, text?: string): boolean => verdict(path, text).excluded;
        return {
            source: 'claude',
            verdict,
            read: (path) => hidden.read(path),
            excluded,
            files: async (folder) => {
                const out: string[] = [];
                for (const path of await walkHidden(hidden, folder, MAX_HIDDEN_DEPTH)) {
                    if (out.length >= MAX_SKILL_FILES || path === `${folder}/${SKILL_FILE}`) continue;
                    // Notes are read to learn their tags; a file that cannot be read is left out, not guessed at.
                    const text = isMarkdownPath(path) ? await hidden.read(path).catch(() => null) : undefined;
                    if (text !== null && !excluded(path, text)) out.push(path);
                }
                return out;
            },
        };
    }

    /** The vault's files under `prefix`, without walking every file where the vault can answer that. */
    private async filesUnder(prefix: string): Promise<FileEntry[]> {
        if (this.vault.listUnder !== undefined) return this.vault.listUnder(prefix);
        return (await this.vault.list()).filter((entry) => entry.path.startsWith(prefix));
    }

    /** `SKILL.md` paths one folder deep in the skills folder; stray notes beside the folders are reported. */
    private async vaultSkillFiles(
        origin: Origin,
        problems: GuidanceProblem[],
    ): Promise<{ paths: string[]; excludedCount: number }> {
        const prefix = `${this.folder}/`;
        const folders = new Map<string, string[]>();
        let excludedCount = 0;
        for (const { path } of await this.filesUnder(prefix)) {
            if (!path.startsWith(prefix)) continue;
            const segments = path.slice(prefix.length).split('/');
            if (segments.length === 1) {
                if (isMarkdownPath(path) && !origin.excluded(path)) {
                    const message = `${path} is not a skill: a skill is a folder in ${this.folder}/ with a ${SKILL_FILE}.`;
                    problems.push({ path, message, severity: 'warning' });
                }
                continue;
            }
            const folder = `${prefix}${segments[0] ?? ''}`;
            folders.set(folder, [...(folders.get(folder) ?? []), path]);
        }
        const paths: string[] = [];
        for (const [folder, files] of [...folders].sort(([a], [b]) => compareNames(a, b))) {
            const skillFile = `${folder}/${SKILL_FILE}`;
            if (files.includes(skillFile)) {
                paths.push(skillFile);
            } else if (files.some((file) => !origin.excluded(file))) {
                problems.push(missingSkillFile(folder));
            } else {
                excludedCount++;
            }
        }
        return { paths, excludedCount };
    }

    /** `SKILL.md` paths of the folders in `.claude/skills/`; folders the rules exclude are counted, not read. */
    private async hiddenSkillFiles(
        hidden: HiddenFolderReader,
        origin: Origin,
        problems: GuidanceProblem[],
    ): Promise<{ paths: string[]; excludedCount: number }> {
        const listing = await hidden
            .list(CLAUDE_SKILLS_FOLDER)
            .catch((): HiddenListing => ({ files: [], folders: [] }));
        const paths: string[] = [];
        let excludedCount = 0;
        for (const folder of [...listing.folders].sort(compareNames)) {
            // The folder path is not a note, so the gate judges it by folder and pattern rules alone.
            if (origin.excluded(folder)) {
                excludedCount++;
                continue;
            }
            const inside = await hidden.list(folder).catch((): HiddenListing => ({ files: [], folders: [] }));
            const skillFile = `${folder}/${SKILL_FILE}`;
            if (inside.files.includes(skillFile)) paths.push(skillFile);
            else problems.push(missingSkillFile(folder));
        }
        return { paths, excludedCount };
    }
}

/**
 * The lines of the cached prefix that tell the model which skills exist: names and descriptions only, sorted by name,
 * so the text is identical between requests while the skills are. Empty when there are none.
 */
export function skillsIndex(skills: readonly Skill[]): string {
    if (skills.length === 0) return '';
    const lines = [...skills]
        .sort((a, b) => compareNames(a.name, b.name))
        .map((skill) => `- ${oneLine(skill.name)}: ${oneLine(skill.description)}`);
    return [
        'Skills: the person keeps instructions for recurring tasks in the vault. When a request matches a skill’s ' +
            'description, call use_skill with its name to load the instructions, then follow them. A skill may ' +
            'list extra files (templates, examples); load one with use_skill and its file name.',
        ...lines,
    ].join('\n');
}

/** Skills loaded up front (a job's `skills:`), as one block for the job's first message. */
export function renderLoadedSkills(loaded: readonly LoadedSkill[]): string {
    return loaded
        .map(({ skill, body, files }) => {
            const attributes = `name="${attribute(skill.name)}" path="${attribute(skill.path)}"`;
            const fileLine = files.length === 0 ? '' : `\n\n(Files in this skill, for use_skill: ${files.join(', ')})`;
            return `<skill ${attributes}>\n${body.replace(/<(\/?)skill\b/gi, '&lt;$1skill')}${fileLine}\n</skill>`;
        })
        .join('\n\n');
}

/** Lists every file under `folder` in a hidden folder, to `depth` levels. */
async function walkHidden(hidden: HiddenFolderReader, folder: string, depth: number): Promise<string[]> {
    const listing = await hidden.list(folder).catch((): HiddenListing => ({ files: [], folders: [] }));
    const out = [...listing.files];
    if (depth > 1) for (const sub of listing.folders) out.push(...(await walkHidden(hidden, sub, depth - 1)));
    return out.sort(compareNames);
}

function unreadableSkill(path: string, text: string): GuidanceProblem {
    const error = parseNote(text).frontmatterError;
    const message =
        error === undefined
            ? `${path} is not indexed yet, so it is not used until it is.`
            : `${path} is not used: ${error}. Fix the frontmatter (name and description between --- lines).`;
    return { path, message, severity: 'error' };
}

function missingSkillFile(folder: string): GuidanceProblem {
    return {
        path: folder,
        message: `${folder}/ has no ${SKILL_FILE} (the name is case-sensitive), so it is not a skill.`,
        severity: 'error',
    };
}

/** Locale-independent, so every device orders (and caches) the index the same way. */
function compareNames(a: string, b: string): number {
    const ka = nameKey(a);
    const kb = nameKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, ' ').trim();
}

function attribute(value: string): string {
    return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/\n/g, ' ');
}
