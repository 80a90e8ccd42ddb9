/**
 * The fallback for an endpoint that turns out not to read PDFs: every base64 PDF `document` block of the history (in
 * the person's turns and in tool results) becomes the PDF's extracted text, loaded again from the vault, with what was
 * left out said; the request then goes again. The blocks keep their provenance, so the gate still follows them.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { reloadAsText, type LoadedAttachment } from '../../context/attachments';
import type { Conversation } from './conversation';

/** Whether `messages` carry a base64 PDF anywhere (top level or in a tool result). */
export function carriesPdf(messages: readonly { content: readonly Anthropic.ContentBlockParam[] }[]): boolean {
    return messages.some((message) =>
        message.content.some(
            (block) =>
                isPdf(block) ||
                (block.type === 'tool_result' && Array.isArray(block.content) && block.content.some(isPdf)),
        ),
    );
}

/** Replaces every base64 PDF of `conversation` by its text; returns how many were replaced. */
export async function documentsAsText(conversation: Conversation): Promise<number> {
    let replaced = 0;
    for (const message of conversation.snapshot()) {
        for (let index = 0; index < message.content.length; index++) {
            const block = message.content[index] as Anthropic.ContentBlockParam;
            if (isPdf(block)) {
                const text: Anthropic.TextBlockParam = { type: 'text', text: await textOf(block) };
                conversation.tag(text, conversation.sourcesOf(block));
                message.content[index] = text;
                replaced++;
            } else if (block.type === 'tool_result' && Array.isArray(block.content) && block.content.some(isPdf)) {
                const content = await Promise.all(
                    block.content.map(async (part) =>
                        isPdf(part) ? { type: 'text' as const, text: await textOf(part) } : part,
                    ),
                );
                const result: Anthropic.ToolResultBlockParam = { ...block, content };
                conversation.tag(result, conversation.sourcesOf(block));
                message.content[index] = result;
                replaced++;
            }
        }
    }
    return replaced;
}

function isPdf(block: { type: string }): block is Anthropic.DocumentBlockParam {
    const source = (block as Partial<Anthropic.DocumentBlockParam>).source;
    return block.type === 'document' && source?.type === 'base64' && source.media_type === 'application/pdf';
}

async function textOf(block: Anthropic.DocumentBlockParam): Promise<string> {
    const name = block.title ?? 'a PDF';
    let loaded: LoadedAttachment | null = null;
    try {
        loaded = await reloadAsText(block);
    } catch {
        loaded = null;
    }
    if (loaded === null) return `[${name} was left out: the endpoint does not read PDF documents.]`;
    const notices = loaded.notices.map((notice) => `[${notice}.]`);
    return [`<pdf-text path="${name.replace(/"/g, '&quot;')}">`, ...notices, loaded.text, '</pdf-text>'].join('\n');
}
