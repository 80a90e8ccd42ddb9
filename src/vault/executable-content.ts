/**
 * Finds, and can neutralise, note text that other plugins execute when the note is opened or created: Dataview JS
 * and query blocks, Obsidian `query` blocks, inline Dataview expressions (`` `$= …` `` runs JavaScript, `` `= …` ``
 * a query), and Templater commands (`<% … %>`, `<%* … %>`). The chat's approval card warns with it; unattended job
 * results are neutralised with it, and the job log says what was changed.
 *
 * The scan errs towards finding too much: a fence opener with an executing language is rewritten wherever it stands
 * (inside another code block too), because a block that looks closed here may end differently in Obsidian (a list
 * item's fence ends with the item). Neutralised text is stable: neutralising it again changes nothing.
 */
import { joinLines, scanFences, splitContainer, splitLines, fenceOpener, type TextLine } from './markdown-code';

/** A kind of executable content. */
export type ExecutableKind =
    'dataviewjs' | 'dataview' | 'query' | 'js-engine' | 'inline-js' | 'inline-query' | 'templater';

/** Fence languages a common plugin runs (Dataview, Obsidian's search, JS Engine). */
const EXECUTING_LANGUAGES: Record<string, ExecutableKind> = {
    dataviewjs: 'dataviewjs',
    dataview: 'dataview',
    query: 'query',
    'js-engine': 'js-engine',
};

/** What each kind does, in words for a person. */
export const EXECUTABLE_DESCRIPTIONS: Record<ExecutableKind, string> = {
    dataviewjs: 'a Dataview JS block (runs JavaScript when the note is shown)',
    dataview: 'a Dataview query block (runs a query over your notes when the note is shown)',
    query: 'a search query block (runs a search of your vault when the note is shown)',
    'js-engine': 'a JS Engine block (runs JavaScript when the note is shown)',
    'inline-js': 'an inline Dataview JS expression (`$=`, runs JavaScript when the note is shown)',
    'inline-query': 'an inline Dataview query (`=`, runs a query when the note is shown)',
    templater: 'a Templater command (`<% %>`, runs code when the note is created or a template is applied)',
};

/** How many of each kind a text holds. */
export type ExecutableCounts = Partial<Record<ExecutableKind, number>>;

/** Neutralised text and what was in it. */
export interface NeutraliseResult {
    /** The text with every executable form made inert. */
    text: string;
    /** What was found (and neutralised), by kind. */
    found: ExecutableCounts;
}

/** What executable content `text` holds, by kind (empty when none). */
export function findExecutable(text: string): ExecutableCounts {
    return neutraliseExecutable(text).found;
}

/**
 * Makes every executable form inert, visibly: an executing fence becomes a `text` block, the `=` that starts an
 * inline Dataview expression gets a backslash before it (`$\=`, `\=`), and `<%` becomes `<\%` (Templater no
 * longer sees a command; reading view still shows `<%` outside code).
 */
export function neutraliseExecutable(text: string): NeutraliseResult {
    const found: ExecutableCounts = {};
    const count = (kind: ExecutableKind): void => {
        found[kind] = (found[kind] ?? 0) + 1;
    };
    const firstBodyLines = firstBodyLineIndexes(text);
    const lines = splitLines(text).map((line, index): TextLine => {
        let out = line.text;
        const { prefix, rest } = splitContainer(out);
        const open = fenceOpener(rest);
        const kind = open === null ? undefined : EXECUTING_LANGUAGES[open.language];
        if (open !== null && kind !== undefined) {
            count(kind);
            const indent = /^[ \t]*/.exec(rest)?.[0] ?? '';
            out = `${prefix}${indent}${open.char.repeat(open.length)}text`;
        }
        // A code span (or block) whose text starts with `$=` or `=`: the expression follows a backtick run, or starts
        // a line of a span or block that began on an earlier line.
        out = out.replace(/(`+[ \t]*)(\$?)=/g, (_m, ticks: string, dollar: string) => {
            count(dollar === '$' ? 'inline-js' : 'inline-query');
            return `${ticks}${dollar}\\=`;
        });
        const lead = splitContainer(out);
        const start = /^[ \t]*(\$?)=/.exec(lead.rest);
        if (start !== null && (start[1] === '$' || firstBodyLines.has(index))) {
            count(start[1] === '$' ? 'inline-js' : 'inline-query');
            const at = lead.prefix.length + start[0].length - 1;
            out = `${out.slice(0, at)}\\${out.slice(at)}`;
        }
        const templater = out.split('<%').length - 1;
        for (let t = 0; t < templater; t++) count('templater');
        out = out.replace(/<%/g, '<\\%');
        return { text: out, eol: line.eol };
    });
    return { text: joinLines(lines), found };
}

/** Line indexes of the first non-blank body line of every fenced block (where a block's own text begins). */
function firstBodyLineIndexes(text: string): Set<number> {
    const indexes = new Set<number>();
    let index = 0;
    for (const segment of scanFences(text)) {
        if (segment.kind === 'text') {
            index++;
            continue;
        }
        const blank = segment.lines.slice(1).findIndex((line) => splitContainer(line.text).rest.trim() !== '');
        if (blank >= 0) indexes.add(index + 1 + blank);
        index += segment.lines.length;
    }
    return indexes;
}

/** Kinds whose count in `after` exceeds their count in `before` (what a change adds). */
export function addedExecutable(before: string | null, after: string | null): ExecutableKind[] {
    if (after === null) return [];
    const was = before === null ? {} : findExecutable(before);
    const now = findExecutable(after);
    return (Object.keys(now) as ExecutableKind[]).filter((kind) => (now[kind] ?? 0) > (was[kind] ?? 0));
}

/** "a Dataview JS block (…) and a Templater command (…)" for the kinds given. */
export function describeExecutable(kinds: ExecutableKind[]): string {
    const parts = kinds.map((kind) => EXECUTABLE_DESCRIPTIONS[kind]);
    if (parts.length <= 1) return parts[0] ?? '';
    return `${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1] ?? ''}`;
}

/** One log line saying what was neutralised, or `null` when nothing was. */
export function neutralisedLogLine(found: ExecutableCounts): string | null {
    const kinds = Object.keys(found) as ExecutableKind[];
    if (kinds.length === 0) return null;
    const list = kinds.map((kind) => `${found[kind] ?? 0} × ${EXECUTABLE_DESCRIPTIONS[kind]}`).join('; ');
    return `Made code that other plugins run inert in the result (shown as plain text instead): ${list}.`;
}
