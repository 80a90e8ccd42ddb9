/**
 * What the parser reads, beyond the Markdown that links and headings need, to tell which tags Obsidian shows: HTML
 * (`html-in-markdown.ts`), math (`math-in-markdown.ts`), tables (`tables-in-markdown.ts`) and the places a shown tag
 * starts (`tag-starts.ts`). The command line and the MCP server
 * have nothing else to tell them. The plugin does: in Obsidian the tags shown come from Obsidian's own metadata cache,
 * so its build resolves this module to `src/obsidian/shown-reading-lean.ts` (scripts/esbuild-plugin-engines.mjs) and
 * keeps the code out of `main.js` (decision 0016). The exclusion tags never depend on this module (decision 0004).
 */
import type { Range } from './tags';

export { HtmlBlocks, htmlTagRanges } from './html-in-markdown';
export { MathSpans } from './math-in-markdown';
export { ShownTagStarts } from './tag-starts';
export { TableRows } from './tables-in-markdown';

/** What the parser asks of the math reading, in either build. */
export interface MathReading {
    touches(line: string): boolean;
    ranges(line: string, index: number, ignored: readonly Range[] | null): Range[] | null;
}

/** What the parser asks of the HTML reading, in either build. */
export interface HtmlReading {
    other(): void;
    inBlock(line: string, afterBlank: boolean): boolean;
}

/** What the parser asks of the table reading, in either build. */
export interface TableReading {
    has(index: number): boolean;
}

/** What the tag scan asks of the shown-tag starts, in either build. */
export interface TagStartReading {
    at(hash: number): boolean;
}
