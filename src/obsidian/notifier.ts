/** `Notifier` over Obsidian's `Notice`: how the core tells a person something outside a view. */
import { Notice } from 'obsidian';
import type { Notifier } from '../kernel/ports';

/** How long a notice stays, in ms: errors stay until dismissed, because the person has to act on them. */
const INFO_DURATION_MS = 5000;
const ERROR_DURATION_MS = 0;

/** Shows core messages as notices. */
export class ObsidianNotifier implements Notifier {
    notify(message: string, kind: 'info' | 'error' = 'info'): void {
        new Notice(message, kind === 'error' ? ERROR_DURATION_MS : INFO_DURATION_MS);
    }
}
