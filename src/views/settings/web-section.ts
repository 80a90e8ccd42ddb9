/**
 * The Web research section: off by default. When on, chats may search and fetch the web through the API's server
 * tools (and jobs whose note says `web: true`), within the domain rules and the cap per request.
 */
import { Setting } from 'obsidian';
import { domains, WEB_MAX_USES } from '../../kernel/web-settings';
import type { Settings } from '../../kernel/settings';
import { lines, ok, parseInteger, type TabKit } from './tab-kit';

/** Renders the Web research section. */
export function renderWebSection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    new Setting(el).setName('Web research').setHeading();
    const errorEl = el.createDiv({ cls: 'vault-agent-setting-error' });
    new Setting(el)
        .setName('Search and fetch the web')
        .setDesc(
            'Lets the model use the API’s web search and web fetch in chats, and in jobs whose note says web: true. ' +
                'Search queries and fetched addresses go to the model provider, which runs them. An address that ' +
                'came from a note or a tool result is asked about in a chat and refused in a job.',
        )
        .addToggle((toggle) =>
            toggle
                .setValue(settings.web.enabled)
                .onChange((on) => kit.save(errorEl, (draft) => (draft.web.enabled = on))),
        );
    kit.field(el, {
        name: 'Allowed domains',
        desc: 'One domain a line. When set, only these are searched and fetched.',
        value: settings.web.allowedDomains.join('\n'),
        multiline: true,
        parse: (raw) => ok(domains(lines(raw))),
        apply: (draft, value) => (draft.web.allowedDomains = value),
    });
    kit.field(el, {
        name: 'Blocked domains',
        desc: 'One domain a line. Never searched or fetched (ignored when allowed domains are set).',
        value: settings.web.blockedDomains.join('\n'),
        multiline: true,
        parse: (raw) => ok(domains(lines(raw))),
        apply: (draft, value) => (draft.web.blockedDomains = value),
    });
    kit.field(el, {
        name: 'Searches and fetches per request',
        desc: 'Most web searches, and most fetches, the model may make in one request.',
        value: String(settings.web.maxUsesPerTurn),
        parse: (raw) => parseInteger(raw, WEB_MAX_USES.min, WEB_MAX_USES.max),
        apply: (draft, value) => (draft.web.maxUsesPerTurn = value),
    });
}
