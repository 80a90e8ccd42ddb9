import type { ServerResponse } from 'node:http';
import { clearTimeout, setTimeout } from 'node:timers';

import { sendError, startSse, statusForErrorType, writeFlushed } from './http';
import { formatSse, type RenderedTurn } from './render';
import type { ScriptedResponse } from './types';

/** A scripted answer that carries content (everything except a plain HTTP error). */
export type ContentAnswer = Exclude<ScriptedResponse, { kind: 'http-error' }>;

/** Timers that all wake at once when the server closes, so no handler outlives it. */
export class Pacer {
    private readonly timers = new Map<ReturnType<typeof setTimeout>, () => void>();
    private stopped = false;

    /** True once the server is closing. */
    get closed(): boolean {
        return this.stopped;
    }

    /** Waits `ms`, or less if the server closes meanwhile. */
    sleep(ms: number): Promise<void> {
        if (ms <= 0 || this.stopped) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.timers.delete(timer);
                resolve();
            }, ms);
            this.timers.set(timer, resolve);
        });
    }

    /** Wakes every sleeper and refuses new waits. */
    stop(): void {
        this.stopped = true;
        for (const [timer, wake] of this.timers) {
            clearTimeout(timer);
            wake();
        }
        this.timers.clear();
    }
}

/** Writes a rendered turn as SSE or JSON, misbehaving exactly as the scripted fault says. */
export class AnswerWriter {
    private readonly pacer: Pacer;
    private readonly eventDelayMs: number;

    /** @param ports.eventDelayMs pause between SSE events; 0 writes the stream in one go */
    constructor(ports: { pacer: Pacer; eventDelayMs: number }) {
        this.pacer = ports.pacer;
        this.eventDelayMs = ports.eventDelayMs;
    }

    /** Answers a `stream: true` request. */
    async stream(answer: ContentAnswer, turn: RenderedTurn, res: ServerResponse): Promise<void> {
        if (answer.kind === 'reset' && answer.after === undefined) {
            res.socket?.destroy();
            return;
        }
        if (answer.kind === 'trickle') {
            await this.trickle(answer, turn, res);
            return;
        }
        const cut = answer.kind === 'turn' ? turn.events.length : turn.cutIndex(answer.after ?? 'headers');
        startSse(res);
        await this.writeEvents(res, turn, 0, cut);
        if (this.pacer.closed || res.destroyed) return;
        if (answer.kind === 'turn') res.end();
        else if (answer.kind === 'stream-error') {
            const error = { type: 'error' as const, error: { type: answer.errorType, message: answer.message } };
            if (answer.rawData !== undefined) res.end(`event: error\ndata: ${answer.rawData}\n\n`);
            else res.end(formatSse({ name: 'error', data: error }));
        } else if (answer.kind === 'reset') res.socket?.destroy();
        else if (answer.resumeAfterMs !== undefined) {
            await this.pacer.sleep(answer.resumeAfterMs);
            await this.writeEvents(res, turn, cut, turn.events.length);
            if (!res.destroyed) res.end();
        }
    }

    /** Answers a non-streaming request; a stream error becomes the matching HTTP error. */
    async whole(answer: ContentAnswer, turn: RenderedTurn, res: ServerResponse, requestId: string): Promise<void> {
        if (answer.kind === 'stream-error') {
            const status = statusForErrorType(answer.errorType);
            sendError(res, requestId, { status, errorType: answer.errorType, message: answer.message });
            return;
        }
        if (answer.kind === 'reset' && answer.after === undefined) {
            res.socket?.destroy();
            return;
        }
        const text = JSON.stringify(turn.message);
        if (answer.kind === 'trickle') {
            res.writeHead(200, { 'content-type': 'application/json' });
            await writeFlushed(res, text.slice(0, Math.floor(text.length / 2)));
            return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        if (answer.kind === 'turn') {
            res.end(text);
            return;
        }
        // A faulty non-streaming answer sends half of the body, then resets or goes quiet.
        const half = Math.floor(text.length / 2);
        await writeFlushed(res, text.slice(0, half));
        if (answer.kind === 'reset') res.socket?.destroy();
        else if (answer.resumeAfterMs !== undefined) {
            await this.pacer.sleep(answer.resumeAfterMs);
            if (!res.destroyed) res.end(text.slice(half));
        }
    }

    /** `message_start` and the first block's start, then one text delta per interval until the client hangs up. */
    private async trickle(
        answer: Extract<ContentAnswer, { kind: 'trickle' }>,
        turn: RenderedTurn,
        res: ServerResponse,
    ): Promise<void> {
        startSse(res);
        const cut = turn.cutIndex('message_start');
        await this.writeEvents(res, turn, 0, cut + 1);
        const delta = {
            type: 'content_block_delta' as const,
            index: 0,
            delta: { type: 'text_delta' as const, text: answer.chunk },
        };
        while (!this.pacer.closed && !res.destroyed && !res.writableEnded) {
            await this.pacer.sleep(answer.intervalMs);
            if (this.pacer.closed || res.destroyed) return;
            await writeFlushed(res, formatSse({ name: 'content_block_delta', data: delta }));
        }
    }

    private async writeEvents(res: ServerResponse, turn: RenderedTurn, from: number, to: number): Promise<void> {
        const events = turn.events.slice(from, to);
        if (this.eventDelayMs <= 0) {
            await writeFlushed(res, events.map(formatSse).join(''));
            return;
        }
        for (const event of events) {
            if (this.pacer.closed || res.destroyed) return;
            await writeFlushed(res, formatSse(event));
            await this.pacer.sleep(this.eventDelayMs);
        }
    }
}
