/**
 * Which lines of a note are rows of a table, as GitHub-flavoured Markdown (and Obsidian) reads tables: a header row,
 * then a delimiter row (`|---|:--:|`, with at least one `|`) of as many cells, then every following line up to an
 * empty line or the start of another block (a heading, a fence, a quote where the table is not in one). Tables in
 * quotes and callouts (`> | a | b |`) count too. Only the shown-tag reading asks: a `|` starts a tag Obsidian shows in
 * a table row (`|#x|`), and nowhere else (`a |#x`). The exclusion tags never depend on it (decision 0004).
 */

/** Quote markers (and up to three spaces before each) at the start of a line. */
const QUOTE_PREFIX = /^(?: {0,3}>[ \t]?)*/;
/** One delimiter cell: hyphens, with an optional colon on either side. */
const DELIMITER_CELL = /^[ \t]*:?-+:?[ \t]*$/;
const BLANK = /^[ \t]*$/;
/** What starts another block and so ends a table's body: an ATX heading or a fence. */
const OTHER_BLOCK = /^ {0,3}(?:#{1,6}(?:[ \t]|$)|```|~~~)/;

/** The line numbers of a note's table rows, found in one pass over its lines. */
export class TableRows {
    private readonly rows = new Set<number>();

    constructor(lines: readonly string[], from = 0) {
        for (let i = from; i + 1 < lines.length; i++) {
            const header = lines[i] as string;
            if (header.indexOf('|') === -1) continue;
            const headerPrefix = quotePrefix(header);
            const delimiter = lines[i + 1] as string;
            const delimiterPrefix = quotePrefix(delimiter);
            if (headerPrefix > 0 !== delimiterPrefix > 0) continue;
            const cells = delimiterCells(delimiter.slice(delimiterPrefix));
            if (cells === 0 || cellCount(header.slice(headerPrefix)) !== cells) continue;
            this.rows.add(i);
            this.rows.add(i + 1);
            const quoted = headerPrefix > 0;
            let next = i + 2;
            for (; next < lines.length; next++) {
                const line = lines[next] as string;
                const prefix = quotePrefix(line);
                if (prefix > 0 !== quoted) break;
                const body = line.slice(prefix);
                if (BLANK.test(body) || OTHER_BLOCK.test(body)) break;
                this.rows.add(next);
            }
            i = next - 1;
        }
    }

    /** Whether line `index` is a row of a table (its header and delimiter rows included). */
    has(index: number): boolean {
        return this.rows.has(index);
    }
}

/** The length of the quote markers that open `line`. */
function quotePrefix(line: string): number {
    return line.charCodeAt(0) === 62 || line.startsWith(' ') ? (QUOTE_PREFIX.exec(line)?.[0].length ?? 0) : 0;
}

/** The cells of a row: split at `|`s no backslash escapes, without an empty first or last cell from an outer `|`. */
function cellsOf(row: string): string[] {
    const cells: string[] = [];
    let start = 0;
    for (let i = 0; i < row.length; i++) {
        const code = row.charCodeAt(i);
        if (code === 92) i++;
        else if (code === 124) {
            cells.push(row.slice(start, i));
            start = i + 1;
        }
    }
    cells.push(row.slice(start));
    if (cells.length > 1 && BLANK.test(cells[0] as string)) cells.shift();
    if (cells.length > 1 && BLANK.test(cells[cells.length - 1] as string)) cells.pop();
    return cells;
}

function cellCount(row: string): number {
    return cellsOf(row).length;
}

/** How many cells a delimiter row has, or 0 when `row` is none (no `|`, or a cell that is not `:?-+:?`). */
function delimiterCells(row: string): number {
    if (row.indexOf('|') === -1 || row.indexOf('-') === -1) return 0;
    const cells = cellsOf(row);
    return cells.every((cell) => DELIMITER_CELL.test(cell)) ? cells.length : 0;
}
