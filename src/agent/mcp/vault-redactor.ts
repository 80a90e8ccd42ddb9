/**
 * Scans results from an MCP server that can read the vault by itself (a filesystem server pointed at it, say) for
 * excluded content before the model sees them (RELIABILITY row 15). Such a server does not know our exclusions, so
 * we remove what we can recognise: the paths and names of excluded notes, and every distinctive line of their text.
 * A line counts as distinctive when it holds at least `MIN_LINE_CHARS` characters after trimming; shorter lines
 * ("## Notes", "- [ ] call") are shared by too many notes to recognise one by them. Lines are also split at escaped
 * `\n`, so a note's text inside a JSON string is caught too.
 */
import type { ExclusionGate } from '../../context/exclusions';
import { isMarkdownPath, type VaultPort } from '../../vault/vault-port';

/** What replaces a line that belongs to an excluded note. */
export const REDACTED_LINE = '[redacted: text of a note excluded from the agent]';
/** What replaces the name or path of an excluded note. */
export const REDACTED_NAME = '[redacted]';

const MIN_LINE_CHARS = 20;
/** Shorter names are ordinary words ("Plan", "Todo"); redacting them everywhere would garble every result. */
const MIN_NAME_CHARS = 4;

/** What the redactor needs. */
export interface VaultRedactorOptions {
    /** The vault whose excluded notes are looked for. */
    vault: VaultPort;
    /** Which notes are excluded. */
    gate: ExclusionGate;
}

/** What one redaction removed. */
export interface RedactionReport {
    /** The text with excluded content replaced. */
    text: string;
    /** How many lines and names were replaced (0 = untouched). */
    replaced: number;
}

/** Knows the excluded notes of one vault and removes their traces from text. Rebuilds after the vault changes. */
export class VaultRedactor {
    private readonly options: VaultRedactorOptions;
    private lines = new Set<string>();
    private names: RegExp | null = null;
    private stale = true;
    private building: Promise<void> | null = null;
    private readonly unsubscribe: () => void;

    constructor(options: VaultRedactorOptions) {
        this.options = options;
        this.unsubscribe = options.vault.onChange(() => {
            this.stale = true;
        });
    }

    /** Removes every recognisable trace of an excluded note from `text`. */
    async redact(text: string): Promise<RedactionReport> {
        await this.refresh();
        let replaced = 0;
        // Splitting keeps the separators, so text around a redacted line is returned byte for byte.
        const parts = text.split(/(\r?\n|\\r\\n|\\n)/);
        for (let i = 0; i < parts.length; i += 2) {
            const part = parts[i] ?? '';
            if (part.length >= MIN_LINE_CHARS && this.lines.has(normaliseLine(part))) {
                parts[i] = REDACTED_LINE;
                replaced++;
            }
        }
        let out = parts.join('');
        if (this.names !== null) {
            out = out.replace(this.names, () => {
                replaced++;
                return REDACTED_NAME;
            });
        }
        return { text: out, replaced };
    }

    /** Stops listening to the vault. */
    dispose(): void {
        this.unsubscribe();
    }

    private async refresh(): Promise<void> {
        while (this.stale || this.building !== null) {
            if (this.building === null) {
                this.stale = false;
                this.building = this.build().finally(() => {
                    this.building = null;
                });
            }
            await this.building;
        }
    }

    private async build(): Promise<void> {
        const { vault, gate } = this.options;
        const lines = new Set<string>();
        const names = new Set<string>();
        for (const entry of await vault.list()) {
            if (!isMarkdownPath(entry.path) || !gate.isExcluded(entry.path)) continue;
            names.add(entry.path);
            const base = entry.path.slice(entry.path.lastIndexOf('/') + 1).replace(/\.md$/i, '');
            if (base.length >= MIN_NAME_CHARS) names.add(base);
            let content: string;
            try {
                content = await vault.read(entry.path);
            } catch {
                continue;
            }
            for (const line of content.split(/\r?\n/)) {
                const normal = normaliseLine(line);
                if (normal.length >= MIN_LINE_CHARS) lines.add(normal);
            }
        }
        this.lines = lines;
        // Longest first, so a path is replaced whole rather than leaving its folder part behind.
        const sorted = [...names].sort((a, b) => b.length - a.length).map(escapeRegExp);
        this.names = sorted.length === 0 ? null : new RegExp(sorted.join('|'), 'giu');
    }
}

/** A line as compared: trimmed, NFC, with JSON's escaped quotes and backslashes read back. */
function normaliseLine(line: string): string {
    return line
        .replace(/\\(["\\/])/g, '$1')
        .trim()
        .normalize('NFC');
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
