/** The queue view's usage section: spend today and this week, against the daily cap, and the dearest jobs. */
import type { UsageSummary, SpendTotals } from '../agent/spend/usage-summary';
import type { JobView } from '../delegate/queue-snapshot';
import { formatTokens, formatUsd } from './queue-format';

/** How many jobs the "by job" list names. */
const TOP_JOBS = 5;

/** One line of totals: cost, calls and tokens. */
export function totalsLine(totals: SpendTotals): string {
    const tokens = totals.inputTokens + totals.outputTokens + totals.cacheReadTokens + totals.cacheWriteTokens;
    const calls = `${totals.calls} call${totals.calls === 1 ? '' : 's'}`;
    return `${formatUsd(totals.usd)} · ${calls} · ${formatTokens(tokens)} tokens`;
}

/** Renders `usage` into `parent`; jobs are named by their note's title when the queue knows them. */
export function renderUsage(parent: HTMLElement, usage: UsageSummary, jobs: readonly JobView[]): void {
    parent.createEl('h4', { cls: 'vault-agent-queue-group-title', text: 'Usage' });
    const table = parent.createDiv({ cls: 'vault-agent-usage-rows' });
    const row = (label: string, value: string, cls: string): void => {
        const line = table.createDiv({ cls: `vault-agent-usage-row ${cls}` });
        line.createSpan({ cls: 'vault-agent-usage-label', text: label });
        line.createSpan({ cls: 'vault-agent-usage-value', text: value });
    };
    const cap = usage.dailyCapUsd ?? 0;
    row('Today', totalsLine(usage.today) + (cap > 0 ? ` (limit ${formatUsd(cap)})` : ''), 'is-today');
    row('This week', totalsLine(usage.week), 'is-week');
    const titles = new Map(jobs.filter((job) => job.id !== '').map((job) => [job.id, job.title]));
    for (const { jobId, totals } of usage.byJob.slice(0, TOP_JOBS)) {
        row(titles.get(jobId) ?? (jobId === '' ? 'Chat' : jobId), totalsLine(totals), 'is-job');
    }
}
