/**
 * What an answer rests on, under the answer: each cited passage as a link to where it came from (`Note > Heading`,
 * `paper.pdf, page 3`, a web page) with the passage quoted, and a flag on a passage that is not in its source as it
 * is now; or, where the endpoint returned no citations, the notes the answer was given or read and a line saying so.
 * Built with DOM calls only and shown as text: a quote is note text, never rendered.
 */
import { passageLinktext, type AnswerSources, type CitedPassage } from '../agent/citations/answer-sources';
import type { BlockLinkResult } from '../agent/citations/block-link';
import type { WebActivity } from '../agent/web/web-research';
import { webLogLine } from '../agent/web/web-log';

/** The flag's words on a passage not found in its source. */
export const FLAG_TEXT = 'Not found in the source as it is now';

/** Gives a passage's block an id (on the person's approval); the passage then carries it. */
export type BlockLinker = (passage: CitedPassage) => Promise<BlockLinkResult>;

/** Adds the sources block to `parent`; with `blockLink`, a passage found in its note offers a link to its block. */
export function renderSources(parent: HTMLElement, sources: AnswerSources, blockLink?: BlockLinker): HTMLElement {
    const box = parent.createDiv({ cls: 'vault-agent-sources' });
    box.createDiv({ cls: 'vault-agent-sources-title', text: 'Sources' });
    const list = box.createEl('ol', { cls: 'vault-agent-sources-list' });
    if (sources.passages.length > 0) {
        for (const passage of sources.passages) renderPassage(list.createEl('li'), passage, blockLink);
    } else {
        for (const path of sources.notes) {
            const target = path.replace(/\.md$/iu, '');
            internalLink(list.createEl('li'), target, target);
        }
    }
    if (sources.fallback !== undefined) box.createDiv({ cls: 'vault-agent-sources-fallback', text: sources.fallback });
    return box;
}

function renderPassage(item: HTMLElement, passage: CitedPassage, blockLink?: BlockLinker): void {
    item.addClass('vault-agent-source');
    if (passage.kind === 'web') {
        const url = passage.url ?? '';
        const link = item.createEl('a', { cls: 'external-link', text: passage.title ?? url });
        // Only a web address is kept as a target: nothing else is fetched or run when it is clicked.
        if (/^https?:\/\//iu.test(url)) {
            link.setAttr('href', url);
            link.setAttr('rel', 'noopener noreferrer');
            link.setAttr('target', '_blank');
        }
    } else {
        const link = internalLink(item, passageLinktext(passage), label(passage));
        if (blockLink !== undefined && passage.verified === true && passage.block === undefined) {
            const button = item.createEl('button', {
                cls: 'vault-agent-block-link',
                text: 'Block link',
                attr: { 'aria-label': `Block link to this passage in ${label(passage)}` },
            });
            button.addEventListener('click', () => {
                button.disabled = true;
                void blockLink(passage).then((result) => {
                    item.createDiv({
                        cls: 'vault-agent-source-status',
                        text: result.message,
                        attr: { role: 'status' },
                    });
                    if (!result.ok) return void (button.disabled = false);
                    button.remove();
                    const target = passageLinktext(passage);
                    link.setAttrs({ 'data-href': target, href: target, title: `[[${target}]]` });
                });
            });
        }
    }
    item.createEl('blockquote', { cls: 'vault-agent-source-quote', text: passage.quote });
    if (passage.verified === false) {
        item.addClass('is-unverified');
        item.createDiv({ cls: 'vault-agent-source-flag', text: FLAG_TEXT, attr: { role: 'note' } });
    }
}

/** An Obsidian internal link (opened by the transcript's click handler), its target in `data-href`. */
function internalLink(parent: HTMLElement, linktext: string, text: string): HTMLElement {
    return parent.createEl('a', {
        cls: 'internal-link',
        text,
        attr: { 'data-href': linktext, href: linktext, title: `[[${linktext}]]` },
    });
}

/** `Note > Heading`, `paper.pdf, page 3`, `Note`. */
function label(passage: CitedPassage): string {
    const name = (passage.path ?? '').replace(/\.md$/iu, '');
    if (passage.page !== undefined) return `${name}, page ${passage.page}`;
    return passage.heading !== undefined ? `${name} > ${passage.heading}` : name;
}

/** A web search or fetch as a row in the turn; updated in place as it goes. */
export function renderWebRow(parent: HTMLElement, activity: WebActivity, existing?: HTMLElement): HTMLElement {
    const row = existing ?? parent.createDiv({ cls: 'vault-agent-web', attr: { 'data-web-id': activity.id } });
    row.empty();
    row.setAttr('data-state', activity.state);
    const verb = activity.action === 'search' ? 'Web search' : 'Web fetch';
    row.createSpan({ cls: 'vault-agent-tool-name', text: verb });
    row.createSpan({ cls: 'vault-agent-tool-target', text: activity.target });
    const line = webLogLine(activity);
    row.createSpan({ cls: 'vault-agent-tool-state', text: line === null ? '…' : activity.state });
    if (line !== null) row.setAttr('title', line);
    if (activity.state === 'refused' && activity.detail !== undefined) {
        row.createDiv({ cls: 'vault-agent-web-refused', text: `Refused: ${activity.detail}` });
    }
    return row;
}
