/**
 * `vault-agent run`: the plugin's own job queue (`JobQueue` with schedules and batches) on a vault folder, so jobs run
 * without Obsidian open. It runs under its own device id: a lease taken by the plugin on another device (or by another
 * CLI process) is respected, and leases this process takes are released when it stops.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { RunnerHeartbeat } from '../delegate/runner-beat';
import { systemClock } from '../kernel/ports';
import { VaultWatcher } from '../vault/fs-vault-watch-node';
import { LiveSettings } from './live-settings';
import { CliUsageError, countFlag, readArgs, stringFlag, VAULT_FLAGS, vaultOptions, type FlagSpec } from './cli-args';
import {
    cliDeviceId,
    cliLocalProcess,
    cliRetryPolicy,
    EXIT_FAILED,
    openCliVault,
    openModelClient,
    spendFile,
    vaultStateFile,
    type CliIo,
} from './cli-context';
import { connectMcp } from './cli-mcp';
import { RunProgress } from './run-progress';
import { useSearchWorkers } from './search-workers';
import { RUN_USAGE } from './usage';

const FLAGS = {
    ...VAULT_FLAGS,
    concurrency: { type: 'string' },
    watch: { type: 'boolean' },
    'batch-poll': { type: 'string' },
} satisfies Record<string, FlagSpec>;

/**
 * `--watch` learns of job notes written by others (the plugin, Sync, a person) from the file system (`VaultWatcher`);
 * this often it also makes sure reported changes are applied, and rescans only while the watcher cannot vouch for the
 * listing (starting, or lost track).
 */
const WATCH_SCAN_MS = 2_000;

/** Exit code of a one-shot run stopped with Ctrl-C (the shell's convention for SIGINT). */
const EXIT_INTERRUPTED = 130;

