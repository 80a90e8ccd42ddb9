/**
 * The vault's own instructions for the agent. At the root: the note chosen in settings, else `AGENTS.md`, else
 * `CLAUDE.md`. In folders: an `AGENTS.md` inside a folder applies to work on the notes under that folder (and its
 * subfolders), nearest folder first. Every instruction note passes the gate like any other note; an excluded one is
 * not used, and the person is told.
 *
 * The result is deterministic for the same notes, so the loop can keep it in the cached system prefix.
 */
import { ExclusionGate } from './exclusions';
import type { ContextItem } from './bundle';
import type { EmbedExpander } from './embeds';
import { VaultError, type VaultPort } from '../kernel/vault-port';

/** Root instruction notes, in order of preference, when settings name none. */
export const ROOT_INSTRUCTION_NOTES = ['AGENTS.md', 'CLAUDE.md'];
/** The name of a folder's own instruction note. */
export const FOLDER_INSTRUCTION_NOTE = 'AGENTS.md';

/** What the finder needs. */
export interface InstructionFinderOptions {
    /** The vault to look in. */
    vault: VaultPort;
    /** Asked for every instruction note at the moment of building. */
    gate: ExclusionGate;
    /** Expands embeds inside instruction notes (they pass the gate like everything else). */
    embeds: EmbedExpander;
    /** A note chosen in settings to use instead of the root `AGENTS.md`/`CLAUDE.md`; empty or absent for none. */
    chosenNote?: string;
}

/** Finds the instruction notes that apply to a request. */
export class InstructionFinder {
    private readonly vault: VaultPort;
    private readonly gate: ExclusionGate;
    private readonly embeds: EmbedExpander;
    private readonly chosenNote: string;

    constructor(options: InstructionFinderOptions) {
        this.vault = options.vault;
        this.gate = options.gate;
        this.embeds = options.embeds;
        this.chosenNote = (options.chosenNote ?? '').trim().replace(/^\/+/, '');
    }

    /**
     * The instruction items for work on `notePaths` (the focused and mentioned notes): the root instructions first,
     * then, for each note in path order, its folders' instruction notes from the nearest up. Each note appears once.
     */
    async find(notePaths: readonly string[]): Promise<ContextItem[]> {
        const items: ContextItem[] = [];
        const seen = new Set<string>();
        const root = await this.rootNote();
        if (root !== null) {
            seen.add(root);
            items.push(await this.item(root, 'vault instructions'));
        }
        for (const path of [...new Set(notePaths)].sort()) {
            for (const candidate of folderInstructionPaths(path)) {
                if (seen.has(candidate) || (await this.vault.stat(candidate)) === null) continue;
                seen.add(candidate);
                items.push(
                    await this.item(candidate, `instructions for ${candidate.slice(0, candidate.lastIndexOf('/'))}/`),
                );
            }
        }
        return items;
    }

    /** The root instruction note to use, whether visible or not (the item says which). */
    private async rootNote(): Promise<string | null> {
        const candidates = this.chosenNote !== '' ? [withMd(this.chosenNote)] : ROOT_INSTRUCTION_NOTES;
        for (const candidate of candidates) {
            if ((await this.vault.stat(candidate)) !== null) return candidate;
        }
        return null;
    }

    private async item(path: string, label: string): Promise<ContextItem> {
        const verdict = this.gate.check(path);
        if (verdict.excluded) {
            const reason = ExclusionGate.describe(verdict.reason);
            return { kind: 'excluded', path, label, text: '', tokens: 0, excludedReason: reason };
        }
        try {
            const raw = await this.vault.read(path);
            // The text read is judged itself: the note may have turned private since the gate last looked.
            const now = this.gate.checkText(path, raw);
            if (now.excluded) {
                const reason = ExclusionGate.describe(now.reason);
                return { kind: 'excluded', path, label, text: '', tokens: 0, excludedReason: reason };
            }
            const text = await this.embeds.expand(raw, path);
            return { kind: 'instructions', path, label, text, tokens: 0 };
        } catch (e) {
            if (!(e instanceof VaultError)) throw e;
            return { kind: 'missing', path, label, text: '', tokens: 0, remark: e.message };
        }
    }
}

/** `A/B/AGENTS.md`, `A/AGENTS.md` for `A/B/note.md`: nearest folder first, the root left to the root rule. */
export function folderInstructionPaths(notePath: string): string[] {
    const segments = notePath.split('/').slice(0, -1);
    const out: string[] = [];
    for (let depth = segments.length; depth > 0; depth--) {
        out.push(`${segments.slice(0, depth).join('/')}/${FOLDER_INSTRUCTION_NOTE}`);
    }
    return out;
}

function withMd(path: string): string {
    return path.toLowerCase().endsWith('.md') ? path : `${path}.md`;
}
