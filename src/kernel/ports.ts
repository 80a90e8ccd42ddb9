/**
 * The small ports every room may take in its constructor. The vault port lives beside them in `vault-port.ts`, the
 * approval gate and focus source with the code that uses them.
 */

/** Secrets by name: Obsidian's SecretStorage on a device, `ANTHROPIC_API_KEY` for the CLI, a map in tests. */
export interface SecretStore {
    /** The secret stored under `name`, or `null` when it is not set on this device. */
    get(name: string): Promise<string | null>;
}

/** How the core tells a person something outside a view: `Notice` in Obsidian, stderr in the CLI. */
export interface Notifier {
    /** Shows a short message; `error` for failures a person should act on. */
    notify(message: string, kind?: 'info' | 'error'): void;
}

/** Time, injectable so schedules, leases and backoff can be tested with a fake clock. */
export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    /** Resolves after `ms`, or rejects with the signal's reason when aborted first. */
    sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms, signal) =>
        new Promise<void>((resolve, reject) => {
            if (signal?.aborted) {
                reject(signal.reason instanceof Error ? signal.reason : new Error('Aborted'));
                return;
            }
            const timer = setTimeout(() => {
                signal?.removeEventListener('abort', onAbort);
                resolve();
            }, ms);
            const onAbort = (): void => {
                clearTimeout(timer);
                reject(signal?.reason instanceof Error ? signal.reason : new Error('Aborted'));
            };
            signal?.addEventListener('abort', onAbort, { once: true });
        }),
};

/** One HTTP POST, for deliveries: Obsidian's `requestUrl` in the plugin, Node's `fetch` in the CLI. */
export interface HttpPost {
    /** Posts `body`; resolves to the response status, rejects when no response came (offline, refused, timed out). */
    post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number }>;
}
