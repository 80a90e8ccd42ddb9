/**
 * The note index answers backlinks from the names links can lead to, resolving only the notes registered under a file's
 * name, and keeps each note's metadata as JSON parsed again when asked. Through random changes (notes and attachments
 * appearing, changing, going; texts parsed at once, when asked, or taken from stored rows, some of them damaged), every
 * answer must equal what resolving every link of every note from scratch gives (the backlinks known before the notes
 * still waiting are taken in: some of those, never another), and every note's metadata must equal what the parser
 * makes of its text.
 */
import { describe, expect, it } from 'vitest';
import { NoteIndex } from '../../src/vault/note-index';
import type { StoredNote } from '../../src/vault/stored-note';
import { parseNote } from '../../src/vault/note-parser';
import { linkNameKey } from '../../src/vault/link-resolver';
import { frontmatterLinkPaths } from '../../src/vault/frontmatter';
import type { FileEntry, NoteMetadata } from '../../src/kernel/vault-port';
import { seededRandom } from '../support/seeded-random';

const NAMES = ['Alpha', 'beta', 'Beta', 'Café', 'img.png', 'Note', 'note'];
const FOLDERS = ['', 'a/', 'a/b/', 'Sub/', 'x/Sub/'];

function pick<T>(random: () => number, items: readonly T[]): T {
    return items[Math.floor(random() * items.length)] as T;
}

/** A note text with links of every form to names of the vault, some in code where they do not count. */
function noteText(random: () => number): string {
    const lines: string[] = [];
    const count = Math.floor(random() * 5);
    if (random() < 0.2) lines.push('---', `cover: "[[${pick(random, NAMES)}]]"`, '---');
    for (let i = 0; i < count; i++) {
        const name = pick(random, NAMES).replace(/\.png$/u, random() < 0.5 ? '.png' : '');
        const folder = pick(random, FOLDERS);
        const forms = [
            `[[${name}]]`,
            `[[${folder}${name}#Heading|shown]]`,
            `![[${name}]]`,
            `[text](${encodeURI(folder + name)}.md)`,
            `\`[[${name}]]\` in code`,
            `[[./${name}]]`,
            `[[../${name}]]`,
            `[[/${folder}${name}]]`,
            `#tag${i}`,
        ];
        lines.push(pick(random, forms));
    }
    return lines.join('\n');
}

/** Every link target of every note, resolved from scratch. */
function bruteBacklinks(index: NoteIndex, notes: Map<string, string>, path: string): string[] {
    const out: string[] = [];
    for (const [source, text] of notes) {
        if (source === path) continue;
        const metadata = parseNote(text);
        const links = [
            ...metadata.links.map((l) => l.link),
            ...metadata.embeds.map((l) => l.link),
            ...frontmatterLinkPaths(metadata.frontmatter),
        ].filter((link) => link !== '');
        if (links.some((link) => index.resolveLink(link, source) === path)) out.push(source);
    }
    return out.sort();
}

function stored(metadata: NoteMetadata, damaged: boolean): StoredNote {
    const keys = new Set<string>();
    for (const ref of [...metadata.links, ...metadata.embeds]) if (ref.link !== '') keys.add(linkNameKey(ref.link));
    for (const link of frontmatterLinkPaths(metadata.frontmatter)) if (link !== '') keys.add(linkNameKey(link));
    const json = damaged ? '{"links":' : JSON.stringify(metadata);
    // Stored rows lie in a larger buffer, as in a snapshot file.
    const bytes = new TextEncoder().encode(`padding${json}padding`);
    return { screen: { tags: metadata.tags }, linkKeys: [...keys], json: { bytes, start: 7, end: bytes.length - 7 } };
}

describe('note index backlinks and kept metadata', () => {
    it('equal a resolution from scratch through random changes (eight seeds)', () => {
        for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
            const random = seededRandom(seed);
            const notes = new Map<string, string>();
            const files = new Set<string>();
            // The index reads a note "from its file" (unread notes, damaged rows) from the current texts.
            const index = new NoteIndex((path) => parseNote(notes.get(path) ?? ''));
            let clock = 1;
            const entry = (path: string): FileEntry => ({ path, mtime: clock, size: 1, ctime: clock });
            for (let step = 0; step < 300; step++) {
                clock++;
                const path = pick(random, FOLDERS) + pick(random, NAMES) + (random() < 0.85 ? '.md' : '');
                const roll = random();
                if (roll < 0.2 && files.has(path)) {
                    index.delete(path);
                    files.delete(path);
                    notes.delete(path);
                } else if (!path.endsWith('.md')) {
                    index.set(entry(path), null);
                    files.add(path);
                } else {
                    const text = noteText(random);
                    notes.set(path, text);
                    files.add(path);
                    const how = random();
                    if (how < 0.3) index.set(entry(path), text);
                    else if (how < 0.5) index.set(entry(path), text, 'when-asked');
                    else if (how < 0.7) index.setUnread(entry(path));
                    else {
                        const damaged = random() < 0.2;
                        index.setStored(entry(path), { stored: () => stored(parseNote(text), damaged) });
                    }
                }
                // A call touches one note now and then, so some notes are registered while others still wait.
                if (step % 3 === 0 && notes.size > 0) index.tags(pick(random, [...notes.keys()]));
                if (step % 5 === 0) {
                    // What is known before the waiting notes are taken in is some of the backlinks, never more.
                    const target = pick(random, [...files]);
                    const truth = bruteBacklinks(index, notes, target);
                    for (const source of index.knownBacklinks(target)) {
                        expect(truth, `known backlink ${source} of ${target} at step ${step} (seed ${seed})`).toContain(
                            source,
                        );
                    }
                }
                if (step % 7 === 0) {
                    const target = pick(random, [...files]);
                    expect(index.backlinks(target), `backlinks of ${target} at step ${step} (seed ${seed})`).toEqual(
                        bruteBacklinks(index, notes, target),
                    );
                }
            }
            for (const target of files) {
                expect(index.backlinks(target), `backlinks of ${target} (seed ${seed})`).toEqual(
                    bruteBacklinks(index, notes, target),
                );
            }
            for (const [path, text] of notes) {
                const expected = JSON.parse(JSON.stringify(parseNote(text))) as NoteMetadata;
                expect(index.metadata(path), `metadata of ${path}`).toEqual(expected);
                expect(index.tags(path)?.tags).toEqual(expected.tags);
            }
        }
    });
});
