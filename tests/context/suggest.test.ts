import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fuzzyScore, NO_MATCH } from '../../src/context/fuzzy';
import { MentionSuggester } from '../../src/context/suggest';
import { leakedNames, makeCanaryVault, type CanaryVault } from './context-fixtures';

describe('fuzzyScore', () => {
    it('matches subsequences only', () => {
        expect(fuzzyScore('meeting notes', 'mtn')).toBeGreaterThan(NO_MATCH);
        expect(fuzzyScore('meeting notes', 'ntm')).toBe(NO_MATCH);
    });

    it('ranks a prefix over a word start over a scattered match', () => {
        const prefix = fuzzyScore('plan for q3', 'plan');
        const wordStart = fuzzyScore('project plan', 'plan');
        const scattered = fuzzyScore('people learn anything new', 'plan');
        expect(prefix).toBeGreaterThan(wordStart);
        expect(wordStart).toBeGreaterThan(scattered);
    });
});

describe('MentionSuggester', () => {
    let fixture: CanaryVault;
    let suggester: MentionSuggester;
    let recent: string[];

    beforeEach(async () => {
        fixture = await makeCanaryVault();
        recent = [];
        suggester = new MentionSuggester({ vault: fixture.vault, gate: fixture.gate, recent: () => recent });
        await suggester.rebuild();
    });

    afterEach(async () => {
        suggester.dispose();
        await fixture.cleanup();
    });

    it('never suggests an excluded note, nor a folder or tag only excluded notes carry', () => {
        for (const query of [
            '',
            'q',
            'quokka',
            'journal',
            'platy',
            'marsupial',
            '#priv',
            'private',
            'w',
            'jour/',
            '#',
        ]) {
            const shown = suggester.suggest(query, 50);
            expect(leakedNames(JSON.stringify(shown))).toEqual([]);
            expect(shown.map((s) => s.label)).not.toContain('Journal/');
            expect(shown.map((s) => s.label.toLowerCase())).not.toContain('#private');
        }
    });

    it('finds notes by name, path and alias, with a ready mention to insert', () => {
        expect(suggester.suggest('alpha', 1)[0]).toMatchObject({ kind: 'note', label: 'Alpha', insert: '@[[Alpha]]' });
        expect(suggester.suggest('proj/bet', 1)[0]).toMatchObject({ detail: 'Projects/Beta.md' });
        expect(suggester.suggest('project a', 1)[0]).toMatchObject({
            label: 'Project A',
            insert: '@[[Alpha|Project A]]',
        });
    });

    it('suggests folders and tags carried by visible notes', () => {
        expect(suggester.suggest('projects', 5).map((s) => s.insert)).toContain('@Projects/');
        expect(suggester.suggest('#tea', 5)).toEqual([
            expect.objectContaining({ kind: 'tag', insert: '@#team', detail: '1 note' }),
        ]);
    });

    it('puts recently opened notes first', () => {
        expect(suggester.suggest('b', 3)[0]?.detail).not.toBe('Public.md');
        recent = ['Public.md'];
        expect(suggester.suggest('b', 3)[0]?.detail).toBe('Public.md');
    });

    it('follows the vault: a new note is suggested, one made private mid-session is not', async () => {
        await fixture.vault.create('Projects/Zeta plan.md', 'zeta');
        expect(suggester.suggest('zeta', 1)[0]?.detail).toBe('Projects/Zeta plan.md');
        await fixture.vault.process('Projects/Zeta plan.md', (text) => `${text} #private`);
        expect(suggester.suggest('zeta', 5)).toEqual([]);
    });

    it('answers extended queries the same as fresh ones', () => {
        const typed = ['p', 'pr', 'pro', 'proj', 'proje'].map((q) => suggester.suggest(q, 10));
        const fresh = new MentionSuggester({ vault: fixture.vault, gate: fixture.gate });
        return fresh.rebuild().then(() => {
            expect(fresh.suggest('proje', 10)).toEqual(typed[4]);
            fresh.dispose();
        });
    });
});
