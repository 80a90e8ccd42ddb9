/**
 * Node's file-system calls for `DiskLinks`, on the desktop app. Nothing is required at module top level: `fs` and
 * `path` are required when `nodeDiskCalls` first runs, which happens only on desktop (mobile has no Node, and the
 * plugin must still load there — tests/build/bundle-load.test.ts).
 */
import type { DiskCalls } from './disk-links';

/** Node's calls, required now: call only on desktop, when a link must first be resolved. */
export function nodeDiskCalls(): DiskCalls {
    // The realpath must be synchronous (the exclusion gate is), so no dynamic import(): a require, here, on first use.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy and desktop-only, see above
    const fs = require('fs') as typeof import('fs');
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy and desktop-only, see above
    const path = require('path') as typeof import('path');
    return {
        realpath: (abs) => fs.realpathSync.native(abs),
        identity: (abs) => {
            const s = fs.lstatSync(abs, { bigint: true });
            const file = `${s.dev}:${s.ino}`;
            return {
                id: `${file}:${s.mode}:${s.nlink}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`,
                file,
                nlink: Number(s.nlink),
            };
        },
        join: (root, vaultPath) => (vaultPath === '' ? root : path.join(root, ...vaultPath.split('/'))),
        vaultPathOf: (realRoot, real) => {
            const relative = path.relative(realRoot, real);
            if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return null;
            return relative.split(path.sep).join('/').normalize('NFC');
        },
    };
}
