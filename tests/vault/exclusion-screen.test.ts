/**
 * The exclusion screen on its own (`src/vault/exclusion-screen.ts`): each note's tags read from its text, kept per
 * version (size and time), never a read that a change overtook, and never holding the host's thread for a whole
 * vault. The plugin around it: `tests/obsidian/plugin-tag-screen.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import {
    ExclusionScreen,
    type KeptReading,
    type ScreenFile,
    type ScreenMemory,
} from '../../src/vault/exclusion-screen';

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

/** A memory as a host keeps it between sessions (the plugin's is IndexedDB: `tests/browser/tag-readings.test.ts`). */
class MapMemory implements ScreenMemory {
    readonly kept = new Map<string, KeptReading>();
    saves = 0;
    load(): Promise<ReadonlyMap<string, KeptReading>> {
        return Promise.resolve(new Map(this.kept));
    }
    save(put: ReadonlyMap<string, KeptReading>, drop: ReadonlySet<string>): Promise<void> {
        this.saves++;
        for (const path of drop) this.kept.delete(path);
        for (const [path, reading] of put) this.kept.set(path, reading);
        return Promise.resolve();
    }
}

/** A screen over `texts` that counts its reads. */
function screenOver(
    texts: Map<string, string>,
    memory: ScreenMemory,
    restoreMs?: number,
): { screen: ExclusionScreen; reads: string[] } {
    const reads: string[] = [];
    const screen = new ExclusionScreen({
        read: async (path) => {
            reads.push(path);
            const text = texts.get(path);
            if (text === undefined) throw new Error('ENOENT');
            return text;
        },
        memory,
        ...(restoreMs !== undefined ? { restoreMs } : {}),
    });
    return { screen, reads };
}

describe('ExclusionScreen with readings kept between sessions (decision 0035)', () => {
    it('reads at the next start only the notes changed since, keeps their new reading, and forgets notes gone meanwhile', async () => {
        const texts = new Map([
            ['a.md', 'x 🔒#private'],
            ['Renamed a.md', 'x 🔒#private'],
            ['b.md', 'public'],
            ['c.md', 'also public'],
        ]);
        const memory = new MapMemory();
        const first = screenOver(texts, memory);
        first.screen.start(() => [note('a.md'), note('b.md'), note('c.md')]);
        await first.screen.settled();
        await first.screen.flush();
        expect(first.reads.sort()).toEqual(['a.md', 'b.md', 'c.md']);
        expect([...memory.kept.keys()].sort()).toEqual(['a.md', 'b.md', 'c.md']);

        // Closed and opened again; meanwhile b.md was made private elsewhere (another time).
        texts.set('b.md', 'now #private');
        const second = screenOver(texts, memory);
        const files = [note('a.md'), note('b.md', 2), note('c.md')];
        second.screen.start(() => files);
        expect(second.screen.pending()).toBeGreaterThan(0);
        expect(second.screen.tagsOf(note('b.md', 2))).toBeUndefined();
        await second.screen.settled();
        expect(second.reads).toEqual(['b.md']);
        expect(second.screen.tagsOf(note('a.md'))?.tags).toEqual(['#private']);
        expect(second.screen.tagsOf(note('b.md', 2))?.tags).toEqual(['#private']);
        expect(second.screen.tagsOf(note('c.md'))?.tags).toEqual([]);
        await second.screen.flush();
        expect(memory.kept.get('b.md')?.mtime).toBe(2);

        // c.md was deleted while closed, and a.md renamed: what was kept of them goes, and the new name is read.
        const third = screenOver(texts, memory);
        third.screen.start(() => [note('Renamed a.md'), note('b.md', 2)]);
        await third.screen.settled();
        await third.screen.flush();
        expect(third.reads).toEqual(['Renamed a.md']);
        expect([...memory.kept.keys()].sort()).toEqual(['Renamed a.md', 'b.md']);
    });

    it('forgets a deleted or changed note in the memory, and a change told before the kept readings came back wins', async () => {
        const texts = new Map([
            ['a.md', 'public'],
            ['b.md', 'public'],
        ]);
        const memory = new MapMemory();
        const first = screenOver(texts, memory);
        first.screen.start(() => [note('a.md'), note('b.md')]);
        await first.screen.settled();
        first.screen.forget('b.md');
        await first.screen.flush();
        expect([...memory.kept.keys()]).toEqual(['a.md']);

        // The next session is told of an edit to a.md that kept its size and time, before the memory answers.
        texts.set('a.md', 'edited #private');
        let answer: (kept: ReadonlyMap<string, KeptReading>) => void = () => undefined;
        const slow: ScreenMemory = {
            load: () => new Promise((resolve) => (answer = resolve)),
            save: (put, drop) => memory.save(put, drop),
        };
        const pending: ((text: string) => void)[] = [];
        const second = new ExclusionScreen({
            read: () => new Promise((resolve) => pending.push(resolve)),
            memory: slow,
        });
        second.start(() => [note('a.md')]);
        second.changed(note('a.md'));
        answer(new Map(memory.kept));
        await new Promise((resolve) => setTimeout(resolve, 0));
        // The kept reading is of the text before the edit: the note stays unknown (excluded) until it is read again.
        expect(second.tagsOf(note('a.md'))).toBeUndefined();
        for (const resolve of pending) resolve(texts.get('a.md') ?? '');
        await second.settled();
        expect(second.tagsOf(note('a.md'))?.tags).toEqual(['#private']);
    });

    it('reads every note when the memory fails or does not answer in time', async () => {
        const texts = new Map([['a.md', 'public']]);
        const failing: ScreenMemory = {
            load: () => Promise.reject(new Error('IndexedDB is held by another window.')),
            save: () => Promise.reject(new Error('quota')),
        };
        const first = screenOver(texts, failing);
        first.screen.start(() => [note('a.md')]);
        await first.screen.settled();
        expect(first.reads).toEqual(['a.md']);
        await expect(first.screen.flush()).resolves.toBeUndefined();

        const silent: ScreenMemory = { load: () => new Promise(() => undefined), save: () => Promise.resolve() };
        const second = screenOver(texts, silent, 20);
        second.screen.start(() => [note('a.md')]);
        await second.screen.settled();
        expect(second.reads).toEqual(['a.md']);
        expect(second.screen.tagsOf(note('a.md'))?.tags).toEqual([]);
    });
});
