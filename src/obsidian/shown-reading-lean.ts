/**
 * The plugin's stand-in for `src/vault/shown-reading.ts` (swapped in by scripts/esbuild-plugin-engines.mjs). In
 * Obsidian the tags a note shows come from Obsidian's metadata cache; the parser's own reading of them only serves
 * where no cache entry answers yet (a note written a moment ago), so the plugin keeps a simple reading: no HTML and no
 * math, and a shown tag starts at the start of a line, after whitespace, `_` or `|`, or after another shown tag.
 * The exclusion tags are read the same way in both builds (decision 0004); only `shownTags` differs.
 */
import type { HtmlReading, MathReading, TableReading, TagStartReading } from '../vault/shown-reading';
import type { Range } from '../vault/tags';

const WHITESPACE_CHAR = /\s/;

/** No HTML block is read. */
export class HtmlBlocks implements HtmlReading {
    other(): void {}

    inBlock(): boolean {
        return false;
    }
}

/** No HTML tag is read. */
export function htmlTagRanges(line: string): Range[] | null {
    void line;
    return null;
}

/** No math is read. */
export class MathSpans implements MathReading {
    constructor(lines: readonly string[]) {
        void lines;
    }

    touches(): boolean {
        return false;
    }

    ranges(): Range[] | null {
        return null;
    }
}

/** No table is read: a `|` starts a shown tag anywhere (see `ShownTagStarts`). */
export class TableRows implements TableReading {
    constructor(lines: readonly string[], from?: number) {
        void lines;
        void from;
    }

    has(): boolean {
        return false;
    }
}

/** A shown tag starts at the start of a line, after whitespace, `_` or `|` (in a table or not). */
export class ShownTagStarts implements TagStartReading {
    constructor(
        private readonly line: string,
        nodes: readonly Range[] | null,
        tableRow?: boolean,
    ) {
        void nodes;
        void tableRow;
    }

    at(hash: number): boolean {
        if (hash === 0) return true;
        const code = this.line.charCodeAt(hash - 1);
        if (code < 128) return code === 32 || code === 9 || code === 95 || code === 124;
        return WHITESPACE_CHAR.test(this.line.charAt(hash - 1));
    }
}
