/**
 * The person's side of the vault's guidance: a command that opens (or first creates) the vault's instruction note, and
 * a report of which instructions and skills were in effect for a turn, for the chat to show under the answer.
 */
import { VaultError, type VaultPort } from '../kernel/vault-port';
import type { ContextItem } from './bundle';
import { ROOT_INSTRUCTION_NOTES } from './instructions';

/** What a new `AGENTS.md` starts with: a short guide to writing one, in the note itself. */
export const INSTRUCTION_NOTE_STARTER = [
    '# Instructions for the agent',
    '',
    'Vault Agent reads this note before every chat and job. Write here what you would tell a new assistant on',
    'their first day; keep it short, since it is sent with every request.',
    '',
    '## How this vault is organised',
    '',
    '- `Folder/` — what lives there and how notes in it are named.',
    '',
    '## How to write',
    '',
    '- Language, tone, heading style, the frontmatter new notes start with.',
    '',
    '## What not to do',
    '',
    '- For example: do not rename or move notes unless asked.',
    '',
    'A folder can have its own `AGENTS.md` for work on the notes inside it. Notes tagged with an excluded tag (such',
    'as `#private`) are never sent, and neither is this note if it carries one.',
    '',
].join('\n');

/** The instruction note, and whether it was just created. */
export interface InstructionNote {
    /** Vault-relative path of the note to open. */
    path: string;
    /** True when this call created it. */
    created: boolean;
}

/**
 * The vault's instruction note: the one chosen in settings, else `AGENTS.md`, else `CLAUDE.md`; when none exists, a
 * new one (the chosen note or `AGENTS.md`) with a starter text. Never overwrites: creation goes through
 * `vault.create`, which fails when the note appeared in the meantime, and then that note is the answer.
 */
export async function ensureInstructionNote(vault: VaultPort, chosenNote = ''): Promise<InstructionNote> {
    const chosen = chosenNote.trim().replace(/^\/+/, '');
    const candidates = chosen !== '' ? [withMd(chosen)] : ROOT_INSTRUCTION_NOTES;
    for (const path of candidates) {
        if ((await vault.stat(path)) !== null) return { path, created: false };
    }
    const path = candidates[0] ?? 'AGENTS.md';
    try {
        await vault.create(path, INSTRUCTION_NOTE_STARTER);
        return { path, created: true };
    } catch (e) {
        if (e instanceof VaultError && e.code === 'exists') return { path, created: false };
        throw e;
    }
}

/** One instruction note considered for a turn. */
export interface InstructionInEffect {
    /** Its path. */
    path: string;
    /** Which instructions it is (`vault instructions`, `instructions for Meetings/`). */
    label: string;
    /** Whether its text was sent; an excluded or unreadable one was not. */
    used: boolean;
    /** Why it was not used, for the person. */
    reason?: string;
}

/** One skill in effect for a turn. */
export interface SkillInEffect {
    /** The skill's name. */
    name: string;
    /** `model`: loaded with `use_skill`; `job`: named in the job's `skills:`. */
    how: 'model' | 'job';
    /** Files of the skill the model loaded. */
    files: string[];
}

/** What guided a turn. */
export interface GuidanceReport {
    /** Instruction notes, in the order they were considered. */
    instructions: InstructionInEffect[];
    /** Skills used, in the order first used. */
    skills: SkillInEffect[];
}

/** The parts of a turn's tool call this report reads (`ToolCallRecord` fits). */
export interface ToolCallLike {
    /** The tool's name. */
    name: string;
    /** The model's input. */
    input: unknown;
    /** The result; `null` when the call never ran. */
    result: { isError?: boolean } | null;
}

/**
 * Which instructions and skills were in effect for a turn: the instruction items of the context bundle it was sent
 * with (`bundle.items`), the `use_skill` calls that succeeded, and the skills a job loaded up front.
 */
export function guidanceInEffect(input: {
    /** The items of the turn's context bundle. */
    items: readonly ContextItem[];
    /** The turn's tool calls. */
    toolCalls?: readonly ToolCallLike[];
    /** Names of skills loaded up front by a job. */
    jobSkills?: readonly string[];
}): GuidanceReport {
    const instructions: InstructionInEffect[] = [];
    for (const item of input.items) {
        if (item.path === undefined || !isInstructionLabel(item.label)) continue;
        const entry: InstructionInEffect = { path: item.path, label: item.label, used: item.kind === 'instructions' };
        const reason = item.excludedReason ?? item.remark;
        if (!entry.used && reason !== undefined) entry.reason = reason;
        instructions.push(entry);
    }
    const skills: SkillInEffect[] = [];
    const skillNamed = (name: string, how: SkillInEffect['how']): SkillInEffect => {
        let skill = skills.find((known) => known.name.toLowerCase() === name.toLowerCase());
        if (skill === undefined) {
            skill = { name, how, files: [] };
            skills.push(skill);
        }
        return skill;
    };
    for (const name of input.jobSkills ?? []) skillNamed(name, 'job');
    for (const call of input.toolCalls ?? []) {
        if (call.name !== 'use_skill' || call.result === null || call.result.isError === true) continue;
        const { name, file } = (call.input ?? {}) as { name?: unknown; file?: unknown };
        if (typeof name !== 'string') continue;
        const skill = skillNamed(name, 'model');
        if (typeof file === 'string' && !skill.files.includes(file)) skill.files.push(file);
    }
    return { instructions, skills };
}

/** The labels `InstructionFinder` gives its items. */
function isInstructionLabel(label: string): boolean {
    return label === 'vault instructions' || label.startsWith('instructions for ');
}

function withMd(path: string): string {
    return path.toLowerCase().endsWith('.md') ? path : `${path}.md`;
}
