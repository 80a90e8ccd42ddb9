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
 * Code (fenced blocks and inline spans) never reaches the renderer: it is taken out before and put back after, as
 * text, so no other plugin's code-block processor or post-processor runs on it (issue: a `dataviewjs` block in an
 * answer ran JavaScript). The sweep checks elements by tag name, so it works on pop-out windows' elements too.
 */
import { inlineCodeText, scanFences, splitContainer, splitInlineCode } from '../vault/markdown-code';

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

/** Markdown ready for the renderer: no code left in it, and the code taken out, to be shown by `restoreCode`. */
export interface PreparedMarkdown {
    /** What the renderer is given. */
    markdown: string;
    /** The code taken out, in order; each stands in the Markdown as a placeholder word. */
    code: { block: boolean; text: string; language: string }[];
    /** The placeholder word's unguessable part (fresh per call, so model text cannot forge a placeholder). */
    nonce: string;
}

/**
 * Rewrites Markdown so rendering it cannot fetch anything or run anything (layer 1). Code never reaches the renderer,
 * so no code-block processor or post-processor (Dataview's `dataviewjs`, its inline `$=`, `query`, …) ever sees it:
 * fenced blocks and inline spans are taken out and shown by `restoreCode` as text. Whatever the scan did not take
 * out cannot become code either: every remaining backtick and every run of three tildes is written as an entity,
 * and a line indented like an indented code block starts with a zero-width space, so such a block's text never
 * starts with a query prefix.
 */
export function prepareMarkdown(markdown: string, nonce = randomNonce()): PreparedMarkdown {
    const code: PreparedMarkdown['code'] = [];
    const token = (block: boolean, text: string, language = ''): string => {
        code.push({ block, text, language });
        return `${PLACEHOLDER}${nonce}${block ? 'B' : 'I'}${code.length - 1}E`;
    };
    const out: string[] = [];
    for (const segment of scanFences(markdown)) {
        if (segment.kind === 'fence') {
            out.push(`${segment.prefix}${token(true, segment.body, segment.open.language)}`);
            continue;
        }
        const parts = splitInlineCode(segment.line.text);
        const line = parts
            .map((part) => (part.code ? token(false, inlineCodeText(part.content)) : neutraliseText(part.text)))
            .join('');
        out.push(inertIndent(line));
    }
    return { markdown: out.join('\n'), code, nonce };
}

/** Puts the code `prepareMarkdown` took out back into the rendered element, as `<pre><code>` / `<code>` text. */
export function restoreCode(root: HTMLElement, prepared: PreparedMarkdown): void {
    if (prepared.code.length === 0) return;
    const doc = root.ownerDocument;
    const pattern = new RegExp(`${PLACEHOLDER}${prepared.nonce}([BI])(\\d+)E`, 'g');
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts: Text[] = [];
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) texts.push(node as Text);
    for (const node of texts) {
        const value = node.data;
        pattern.lastIndex = 0;
        if (!pattern.test(value)) continue;
        pattern.lastIndex = 0;
        const pieces: Node[] = [];
        let last = 0;
        for (const m of value.matchAll(pattern)) {
            const at = m.index ?? 0;
            if (at > last) pieces.push(doc.createTextNode(value.slice(last, at)));
            last = at + m[0].length;
            const piece = prepared.code[Number(m[2])];
            if (piece !== undefined) pieces.push(codeElement(root, piece));
        }
        if (last < value.length) pieces.push(doc.createTextNode(value.slice(last)));
        const parent = node.parentElement;
        // A block standing alone in a paragraph replaces the paragraph, as a rendered code block would.
        if (parent !== null && parent.tagName === 'P' && pieces.length === 1 && parent.childNodes.length === 1) {
            const only = pieces[0] as HTMLElement;
            if (only.tagName === 'PRE') {
                parent.replaceWith(only);
                continue;
            }
        }
        node.replaceWith(...pieces);
    }
}

/** A code element, made under `root` (so by its document, a pop-out window's when it is there) and moved in place after. */
function codeElement(root: HTMLElement, piece: PreparedMarkdown['code'][number]): HTMLElement {
    if (!piece.block) return root.createEl('code', { cls: 'vault-agent-code', text: piece.text });
    const attr: Record<string, string> = piece.language === '' ? {} : { 'data-language': piece.language };
    const pre = root.createEl('pre', { cls: 'vault-agent-code-block', attr });
    pre.createEl('code', { text: piece.text });
    return pre;
}

/** The fixed part of a placeholder word (letters only, so no Markdown rule splits or styles it). */
const PLACEHOLDER = 'vaultagentcode';

function randomNonce(): string {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => ((b % 26) + 10).toString(36)).join('');
}

/**
 * A line indented like an indented code block (4+ columns after its quote and list markers, however nested) gets a
 * zero-width space before its text, so such a block's text never starts with a query prefix such as `$=`. A list
 * item (a nested list) is left alone: its text starts with its marker.
 */
function inertIndent(line: string): string {
    const { prefix, rest } = splitContainer(line);
    const indent = /^[ \t]*/.exec(rest)?.[0] ?? '';
    const text = rest.slice(indent.length);
    if (indent.replace(/\t/g, '    ').length < 4 || text === '') return line;
    return `${prefix}${indent}\u200b${text}`;
}

function neutraliseText(text: string): string {
    return text
        .replace(/!\[\[/g, '[[')
        .replace(/!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g, (_m, alt: string, url: string) =>
            imageLink(alt, url),
        )
        .replace(/!\[/g, '\\![')
        .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
        .replace(/`/g, '&#96;')
        .replace(/~{3,}/g, (run) => '&#126;'.repeat(run.length));
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
        // Tag names, not `instanceof`: an element of a pop-out window is not an instance of this window's classes.
        if (el.tagName === 'A') {
            const href = el.getAttribute('href') ?? '';
            if (href !== '' && !SAFE_LINK.test(href.trim()) && !isRelative(href)) {
                el.removeAttribute('href');
                el.classList.add('vault-agent-blocked-link');
                fixed++;
            }
        }
        if (el.tagName === 'IMG') {
            const src = el.getAttribute('src') ?? '';
            if (!LOCAL_IMAGE.test(src) && !isRelative(src)) {
                el.replaceWith(inertImage(root, el.getAttribute('alt') ?? '', src));
                fixed++;
            }
        }
    }
    return fixed;
}

function isRelative(url: string): boolean {
    return url !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(url.trim()) && !url.trim().startsWith('//');
}

/** The label standing for an image, made under `root` (by its document, a pop-out window's when it is there). */
function inertImage(root: HTMLElement, alt: string, src: string): HTMLElement {
    const host = hostOf(src);
    return root.createSpan({
        cls: 'vault-agent-inert-image',
        text: `Image from ${host === '' ? 'an unknown source' : host}${alt === '' ? '' : `: ${alt}`} (not loaded)`,
    });
}
