/**
 * The settings sections of work that leaves the device or comes from outside it: where word of a job's end is sent
 * (a webhook, an ntfy topic; each job or trigger opts in with `deliver:`), and whether MCP clients may queue jobs,
 * with the budget each client's jobs get.
 */
import { Setting } from 'obsidian';
import {
    DEFAULT_DELIVERY,
    DEFAULT_MCP_JOBS,
    isWebUrl,
    MCP_WAITING_JOBS,
    type DeliverySettings,
    type McpJobSettings,
} from '../../kernel/delivery-settings';
import type { DelegateBudget, Settings } from '../../kernel/settings';
import { LIMITS } from '../../kernel/read-groups';
import { errorIn, fail, lines, ok, parseDecimal, parseInteger, type Parsed, type TabKit } from './tab-kit';

function delivery(draft: Settings): DeliverySettings {
    draft.delivery ??= structuredClone(DEFAULT_DELIVERY);
    return draft.delivery;
}

function mcpJobs(draft: Settings): McpJobSettings {
    draft.mcpJobs ??= structuredClone(DEFAULT_MCP_JOBS);
    return draft.mcpJobs;
}

/** Renders the Delivery section. */
export function renderDeliverySection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    const now = settings.delivery ?? DEFAULT_DELIVERY;
    new Setting(el)
        .setName('Delivery')
        .setDesc(
            'Word of a job that ends (done, failed, or with proposals to review), sent off this device. Only jobs ' +
                'and triggers that say "deliver: webhook" or "deliver: ntfy" send anything; by default a message ' +
                'holds the job name, its status and a link, never note text.',
        )
        .setHeading();
    kit.field(el, {
        name: 'Webhook URL',
        desc: 'Gets a JSON POST per job. Empty: no webhook.',
        value: now.webhookUrl,
        placeholder: 'https://',
        parse: (raw) => parseUrl(raw, true),
        apply: (draft, value) => (delivery(draft).webhookUrl = value),
    });
    kit.field(el, {
        name: 'Ntfy server',
        desc: 'The ntfy server to publish to.',
        value: now.ntfyServer,
        parse: (raw) => parseUrl(raw, false),
        apply: (draft, value) => (delivery(draft).ntfyServer = value),
    });
    kit.field(el, {
        name: 'Ntfy topic',
        desc: 'Anyone who knows a topic on a public server can read it: choose one that is hard to guess.',
        value: now.ntfyTopic,
        parse: (raw) =>
            /^[A-Za-z0-9_-]{0,64}$/u.test(raw.trim())
                ? ok(raw.trim())
                : fail('Letters, digits, - and _ only, 64 at most.'),
        apply: (draft, value) => (delivery(draft).ntfyTopic = value),
    });
    kit.field(el, {
        name: 'Tries per message',
        desc: 'A message that cannot be delivered is logged in the job note; the job itself ends as it would.',
        value: String(now.attempts),
        parse: (raw) => parseInteger(raw, 1, 5),
        apply: (draft, value) => (delivery(draft).attempts = value),
    });
}

/** Renders the Jobs from MCP clients section. */
export function renderMcpJobsSection(el: HTMLElement, settings: Settings, kit: TabKit): void {
    const now = settings.mcpJobs ?? DEFAULT_MCP_JOBS;
    new Setting(el)
        .setName('Jobs from MCP clients')
        .setDesc(
            'Lets MCP clients of "vault-agent mcp" queue jobs (enqueue_job). They run where a queue runs, under your ' +
                `exclusions, as delegate, read-only or propose jobs only, at most ${MCP_WAITING_JOBS} of them waiting at once.`,
        )
        .setHeading();
    const toggleRow = new Setting(el).setName('Allow MCP clients to queue jobs');
    const errorEl = errorIn(toggleRow);
    toggleRow.addToggle((toggle) =>
        toggle.setValue(now.enabled).onChange((on) => kit.save(errorEl, (draft) => (mcpJobs(draft).enabled = on))),
    );
    kit.field(el, {
        name: 'Budget of each job',
        desc: 'Turns and US dollars, for clients without their own budget: "10, 0.25".',
        value: `${now.budget.turns}, ${now.budget.usd}`,
        parse: parseBudget,
        apply: (draft, value) => (mcpJobs(draft).budget = value),
    });
    kit.field(el, {
        name: 'Budgets by client',
        desc: 'One client a line, by the name it gives when it connects: "Claude Desktop: 20, 1".',
        value: Object.entries(now.clients)
            .map(([name, budget]) => `${name}: ${budget.turns}, ${budget.usd}`)
            .join('\n'),
        multiline: true,
        parse: parseClientBudgets,
        apply: (draft, value) => (mcpJobs(draft).clients = value),
    });
}

function parseUrl(raw: string, allowEmpty: boolean): Parsed<string> {
    const text = raw.trim();
    if (allowEmpty && text === '') return ok('');
    return isWebUrl(text) ? ok(text) : fail('An http:// or https:// address.');
}

function parseBudget(raw: string): Parsed<DelegateBudget> {
    const [turnsText = '', usdText = ''] = raw.split(',').map((part) => part.trim());
    const turns = parseInteger(turnsText, LIMITS.budgetTurns.min, LIMITS.budgetTurns.max);
    if (!turns.ok) return fail(`Turns: ${turns.message}`);
    const usd = parseDecimal(usdText, LIMITS.budgetUsd.min, LIMITS.budgetUsd.max);
    if (!usd.ok) return fail(`Dollars: ${usd.message}`);
    return ok({ turns: turns.value, usd: usd.value });
}

function parseClientBudgets(raw: string): Parsed<Record<string, DelegateBudget>> {
    const clients: Record<string, DelegateBudget> = {};
    for (const line of lines(raw)) {
        const colon = line.lastIndexOf(':');
        const name = colon === -1 ? '' : line.slice(0, colon).trim();
        if (name === '') return fail(`"${line}": write "client name: turns, dollars".`);
        const budget = parseBudget(line.slice(colon + 1));
        if (!budget.ok) return fail(`${name}: ${budget.message}`);
        clients[name] = budget.value;
    }
    return ok(clients);
}
