/**
 * Small pieces shared by the notes that teach the agent (skills, custom commands): the body after the frontmatter,
 * and the problem records shown to the person when such a note cannot be used.
 */

/** Why a skill or command note is not used as it stands, for the settings section. Never shown to the model. */
export interface GuidanceProblem {
    /** The note (or folder) the problem is in. */
    path: string;
    /** What is wrong and how to fix it, in a sentence. */
    message: string;
    /** `error`: the note is not used; `warning`: it is used, but something should be fixed. */
    severity: 'error' | 'warning';
}

/**
 * The text after the frontmatter block (`---` on the first line up to the next `---` line), trimmed; the whole text
 * when there is no closed block. Line endings inside the body are kept as written.
 */
export function noteBody(text: string): string {
    const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    const lines = withoutBom.split('\n');
    if (lines[0]?.trimEnd() !== '---') return withoutBom.trim();
    for (let i = 1; i < lines.length; i++) {
        if ((lines[i] as string).trimEnd() === '---')
            return lines
                .slice(i + 1)
                .join('\n')
                .trim();
    }
    return withoutBom.trim();
}

/** A frontmatter value as a list of trimmed, non-empty strings: a YAML list or a comma-separated string. */
export function stringList(value: unknown): string[] {
    const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
    const out: string[] = [];
    for (const part of parts) {
        if (typeof part !== 'string' && typeof part !== 'number') continue;
        const text = String(part).trim();
        if (text !== '' && !out.includes(text)) out.push(text);
    }
    return out;
}

/** A non-empty trimmed string frontmatter value, or `null`. */
export function textValue(value: unknown): string | null {
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** Compares names the way people mean them: case-insensitively, in NFC. */
export function nameKey(name: string): string {
    return name.normalize('NFC').toLowerCase();
}
