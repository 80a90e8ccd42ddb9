/**
 * Artifacts: the result of a job is a NEW note in its output folder, named after the job and carrying the job id
 * (`Summary of customer calls (job-7f3a2b1c).md`), with provenance frontmatter (job, sources, model, created,
 * `status: complete | incomplete`) and links to its sources. It is written through the ChangeController like every
 * other change (delegate scope = the output folder, exclusions, atomic create that never overwrites, a checkpoint, so
 * it can be undone); a retry first looks for an artifact of the same job id, so a job never leaves two. Nobody
 * reviews it before it lands, so code other plugins would run (Dataview JS, Templater, …) is made inert first, and the
 * job log says so.
 */
import { neutraliseExecutable, neutralisedLogLine } from '../vault/executable-content';
import type { ApprovalGate } from '../agent/changes/approval';
import { ChangeController } from '../agent/changes/change-controller';
import type { CheckpointStore } from '../agent/changes/checkpoints';
import { buildProposal } from '../agent/changes/proposal';
import type { ExclusionGate } from '../context/exclusions';
import { checkWritablePath, normalizeVaultPath } from '../kernel/path-policy';
import { sanitizeNoteName, uniqueNotePath } from '../kernel/safe-names';
import type { VaultPort } from '../kernel/vault-port';
import { formatEntry } from './job-yaml';
import type { AnswerSources } from '../agent/citations/answer-sources';
import { sourcesSection } from './sources-section';

/** What an artifact is made of. */
export interface ArtifactInput {
    /** The job id, carried in the file name. */
    jobId: string;
    /** The job's title (its note's name). */
    title: string;
    /** The job note's path, linked from the artifact. */
    jobPath: string;
    /** The output folder (vault-relative). */
    outputFolder: string;
    /** The result text (the model's final answer). */
    text: string;
    /** Paths of the notes the job was given. */
    sources: string[];
    /** The model that wrote it. */
    model: string;
    /** ms since the epoch. */
    now: number;
    /** `null` when complete, else why it is not (shown at the top of the note). */
    incomplete: string | null;
    /** The answer's cited passages (quoted in *Sources*), or its note-level fallback. */
    cited?: AnswerSources;
}

/** Thrown when the output folder is not a place a job may write. */
export class ArtifactError extends Error {
    override readonly name: string = 'ArtifactError';
}

/**
 * The artifact of `jobId` already in `outputFolder`, if one exists: first where it would be named (asked of the disk,
 * so one written by another runner counts), then any note in the folder carrying the id. A note whose `job:` link
 * names another job note that exists is that job's result (its note was copied, id and all), never this one's.
 */
export async function findArtifact(
    vault: VaultPort,
    outputFolder: string,
    jobId: string,
    title: string,
    jobPath?: string,
): Promise<string | null> {
    if (jobId === '') return null;
    const prefix = `${outputFolder.replace(/\/+$/u, '')}/`;
    const candidates: string[] = [];
    const expected = normalizeVaultPath(`${prefix}${sanitizeNoteName(`${title} (${jobId}).md`)}`);
    if (expected.ok && (await vault.stat(expected.path)) !== null) candidates.push(expected.path);
    const marker = `(${jobId})`;
    for (const file of await vault.list()) {
        if (file.path.startsWith(prefix) && file.path.includes(marker) && !candidates.includes(file.path))
            candidates.push(file.path);
    }
    for (const candidate of candidates) {
        if (jobPath === undefined || (await belongsTo(vault, candidate, jobPath))) return candidate;
    }
    return null;
}

