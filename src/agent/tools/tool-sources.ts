/**
 * Provenance of vault text: which vault paths a block's text came from or names. A note's text names the notes it
 * links to and embeds (`[[Plan]]`), so a note's sources include those targets too; where embeds were expanded into the
 * text (attached context), the embedded notes' own links and embeds count as well. Once any source becomes private,
 * the block that carries it must leave the history (docs/RELIABILITY.md row 13).
 */
import type { VaultPort } from '../../kernel/vault-port';
import type { ToolContext } from './tool';

/** The gate's "excluded" of a tool call, as `linkedSources` takes it. */
export function hiddenIn(context: ToolContext): (path: string) => boolean {
    return (path) => context.gate.isExcluded(path);
}

/**
 * `paths` plus every note they link to or embed; with `embedDepth` > 0, the notes embedded in them (whose text an
 * attached note carries) are followed that many levels further. Targets `hidden` now are left out: their names were
 * already replaced by a placeholder in the text. Sorted and unique.
 */
export function linkedSources(
    vault: VaultPort,
    paths: Iterable<string>,
    hidden: (path: string) => boolean,
    embedDepth = 0,
): string[] {
    const seen = new Set<string>(paths);
    const expanded = new Set<string>(seen);
    let frontier = [...seen];
    for (let level = 0; level <= embedDepth && frontier.length > 0; level++) {
        const embedded: string[] = [];
        for (const path of frontier) {
            const metadata = vault.metadata(path);
            if (metadata === undefined) continue;
            for (const [references, isEmbed] of [
                [metadata.links, false],
                [metadata.embeds, true],
            ] as const) {
                for (const reference of references) {
                    // `[[#Heading]]` points into the note itself.
                    if (reference.link === '') continue;
                    const target = vault.resolveLink(reference.link, path);
                    if (target === null || hidden(target)) continue;
                    if (isEmbed && !expanded.has(target)) {
                        expanded.add(target);
                        embedded.push(target);
                    }
                    seen.add(target);
                }
            }
        }
        frontier = embedded;
    }
    return [...seen].sort();
}
