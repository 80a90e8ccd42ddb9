/**
 * A job's provenance: every note whose text the job had, whether it was given as context (with the notes embedded in
 * it, whose text the context carried) or read with its tools (`read_note`, `note_outline`). A note excluded now is
 * never listed, whichever way it came in.
 */
import type { ExclusionGate } from '../context/exclusions';
import { DEFAULT_EMBED_DEPTH } from '../context/embeds';
import { isMarkdownPath, type VaultPort } from '../kernel/vault-port';

/** What the job had: the context notes sent and the notes its tools read. */
export interface JobReading {
    /** The context notes sent in the first message. */
    context: readonly string[];
    /** The notes the job's tools read. */
    read: readonly string[];
}

/** The artifact's `sources`: context notes first, then their embeds, then the notes read by tools; none excluded. */
export function jobSources(vault: VaultPort, gate: ExclusionGate, reading: JobReading): string[] {
    const visible = (path: string): boolean => !gate.isExcluded(path);
    const context = reading.context.filter(visible);
    const embedded = embeddedNotes(vault, context, visible);
    const read = [...reading.read].filter(visible).sort();
    return [...new Set([...context, ...embedded, ...read])];
}

/** The notes embedded in `paths`, followed as deep as the context builder expands embeds; sorted. */
function embeddedNotes(vault: VaultPort, paths: readonly string[], visible: (path: string) => boolean): string[] {
    const found = new Set<string>();
    let frontier = [...paths];
    for (let depth = 0; depth < DEFAULT_EMBED_DEPTH && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const path of frontier) {
            for (const embed of vault.metadata(path)?.embeds ?? []) {
                if (embed.link === '') continue;
                const target = vault.resolveLink(embed.link, path);
                if (
                    target === null ||
                    !isMarkdownPath(target) ||
                    !visible(target) ||
                    found.has(target) ||
                    paths.includes(target)
                )
                    continue;
                found.add(target);
                next.push(target);
            }
        }
        frontier = next;
    }
    return [...found].sort();
}
