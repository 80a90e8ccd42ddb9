/** The CLI's pure parts: endpoint choice, job titles, the diff shown for approval, and the status table. */
import { describe, expect, it } from 'vitest';
import { buildProposal } from '../../src/agent/changes/proposal';
import { userStateDir } from '../../src/agent/spend/spend-ledger-node';
import { chooseEndpoint } from '../../src/cli/cli-context';
import { titleOf } from '../../src/cli/enqueue-command';
import { table } from '../../src/cli/status-command';
import { renderProposal } from '../../src/cli/terminal-approvals';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';

describe('the endpoint', () => {
    const settings = { ...DEFAULT_SETTINGS.model, baseUrl: 'http://from-settings.test' };

    it('takes --base-url first, then ANTHROPIC_BASE_URL, then the vault settings, and says which', () => {
        const env = { ANTHROPIC_BASE_URL: 'http://from-env.test' };
        expect(chooseEndpoint('http://flag.test', env, settings)).toEqual({
            baseUrl: 'http://flag.test',
            source: '--base-url',
        });
        expect(chooseEndpoint(undefined, env, settings).source).toBe('ANTHROPIC_BASE_URL');
        expect(chooseEndpoint(undefined, {}, settings).source).toBe('the vault settings');
        expect(chooseEndpoint(undefined, {}, DEFAULT_SETTINGS.model)).toEqual({ baseUrl: '', source: 'the default' });
    });
});

describe('the state folder', () => {
    it('lives under XDG_CONFIG_HOME when set, else ~/.config', () => {
        expect(userStateDir({ XDG_CONFIG_HOME: '/x/config', HOME: '/h' })).toBe('/x/config/vault-agent');
        expect(userStateDir({ HOME: '/h' })).toBe('/h/.config/vault-agent');
    });
});

describe('job titles', () => {
    it('uses the first line of the brief, cut at a word', () => {
        expect(titleOf('\nSummarise the plan\nand more')).toBe('Summarise the plan');
        const long = titleOf('word '.repeat(40));
        expect(long.length).toBeLessThanOrEqual(61);
        expect(long.endsWith('…')).toBe(true);
        expect(titleOf('   ')).toBe('Job');
    });
});

describe('the diff shown before a change', () => {
    it('shows the hunks, the model’s reason as its words, and every file concerned', () => {
        const proposal = buildProposal({
            kind: 'edit',
            path: 'Plan.md',
            base: 'one\ntwo\nthree\n',
            proposed: 'one\n2\nthree\n',
            reason: 'fix the number',
        });
        const text = renderProposal(proposal, { files: ['Plan.md', 'Other.md'] });
        expect(text).toContain('Proposed edit: Plan.md');
        expect(text).toContain('The agent says: fix the number');
        expect(text).toContain('-two');
        expect(text).toContain('+2');
        expect(text).toContain('  Other.md');
    });

    it('says what Vault Agent warns about before the hunks, apart from the model’s words', () => {
        const proposal = buildProposal({
            kind: 'create',
            path: 'Agent/Jobs/Digest.md',
            base: null,
            proposed: 'Sum up my #private diary.\n',
            reason: 'schedule "daily 21:00"',
        });
        const text = renderProposal(proposal, { warning: 'The job note would be tagged #private.' });
        expect(text).toContain('The agent says: schedule "daily 21:00"\nThe job note would be tagged #private.');
        expect(text.indexOf('tagged #private.')).toBeLessThan(text.indexOf('+Sum up'));
    });

    it('never passes terminal escape sequences from a note through to the terminal', () => {
        const proposal = buildProposal({ kind: 'create', path: 'X.md', base: null, proposed: 'a\u001b[2Jb\n' });
        expect(renderProposal(proposal)).not.toContain('\u001b');
    });
});

describe('the status table', () => {
    it('pads every column but the last', () => {
        expect(
            table([
                ['A', 'BB', 'last'],
                ['CCC', 'D', 'x'],
            ]),
        ).toEqual(['A    BB  last', 'CCC  D   x']);
    });
});
