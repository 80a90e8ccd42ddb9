/** How a web search or fetch reads in a job log and a chat row: one line, said once it finished. */
import type { WebActivity } from './web-research';

/** The line for a finished (or refused) search or fetch; `null` while it runs. */
export function webLogLine(activity: WebActivity): string | null {
    const what = activity.action === 'search' ? `Web search "${activity.target}"` : `Web fetch ${activity.target}`;
    switch (activity.state) {
        case 'running':
            return null;
        case 'done': {
            if (activity.action === 'fetch') return `${what}: fetched.`;
            const found = activity.results ?? [];
            const list = found
                .slice(0, 5)
                .map((result) => result.url)
                .join(', ');
            return `${what}: ${found.length} result(s)${list === '' ? '' : ` (${list}${found.length > 5 ? ', …' : ''})`}.`;
        }
        case 'failed':
            return `${what}: failed (${activity.detail ?? 'error'}).`;
        case 'refused':
            return `${what}: refused — ${activity.detail ?? 'not allowed'}.`;
    }
}
