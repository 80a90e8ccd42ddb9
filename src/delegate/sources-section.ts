/**
 * The *Sources* section of an artifact: each cited passage quoted with its link (`[[Note#Heading]]`,
 * `[[paper.pdf#page=3]]`, a web page), a passage not found in its source flagged; or, where the answer carried no
 * citations, the notes it rested on and a line that says so.
 */
import { passageLink, type AnswerSources, type CitedPassage } from '../agent/citations/answer-sources';

/** What a flagged passage says. */
export const NOT_IN_SOURCE = 'not found in the source as it is now';

/** The section's lines (heading included); the plain note list when there are no cited passages. */
export function sourcesSection(notes: readonly string[], cited: AnswerSources | undefined): string[] {
    const passages = cited?.passages ?? [];
    if (passages.length > 0) return ['', '## Sources', '', ...passages.map(passageLine)];
    if (notes.length === 0) return [];
    const lines = ['', '## Sources', '', ...notes.map((path) => `- ${linkTo(path)}`)];
    if (cited?.fallback !== undefined) lines.push('', `*${cited.fallback}*`);
    return lines;
}

function linkTo(path: string): string {
    return `[[${path.replace(/\.md$/iu, '')}]]`;
}

/** One passage: its link, the quote, and a flag when it is not in the source. */
export function passageLine(passage: CitedPassage): string {
    const quote = passage.quote.replace(/\s+/gu, ' ').trim().replace(/"/gu, '”');
    const flag = passage.verified === false ? ` ⚠ *${NOT_IN_SOURCE}*` : '';
    return `- ${passageLink(passage)}: “${quote}”${flag}`;
}

/** The job-log line about flagged passages; `null` when none was flagged. */
export function flaggedLogLine(cited: AnswerSources | undefined): string | null {
    const flagged = (cited?.passages ?? []).filter((passage) => passage.verified === false);
    if (flagged.length === 0) return null;
    const where = flagged.map((passage) => passageLink(passage)).join(', ');
    return `${flagged.length} cited passage(s) ${NOT_IN_SOURCE}: ${where}.`;
}
