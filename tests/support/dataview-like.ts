/**
 * Another plugin in the stub app, behaving like Dataview (and Obsidian's `query` blocks) where it matters to us: it
 * registers code-block processors for `dataviewjs`, `dataview` and `query`, and a post-processor that runs every
 * `code` element whose text starts with `$=` (JavaScript) or `=` (a query) — inside `<pre>` too, as Dataview does by
 * default. Nothing is executed here; every run is recorded, and a test asserts that nothing the model wrote ran.
 * What it cannot show: Dataview's configurable prefixes and keyword (the chat keeps all code away from every
 * processor, so no prefix or keyword matters).
 */
import { App, Plugin } from './obsidian-stub';

/** One processor run. */
export interface ExecutedCode {
    /** What ran it. */
    via: 'dataviewjs' | 'dataview' | 'query' | 'inline-js' | 'inline-query';
    /** The code it was given. */
    source: string;
}

/** Registers the processors in the stub's app-wide registry; `executed` collects every run. */
export function installDataviewLike(): { executed: ExecutedCode[]; plugin: Plugin } {
    const executed: ExecutedCode[] = [];
    const plugin = new Plugin(new App(), { id: 'dataview-like', name: 'Dataview-like', version: '0' });
    for (const language of ['dataviewjs', 'dataview', 'query'] as const) {
        plugin.registerMarkdownCodeBlockProcessor(language, (source, el) => {
            executed.push({ via: language, source });
            el.setAttribute('data-executed', language);
        });
    }
    plugin.registerMarkdownPostProcessor((el) => {
        for (const code of Array.from(el.querySelectorAll('code'))) {
            const text = (code.textContent ?? '').trim();
            if (text.startsWith('$=')) executed.push({ via: 'inline-js', source: text });
            else if (text.startsWith('=')) executed.push({ via: 'inline-query', source: text });
        }
    });
    plugin.load();
    return { executed, plugin };
}
