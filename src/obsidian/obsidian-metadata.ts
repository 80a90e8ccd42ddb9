/**
 * Obsidian's metadata cache in the port's shape (`NoteMetadata`): what `ObsidianVault.metadata` gives for a note, and
 * the tags `ObsidianTags` joins with our own reading. A frontmatter Obsidian could not parse leaves the tags unknown,
 * so the exclusion gate fails closed.
 */
import { getAllTags, parseFrontMatterAliases } from 'obsidian';
import type { CachedMetadata, ReferenceCache } from 'obsidian';
import type { LinkReference, NoteMetadata } from '../kernel/vault-port';

/** Maps Obsidian's cache to the port's shape. Unparseable frontmatter ⇒ tags unknown, so the gate fails closed. */
export function toNoteMetadata(cache: CachedMetadata): NoteMetadata {
    const frontmatter = cache.frontmatter ? { ...cache.frontmatter } : null;
    const frontmatterError = unparsedFrontmatter(cache);
    const tags = frontmatterError ? undefined : [...new Set(getAllTags(cache) ?? [])];
    return {
        frontmatter,
        ...(frontmatterError ? { frontmatterError } : {}),
        tags,
        aliases: parseFrontMatterAliases(cache.frontmatter ?? null) ?? [],
        links: (cache.links ?? []).map(toLinkReference),
        embeds: (cache.embeds ?? []).map(toLinkReference),
        headings: (cache.headings ?? []).map((h) => ({
            level: h.level,
            heading: h.heading,
            line: h.position.start.line,
        })),
        blocks: Object.values(cache.blocks ?? {}).map((b) => ({
            id: b.id,
            startLine: b.position.start.line,
            endLine: b.position.end.line,
        })),
    };
}

/**
 * Obsidian reports no YAML errors: a frontmatter block (in `frontmatterPosition`, or a leading `yaml` section, which
 * Obsidian records even when the YAML did not parse) with content but no parsed frontmatter is the sign of one. An
 * empty block (`---` directly followed by `---`) parses to nothing and is not an error.
 */
function unparsedFrontmatter(cache: CachedMetadata): string | undefined {
    const yamlSection = cache.sections?.[0]?.type === 'yaml' ? cache.sections[0].position : undefined;
    const position = cache.frontmatterPosition ?? yamlSection;
    if (!position || cache.frontmatter) return undefined;
    if (position.end.line - position.start.line <= 1) return undefined;
    return 'The frontmatter could not be parsed, so its tags are unknown.';
}

function toLinkReference(ref: ReferenceCache): LinkReference {
    const hash = ref.link.indexOf('#');
    const link = hash < 0 ? ref.link : ref.link.slice(0, hash);
    const subpath = hash < 0 ? '' : ref.link.slice(hash);
    // Obsidian fills displayText for every link; the port wants it only when the person wrote one.
    const written = ref.original.includes('|') || /^!?\[(?!\[)/.test(ref.original);
    return {
        link,
        subpath,
        ...(written && ref.displayText !== undefined ? { displayText: ref.displayText } : {}),
        original: ref.original,
        line: ref.position.start.line,
    };
}
