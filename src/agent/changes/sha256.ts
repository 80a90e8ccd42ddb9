/**
 * SHA-256 (FIPS 180-4) in plain TypeScript. Synchronous, so a proposal's binding can be computed where it is built,
 * and free of `node:crypto`, so it runs in Obsidian on desktop and mobile alike.
 *
 * It hashes the UTF-16 code units of a string (little-endian, two bytes each) rather than its UTF-8 bytes: UTF-8
 * encoding replaces lone surrogates with U+FFFD, which would let two different note texts share one hash.
 */

const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
    0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
    0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
    0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
]);

const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Lower-case hex SHA-256 of the UTF-16LE bytes of `text`. */
export function sha256Utf16Hex(text: string): string {
    const state = new Uint32Array(INITIAL);
    const w = new Uint32Array(64);
    const fullBlocks = Math.floor(text.length / 32);
    for (let block = 0; block < fullBlocks; block++) {
        const base = block * 32;
        for (let i = 0; i < 16; i++) {
            const a = text.charCodeAt(base + 2 * i);
            const b = text.charCodeAt(base + 2 * i + 1);
            w[i] = ((a & 0xff) << 24) | ((a >>> 8) << 16) | ((b & 0xff) << 8) | (b >>> 8);
        }
        compress(state, w);
    }

    // The tail: the remaining code units, the 0x80 marker and the 64-bit big-endian bit length.
    const rest = text.length - fullBlocks * 32;
    const tailLength = rest * 2 + 1 + 8 <= 64 ? 64 : 128;
    const tail = new Uint8Array(tailLength);
    for (let i = 0; i < rest; i++) {
        const c = text.charCodeAt(fullBlocks * 32 + i);
        tail[2 * i] = c & 0xff;
        tail[2 * i + 1] = c >>> 8;
    }
    tail[rest * 2] = 0x80;
    const bitLength = text.length * 16;
    const view = new DataView(tail.buffer);
    view.setUint32(tailLength - 8, Math.floor(bitLength / 0x100000000));
    view.setUint32(tailLength - 4, bitLength >>> 0);
    for (let offset = 0; offset < tailLength; offset += 64) {
        for (let i = 0; i < 16; i++) w[i] = view.getUint32(offset + 4 * i);
        compress(state, w);
    }

    let hex = '';
    for (const word of state) hex += word.toString(16).padStart(8, '0');
    return hex;
}

/** One round of the compression function over the 16 message words already in `w[0..15]`. */
function compress(state: Uint32Array, w: Uint32Array): void {
    for (let i = 16; i < 64; i++) {
        const x = w[i - 15] as number;
        const y = w[i - 2] as number;
        const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
        const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
        w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
    }
    let a = state[0] as number;
    let b = state[1] as number;
    let c = state[2] as number;
    let d = state[3] as number;
    let e = state[4] as number;
    let f = state[5] as number;
    let g = state[6] as number;
    let h = state[7] as number;
    for (let i = 0; i < 64; i++) {
        const t1 =
            (h +
                (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
                ((e & f) ^ (~e & g)) +
                (K[i] as number) +
                (w[i] as number)) |
            0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g;
        g = f;
        f = e;
        e = (d + t1) | 0;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) | 0;
    }
    state[0] = (state[0] as number) + a;
    state[1] = (state[1] as number) + b;
    state[2] = (state[2] as number) + c;
    state[3] = (state[3] as number) + d;
    state[4] = (state[4] as number) + e;
    state[5] = (state[5] as number) + f;
    state[6] = (state[6] as number) + g;
    state[7] = (state[7] as number) + h;
}

function rotr(x: number, n: number): number {
    return (x >>> n) | (x << (32 - n));
}
