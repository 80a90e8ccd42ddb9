/**
 * Writers that rewrite a note in place from a second process, as an editor or a sync tool may: for the tests of
 * notes read while another program writes them (decision 0036). Run with `node -e`.
 */

/**
 * A second process that rewrites `file` in place with the bytes of `source` over and over for `ms`: each round
 * truncates it and writes it a tenth at a time, 20 ms apart, so the file is never quiet for long; "writing" after the
 * first piece.
 */
export const LOOPING_WRITER = `
const fs = require('node:fs');
const [file, source, ms] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const bytes = fs.readFileSync(source);
const piece = Math.ceil(bytes.length / 10);
const end = Date.now() + ms;
let first = true;
const round = () => {
    const fd = fs.openSync(file, 'r+');
    fs.ftruncateSync(fd, 0);
    let at = 0;
    const next = () => {
        fs.writeSync(fd, bytes, at, Math.min(piece, bytes.length - at), at);
        at += piece;
        if (first) process.stdout.write('writing\\n');
        first = false;
        if (at < bytes.length) return setTimeout(next, 20);
        fs.closeSync(fd);
        if (Date.now() < end) setTimeout(round, 20);
    };
    next();
};
round();
`;
