/**
 * `use_skill`: the second step of progressive disclosure. The cached prefix lists only skill names and descriptions;
 * this tool loads a skill's instructions (or one of its files) when the model decides a request needs them. The
 * catalog scans and asks the gate on every call, so an excluded or deleted skill is "not found", never named.
 */
import type { LoadedSkill, SkillCatalog } from '../../context/skills';
import { MAX_RESULT_CHARS, plural } from './bounded';
import { defineTool, toolError, toolOk } from './define-tool';
import type { Tool, ToolResult } from './tool';

/** The tool's name, as the model calls it (and as the chat looks it up to show which skills were used). */
export const USE_SKILL_TOOL = 'use_skill';

/** The model's input. */
interface UseSkillInput {
    /** The skill's name from the skills list. */
    name: string;
    /** A file of the skill, relative to its folder. */
    file?: string;
}

/** The `use_skill` tool over `catalog`; offered in every mode (it only reads). */
export function useSkillTool(catalog: SkillCatalog): Tool {
    return defineTool<UseSkillInput>(
        {
            name: USE_SKILL_TOOL,
            description:
                'Load the instructions of one of the vault’s skills (listed by name and description in the system ' +
                'prompt) when the request matches it, then follow them. With `file`, load one of the files the ' +
                'skill lists (a template, an example) instead.',
            inputSchema: {
                type: 'object',
                properties: {
                    name: { type: 'string', minLength: 1, maxLength: 200, description: 'The skill’s name.' },
                    file: {
                        type: 'string',
                        minLength: 1,
                        maxLength: 500,
                        description: 'A file of the skill, relative to its folder, e.g. "template.md".',
                    },
                },
                required: ['name'],
                additionalProperties: false,
            },
            effect: 'read',
        },
        async (input) => {
            if (input.file !== undefined) {
                const file = await catalog.loadFile(input.name, input.file);
                if (!file.ok) return toolError(file.message);
                const shown = toolOk(bounded(`File ${file.path} of skill "${input.name}":\n\n`, file.text));
                return withSources(shown, await catalog.load(input.name), [file.path]);
            }
            const loaded = await catalog.load(input.name);
            if (loaded === null) {
                const names = (await catalog.scan()).skills.map((skill) => skill.name);
                const known = names.length === 0 ? 'The vault has no skills.' : `Skills: ${names.join(', ')}.`;
                return toolError(`There is no skill called "${input.name}". ${known}`);
            }
            const { skill, body, files } = loaded;
            const header = `Skill "${skill.name}" (${skill.path}). Follow these instructions for the request:\n\n`;
            const footer =
                files.length === 0
                    ? ''
                    : `\n\n[This skill has ${plural(files.length, 'file')}, loadable with use_skill and file: ` +
                      `${files.join(', ')}]`;
            return withSources(toolOk(bounded(header, body, footer)), loaded, [skill.path]);
        },
    );
}

/**
 * Skills from the vault's skills folder name their notes as sources, so a skill made private later is withheld from
 * the next request like any note. `.claude/skills/` is outside the vault index; the catalog judged it at load time.
 */
function withSources(result: ToolResult, loaded: LoadedSkill | null, paths: string[]): ToolResult {
    return loaded?.skill.source === 'vault' ? { ...result, sources: paths } : result;
}

/** `header + text + footer` within the result bound; a cut text says so. */
function bounded(header: string, text: string, footer = ''): string {
    const room = MAX_RESULT_CHARS - header.length - footer.length - 120;
    if (text.length <= room) return `${header}${text}${footer}`;
    const cut = text.slice(0, Math.max(0, room));
    return `${header}${cut}\n[… cut: ${plural(text.length - cut.length, 'more character')} not shown]${footer}`;
}
