/**
 * Test doubles for the changes room: a scripted approval gate that records every request, in-memory checkpoint
 * persistence, and a builder that wires a real `ChangeController` to a real temp-folder vault.
 */
import type { ApprovalGate, ApprovalRequestOptions, Decision } from '../../../src/agent/changes/approval';
import { ChangeController } from '../../../src/agent/changes/change-controller';
import type { CheckpointPersistence, OpenNoteEditors } from '../../../src/agent/changes/change-ports';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import type { ChangeProposal } from '../../../src/agent/changes/proposal';
import { ExclusionGate } from '../../../src/context/exclusions';
import type { PermissionModeName } from '../../../src/kernel/permission-mode-name';
import { makeTempVault, type TempVault } from '../../support/temp-vault';

/** What the scripted gate was asked. */
export interface RecordedRequest {
    /** The proposal shown. */
    proposal: ChangeProposal;
    /** The options it came with. */
    options: ApprovalRequestOptions;
}

/** A scripted answer: a decision, or a function of the proposal (may act on the vault meanwhile, like a person). */
export type ScriptedAnswer = Decision | ((proposal: ChangeProposal) => Decision | Promise<Decision>);

/** Answers requests from a script, in order; when the script runs out it approves what it is shown. */
export class ScriptedApprovalGate implements ApprovalGate {
    /** Every request, in order. */
    readonly requests: RecordedRequest[] = [];
    private readonly script: ScriptedAnswer[];

    constructor(script: ScriptedAnswer[] = []) {
        this.script = [...script];
    }

    /** Records the request and answers from the script. */
    async request(proposal: ChangeProposal, options: ApprovalRequestOptions): Promise<Decision> {
        this.requests.push({ proposal, options });
        const next = this.script.shift();
        if (next === undefined) return { kind: 'approve', binding: proposal.binding };
        return typeof next === 'function' ? next(proposal) : next;
    }
}

/** Approves exactly the proposal shown. */
export const approveShown = (proposal: ChangeProposal): Decision => ({ kind: 'approve', binding: proposal.binding });

/** Keeps checkpoints in memory, as JSON, so what is saved must survive serialisation. */
export class MemoryCheckpointPersistence implements CheckpointPersistence {
    /** The last saved JSON, or null. */
    json: string | null = null;
    /** How many times `save` ran. */
    saves = 0;

    /** The saved value, parsed. */
    async load(): Promise<unknown> {
        return this.json === null ? null : (JSON.parse(this.json) as unknown);
    }

    /** Saves as JSON. */
    async save(data: unknown): Promise<void> {
        this.json = JSON.stringify(data);
        this.saves++;
    }
}

/** A controller on a temp vault with the default privacy rules (#private, `Journal/`). */
export interface Harness {
    /** The temp vault. */
    temp: TempVault;
    /** The controller under test. */
    controller: ChangeController;
    /** The scripted gate. */
    approvals: ScriptedApprovalGate;
    /** The checkpoint store. */
    checkpoints: CheckpointStore;
    /** The persistence behind it. */
    persistence: MemoryCheckpointPersistence;
}

/** Builds a harness; remember `await harness.temp.cleanup()`. */
export async function makeHarness(options: {
    files?: Record<string, string | Uint8Array>;
    mode: PermissionModeName;
    script?: ScriptedAnswer[];
    scope?: { outputFolder: string };
    editors?: OpenNoteEditors;
    manyNotesThreshold?: number;
    configDir?: string;
}): Promise<Harness> {
    const temp = await makeTempVault(
        options.files ?? {},
        options.configDir === undefined ? {} : { configDir: options.configDir },
    );
    const gate = new ExclusionGate({
        vault: temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    });
    const approvals = new ScriptedApprovalGate(options.script ?? []);
    const persistence = new MemoryCheckpointPersistence();
    const checkpoints = new CheckpointStore({ vault: temp.vault, persistence });
    const controller = new ChangeController({
        vault: temp.vault,
        gate,
        approvals,
        mode: options.mode,
        checkpoints,
        scope: options.scope,
        editors: options.editors,
        manyNotesThreshold: options.manyNotesThreshold,
    });
    return { temp, controller, approvals, checkpoints, persistence };
}

/** Every file under the vault folder except `.trash`, path → bytes as hex, to prove "nothing changed". */
export async function snapshot(root: string): Promise<Record<string, string>> {
    const { readdir, readFile } = await import('node:fs/promises');
    const nodePath = await import('node:path');
    const result: Record<string, string> = {};
    const walk = async (dir: string, prefix: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
            const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
            if (rel === '.trash') continue;
            const abs = nodePath.join(dir, entry.name);
            if (entry.isDirectory()) await walk(abs, rel);
            else result[rel] = (await readFile(abs)).toString('hex');
        }
    };
    await walk(root, '');
    return result;
}

/** `n` numbered lines, each ending in `\n`. */
export function numberedLines(n: number, prefix = 'line'): string {
    return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');
}