/** Runs `run`; resolves to the exit code. */
export async function runCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, FLAGS, RUN_USAGE);
    const options = vaultOptions(parsed, RUN_USAGE);
    const concurrency = countFlag(parsed, 'concurrency', RUN_USAGE);
    const watch = parsed.values.watch === true;
    const batchPoll = batchPollFlag(stringFlag(parsed, 'batch-poll'));
    const opened = await openCliVault(options, io);
    // Jobs' search_notes calls search in worker threads (decision 0024), started by the first one.
    useSearchWorkers(opened.vault, { env: io.env, stderr: io.stderr, warm: false });
    const { client, settings: model } = await openModelClient({
        settings: opened.settings.model,
        baseUrlFlag: stringFlag(parsed, 'base-url'),
        io,
        verbose: options.verbose,
    });
    const { vault, settings } = opened;
    const delegate = { ...settings.delegate, concurrency: concurrency ?? settings.delegate.concurrency };
    if (options.verbose) {
        io.stderr.write(`vault-agent: undo records in ${vaultStateFile(io.env, vault.root, 'checkpoints')}\n`);
        // The same ledger as `ask`, so the daily cap counts every CLI run of this user, chats and jobs together.
        io.stderr.write(`vault-agent: spend recorded in ${spendFile(io.env)}\n`);
    }
    const deviceId = cliDeviceId();
    const localProcess = await cliLocalProcess(io.env);
    const mcp = await connectMcp(opened, io, 'run');
    // The settings as the file says now: exclusions changed in Obsidian while this runs apply to the next request.
    const live = new LiveSettings({
        vaultRoot: vault.root,
        configDir: options.configDir,
        allowDefaults: options.defaultSettings === true,
        initial: settings,
        core: opened.core,
        io,
        command: 'run',
    });
    live.start();
    const queue = opened.core.jobQueue({
        client: () => Promise.resolve(client),
        settings: () => {
            const now = live.settings;
            if (now === null) return null;
            const concurrencyNow = concurrency ?? now.delegate.concurrency;
            return { ...now, delegate: { ...now.delegate, concurrency: concurrencyNow }, model };
        },
        lockedReason: () => live.reason,
        refreshSettings: () => live.refresh(),
        retry: cliRetryPolicy(io.env),
        deviceId,
        ...(localProcess !== undefined ? { localProcess } : {}),
        maxAttempts: delegate.maxAttempts,
        // Trigger notes follow the file system's reports only while watching; a one-shot run watches nothing.
        followVault: watch,
        ...(batchPoll !== undefined ? { batchPolling: { firstPollMs: batchPoll } } : {}),
    });
    if (options.verbose) io.stderr.write(`vault-agent: running as ${deviceId}, ${delegate.concurrency} at once\n`);

    const progress = new RunProgress(io.stderr);
    progress.start(queue.snapshot());
    // Set from listeners and signal handlers, hence an object: what stopped the run, if anything did.
    const ending: { stopping: Promise<void> | null; unreachable: boolean; vaultGone: boolean } = {
        stopping: null,
        unreachable: false,
        vaultGone: false,
    };
    const stop = (why: string): Promise<void> => {
        if (ending.stopping === null) {
            io.stderr.write(`vault-agent run: ${why}\n`);
            ending.stopping = queue.stop();
        }
        return ending.stopping;
    };
    const unsubscribe = queue.subscribe((snapshot) => {
        progress.update(snapshot);
        // Offline pauses resume by themselves; a one-shot run does not wait for the network to come back.
        if (!watch && snapshot.pause?.reason === 'offline') {
            ending.unreachable = true;
            void stop(`stopping: ${snapshot.pause.message}`);
        }
    });
    const onSigint = (): void => {
        if (ending.stopping !== null) {
            io.stderr.write('vault-agent run: stopping anyway.\n');
            process.exit(130);
        }
        void stop('stopping (running jobs end "interrupted" and run again next time; Ctrl-C again to quit now)…');
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let rescan: ReturnType<typeof setInterval> | null = null;
    const watcher = watch
        ? new VaultWatcher(vault, { onError: (message) => io.stderr.write(`vault-agent run: ${message}.\n`) })
        : null;
    // While watching, a heartbeat tells `vault-agent mcp` on this machine that queued jobs will run.
    const beatFile = vaultStateFile(io.env, vault.root, 'runner');
    const heartbeat = watch
        ? new RunnerHeartbeat({
              write: async (text) => {
                  await mkdir(nodePath.dirname(beatFile), { recursive: true });
                  await writeFile(beatFile, text);
              },
              clear: () => rm(beatFile, { force: true }),
              clock: systemClock,
              device: deviceId,
              kind: 'cli',
              pid: process.pid,
          })
        : null;
    try {
        if (watcher !== null) {
            watcher.start();
            heartbeat?.start();
            rescan = setInterval(() => {
                // A vault moved, deleted or unmounted would look like one with no jobs, for ever: stop and say so.
                const gone = watcher.vaultGone();
                if (gone !== null) {
                    ending.vaultGone = true;
                    void stop(`stopping: ${gone}. Start it again on the vault where it is now.`);
                } else void watcher.fresh().catch(() => undefined);
            }, WATCH_SCAN_MS);
            queue.start();
            await new Promise<void>((resolve) => {
                const check = setInterval(() => {
                    if (ending.stopping !== null) {
                        clearInterval(check);
                        void ending.stopping.then(resolve);
                    }
                }, 100);
            });
        } else {
            await queue.runUntilIdle();
        }
        if (ending.stopping !== null) await ending.stopping;
    } finally {
        if (rescan !== null) clearInterval(rescan);
        await watcher?.close();
        await heartbeat?.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        unsubscribe();
        await mcp?.close();
        live.close();
    }
    const summary = progress.finish(queue.snapshot());
    if (summary.pause !== null && summary.pause.reason !== 'person' && !ending.unreachable) {
        io.stderr.write(`vault-agent run: the queue stopped: ${summary.pause.message}\n`);
        return EXIT_FAILED;
    }
    // A note left as it is needs the person as much as a failed job does: a cron job sees it in the exit code.
    if (summary.failed > 0 || summary.leftAlone > 0 || ending.unreachable || ending.vaultGone) return EXIT_FAILED;
    // Ctrl-C ends a --watch run normally; a one-shot run it cut short did not finish its work.
    return ending.stopping !== null && !watch ? EXIT_INTERRUPTED : 0;
}

/** `--batch-poll SECONDS`: when a Message Batch is first polled (later polls slow down from there). */
function batchPollFlag(raw: string | undefined): number | undefined {
    if (raw === undefined) return undefined;
    const seconds = Number(raw);
    if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3_600) {
        throw new CliUsageError(`--batch-poll must be a number of seconds from 0.1 to 3600, not "${raw}".`, RUN_USAGE);
    }
    return Math.round(seconds * 1000);
}
