/**
 * A job's first message: its context references (`[[Note]]`, `Folder/`, `#tag`) resolved when the job RUNS, through
 * the exclusion gate as it is then (a note made private after the job was queued is not sent — docs/RELIABILITY.md row
 * 13), followed by the brief.
 */
import { contextWindowFor } from '../agent/compaction/context-window';
import { contextBuilderFor } from '../context/build-context';
import type { AttachmentBlock } from '../context/attachments';
import type { ContextBundle } from '../context/bundle';
import type { AttachmentReading } from '../context/mentions';
import { parseMentions, type Mention } from '../context/mention-parser';
import type { ExclusionGate } from '../context/exclusions';
import { DEFAULT_SETTINGS, type ContextSettings } from '../kernel/settings';
import type { VaultPort } from '../kernel/vault-port';
import type Anthropic from '@anthropic-ai/sdk';
import { contextDocuments } from '../agent/citations/context-documents';

/**
 * How a job may change the vault: `delegate` creates new notes in its output folder, `propose` records changes for
 * the person's review (the review inbox), `read-only` changes nothing.
 */
export type JobMode = 'delegate' | 'propose' | 'read-only';

/** The mode a job note's `mode:` asks for; anything else runs read-only. */
export function jobModeOf(value: string): JobMode {
    return value === 'delegate' || value === 'propose' ? value : 'read-only';
}

/** What a job sends first, and what the person and the artifact are told about it. */
export interface JobPrompt {
    /** The whole first user message; a job's loaded skills (rendered) go just before the brief they serve. */
    message(loadedSkills?: string): string;
    /** The same message as blocks, each context note a citable document (what a job sends). */
    blocks(loadedSkills?: string): Anthropic.ContentBlockParam[];
    /** The vault's instructions for the cached system prefix. */
    instructions: string;
    /** Paths of the notes sent, for the artifact's provenance. */
    sources: string[];
    /** How many references were left out by the privacy settings (never their names). */
    excluded: number;
    /** References that resolved to nothing, as written. */
    missing: string[];
    /** The bundle itself. */
    bundle: ContextBundle;
    /** The mentioned PDFs and images as `document` and `image` blocks, each with its path; sent before the message. */
    attachments: { block: AttachmentBlock; path: string }[];
}

/** A job reference (`[[Note]]`, `Folder/`, `#tag`) for one mention. */
export function mentionReference(mention: Mention): string {
    switch (mention.kind) {
        case 'note':
            return `[[${mention.link}${mention.subpath}]]`;
        case 'folder':
            return `${mention.folder}/`;
        case 'tag':
            return `#${mention.tag}`;
    }
}

/**
 * The job references in `texts`' @-mentions, first occurrence kept, in order: how a brief's (and a custom command's)
 * `@[[Note]]`, `@Folder/` and `@#tag` become a job's context, in the enqueue modal and `vault-agent enqueue` alike.
 */
export function contextReferences(...texts: string[]): string[] {
    return [...new Set(texts.flatMap((text) => parseMentions(text).map(mentionReference)))];
}

/** Turns one context reference into the mention syntax of `context/mention-parser.ts` (`#tag` → `@#tag`). */
export function referenceToMention(reference: string): string {
    const ref = reference.trim();
    if (ref.startsWith('#')) return `@${ref}`;
    const link = /^!?\[\[([^\]]+)\]\]$/u.exec(ref)?.[1] ?? ref;
    return `@[[${link}]]`;
}

/** What to tell the model about its job: the rules of an unattended job. */
export function jobPreamble(mode: JobMode, outputFolder: string): string {
    const writes =
        mode === 'delegate'
            ? `You may create new notes only inside "${outputFolder}/"; you may not edit, rename or delete any note.`
            : mode === 'propose'
              ? 'Your write tools only propose changes, for the person to review later; nothing is applied now. ' +
                'Propose each change once.'
              : 'You may not change the vault.';
    return (
        'You are running a delegated job unattended: nobody will answer questions until it is done. ' +
        `${writes} Your final answer is saved as the job's result note, so write it as that note's content.`
    );
}

/** Resolves the job's references now, with `settings.context` applied as for a chat, and builds its first message. */
export async function buildJobPrompt(
    deps: {
        vault: VaultPort;
        gate: ExclusionGate;
        /** `settings.context` (instructions note, budget share, embeds, list limit); the defaults when absent. */
        context?: ContextSettings;
        /** How the job's PDFs and images are read and sent; without it they are named, not sent. */
        attachments?: AttachmentReading;
    },
    job: { context: readonly string[]; brief: string },
    /** How the job runs, and its model, whose context window `context.budgetShare` is a share of. */
    setup: { mode: JobMode; output: string; model: string },
): Promise<JobPrompt> {
    const builder = contextBuilderFor({
        vault: deps.vault,
        gate: deps.gate,
        settings: deps.context ?? DEFAULT_SETTINGS.context,
        windowTokens: contextWindowFor(setup.model),
        ...(deps.attachments !== undefined ? { attachments: deps.attachments } : {}),
    });
    const preamble = jobPreamble(setup.mode, setup.output);
    const message = job.context.map(referenceToMention).join(' ');
    const bundle = await builder.build({ message, attachFocusedNote: false });
    const sources = [
        ...new Set(
            bundle
                .sentItems()
                .flatMap((item) => (item.kind === 'instructions' || item.path === undefined ? [] : [item.path])),
        ),
    ];
    const context = bundle.context();
    const brief = `<job-brief>\n${job.brief.trim()}\n</job-brief>`;
    const skillsText = (loadedSkills: string): string =>
        loadedSkills === '' ? '' : `<loaded-skills>\n${loadedSkills}\n</loaded-skills>`;
    return {
        blocks: (loadedSkills = '') => {
            const tail = [skillsText(loadedSkills), brief].filter((part) => part !== '').join('\n\n');
            return [
                { type: 'text', text: preamble },
                ...contextDocuments(bundle).map((part) => part.block),
                { type: 'text', text: tail },
            ];
        },
        message: (loadedSkills = '') => {
            const skills = loadedSkills === '' ? '' : `<loaded-skills>\n${loadedSkills}\n</loaded-skills>`;
            return [preamble, context, skills, brief].filter((part) => part !== '').join('\n\n');
        },
        instructions: bundle.system(),
        sources,
        excluded: bundle.items.filter((item) => item.kind === 'excluded').length,
        missing: bundle.items.filter((item) => item.kind === 'missing').map((item) => item.label),
        bundle,
        attachments: bundle.attachmentBlocks(),
    };
}
