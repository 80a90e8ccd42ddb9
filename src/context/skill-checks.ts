/**
 * Checks `SKILL.md` notes against the Agent Skills format and reports, for the person, every reason one cannot be
 * used as it stands: no or unreadable frontmatter, a missing `name` or `description`, two skills with one name.
 * Nothing is skipped silently: a note that is not used says why; one that is used but bends a rule gets a warning.
 */
import { parseNote } from '../vault/note-parser';
import { nameKey, textValue, type GuidanceProblem } from './note-text';
import type { Skill } from './skills';

/** The longest name the Agent Skills format allows. */
export const MAX_SKILL_NAME_CHARS = 64;
/** The longest description the Agent Skills format allows; longer ones are used, with a warning. */
export const MAX_SKILL_DESCRIPTION_CHARS = 1024;

const SPEC_NAME = /^[\p{Ll}\p{N}]+(?:-[\p{Ll}\p{N}]+)*$/u;

/** A visible `SKILL.md` and where it came from. */
export interface SkillCandidate<O extends { source: Skill['source'] }> {
    /** Vault-relative path of the `SKILL.md`. */
    path: string;
    /** Its text. */
    text: string;
    /** Where it came from. */
    origin: O;
}

/** The candidates that are usable skills (first of each name, in candidate order) and the problems found. */
export function skillProblems<O extends { source: Skill['source'] }>(
    candidates: readonly SkillCandidate<O>[],
): { usable: { skill: Skill; candidate: SkillCandidate<O> }[]; problems: GuidanceProblem[] } {
    const usable: { skill: Skill; candidate: SkillCandidate<O> }[] = [];
    const problems: GuidanceProblem[] = [];
    const byName = new Map<string, Skill>();
    for (const candidate of candidates) {
        const warnings: GuidanceProblem[] = [];
        const skill = readSkill(candidate, problems, warnings);
        if (skill === null) continue;
        const first = byName.get(nameKey(skill.name));
        if (first !== undefined) {
            problems.push({
                path: skill.path,
                message:
                    `${skill.path} is not used: its name "${skill.name}" is already taken by ${first.path}. ` +
                    'Rename one of them (names are compared without regard to case).',
                severity: 'error',
            });
            continue;
        }
        // Warnings only for skills that are used: a rejected duplicate has one reason, not three.
        problems.push(...warnings);
        byName.set(nameKey(skill.name), skill);
        usable.push({ skill, candidate });
    }
    return { usable, problems };
}

/** The skill a candidate describes, or `null` with the reason added to `problems`; bent rules go to `warnings`. */
function readSkill<O extends { source: Skill['source'] }>(
    candidate: SkillCandidate<O>,
    problems: GuidanceProblem[],
    warnings: GuidanceProblem[],
): Skill | null {
    const { path } = candidate;
    const fail = (message: string): null => {
        problems.push({ path, message: `${path} is not used: ${message}`, severity: 'error' });
        return null;
    };
    const metadata = parseNote(candidate.text);
    if (metadata.frontmatterError !== undefined) return fail(`${metadata.frontmatterError}.`);
    const frontmatter = metadata.frontmatter;
    if (frontmatter === null) {
        return fail('it has no frontmatter. Start it with "---", then "name: …" and "description: …", then "---".');
    }
    const name = textValue(frontmatter.name);
    if (name === null) return fail('its frontmatter has no "name" (the name use_skill is called with).');
    if (/[\n\r]/.test(name)) return fail('its "name" spans more than one line.');
    const description = textValue(frontmatter.description);
    if (description === null) {
        return fail('its frontmatter has no "description" (the model picks skills by their descriptions).');
    }
    const folder = path.slice(0, path.lastIndexOf('/'));
    const folderName = folder.slice(folder.lastIndexOf('/') + 1);
    const warn = (message: string): void => {
        warnings.push({ path, message: `${path}: ${message}`, severity: 'warning' });
    };
    if (name.length > MAX_SKILL_NAME_CHARS || !SPEC_NAME.test(name)) {
        warn(
            `the name "${name}" does not follow the Agent Skills rules (lowercase letters, digits and single ` +
                `hyphens, at most ${MAX_SKILL_NAME_CHARS} characters); other tools may not accept it.`,
        );
    }
    if (nameKey(name) !== nameKey(folderName)) {
        warn(`the name "${name}" differs from its folder "${folderName}"; the Agent Skills format wants them equal.`);
    }
    if (description.length > MAX_SKILL_DESCRIPTION_CHARS) {
        warn(`the description is longer than ${MAX_SKILL_DESCRIPTION_CHARS} characters; keep it to when to use it.`);
    }
    return { name, description, path, folder, source: candidate.origin.source };
}
