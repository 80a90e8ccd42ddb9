/** Backslash escapes in Markdown: a backslash makes the ASCII punctuation mark after it a plain character. */

const BACKSLASH = 92;

/** Whether the character at `at` of `line` is escaped: an odd run of backslashes right before it. */
export function escaped(line: string, at: number): boolean {
    let n = 0;
    for (let i = at - 1; i >= 0 && line.charCodeAt(i) === BACKSLASH; i--) n++;
    return n % 2 === 1;
}

/** Whether `code` is an ASCII punctuation mark: the characters a backslash can escape. */
export function isAsciiPunctuation(code: number): boolean {
    return (
        (code >= 33 && code <= 47) ||
        (code >= 58 && code <= 64) ||
        (code >= 91 && code <= 96) ||
        (code >= 123 && code <= 126)
    );
}
