/** What the inline proposal's buttons, keys and panel call: the controller supplies them through a facet. */
import { Facet } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';

/** What the buttons, keys and the panel do; the controller supplies them. */
export interface InlineHandlers {
    /** Sends the first request, or a follow-up when a rewrite is open. */
    ask(view: EditorView, instruction: string): void;
    /** Accepts one region. */
    accept(view: EditorView, id: number): void;
    /** Rejects (or dismisses) one region. */
    reject(view: EditorView, id: number): void;
    /** Accepts every region that is not stale. */
    acceptAll(view: EditorView): void;
    /** Rejects every region. */
    rejectAll(view: EditorView): void;
    /** Stops a running request, or closes the proposal. */
    close(view: EditorView): void;
    /** Opens the conversation in the chat sidebar, when there is one. */
    openChat?(view: EditorView): void;
    /** The custom commands offered under the prompt, `/name` each. */
    commands?(): readonly { name: string; description: string }[];
}

/** The handlers of the editor's proposal. */
export const inlineHandlers = Facet.define<InlineHandlers, InlineHandlers | null>({
    combine: (values) => values[0] ?? null,
});
