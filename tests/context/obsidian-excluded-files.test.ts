/**
 * Obsidian's Excluded files as the gate reads them: path prefixes (case-insensitive, as the gate's folder rules) and
 * `/regex/` filters evaluated by RE2 anywhere in the path; everything that cannot be read fails closed.
 */
import { describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { ObsidianExcludedFiles } from '../../src/context/obsidian-excluded-files';
import { makeTempVault } from '../support/temp-vault';

const list = (filters: unknown): ObsidianExcludedFiles =>
    ObsidianExcludedFiles.fromAppJson(JSON.stringify({ userIgnoreFilters: filters }));

describe("Obsidian's Excluded files", () => {
    it('reads prefixes as Obsidian does: a folder, or any path that starts with the text', () => {
        const excluded = list(['Archive/', 'Templates']);
        expect(excluded.match('Archive/2019/old.md')).toBe('Archive/');
        expect(excluded.match('archive/old.md')).toBe('Archive/');
        expect(excluded.match('Archived.md')).toBeNull();
        expect(excluded.match('Templates/Daily.md')).toBe('Templates');
        expect(excluded.match('Templates old.md')).toBe('Templates');
        expect(excluded.match('Notes/Templates/x.md')).toBeNull();
    });

    it('reads /regex/ filters with RE2, matched anywhere in the path', () => {
        const excluded = list(['/\\.draft\\.md$/', '/(^|/)_/']);
        expect(excluded.match('Drafts/Idea.draft.md')).toBe('/\\.draft\\.md$/');
        expect(excluded.match('Idea.md')).toBeNull();
        expect(excluded.match('Notes/_scratch.md')).toBe('/(^|/)_/');
    });

    it('never reads a filter as matching less than Obsidian would', () => {
        // `//` is the empty expression: every path.
        expect(list(['//']).match('Plan.md')).toBe('//');
        // A prefix written with a leading slash still covers the folder.
        expect(list(['/Archive']).match('Archive/old.md')).toBe('/Archive');
        expect(list(['/Archive']).match('Notes/Archive/old.md')).toBeNull();
    });

    it('a catastrophic-backtracking pattern runs in linear time', () => {
        const excluded = list(['/^(a+)+$/']);
        const start = performance.now();
        expect(excluded.match(`${'a'.repeat(50_000)}!.md`)).toBeNull();
        expect(performance.now() - start).toBeLessThan(1000);
    });

    it('fails closed: unsafe or invalid filters, a damaged file, a list that is not one', () => {
        expect(list(['/(?=x)y/']).problem).toMatch(/cannot be evaluated safely/);
        expect(list(['/(a)\\1/']).problem).toMatch(/cannot be evaluated safely/);
        expect(list(['/[/']).problem).toMatch(/cannot be evaluated safely/);
        expect(ObsidianExcludedFiles.fromAppJson('{"userIgnoreFilters": [').problem).toMatch(/not valid JSON/);
        expect(list('Archive/').problem).toMatch(/not a list/);
        expect(list(['Archive/', 3]).problem).toMatch(/not a list/);
        expect(ObsidianExcludedFiles.fromAppJson('[]').problem).toMatch(/does not hold settings/);
    });

    it('no file, no key, or an empty list means no filters', () => {
        for (const none of [
            ObsidianExcludedFiles.fromAppJson(null),
            ObsidianExcludedFiles.fromAppJson('{}'),
            list([]),
            list(['', '  ']),
        ]) {
            expect(none.problem).toBeNull();
            expect(none.filters).toEqual([]);
        }
    });

    it('in the gate: a match is excluded with its filter named; an unreadable list excludes every path', async () => {
        const temp = await makeTempVault({ 'Archive/old.md': 'old', 'Plan.md': 'plan' });
        try {
            const privacy = { excludedTags: [], excludedFolders: [] };
            const gate = new ExclusionGate({ vault: temp.vault, privacy, obsidianExcluded: list(['Archive/']) });
            const verdict = gate.check('Archive/old.md');
            expect(verdict).toEqual({ excluded: true, reason: { kind: 'obsidian', filter: 'Archive/' } });
            if (verdict.excluded) expect(ExclusionGate.describe(verdict.reason)).toContain('Archive/');
            expect(gate.isExcluded('Plan.md')).toBe(false);
            // A spelling that resolves into the folder is caught too.
            expect(gate.isExcluded('Notes/../Archive/old.md')).toBe(true);

            const locked = new ExclusionGate({ vault: temp.vault, privacy, obsidianExcluded: list(['/a(?=b)/']) });
            expect(locked.isExcluded('Plan.md')).toBe(true);
            const reason = locked.check('Plan.md');
            expect(reason.excluded && reason.reason.kind).toBe('obsidian-unreadable');

            const off = new ExclusionGate({ vault: temp.vault, privacy, obsidianExcluded: null });
            expect(off.isExcluded('Archive/old.md')).toBe(false);
        } finally {
            await temp.cleanup();
        }
    });
});
