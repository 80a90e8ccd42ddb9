import { describe, expect, it } from 'vitest';
import { NoteIndex } from '../../src/vault/note-index';
import type { FileEntry } from '../../src/kernel/vault-port';

function entry(path: string, mtime = 1, size = 10): FileEntry {
    return { path, mtime, size, ctime: mtime };
}

/** An index holding `files`: a string is a note's text, `null` an attachment. */
function indexOf(files: Record<string, string | null>): NoteIndex {
    const index = new NoteIndex();
    for (const [path, text] of Object.entries(files)) index.set(entry(path), text);
    return index;
}

describe('link resolution', () => {
    it('resolves an exact vault path with or without .md, case-insensitively', () => {
        const index = indexOf({ 'Folder/Note.md': '', 'Other.md': '' });
        expect(index.resolveLink('Folder/Note', 'Other.md')).toBe('Folder/Note.md');
        expect(index.resolveLink('Folder/Note.md', 'Other.md')).toBe('Folder/Note.md');
        expect(index.resolveLink('folder/NOTE', 'Other.md')).toBe('Folder/Note.md');
        expect(index.resolveLink('/Folder/Note', 'Other.md')).toBe('Folder/Note.md');
    });

    it('resolves a bare name anywhere in the vault', () => {
        const index = indexOf({ 'a/b/c/Deep note.md': '', 'x.md': '' });
        expect(index.resolveLink('deep note', 'x.md')).toBe('a/b/c/Deep note.md');
    });

    it('prefers the same-named note in the source folder, then the shortest path', () => {
        const index = indexOf({ 'a/b/Note.md': '', 'zzzz/Note.md': '', 'work/Note.md': '', 'work/x.md': '' });
        expect(index.resolveLink('Note', 'work/x.md')).toBe('work/Note.md');
        // An ancestor folder counts for nothing; the shortest path string wins, not the fewest folders.
        expect(index.resolveLink('Note', 'zzzz/deep/x.md')).toBe('a/b/Note.md');
        expect(index.resolveLink('Note', 'elsewhere.md')).toBe('a/b/Note.md');
    });

    it('lets an exact vault path win over a same-named note beside the source', () => {
        const index = indexOf({ 'Note.md': '', 'work/Note.md': '' });
        expect(index.resolveLink('Note', 'work/x.md')).toBe('Note.md');
    });

    it('breaks ties between equally short paths the same way whatever the indexing order', () => {
        const one = indexOf({ 'b/N.md': '', 'a/N.md': '' });
        const two = indexOf({ 'a/N.md': '', 'b/N.md': '' });
        expect(one.resolveLink('N', 'x.md')).toBe('a/N.md');
        expect(two.resolveLink('N', 'x.md')).toBe('a/N.md');
    });

    it('resolves paths relative to the source folder', () => {
        const index = indexOf({ 'p/q/Sub/Note.md': '', 'p/Sibling.md': '', 'p/q/x.md': '', 'Sub/Other.md': '' });
        expect(index.resolveLink('Sub/Note', 'p/q/x.md')).toBe('p/q/Sub/Note.md');
        expect(index.resolveLink('./Sub/Note.md', 'p/q/x.md')).toBe('p/q/Sub/Note.md');
        expect(index.resolveLink('../Sibling', 'p/q/x.md')).toBe('p/Sibling.md');
        expect(index.resolveLink('../../../Sibling', 'p/q/x.md')).toBeNull();
    });

    it('matches a partial path against the end of a file path', () => {
        const index = indexOf({ 'a/Sub/Note.md': '', 'b/Other/Note.md': '' });
        expect(index.resolveLink('Sub/Note', 'x.md')).toBe('a/Sub/Note.md');
        expect(index.resolveLink('other/note', 'x.md')).toBe('b/Other/Note.md');
        expect(index.resolveLink('ub/Note', 'x.md')).toBeNull();
    });

    it('resolves attachments by their full name', () => {
        const index = indexOf({ 'assets/img.png': null, 'n.md': '' });
        expect(index.resolveLink('img.png', 'n.md')).toBe('assets/img.png');
        expect(index.resolveLink('IMG.PNG', 'n.md')).toBe('assets/img.png');
        expect(index.resolveLink('img', 'n.md')).toBeNull();
    });

    it('returns null for a note that does not exist, and the source for an empty link', () => {
        const index = indexOf({ 'n.md': '' });
        expect(index.resolveLink('Missing', 'n.md')).toBeNull();
        expect(index.resolveLink('', 'n.md')).toBe('n.md');
    });

    it('prefers the exact case among case twins', () => {
        const index = indexOf({ 'Notes.md': '', 'notes.md': '' });
        expect(index.resolveLink('notes', 'x.md')).toBe('notes.md');
        expect(index.resolveLink('Notes', 'x.md')).toBe('Notes.md');
    });

    it('resolves a link written in NFD to the NFC vault path', () => {
        const index = indexOf({ 'Caf\u00e9.md': '' });
        expect(index.resolveLink('Cafe\u0301', 'x.md')).toBe('Caf\u00e9.md');
    });

    it('ignores a subpath passed along with the linkpath', () => {
        expect(indexOf({ 'n.md': '' }).resolveLink('n#Heading', 'x.md')).toBe('n.md');
    });
});

