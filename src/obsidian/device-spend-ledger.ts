/**
 * The plugin's spend ledger. On the desktop app it is the one file every `vault-agent` command of this person on this
 * machine uses too (`deviceSpendFile`), changed under its lock (decision 0038): the daily cap counts the chats and jobs
 * of this device, the plugin's and the command line's alike, as the settings tab says. Entries the plugin kept in this
 * device's local storage before are moved into the file the first time. On mobile, or when the file cannot be used
 * (no home folder, a read-only one), the ledger stays in local storage, per device as before.
 */
import type { KeyValueSpendLedger, SpendEntry, SpendLedger } from '../agent/spend/spend-ledger';

/** Opens the device's ledger file (desktop only); rejects when it cannot be used. */
export type OpenDeviceLedger = () => Promise<SpendLedger>;

/** The shared file on desktop (`open`), else `local`; chosen at the first use. */
export class DeviceSpendLedger implements SpendLedger {
    private chosen: Promise<SpendLedger> | null = null;

    constructor(
        private readonly local: KeyValueSpendLedger,
        private readonly open: OpenDeviceLedger | null,
    ) {}

    async entries(sinceMs: number): Promise<SpendEntry[]> {
        return (await this.ledger()).entries(sinceMs);
    }

    async append(...entries: SpendEntry[]): Promise<void> {
        await (await this.ledger()).append(...entries);
    }

    private ledger(): Promise<SpendLedger> {
        this.chosen ??= this.choose();
        return this.chosen;
    }

    private async choose(): Promise<SpendLedger> {
        if (this.open === null) return this.local;
        let file: SpendLedger;
        try {
            file = await this.open();
            const earlier = this.local.all();
            // Moved once: into the file first, then gone from local storage (counted twice at worst, never lost).
            if (earlier.length > 0) await file.append(...earlier);
            this.local.clear();
        } catch {
            return this.local;
        }
        return file;
    }
}

/**
 * The desktop app's opener: the file in this person's state folder, found as the command line finds it (`env`, the
 * app's own environment unless given).
 */
export function desktopLedgerOpener(env?: Record<string, string | undefined>): OpenDeviceLedger {
    return async () => {
        const { deviceSpendFile, JsonFileSpendLedger } = await import('../agent/spend/spend-ledger-node');
        const ledger = new JsonFileSpendLedger({ file: deviceSpendFile(env ?? appEnvironment()) });
        // Written once, with nothing added: a ledger that cannot be written (a read-only home folder) is not used.
        await ledger.append();
        return ledger;
    };
}

/** The desktop app's environment (Node's `process.env`); read only on desktop. */
function appEnvironment(): Record<string, string | undefined> {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}
