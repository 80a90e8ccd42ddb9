/**
 * The program of a search worker thread (`text-scan-node.ts`), built on its own as `dist/text-scan-worker.js`. It
 * receives chunks of notes to search and answers each with what it found; it reads files and nothing else, and never
 * evaluates text as code. Node only.
 */
import { parentPort } from 'node:worker_threads';
import { scanFile } from './text-scan-file-node';
import type { ScannedNote, TagScreen } from '../kernel/text-scan';

/** One chunk of a scan. */
export interface ScanChunk {
    /** Index of the chunk's first note in the scan. */
    first: number;
    abs: string[];
    dev: number[];
    ino: number[];
    needle: string;
    screen: TagScreen;
    deadline: number;
    /** Set to 1 by the caller to stop the scan. */
    cancel: Int32Array;
}

/** The answer to a chunk: one entry per note searched, in order; `stopped` when it did not reach the end. */
export interface ScanChunkDone {
    first: number;
    notes: ScannedNote[];
    stopped: boolean;
}

/** Searches one chunk until its end, the deadline, or the cancel flag. */
export function scanChunk(chunk: ScanChunk): ScanChunkDone {
    const notes: ScannedNote[] = [];
    for (let i = 0; i < chunk.abs.length; i++) {
        if (Atomics.load(chunk.cancel, 0) !== 0 || Date.now() > chunk.deadline) {
            return { first: chunk.first, notes, stopped: true };
        }
        const target = { abs: chunk.abs[i] ?? '', dev: chunk.dev[i] ?? -1, ino: chunk.ino[i] ?? -1 };
        notes.push(scanFile(target, chunk.needle, chunk.screen));
    }
    return { first: chunk.first, notes, stopped: false };
}

parentPort?.on('message', (chunk: ScanChunk) => {
    parentPort?.postMessage(scanChunk(chunk));
});
