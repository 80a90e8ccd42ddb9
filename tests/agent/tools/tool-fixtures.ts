/**
 * A tool harness on a real temp-folder vault: the real exclusion gate, a real ChangeController with a recording
 * approval gate, and a fresh ReadLedger, so each test talks to the tools the way the turn loop does (by name, with
 * raw JSON input).
 */
import { vi, type MockInstance } from 'vitest';
import type { ApprovalGate, ApprovalRequestOptions, Decision } from '../../../src/agent/changes/approval';
import { ChangeController } from '../../../src/agent/changes/change-controller';
import type { CheckpointPersistence } from '../../../src/agent/changes/change-ports';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import type { ChangeProposal } from '../../../src/agent/changes/proposal';
import { ReadLedger } from '../../../src/agent/tools/read-ledger';
import { vaultTools } from '../../../src/agent/tools/registry';
import { type ToolContext, type ToolResult } from '../../../src/agent/tools/tool';
import { ExclusionGate } from '../../../src/context/exclusions';
import type { PermissionModeName } from '../../../src/kernel/permission-mode-name';
import type { PrivacySettings } from '../../../src/kernel/settings';
import { makeTempVault, type TempVault } from '../../support/temp-vault';

/** Records every approval request and answers each with the scripted decision (approve what is shown by default). */
export class RecordingApprovalGate implements ApprovalGate {
    /** Every proposal the person was shown, in order. */
    readonly shown: ChangeProposal[] = [];

    constructor(private readonly answer: (proposal: ChangeProposal) => Decision = approve) {}

    /** Records and answers. */
    async request(proposal: ChangeProposal, _options: ApprovalRequestOptions): Promise<Decision> {
        this.shown.push(proposal);
        return this.answer(proposal);
    }
}

/** Approves exactly the proposal shown. */
export function approve(proposal: ChangeProposal): Decision {
    return { kind: 'approve', binding: proposal.binding };
}

/** Keeps checkpoints in memory. */
class MemoryPersistence implements CheckpointPersistence {
    private value: unknown = null;
    async load(): Promise<unknown> {
        return this.value;
    }
    async save(data: unknown): Promise<void> {
        this.value = data;
    }
}

/** What a test gets. */
export interface ToolHarness {
    /** The temp vault (remember `cleanup`). */
    temp: TempVault;
    /** The context every call runs with. */
    context: ToolContext;
    /** The recording approval gate. */
    approvals: RecordingApprovalGate;
    /** A spy on the real controller's `submit`, to prove a refused write never reached it. */
    submit: MockInstance<ChangeController['submit']>;
    /** Runs the tool called `name` (as offered in the harness's mode) with raw input. */
    run(name: string, input: unknown): Promise<ToolResult>;
}

/** The privacy rules the tests use unless they say otherwise. */
export const TEST_PRIVACY: PrivacySettings = { excludedTags: ['private'], excludedFolders: ['Journal/'] };

/** Builds a harness on a temp vault holding `files`. */
export async function makeToolHarness(
    files: Record<string, string | Uint8Array>,
    options: {
        mode?: PermissionModeName;
        configDir?: string;
        /** `null` = settings unreadable (the gate is locked). */
        privacy?: PrivacySettings | null;
        answer?: (proposal: ChangeProposal) => Decision;
    } = {},
): Promise<ToolHarness> {
    const mode = options.mode ?? 'ask';
    const temp = await makeTempVault(files, options.configDir === undefined ? {} : { configDir: options.configDir });
    const privacy = options.privacy === undefined ? TEST_PRIVACY : options.privacy;
    const gate = new ExclusionGate({ vault: temp.vault, privacy });
    const approvals = new RecordingApprovalGate(options.answer);
    const checkpoints = new CheckpointStore({ vault: temp.vault, persistence: new MemoryPersistence() });
    const controller = new ChangeController({
        vault: temp.vault,
        gate,
        approvals,
        mode,
        checkpoints,
        ...(mode === 'delegate' ? { scope: { outputFolder: 'Agent/Outputs' } } : {}),
    });
    const submit = vi.spyOn(controller, 'submit');
    const context: ToolContext = {
        vault: temp.vault,
        gate,
        reads: new ReadLedger(),
        changes: mode === 'read-only' ? null : controller,
        turnId: 'turn-1',
    };
    const tools = vaultTools(mode);
    return {
        temp,
        context,
        approvals,
        submit,
        run: async (name, input) => {
            const tool = tools.find((t) => t.definition.name === name);
            if (tool === undefined) throw new Error(`${name} is not offered in ${mode}`);
            return tool.run(input, context);
        },
    };
}

/** `n` lines `line 1` … `line n`, each ending in `\n`. */
export function numberedLines(n: number, prefix = 'line'): string {
    return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');
}
