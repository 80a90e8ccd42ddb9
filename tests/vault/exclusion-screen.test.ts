/**
 * The exclusion screen on its own (`src/vault/exclusion-screen.ts`): each note's tags read from its text, kept per
 * version (size and time), never a read that a change overtook, and never holding the host's thread for a whole
 * vault. The plugin around it: `tests/obsidian/plugin-tag-screen.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { ExclusionScreen, type ScreenFile } from '../../src/vault/exclusion-screen';

const note = (path: string, mtime = 1, size = 10): ScreenFile => ({ path, mtime, size });

describe('ExclusionScreen', () => {
    it("keeps a note's tags for the version it read, and has none (asking again) for any other", async () => {
        const texts = new Map([['a.md', 'x 🔒#private']]);
        const reads: string[] = [];
        const screen = new ExclusionScreen({
            read: async (path) => {
                reads.push(path);
                return texts.get(path) ?? '';
            },
        });
        expect(screen.tagsOf(note('a.md'))).toBeUndefined();
        await screen.settled();
        expect(screen.tagsOf(note('a.md'))?.tags).toEqual(['#private']);
        texts.set('a.md', 'public now');
        expect(screen.tagsOf(note('a.md', 2))).toBeUndefined();
        await screen.settled();
        expect(screen.tagsOf(note('a.md', 2))?.tags).toEqual([]);
        expect(reads).toEqual(['a.md', 'a.md']);
    });

    it('drops a read that a change overtook: the note stays unknown until read again', async () => {
        const pending: ((text: string) => void)[] = [];
        const screen = new ExclusionScreen({ read: () => new Promise((resolve) => pending.push(resolve)) });
        screen.want([note('a.md')]);
        expect(pending).toHaveLength(1);
        // Same size and time, as an edit within one tick can leave them: only the event tells.
        screen.changed(note('a.md'));
        pending[0]?.('old text, no tag');
        await new Promise((resolve) => setTimeout(resolve, 0));
        expect(screen.tagsOf(note('a.md'))).toBeUndefined();
        pending[1]?.('new text #private');
        await screen.settled();
        expect(screen.tagsOf(note('a.md'))?.tags).toEqual(['#private']);
    });

    it('keeps nothing for a note it cannot read, and unknown frontmatter stays unknown', async () => {
        const screen = new ExclusionScreen({
            read: async (path) => {
                if (path === 'gone.md') throw new Error('ENOENT');
                return '---\ntags: [unclosed\n---\nbody';
            },
        });
        screen.want([note('gone.md'), note('broken.md')]);
        await screen.settled();
        expect(screen.tagsOf(note('gone.md'))).toBeUndefined();
        const broken = screen.tagsOf(note('broken.md'));
        expect(broken?.tags).toBeUndefined();
        expect(broken?.frontmatterError).toBeTruthy();
    });

    it('lets the host run other tasks while it reads a vault whose reads settle at once', async () => {
        const screen = new ExclusionScreen({ read: async (path) => `# ${path}\n${'text #tag '.repeat(200)}` });
        let ticked = false;
        setTimeout(() => (ticked = true), 0);
        screen.want(Array.from({ length: 20_000 }, (_, i) => note(`n${i}.md`)));
        let tickedBeforeDone = false;
        const done = screen.settled().then(() => (tickedBeforeDone = ticked));
        await done;
        expect(tickedBeforeDone).toBe(true);
        expect(screen.pending()).toBe(0);
    });
});