describe('backlinks', () => {
    it('lists notes that link to or embed a note, through every link form', () => {
        const index = indexOf({
            'Target.md': 'self link [[Target]]',
            'a.md': '[[Target]]',
            'b.md': '![[Target#Heading]]',
            'c.md': '[x](Target.md)',
            'd.md': '`[[Target]]` in code only',
            'img.png': null,
            'e.md': '![[img.png]]',
        });
        expect(index.backlinks('Target.md')).toEqual(['a.md', 'b.md', 'c.md']);
        expect(index.backlinks('img.png')).toEqual(['e.md']);
    });

    it('updates when a note gains or loses a link', () => {
        const index = indexOf({ 'Target.md': '', 'a.md': 'nothing yet' });
        expect(index.backlinks('Target.md')).toEqual([]);
        index.set(entry('a.md', 2), 'now [[Target]]');
        expect(index.backlinks('Target.md')).toEqual(['a.md']);
        index.set(entry('a.md', 3), 'gone again');
        expect(index.backlinks('Target.md')).toEqual([]);
    });

    it('resolves a link to a note that did not exist yet once it appears', () => {
        const index = indexOf({ 'a.md': '[[Later]]' });
        expect(index.backlinks('Later.md')).toEqual([]);
        index.set(entry('Later.md'), '');
        expect(index.backlinks('Later.md')).toEqual(['a.md']);
    });

    it('moves backlinks to a better match when one appears, and back when it is deleted', () => {
        const index = indexOf({ 'far/away/Note.md': '', 'work/a.md': '[[Note]]' });
        expect(index.backlinks('far/away/Note.md')).toEqual(['work/a.md']);
        index.set(entry('work/Note.md'), '');
        expect(index.backlinks('work/Note.md')).toEqual(['work/a.md']);
        expect(index.backlinks('far/away/Note.md')).toEqual([]);
        index.delete('work/Note.md');
        expect(index.backlinks('far/away/Note.md')).toEqual(['work/a.md']);
    });

    it('drops the backlinks of a deleted source and of a deleted target', () => {
        const index = indexOf({ 'Target.md': '', 'a.md': '[[Target]]', 'b.md': '[[Target]]' });
        expect(index.backlinks('Target.md')).toEqual(['a.md', 'b.md']);
        index.delete('a.md');
        expect(index.backlinks('Target.md')).toEqual(['b.md']);
        index.delete('Target.md');
        expect(index.backlinks('Target.md')).toEqual([]);
        expect(index.resolveLink('Target', 'b.md')).toBeNull();
    });
});

describe('notesWithTag', () => {
    it('finds notes by tag case-insensitively and hierarchically', () => {
        const index = indexOf({
            'a.md': '#Private/health',
            'b.md': '---\ntags: private\n---\n',
            'c.md': '#privately',
            'd.md': '#work',
        });
        expect(index.notesWithTag('#private')).toEqual(['a.md', 'b.md']);
        expect(index.notesWithTag('PRIVATE/Health')).toEqual(['a.md']);
        expect(index.notesWithTag('work')).toEqual(['d.md']);
    });

    it('follows tag changes and deletions', () => {
        const index = indexOf({ 'a.md': '#private' });
        index.set(entry('a.md', 2), 'no tags now');
        expect(index.notesWithTag('private')).toEqual([]);
        index.set(entry('a.md', 3), '#private');
        index.delete('a.md');
        expect(index.notesWithTag('private')).toEqual([]);
    });

    it('leaves notes with unknown tags to the caller, with tags undefined', () => {
        const index = indexOf({ 'bad.md': '---\ntags: [private\n---\n' });
        expect(index.notesWithTag('private')).toEqual([]);
        expect(index.metadata('bad.md')?.tags).toBeUndefined();
    });
});

describe('freshness and contents', () => {
    it('is fresh only for the same mtime and size', () => {
        const index = indexOf({ 'a.md': 'x' });
        expect(index.isFresh('a.md', entry('a.md'))).toBe(true);
        expect(index.isFresh('a.md', entry('a.md', 2))).toBe(false);
        expect(index.isFresh('a.md', entry('a.md', 1, 11))).toBe(false);
        expect(index.isFresh('b.md', entry('b.md'))).toBe(false);
    });

    it('is not fresh for a note stored without its text, so it gets read', () => {
        const index = new NoteIndex();
        index.set(entry('a.md'), null);
        expect(index.isFresh('a.md', entry('a.md'))).toBe(false);
        expect(index.metadata('a.md')).toBeUndefined();
    });

    it('lists attachments and notes, and metadata only for notes', () => {
        const index = indexOf({ 'a.md': '#x', 'img.png': null });
        expect(index.paths().sort()).toEqual(['a.md', 'img.png']);
        expect(index.metadata('a.md')?.tags).toEqual(['#x']);
        expect(index.metadata('img.png')).toBeUndefined();
        index.delete('img.png');
        expect(index.paths()).toEqual(['a.md']);
    });
});
