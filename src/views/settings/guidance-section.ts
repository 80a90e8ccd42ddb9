/**
 * The "Skills and commands" section: the two folders, and a live list of what the catalogs found there: each skill
 * and command with its description, every problem with what to fix, and how many the exclusions left out (a count,
 * never names). The catalogs come in from main.ts; without them only the folder fields are shown.
 */
import { Setting } from 'obsidian';
import type { CommandScan } from '../../context/commands';
import type { GuidanceProblem } from '../../context/note-text';
import type { SkillScan } from '../../context/skills';
import type { Settings } from '../../kernel/settings';
import { messageOf, resolveProvided, type Provided, type TabKit } from './tab-kit';

/** What the section needs from a skill catalog (`SkillCatalog`). */
export interface SkillSource {
    /** Scans the skills folders now. */
    scan(): Promise<SkillScan>;
}

/** What the section needs from a command catalog (`CommandCatalog`). */
export interface CommandSource {
    /** Scans the commands folder now. */
    scan(): Promise<CommandScan>;
}

/** The catalogs behind the live list. */
export interface GuidanceSources {
    /** The skill catalog, or a getter for the current one. */
    skills?: Provided<SkillSource>;
    /** The command catalog, or a getter for the current one. */
    commands?: Provided<CommandSource>;
}

/** Renders the section; the list fills in when the scans finish. */
export function renderGuidanceSection(
    el: HTMLElement,
    settings: Settings,
    kit: TabKit,
    sources: GuidanceSources,
): void {
    new Setting(el).setName('Skills and commands').setHeading();
    // Created below the folder fields and the Refresh row; the fields' saves refresh it.
    let listEl: HTMLElement | null = null;
    let generation = 0;
    const refresh = async (): Promise<void> => {
        const mine = ++generation;
        const skills = resolveProvided(sources.skills);
        const commands = resolveProvided(sources.commands);
        if (skills === null && commands === null) return;
        const [skillScan, commandScan] = await Promise.all([scanned(skills), scanned(commands)]);
        // A slower earlier scan must not overwrite the list of a later one.
        if (mine !== generation || listEl === null) return;
        listEl.empty();
        if (skillScan !== null) renderSkills(listEl, skillScan);
        if (commandScan !== null) renderCommands(listEl, commandScan);
    };
    kit.field(el, {
        name: 'Skills folder',
        desc: 'One subfolder per skill, each with a SKILL.md (name and description in its frontmatter).',
        value: settings.guidance.skillsFolder,
        parse: (raw) => kit.parseFolder(raw),
        apply: (draft, value) => (draft.guidance.skillsFolder = value),
        afterSave: () => void refresh(),
    });
    kit.field(el, {
        name: 'Commands folder',
        desc: 'One note per command: Weekly digest.md is run as /weekly-digest in the chat.',
        value: settings.guidance.commandsFolder,
        parse: (raw) => kit.parseFolder(raw),
        apply: (draft, value) => (draft.guidance.commandsFolder = value),
        afterSave: () => void refresh(),
    });
    if (sources.skills === undefined && sources.commands === undefined) return;
    new Setting(el)
        .setName('Found in the vault')
        .setDesc('What the agent can use now, and what needs fixing.')
        .addButton((button) => button.setButtonText('Refresh').onClick(() => refresh()));
    listEl = el.createDiv({ cls: 'vault-agent-guidance-list' });
    void refresh();
}

type ScanResult<T> = { ok: true; scan: T } | { ok: false; message: string };

async function scanned<T>(source: { scan(): Promise<T> } | null): Promise<ScanResult<T> | null> {
    if (source === null) return null;
    try {
        return { ok: true, scan: await source.scan() };
    } catch (error) {
        return { ok: false, message: messageOf(error) };
    }
}

function renderSkills(el: HTMLElement, result: ScanResult<SkillScan>): void {
    const box = el.createDiv({ cls: 'vault-agent-guidance-group' });
    box.createDiv({ cls: 'vault-agent-guidance-title', text: 'Skills' });
    if (!result.ok) {
        box.createDiv({ cls: 'vault-agent-guidance-error', text: `The skills could not be listed: ${result.message}` });
        return;
    }
    const { skills, problems, excludedCount } = result.scan;
    if (skills.length === 0) box.createDiv({ cls: 'vault-agent-settings-empty', text: 'No skills yet.' });
    for (const skill of skills) {
        const item = box.createDiv({ cls: 'vault-agent-guidance-item' });
        item.createSpan({ cls: 'vault-agent-guidance-name', text: skill.name });
        if (skill.source === 'claude')
            item.createSpan({ cls: 'vault-agent-guidance-source', text: ' (.claude/skills)' });
        item.createDiv({ cls: 'vault-agent-guidance-desc', text: skill.description });
    }
    renderProblems(box, problems);
    renderExcluded(box, excludedCount, 'skill', 'skills');
}

function renderCommands(el: HTMLElement, result: ScanResult<CommandScan>): void {
    const box = el.createDiv({ cls: 'vault-agent-guidance-group' });
    box.createDiv({ cls: 'vault-agent-guidance-title', text: 'Commands' });
    if (!result.ok) {
        box.createDiv({
            cls: 'vault-agent-guidance-error',
            text: `The commands could not be listed: ${result.message}`,
        });
        return;
    }
    const { commands, problems, excludedCount } = result.scan;
    if (commands.length === 0) box.createDiv({ cls: 'vault-agent-settings-empty', text: 'No commands yet.' });
    for (const command of commands) {
        const item = box.createDiv({ cls: 'vault-agent-guidance-item' });
        const usage = command.argumentHint === '' ? `/${command.name}` : `/${command.name} ${command.argumentHint}`;
        item.createSpan({ cls: 'vault-agent-guidance-name', text: usage });
        item.createDiv({ cls: 'vault-agent-guidance-desc', text: command.description });
    }
    renderProblems(box, problems);
    renderExcluded(box, excludedCount, 'command', 'commands');
}

function renderProblems(el: HTMLElement, problems: readonly GuidanceProblem[]): void {
    for (const problem of problems) {
        const row = el.createDiv({ cls: `vault-agent-guidance-problem vault-agent-guidance-${problem.severity}` });
        row.createSpan({
            cls: 'vault-agent-guidance-severity',
            text: problem.severity === 'error' ? 'Not used: ' : 'Warning: ',
        });
        row.createSpan({ cls: 'vault-agent-guidance-path', text: problem.path });
        row.createDiv({ cls: 'vault-agent-guidance-fix', text: problem.message });
    }
}

function renderExcluded(el: HTMLElement, count: number, one: string, many: string): void {
    if (count === 0) return;
    el.createDiv({
        cls: 'vault-agent-excluded-count',
        text: `${count} ${count === 1 ? one : many} excluded by privacy settings.`,
    });
}