/** False when the artifact's `job:` link names a different job note that exists. */
async function belongsTo(vault: VaultPort, artifact: string, jobPath: string): Promise<boolean> {
    let text: string;
    try {
        text = await vault.read(artifact);
    } catch {
        return false;
    }
    const link = /^job:\s*["']?\[\[([^\]|#]+)/mu.exec(text)?.[1]?.trim();
    if (link === undefined) return true;
    const own = jobPath.replace(/\.md$/iu, '');
    if (link === own) return true;
    return (await vault.stat(`${link}.md`).catch(() => null)) === null;
}

/** A wikilink to a vault path, without `.md`. */
export function linkTo(path: string): string {
    return `[[${path.replace(/\.md$/iu, '')}]]`;
}

/** Where an artifact is written: the vault, through a ChangeController built on these. */
export interface ArtifactTarget {
    /** The vault. */
    vault: VaultPort;
    /** The exclusion gate: an excluded output folder is not written to. */
    gate: ExclusionGate;
    /** Records the artifact's creation, so it can be undone like any other change. */
    checkpoints: CheckpointStore;
}

/** Nobody approves an artifact: delegate's policy applies it inside the output folder and refuses everything else. */
const NOBODY: ApprovalGate = {
    request: () => Promise.resolve({ kind: 'deny', reason: 'Nobody approves a job result.' }),
};

/** The undo group an artifact's checkpoint belongs to. */
export function artifactTurnId(jobId: string): string {
    return `${jobId}-result`;
}

/** A written artifact. */
export interface WrittenArtifact {
    /** Where it was written. */
    path: string;
    /** The job-log line saying what executable content was made inert, or `null` when there was none. */
    neutralised: string | null;
}

/**
 * Writes the artifact as a new note through the ChangeController. Never overwrites: a taken name gets a suffix.
 * Throws `ArtifactError` when the controller refuses it (an excluded or unusable output folder).
 */
export async function writeArtifact(target: ArtifactTarget, input: ArtifactInput): Promise<WrittenArtifact> {
    const { vault } = target;
    const folder = normalizeVaultPath(input.outputFolder);
    if (!folder.ok || folder.path === '')
        throw new ArtifactError(`The output folder "${input.outputFolder}" is not usable.`);
    const name = sanitizeNoteName(`${input.title} (${input.jobId}).md`);
    const desired = checkWritablePath(`${folder.path}/${name}`, vault.configDir);
    if (!desired.ok)
        throw new ArtifactError(`The output folder "${input.outputFolder}" is not writable: ${desired.reason}`);
    const { content, neutralised } = renderArtifact(input);
    const changes = new ChangeController({
        vault,
        gate: target.gate,
        approvals: NOBODY,
        mode: 'delegate',
        checkpoints: target.checkpoints,
        scope: { outputFolder: folder.path },
    });
    let path = desired.path;
    for (let attempt = 0; ; attempt++) {
        const proposal = buildProposal({ kind: 'create', path, base: null, proposed: content });
        const outcome = await changes.submit(proposal, { turnId: artifactTurnId(input.jobId) });
        if (outcome.applied) return { path: outcome.path, neutralised };
        if (outcome.refusal !== 'exists' || attempt >= 3) throw new ArtifactError(outcome.message);
        path = await uniqueNotePath(desired.path, async (candidate) => (await vault.stat(candidate)) !== null);
    }
}

/**
 * The artifact's text: provenance frontmatter, a title, the result, and links to the sources; everything after the
 * frontmatter with executable content made inert (`neutralised` says what, for the job log).
 */
export function renderArtifact(input: ArtifactInput): { content: string; neutralised: string | null } {
    const created = new Date(input.now).toISOString();
    const head = [
        '---',
        formatEntry('vault-agent', 'artifact'),
        formatEntry('job', linkTo(input.jobPath)),
        formatEntry('sources', input.sources.map(linkTo)),
        formatEntry('model', input.model),
        formatEntry('created', created),
        formatEntry('status', input.incomplete === null ? 'complete' : 'incomplete'),
        '---',
        '',
    ];
    const warning = input.incomplete === null ? [] : [`> [!warning] Incomplete result`, `> ${input.incomplete}`, ''];
    const sources = sourcesSection(input.sources, input.cited);
    const body = neutraliseExecutable(
        [`# ${input.title}`, '', ...warning, input.text.trim(), ...sources, ''].join('\n'),
    );
    return { content: [...head, body.text].join('\n'), neutralised: neutralisedLogLine(body.found) };
}
