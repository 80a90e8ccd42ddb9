/**
 * Everything the command writes to stdout and stderr passes through here (`main.ts`). Text the command shows comes
 * from places it does not control: the model's answer (which a note can steer), an endpoint's error message, an MCP
 * server's tool names and messages, notes and proposals. Terminal control sequences in it would act on the person's
 * terminal: clear the screen, move the cursor to write over a question, set the window title, make hidden links, or
 * put text on the clipboard (OSC 52). So every control character becomes a visible U+FFFD, except a line break and a
 * tab (a CR LF pair becomes a line break). Only the command's own progress line and its line editor write to the
 * terminal as is (`rawOf`), and never with text from elsewhere.
 */
import { Writable } from 'node:stream';

// eslint-disable-next-line no-control-regex -- matching control characters is the point here
const CONTROLS = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu;

/** `text` with every control character but line feed and tab made visible and inert. */
export function inertText(text: string): string {
    return text.replace(CONTROLS, (found) => (found === '\r\n' ? '\n' : '\uFFFD'));
}

/** What a write fails with once the reader of a pipe went away (`vault-agent ask … | head`). */
const READER_GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);

/**
 * A terminal stream that writes everything inert; `raw` is the stream itself. When the reader of the stream goes away
 * (a pipe into `head` that has read enough, a log reader that died), what is written after is dropped quietly and
 * `reader-gone` is emitted once: a command can stop work whose output nobody reads, and a run goes on without its
 * log rather than crash with a stack trace.
 */
export class InertOutput extends Writable {
    /** A CR written last, which may be the first half of a CR LF pair split across two writes. */
    private pendingCr = false;
    /** The reader went away. */
    private gone = false;

    constructor(readonly raw: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {
        super({ decodeStrings: false });
        raw.on('error', (error: NodeJS.ErrnoException) => {
            if (!READER_GONE.has(error.code ?? '')) throw error;
            if (this.gone) return;
            this.gone = true;
            this.emit('reader-gone');
        });
    }

    /** Whether the reader went away. */
    get readerGone(): boolean {
        return this.gone;
    }

    get isTTY(): boolean | undefined {
        return this.raw.isTTY;
    }

    get columns(): number | undefined {
        return this.raw.columns;
    }

    override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
        if (this.gone) {
            callback();
            return;
        }
        let text = (this.pendingCr ? '\r' : '') + (typeof chunk === 'string' ? chunk : String(chunk));
        this.pendingCr = text.endsWith('\r');
        if (this.pendingCr) text = text.slice(0, -1);
        // Passed on at once, so what is written here and what goes to `raw` keep their order.
        if (text !== '') this.raw.write(inertText(text));
        callback();
    }

    override _final(callback: (error?: Error | null) => void): void {
        if (this.pendingCr) this.raw.write('\uFFFD');
        this.pendingCr = false;
        callback();
    }
}

/** Calls `listener` once the reader of `stream` goes away; returns what stops listening. */
export function onReaderGone(stream: NodeJS.WritableStream, listener: () => void): () => void {
    if (!(stream instanceof InertOutput)) return () => undefined;
    if (stream.readerGone) {
        listener();
        return () => undefined;
    }
    stream.once('reader-gone', listener);
    return () => stream.off('reader-gone', listener);
}

/** The terminal itself behind `stream`, for the command's own control sequences. */
export function rawOf<T extends NodeJS.WritableStream>(stream: T): T | InertOutput['raw'] {
    return stream instanceof InertOutput ? stream.raw : stream;
}
