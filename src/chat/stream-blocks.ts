/**
 * Splits streamed Markdown into finished blocks and a growing tail, so the view renders each finished block once and
 * re-renders only the tail. A block ends at a blank line outside a code fence. The work per delta is proportional to
 * the delta (plus the last unfinished line), never to the length of the answer, so a 20,000-token answer costs the
 * same per token as a short one.
 */

/** Incremental block splitter for one streamed answer. */
export class StreamBlocks {
    /** Text of the block being written (finished lines of it plus the unfinished last line). */
    private pending = '';
    /** Where in `pending` the next unscanned line starts. */
    private scanFrom = 0;
    private fence: string | null = null;
    private readonly finished: string[] = [];

    /** Adds streamed text; returns the blocks it finished, in order. */
    append(delta: string): string[] {
        this.pending += delta;
        const done: string[] = [];
        for (;;) {
            const end = this.pending.indexOf('\n', this.scanFrom);
            if (end < 0) break;
            const line = this.pending.slice(this.scanFrom, end);
            this.scanFrom = end + 1;
            this.trackFence(line);
            if (this.fence === null && line.trim() === '') {
                const block = this.pending.slice(0, this.scanFrom);
                this.pending = this.pending.slice(this.scanFrom);
                this.scanFrom = 0;
                if (block.trim() !== '') done.push(block);
            }
        }
        this.finished.push(...done);
        return done;
    }

    /** The unfinished block (what the view re-renders). */
    get tail(): string {
        return this.pending;
    }

    /** Every finished block so far. */
    get blocks(): readonly string[] {
        return this.finished;
    }

    /** Ends the stream: the tail becomes the last block (if it has any text). */
    finish(): string[] {
        const rest = this.pending;
        this.pending = '';
        this.scanFrom = 0;
        this.fence = null;
        if (rest.trim() === '') return [];
        this.finished.push(rest);
        return [rest];
    }

    private trackFence(line: string): void {
        const match = /^ {0,3}(`{3,}|~{3,})/.exec(line);
        if (match === null) return;
        const marker = match[1] ?? '';
        if (this.fence === null) this.fence = marker;
        else if (marker[0] === this.fence[0] && marker.length >= this.fence.length && line.trim() === marker) {
            this.fence = null;
        }
    }
}
