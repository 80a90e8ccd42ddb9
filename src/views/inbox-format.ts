/**
 * The words the review inbox's UI shows, as pure functions of the listing: the notice ("7 changes to review from
 * 'Tidy meeting links'"), the status-bar text, what a proposal does, and how long ago it came. Kept apart from the DOM
 * so they are tested without a browser.
 */
import type { ChangeKind } from '../agent/changes/proposal';
import type { InboxItem, InboxListing } from './inbox-port';

/** "7 changes to review from 'Tidy meeting links'" (and how many more from others), or `''` when none wait. */
export function reviewNoticeText(listing: InboxListing): string {
    if (listing.count === 0) return '';
    const [first, ...rest] = listing.groups;
    const changes = (n: number): string => `${n} change${n === 1 ? '' : 's'}`;
    if (first === undefined) return `${changes(listing.count)} to review`;
    const others = rest.reduce((sum, group) => sum + group.count, 0);
    const more =
        others === 0 ? '' : `, and ${others} more from ${rest.length === 1 ? 'one other' : `${rest.length} others`}`;
    return `${changes(first.count)} to review from '${first.origin.title}'${more}`;
}

/** The status-bar item's text: "7 to review", `''` when nothing waits. */
export function reviewStatusText(listing: InboxListing): string {
    return listing.count === 0 ? '' : `${listing.count} to review`;
}

/** What a proposal does, in a few words. */
export function itemSummary(item: InboxItem): string {
    switch (item.kind) {
        case 'edit':
            return item.hunks === 1 ? 'Edit, 1 part' : `Edit, ${item.hunks} parts`;
        case 'create':
            return 'New note';
        case 'rename':
            return `Rename to ${item.newPath ?? ''}`;
        case 'delete':
            return 'Move to trash';
    }
}

/** The label of a change kind. */
export const KIND_WORD: Record<ChangeKind, string> = {
    create: 'New note',
    edit: 'Edit',
    rename: 'Rename',
    delete: 'Move to trash',
};

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ageText(created: number, now: number): string {
    const minutes = Math.floor(Math.max(0, now - created) / 60_000);
    if (minutes < 1) return 'just now';
    if (minutes < 60) return `${minutes} min ago`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${hours} h ago`;
    const days = Math.floor(hours / 24);
    return days === 1 ? '1 day ago' : `${days} days ago`;
}

/** Who proposed, in words: "job" or "MCP client". */
export function originWord(kind: 'job' | 'mcp'): string {
    return kind === 'job' ? 'job' : 'MCP client';
}
