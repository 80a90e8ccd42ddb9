/**
 * The delegate dialog's *When…* part: what starts the job (a note created, changed or moved into a folder, a tag
 * added, a property set to a value). The dialog writes it as a trigger note whose jobs see the note as `{{note}}`.
 */
import type { EnqueueFields } from './enqueue-form';

/** How the dialog makes its fields (so they are read and submitted like every other field). */
export interface WhenFieldMakers {
    /** A text field. */
    text(parent: HTMLElement, key: keyof EnqueueFields, label: string, hint: string): HTMLInputElement;
    /** A choice. */
    select(
        parent: HTMLElement,
        key: keyof EnqueueFields,
        label: string,
        options: [string, string][],
    ): HTMLSelectElement;
}

/** Draws the part into `parent`; resolves to its element (hidden unless *When…* is chosen). */
export function renderWhenPart(parent: HTMLElement, make: WhenFieldMakers): HTMLElement {
    const part = parent.createDiv({ cls: 'vault-agent-enqueue-when-part' });
    const row = part.createDiv({ cls: 'vault-agent-enqueue-row' });
    const event = make.select(row, 'event', 'Starts when', [
        ['created', 'A note is created'],
        ['modified', 'A note is changed'],
        ['renamed', 'A note is moved in'],
        ['tag-added', 'A tag is added'],
        ['property-set', 'A property is set'],
    ]);
    make.text(row, 'folder', 'In folder', 'Meetings/ or a glob; anywhere when empty');
    const tag = make.text(part, 'tag', 'Tag', '#to-summarise').parentElement;
    const valueRow = part.createDiv({ cls: 'vault-agent-enqueue-row' });
    const property = make.text(valueRow, 'property', 'Property', 'status').parentElement;
    const value = make.text(valueRow, 'value', 'Value', 'done').parentElement;
    part.createDiv({
        cls: 'vault-agent-enqueue-hint',
        text:
            'Each job gets the note that started it; write {{note}} in the brief to name it. Notes the agent wrote, ' +
            'job notes and excluded notes never start a job.',
    });
    const sync = (): void => {
        tag?.toggleClass('is-hidden', event.value !== 'tag-added');
        property?.toggleClass('is-hidden', event.value !== 'property-set');
        value?.toggleClass('is-hidden', event.value !== 'property-set');
    };
    event.addEventListener('change', sync);
    sync();
    return part;
}

/** The *When…* choice in words, for the dialog's summary. */
export function whenWords(event: string, folder: string): string {
    const where = folder === '' ? '' : ` in ${folder}`;
    switch (event) {
        case 'modified':
            return `a note is changed${where}`;
        case 'renamed':
            return `a note is moved${folder === '' ? '' : ` into ${folder}`}`;
        case 'tag-added':
            return `a tag is added${where}`;
        case 'property-set':
            return `a property is set${where}`;
        default:
            return `a note is created${where}`;
    }
}
