/**
 * Makes model output (and tool results, file names) safe to render (docs/RELIABILITY.md rows 17 and 22). Two layers:
 *
 * 1. Before rendering, the Markdown is rewritten so the renderer never creates a fetching element: remote images
 *    become plain links that name their host, embeds (`![[…]]`) become links, and raw HTML tags are escaped so they
 *    show as text. This layer matters most, because an `<img>` starts loading the moment it is created, attached or
 *    not.
 * 2. After rendering, the DOM is swept: script-like elements are removed, `on*` handlers and `javascript:` links are
 *    stripped, and any image that still points off the device is replaced by an inert label.
 *
 * Code (fenced blocks and inline spans) is left exactly as written: it is shown as text anyway.
 */

/** Schemes a rendered link may keep (anything else, `javascript:` and `data:` included, loses its target). */
const SAFE_LINK = /^(https?:|mailto:|obsidian:|#)/i;
/** Image sources that never leave the device. */
const LOCAL_IMAGE = /^(app:|blob:|capacitor:)/i;
/** Elements that run code, load documents or submit forms. */
const DANGEROUS = 'script,iframe,frame,frameset,object,embed,applet,link,meta,base,style,form,svg,math,video,audio';

/** The host an address names, or `''` when it has none. */
export function hostOf(url: string): string {
    try {
        return new URL(url.startsWith('//') ? `https:${url}` : url).host;
    } catch {
        return '';
    }
}

/** Rewrites Markdown so rendering it cannot fetch anything or run anything (layer 1). */
export function neutraliseMarkdown(markdown: string): string {
    const out: string[] = [];
    let fence: string | null = null;
    for (const line of markdown.split('\n')) {
        const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
        if (fence !== null) {
            if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = null;
            out.push(line);
            continue;
        }
        if (marker !== undefined) {
            fence = marker;
            out.push(line);
            continue;
        }
        out.push(neutraliseLine(line));
    }
    return out.join('\n');
}

function neutraliseLine(line: string): string {
    // Inline code spans stay verbatim; only the text between them is rewritten.
    const parts = line.split(/(`+[^`]*?`+)/);
    return parts.map((part, i) => (i % 2 === 1 ? part : neutraliseText(part))).join('');
}

function neutraliseText(text: string): string {
    return text
        .replace(/!\[\[/g, '[[')
        .replace(/!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g, (_m, alt: string, url: string) =>
            imageLink(alt, url),
        )
        .replace(/!\[/g, '\\![')
        .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

function imageLink(alt: string, url: string): string {
    const label = alt.trim() === '' ? 'image' : alt.trim().replace(/[[\]]/g, '');
    if (!/^(https?:)?\/\//i.test(url)) return `[${label}](${url})`;
    const host = hostOf(url);
    return `[Image from ${host === '' ? 'an unknown host' : host}: ${label}](${url})`;
}

/** Sweeps rendered output (layer 2). Returns how many things it had to neutralise. */
export function sanitiseRendered(root: HTMLElement): number {
    let fixed = 0;
    root.querySelectorAll(DANGEROUS).forEach((el) => {
        el.remove();
        fixed++;
    });
    for (const el of Array.from(root.querySelectorAll('*'))) {
        for (const attr of Array.from(el.attributes)) {
            const name = attr.name.toLowerCase();
            if (name.startsWith('on') || name === 'srcset' || name === 'formaction' || name === 'style') {
                el.removeAttribute(attr.name);
                fixed++;
            }
        }
        if (el instanceof HTMLAnchorElement) {
            const href = el.getAttribute('href') ?? '';
            if (href !== '' && !SAFE_LINK.test(href.trim()) && !isRelative(href)) {
                el.removeAttribute('href');
                el.addClass('vault-agent-blocked-link');
                fixed++;
            }
        }
        if (el instanceof HTMLImageElement) {
            const src = el.getAttribute('src') ?? '';
            if (!LOCAL_IMAGE.test(src) && !isRelative(src)) {
                el.replaceWith(inertImage(el.getAttribute('alt') ?? '', src));
                fixed++;
            }
        }
    }
    return fixed;
}

function isRelative(url: string): boolean {
    return url !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(url.trim()) && !url.trim().startsWith('//');
}

function inertImage(alt: string, src: string): HTMLElement {
    const host = hostOf(src);
    return createSpan({
        cls: 'vault-agent-inert-image',
        text: `Image from ${host === '' ? 'an unknown source' : host}${alt === '' ? '' : `: ${alt}`} (not loaded)`,
    });
}
