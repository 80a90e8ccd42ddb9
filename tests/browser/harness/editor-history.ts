/**
 * The undo history of the harness editor, standing in for the one Obsidian's editor brings (the
 * `@codemirror/commands` history, which this repository does not install): every transaction that changes the
 * document and is not marked `addToHistory: false` is one step; Mod-z undoes the newest step, Mod-y / Mod-Shift-z
 * redoes it. What it proves is what matters for the plugin: an accepted change is an ordinary, undoable editor
 * transaction, and undoing it needs nothing from the plugin.
 */
import { ChangeSet, StateEffect, StateField, Transaction, type Extension } from '@codemirror/state';
import { keymap, type EditorView } from '@codemirror/view';

interface Stacks {
    done: ChangeSet[];
    undone: ChangeSet[];
}

const moved = StateEffect.define<'undo' | 'redo'>();

const stacks = StateField.define<Stacks>({
    create: () => ({ done: [], undone: [] }),
    update(value, tr) {
        const step = tr.effects.find((e) => e.is(moved));
        if (step !== undefined) {
            const inverse = tr.changes.invert(tr.startState.doc);
            return step.value === 'undo'
                ? { done: value.done.slice(0, -1), undone: [...value.undone, inverse] }
                : { done: [...value.done, inverse], undone: value.undone.slice(0, -1) };
        }
        const mapAll = (list: ChangeSet[]): ChangeSet[] => list.map((c) => c.map(tr.changes));
        if (!tr.docChanged) return value;
        if (tr.annotation(Transaction.addToHistory) === false) {
            return { done: mapAll(value.done), undone: mapAll(value.undone) };
        }
        return { done: [...value.done, tr.changes.invert(tr.startState.doc)], undone: [] };
    },
});

function run(direction: 'undo' | 'redo') {
    return (view: EditorView): boolean => {
        const value = view.state.field(stacks);
        const list = direction === 'undo' ? value.done : value.undone;
        const last = list.at(-1);
        if (last === undefined) return false;
        view.dispatch({
            changes: last,
            effects: moved.of(direction),
            annotations: Transaction.userEvent.of(direction),
        });
        return true;
    };
}

/** The history and its keys. */
export function editorHistory(): Extension {
    return [
        stacks,
        keymap.of([
            { key: 'Mod-z', run: run('undo') },
            { key: 'Mod-y', run: run('redo') },
            { key: 'Mod-Shift-z', run: run('redo') },
        ]),
    ];
}
