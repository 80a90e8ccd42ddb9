/**
 * `read_attachment`: a PDF or an image of the vault, for the model to read. A PDF comes whole as a `document` block
 * where the endpoint reads documents and the file is within the API's limits, else (and for a page range) as its
 * extracted text; an image as an `image` block. What was left out is said, with the reason. The gate judges the file
 * and the notes that use it (an image only private notes embed is excluded), as for a mention.
 */
import { AttachmentAllowance, loadAttachment, parsePageRange } from '../../context/attachments';
import { attachmentKindOf } from '../../context/attachment-files';
import { DEFAULT_BUDGET_SHARE, DEFAULT_CONTEXT_WINDOW } from '../../context/packer';
import { normalizeVaultPath } from '../../kernel/path-policy';
import { defineTool, toolError } from './define-tool';
import { notFoundMessage } from './note-paths';
import type { Tool, ToolContext, ToolResult } from './tool';

/** `read_attachment` input. */
interface ReadAttachmentInput {
    /** The file. */
    path: string;
    /** Pages of a PDF, e.g. "3-7". */
    pages?: string;
}

/** Tokens one call may return: the share of a window the attached context may take. */
const MAX_TOKENS = Math.floor(DEFAULT_CONTEXT_WINDOW * DEFAULT_BUDGET_SHARE);

/** `read_attachment`: a PDF (optionally some pages) or an image. */
export const readAttachmentTool: Tool = defineTool<ReadAttachmentInput>(
    {
        name: 'read_attachment',
        description:
            'Read a PDF or an image (png, jpg, gif, webp) kept in the vault. A PDF comes whole as a document when ' +
            'it fits, otherwise as the text of its pages; pass pages (e.g. "3-7" or "12") to read only those pages ' +
            'as text. The result says which pages were sent and what was left out. Use list_notes or note_links ' +
            'to find attachments.',
        inputSchema: {
            type: 'object',
            properties: {
                path: {
                    type: 'string',
                    minLength: 1,
                    description: 'Vault-relative path of the file, e.g. "Papers/Smith 2021.pdf".',
                },
                pages: { type: 'string', description: 'PDF pages to read, e.g. "3-7", "12" or "40-". Omit for all.' },
            },
            required: ['path'],
            additionalProperties: false,
        },
        effect: 'read',
    },
    readAttachment,
);

async function readAttachment(input: ReadAttachmentInput, context: ToolContext): Promise<ToolResult> {
    const checked = normalizeVaultPath(input.path);
    if (!checked.ok) return toolError(checked.reason);
    const path = checked.path;
    const kind = attachmentKindOf(path);
    if (kind === null) {
        return toolError(`${path} is not a PDF or an image; read notes with read_note.`);
    }
    // The file and the notes that use it, looked at again now: the gate judges an attachment by them.
    await context.vault.revalidate?.([path, ...context.vault.backlinks(path)]);
    if (context.gate.isExcluded(path) || (await context.vault.stat(path)) === null) {
        return toolError(notFoundMessage(path).replace('no note', 'no file'));
    }
    const pages = input.pages === undefined ? undefined : parsePageRange(input.pages);
    if (pages === null) return toolError(`Invalid pages "${input.pages ?? ''}": write e.g. "3-7", "12" or "40-".`);
    if (pages !== undefined && kind !== 'pdf') return toolError('pages applies to PDFs only.');
    const reading = context.attachments;
    const loaded = await loadAttachment(path, {
        vault: context.vault,
        pdf: reading?.pdf,
        documents: reading?.documents() ?? false,
        maxTokens: MAX_TOKENS,
        allowance: new AttachmentAllowance(),
        pages,
    });
    const facts = Object.entries(loaded.attributes)
        .map(([name, value]) => `${name}: ${value}`)
        .join(', ');
    const lines = [`${path} (${kind}${facts === '' ? '' : `, ${facts}`})`, ...loaded.notices.map((n) => `${n}.`)];
    if (loaded.block !== undefined) lines.push(`Sent as the ${loaded.block.type} block below.`);
    if (loaded.text !== '') lines.push('', loaded.text);
    const result: ToolResult = { content: lines.join('\n'), sources: [path] };
    if (loaded.block !== undefined) result.blocks = [loaded.block];
    if (loaded.empty) result.isError = true;
    return result;
}
