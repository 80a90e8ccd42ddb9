/**
 * The temp files FsVault writes through (a hidden name next to the target, renamed into place), and clearing the ones
 * a killed process left behind. A temp name carries a short tag of this machine and the writer's process id, so a
 * later process on the same machine can tell at once that the writer is gone; a temp file from anywhere else (another
 * machine over a shared or synced folder, or the older name without a tag) is only removed once it is old enough that
 * no write can still be using it. Node only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { unlinkSync, type Stats } from 'node:fs';
import os from 'node:os';

/** Temp files of any age beyond this are abandoned, whoever wrote them: a write takes milliseconds. */
export const ABANDONED_TEMP_MS = 60 * 60_000;

const PREFIX = '.va-tmp-';
/** `.va-tmp-<machine tag>-<pid>-<random>`, and the older `.va-tmp-<random>`. */
const TAGGED = /^\.va-tmp-([0-9a-f]{8})-(\d{1,10})-[0-9a-f]{16}$/u;
const UNTAGGED = /^\.va-tmp-[0-9a-f]{16}$/u;

/** The host name `machineTag` last hashed, and its tag. */
let tagged: { host: string; tag: string } | null = null;

/** A short, stable tag of this machine (its host name), for temp names. */
export function machineTag(): string {
    const host = os.hostname();
    if (tagged?.host !== host) tagged = { host, tag: createHash('sha256').update(host).digest('hex').slice(0, 8) };
    return tagged.tag;
}

/** A fresh temp file name for this process. */
export function tempFileName(): string {
    return `${PREFIX}${machineTag()}-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/** True when `name` is one of our temp file names (tagged or not). */
export function isTempFileName(name: string): boolean {
    return name.startsWith(PREFIX) && (TAGGED.test(name) || UNTAGGED.test(name));
}

/**
 * False when no process `pid` runs on this machine (the kernel says ESRCH); true when one does, or when that cannot
 * be told (no permission to signal it, an odd platform): never taken for dead without proof.
 */
export function isProcessRunning(pid: number): boolean {
    if (!Number.isSafeInteger(pid) || pid <= 0) return true;
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as { code?: unknown }).code !== 'ESRCH';
    }
}

/** Whether the temp file `name` (with `stats`) was left by a writer that is gone, at `now`. */
export function isStaleTemp(name: string, stats: Pick<Stats, 'mtimeMs'>, now: number): boolean {
    if (!isTempFileName(name)) return false;
    if (now - stats.mtimeMs > ABANDONED_TEMP_MS) return true;
    const tagged = TAGGED.exec(name);
    if (tagged === null) return false;
    const pid = Number(tagged[2]);
    return tagged[1] === machineTag() && pid !== process.pid && !isProcessRunning(pid);
}

/** Removes the stale temp files among `candidates` (absolute paths with their stats); resolves to how many went. */
export function removeStaleTemps(candidates: { abs: string; name: string; stats: Stats }[], now = Date.now()): number {
    let removed = 0;
    for (const { abs, name, stats } of candidates) {
        if (!stats.isFile() || !isStaleTemp(name, stats, now)) continue;
        try {
            unlinkSync(abs);
            removed++;
        } catch {
            // Gone already, or not ours to remove: leave it.
        }
    }
    return removed;
}
