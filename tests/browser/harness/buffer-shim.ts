/**
 * gray-matter (used by our note parser) calls `Buffer.from(text)` to keep a copy of the input it never reads back.
 * Pages have no `Buffer`; this is just enough of one, for the harness bundle only.
 */
const g = globalThis as unknown as { Buffer?: unknown };
g.Buffer ??= {
    from: (text: string) => new TextEncoder().encode(text),
    isBuffer: () => false,
};
export {};
