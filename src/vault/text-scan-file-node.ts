/**
 * One note searched the way a search worker does it (`text-scan-worker-node.ts`): opened without following a final
 * symbolic link, accepted only when it is still the very file the vault checked (device and inode) and has been quiet
 * long enough to be whole (`quiet-files.ts`; else the caller reads it, waiting if need be), read whole, and
 * searched line by line for a lowercase needle. A matching text that may name an excluded tag is parsed for its tags
 * here, on the text the lines came from, so the caller judges the note on that text. Node only.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { ScannedNote, TagScreen } from '../kernel/text-scan';
import { readOpenFile } from './fs-vault-known-node';
import { parseNote } from './note-parser';
import { outsideLinks } from './link-spans';
import { mayNameExcludedTag } from './tag-screen';
import { quietAt } from './quiet-files';
import { sameFile } from './text-cache';

/** Notes larger than this are left to the caller (a worker's heap is small on purpose). */
export const MAX_SCANNED_BYTES = 8 * 1024 * 1024;

/** The buffer notes are read into, one per thread (this module is loaded once per worker). */
const SHARED = Buffer.allocUnsafe(64 * 1024);

/** A file to scan: its absolute path and the identity the vault checked. */
export interface ScanTarget {
    abs: string;
    dev: number;
    ino: number;
}

/** Searches the note at `target` for `needle` (lowercase); see `ScannedNote`. Never throws. */
export function scanFile(target: ScanTarget, needle: string, screen: TagScreen): ScannedNote {
    let text: string;
    let fd: number;
    try {
        fd = openSync(target.abs, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
        return 'read-here';
    }
    try {
        const stats = fstatSync(fd);
        if (!stats.isFile() || stats.dev !== target.dev || stats.ino !== target.ino) return 'read-here';
        if (stats.size > MAX_SCANNED_BYTES) return 'read-here';
        // Changed a moment ago: maybe half written, so the caller waits for it to be whole (`quiet-files.ts`).
        if (Date.now() < quietAt(target.abs, stats)) return 'read-here';
        // Most notes fit the one buffer this thread reuses: one read at offset 0 (the file position stays), no
        // allocation; a note that has grown past it since is read whole.
        const read = stats.size < SHARED.length ? readSync(fd, SHARED, 0, SHARED.length, 0) : -1;
        text = read >= 0 && read < SHARED.length ? SHARED.toString('utf8', 0, read) : readOpenFile(fd, stats.size);
        if (!sameFile(stats, fstatSync(fd))) return 'read-here';
    } catch {
        return 'read-here';
    } finally {
        closeSync(fd);
    }
    return scanText(text, needle, screen);
}

/** `scanFile` on a text already read. */
export function scanText(text: string, needle: string, screen: TagScreen): ScannedNote {
    const lower = text.toLowerCase();
    if (!lower.includes(needle)) return null;
    // A few letters lowercase to two ("İ"): offsets no longer line up, so the caller matches such a note itself.
    if (lower.length !== text.length) return 'read-here';
    let plainLines = 0;
    const linkLines: [number, string][] = [];
    // A needle with a line break never matches a line; outside links, pieces are joined by line breaks.
    const byPieces = !needle.includes('\n');
    let lineNumber = 1;
    let lineStart = 0;
    for (let at = lower.indexOf(needle); at !== -1;) {
        for (let nl = lower.indexOf('\n', lineStart); nl !== -1 && nl < at; nl = lower.indexOf('\n', lineStart)) {
            lineNumber++;
            lineStart = nl + 1;
        }
        const newline = lower.indexOf('\n', at);
        const lineEnd = newline === -1 ? text.length : newline;
        const end = text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
        const start = lineStart === 0 && text.charCodeAt(0) === 0xfeff ? 1 : lineStart;
        // The line as `read_note` shows it (no carriage return, no byte-order mark) must still hold the needle.
        const lowerLine = lower.slice(start, end);
        if (lowerLine.includes(needle)) {
            // A line whose match lies outside its links matches however they are judged: counted here. Only the
            // others go back, whole, to be redacted and matched by the caller.
            if (!lowerLine.includes('[') || (byPieces && outsideLinks(lowerLine).includes(needle))) plainLines++;
            else linkLines.push([lineNumber, text.slice(start, end)]);
        }
        if (newline === -1) break;
        lineNumber++;
        lineStart = newline + 1;
        at = lower.indexOf(needle, lineStart);
    }
    if (plainLines === 0 && linkLines.length === 0) return null;
    let tags = null;
    if (mayNameExcludedTag(screen, text, lower)) {
        const metadata = parseNote(text);
        tags = { tags: metadata.tags, frontmatterError: metadata.frontmatterError };
    }
    return linkLines.length === 0 && tags === null ? plainLines : { plainLines, linkLines, tags };
}
