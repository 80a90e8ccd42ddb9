/**
 * Whether a position of a line lies in one of a set of ranges (code spans, comments, links, HTML tags), for positions
 * asked from left to right, as the parser's scans ask them. The ranges are sorted once and walked with a pointer, so a
 * line with many spans and many `#`s or links costs their sum, not their product: one pasted line of a few megabytes
 * must not hold the vault's opening for minutes (decision 0034).
 */
import type { Range } from './tags';

/** Half-open ranges `[start, end)`, asked about in increasing order. */
export class RangeCursor {
    private readonly starts: number[] = [];
    private readonly ends: number[] = [];
    private next = 0;

    constructor(ranges: readonly Range[] | null) {
        if (ranges === null || ranges.length === 0) return;
        const sorted = ranges.length === 1 ? ranges : [...ranges].sort((a, b) => a[0] - b[0]);
        for (const [start, end] of sorted) {
            if (end <= start) continue;
            const last = this.ends.length - 1;
            // Overlapping or touching ranges merge, so the pointer never has to look back.
            if (last >= 0 && start <= (this.ends[last] as number)) {
                if (end > (this.ends[last] as number)) this.ends[last] = end;
            } else {
                this.starts.push(start);
                this.ends.push(end);
            }
        }
    }

    /** Whether `index` lies in a range; `index` is never smaller than the one asked before. */
    covers(index: number): boolean {
        return this.meets(index, index + 1);
    }

    /**
     * Whether a range ends exactly at `index` (ranges that touch count as one); `index` is never smaller than the one
     * asked before. Not to be mixed with `covers`/`meets` on the same cursor.
     */
    endsAt(index: number): boolean {
        while (this.next < this.ends.length && (this.ends[this.next] as number) < index) this.next++;
        return this.next < this.ends.length && this.ends[this.next] === index;
    }

    /** Whether `[start, end)` shares a position with a range; `start` is never smaller than the one asked before. */
    meets(start: number, end: number): boolean {
        while (this.next < this.ends.length && (this.ends[this.next] as number) <= start) this.next++;
        return this.next < this.starts.length && (this.starts[this.next] as number) < end;
    }
}
