/**
 * Fits context items into a token budget. Instructions come first, then the selection, the focused note and the
 * mentions in the order typed. An item that does not fit is shrunk to its head, an outline of the cut part, and its
 * tail, with an explicit `[truncated: N lines …]` mark; an item that cannot fit even so is dropped, and both the
 * person and the model are told. The rendered bundle never exceeds the budget.
 */
import {
    CONTEXT_PREAMBLE,
    ContextBundle,
    estimateTokens,
    isSent,
    renderContext,
    renderItem,
    type ContextItem,
    type TokenCounter,
} from './bundle';

/** The model's context window assumed when none is given. */
export const DEFAULT_CONTEXT_WINDOW = 200_000;
/** Share of the window the attached context may take by default, leaving room for the chat and tool results. */
export const DEFAULT_BUDGET_SHARE = 0.25;
/** Share of the budget one item may take, so one huge note does not crowd out everything else. */
export const DEFAULT_MAX_ITEM_SHARE = 0.5;
/** Share of the budget one attachment (a PDF's pages, an image) may take: papers are long, and were asked for. */
export const ATTACHMENT_SHARE = 0.8;
/** At most this many headings are listed in a truncation outline. */
const MAX_OUTLINE = 40;
const HEADING = /^ {0,3}#{1,6}[ \t]+\S/;
const SYSTEM_HEADER_ALLOWANCE = 40;

/** How to pack. */
export interface PackOptions {
    /** Token budget for everything the bundle renders (system part and context). */
    budgetTokens: number;
    /** Counts tokens; characters / 4 when absent. */
    count?: TokenCounter;
    /** Share of the budget one item may take (0–1]. */
    maxItemShare?: number;
}

/** The default budget for a model with `contextWindow` tokens. */
export function defaultBudget(contextWindow: number = DEFAULT_CONTEXT_WINDOW): number {
    return Math.floor(contextWindow * DEFAULT_BUDGET_SHARE);
}

const PRIORITY: Record<string, number> = { instructions: 0, selection: 1, focus: 2, mention: 3 };

/** Packs `items` (in display order) and the person's `message` into a bundle that fits `options.budgetTokens`. */
export function pack(items: readonly ContextItem[], message: string, options: PackOptions): ContextBundle {
    const count = options.count ?? estimateTokens;
    const budget = Math.max(0, Math.floor(options.budgetTokens));
    const itemCap = Math.floor(budget * Math.min(1, Math.max(0, options.maxItemShare ?? DEFAULT_MAX_ITEM_SHARE)));
    const out = items.map((item) => ({ ...item }));
    const sendable = out.filter(isSent);
    const excluded = out.length - sendable.length;
    let remaining = budget - frameCost(count, excluded, sendable.length);

    const order = sendable
        .map((item, index) => ({ item, index }))
        .sort((a, b) => (PRIORITY[a.item.kind] ?? 9) - (PRIORITY[b.item.kind] ?? 9) || a.index - b.index);
    for (const { item } of order) {
        // Instructions, and a PDF or image the person asked for (already fitted to `ATTACHMENT_SHARE`), may use what is left.
        const room =
            item.kind === 'instructions' || item.attributes?.attachment !== undefined
                ? remaining
                : Math.min(remaining, itemCap);
        const cost = count(`${renderItem(item)}\n`) + (item.attachment?.tokens ?? 0);
        if (cost <= room) {
            item.tokens = cost;
            remaining -= cost;
            continue;
        }
        // A document or image block cannot be cut down here; the attachment was already fitted when it was loaded.
        const shrunk = room > 0 && item.attachment === undefined ? shrinkToFit(item, room, count) : null;
        if (shrunk === null) {
            drop(item);
            continue;
        }
        Object.assign(item, shrunk);
        remaining -= item.tokens;
    }
    let bundle = new ContextBundle(out, message, budget);
    // A counter that is not additive could still overshoot; drop from the end until it fits.
    for (let i = out.length - 1; i >= 0 && bundle.tokens(count) > budget; i--) {
        const item = out[i] as ContextItem;
        if (!isSent(item)) continue;
        drop(item);
        bundle = new ContextBundle(out, message, budget);
    }
    if (bundle.tokens(count) > budget) bundle = new ContextBundle(out, message, budget, false);
    return bundle;
}

/** What the frame around the items costs at most: preamble, wrapper, the excluded and dropped lines, headers. */
function frameCost(count: TokenCounter, excluded: number, sendable: number): number {
    const frame = renderContext([], excluded, sendable);
    return count(frame === '' ? CONTEXT_PREAMBLE : frame) + count('\n'.repeat(4)) + SYSTEM_HEADER_ALLOWANCE;
}

function drop(item: ContextItem): void {
    item.kind = 'dropped';
    item.text = '';
    item.tokens = 0;
    delete item.truncated;
    delete item.attachment;
}

/** The item shrunk to head + outline + tail so that it renders within `room` tokens, or `null` when it cannot. */
function shrinkToFit(item: ContextItem, room: number, count: TokenCounter): Partial<ContextItem> | null {
    const lines = item.text.split('\n');
    const costOf = (keep: number, outline: boolean): { cost: number; text: string; cut: number } => {
        const { text, cut } = truncateLines(lines, keep, outline);
        const rendered = renderItem({ ...item, text, truncated: { lines: cut } });
        return { cost: count(`${rendered}\n`), text, cut };
    };
    let low = 0;
    let high = lines.length - 1;
    let best: { cost: number; text: string; cut: number } | null = null;
    while (low <= high) {
        const mid = (low + high) >> 1;
        const attempt = costOf(mid, true);
        if (attempt.cost <= room) {
            best = attempt;
            low = mid + 1;
        } else {
            high = mid - 1;
        }
    }
    if (best === null) {
        const bare = costOf(0, false);
        if (bare.cost > room || lines.length === 0) return null;
        best = bare;
    }
    return { text: best.text, truncated: { lines: best.cut }, tokens: best.cost };
}

/**
 * The first two thirds of `keep` lines, a truncation mark (with the headings of the cut part as an outline), and the
 * last third. `cut` is how many lines were left out.
 */
export function truncateLines(lines: readonly string[], keep: number, outline = true): { text: string; cut: number } {
    const total = lines.length;
    const kept = Math.max(0, Math.min(keep, total));
    if (kept >= total) return { text: lines.join('\n'), cut: 0 };
    const head = Math.ceil((kept * 2) / 3);
    const tail = kept - head;
    const cutLines = lines.slice(head, total - tail);
    const headings = outline ? cutLines.filter((line) => HEADING.test(line)).map((line) => line.trim()) : [];
    const shown = headings.slice(0, MAX_OUTLINE);
    const more = headings.length - shown.length;
    const mark =
        shown.length === 0
            ? [`[truncated: ${cutLines.length} lines]`]
            : [
                  `[truncated: ${cutLines.length} lines; headings in the cut part:`,
                  ...shown,
                  ...(more > 0 ? [`… and ${more} more headings`] : []),
                  ']',
              ];
    return { text: [...lines.slice(0, head), ...mark, ...lines.slice(total - tail)].join('\n'), cut: cutLines.length };
}
