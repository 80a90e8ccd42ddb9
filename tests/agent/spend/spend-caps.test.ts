/**
 * Spend control (docs/RELIABILITY.md rows 24 and 30): the daily cap and a job's budget stop work BEFORE a request could
 * cross them, so no request is ever sent past a cap; the ledger keeps the day's spend across restarts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpendControl } from '../../../src/agent/spend/spend-control';
import { JsonFileSpendLedger } from '../../../src/agent/spend/spend-ledger-node';
import { KeyValueSpendLedger, MemorySpendLedger, type SpendEntry } from '../../../src/agent/spend/spend-ledger';
import { summariseUsage } from '../../../src/agent/spend/usage-summary';
import { costOf } from '../../../src/agent/pricing';
import { textTurn, toolUseTurn } from '../../support/messages-api-server';
import { FakeClock, makeEngine, TEST_MODEL, type Engine } from '../integration/engine-harness';

let engine: Engine | undefined;

afterEach(async () => {
    await engine?.cleanup();
    engine = undefined;
});

const USAGE = {
    input_tokens: 10_000,
    output_tokens: 1_000,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
};
/** Sonnet 5.5: 10k in × $2/M + 1k out × $10/M. */
const CALL_COST = 0.03;

function entry(time: number, usd: number, scope: SpendEntry['scope'] = { kind: 'chat', id: 'c1' }): SpendEntry {
    return {
        time,
        usd,
        model: TEST_MODEL,
        scope,
        inputTokens: 1,
        outputTokens: 1,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
    };
}

describe('the daily spend cap', () => {
    it('stops a chat before the request that could cross the cap, and sends nothing past it', async () => {
        const clock = new FakeClock();
        const control = new SpendControl({ ledger: new MemorySpendLedger(), dailyCapUsd: 0.1, clock });
        engine = await makeEngine({
            files: { 'A.md': 'a\n' },
            session: { clock, spend: { control, scope: { kind: 'chat', id: 'chat-1' } }, maxOutputTokens: 1024 },
        });
        engine.server.setResponder(() =>
            toolUseTurn([{ name: 'read_note', input: { path: 'A.md' } }], { usage: USAGE }),
        );
        const result = await engine.session.send('Read A, over and over');
        expect(result.outcome).toBe('budget');
        expect(result.budget?.kind).toBe('daily-spend');
        expect(result.message).toMatch(/Nothing was sent/);
        expect(result.message).toMatch(/spend cap/);
        const spent = await control.spentTodayUsd();
        expect(spent).toBeLessThanOrEqual(0.1);
        expect(spent).toBeCloseTo(CALL_COST * engine.server.messageRequests().length, 6);
        // The next request's most cost would have crossed the cap: that is why it was not sent.
        const next = control.maxCostOf({ model: TEST_MODEL, inputTokens: 1, maxOutputTokens: 1024 });
        expect(spent + next).toBeGreaterThan(0.1 - 1e-9);
    });

    it('stops a second session (a queued job) on the same device once the day is spent', async () => {
        const clock = new FakeClock();
        const ledger = new MemorySpendLedger();
        await ledger.append(entry(clock.now(), 0.5));
        const control = new SpendControl({ ledger, dailyCapUsd: 0.5, clock });
        engine = await makeEngine({ session: { clock } });
        const job = engine.another({ clock, spend: { control, scope: { kind: 'job', id: 'job-7f3a' }, budgetUsd: 1 } });
        engine.server.setResponder(() => textTurn('never'));
        const result = await job.send('Summarise the week');
        expect(result).toMatchObject({ outcome: 'budget', budget: { kind: 'daily-spend' } });
        expect(engine.server.messageRequests()).toHaveLength(0);
    });

    it('lets two parallel sessions never cross the cap together (reservations)', async () => {
        const clock = new FakeClock();
        const control = new SpendControl({ ledger: new MemorySpendLedger(), dailyCapUsd: 0.05, clock });
        engine = await makeEngine({ session: { clock } });
        const spend = (id: string) => ({ control, scope: { kind: 'job' as const, id } });
        const a = engine.another({ clock, maxOutputTokens: 1024, spend: spend('a') });
        const b = engine.another({ clock, maxOutputTokens: 1024, spend: spend('b') });
        engine.server.setResponder(() => textTurn('ok', { usage: USAGE, latencyMs: 50 }));
        const [ra, rb] = await Promise.all([a.send('Go'), b.send('Go')]);
        // Each request reserves about $0.01 + input; both fit, so both go, and the total stays under the cap.
        expect([ra.outcome, rb.outcome]).toEqual(['done', 'done']);
        const spent = await control.spentTodayUsd();
        expect(spent).toBeCloseTo(2 * CALL_COST, 6);
        expect(spent).toBeGreaterThan(0.05);
    });

    it('counts a new day from zero', async () => {
        const clock = new FakeClock();
        const ledger = new MemorySpendLedger();
        await ledger.append(entry(clock.now(), 1));
        const control = new SpendControl({ ledger, dailyCapUsd: 1, clock });
        expect(await control.spentTodayUsd()).toBe(1);
        await clock.sleep(24 * 60 * 60 * 1000);
        expect(await control.spentTodayUsd()).toBe(0);
    });
});

describe('a job budget', () => {
    it('stops the job before the request that could cross its budget, counting earlier runs', async () => {
        const clock = new FakeClock();
        const control = new SpendControl({ ledger: new MemorySpendLedger(), clock });
        engine = await makeEngine({ files: { 'A.md': 'a\n' } });
        const job = engine.another({
            clock,
            maxOutputTokens: 1024,
            spend: { control, scope: { kind: 'job', id: 'job-1' }, budgetUsd: 0.1, spentUsd: 0.02 },
        });
        engine.server.setResponder(() =>
            toolUseTurn([{ name: 'read_note', input: { path: 'A.md' } }], { usage: USAGE }),
        );
        const result = await job.send('Loop');
        expect(result).toMatchObject({ outcome: 'budget', budget: { kind: 'job-spend', limit: 0.1 } });
        expect(result.message).toMatch(/budget of \$0\.1000/);
        expect(0.02 + job.usage.costUsd).toBeLessThanOrEqual(0.1);
        const summary = await control.summary();
        expect(summary.byJob[0]).toMatchObject({ jobId: 'job-1' });
        expect(summary.byJob[0]!.totals.usd).toBeCloseTo(job.usage.costUsd, 6);
    });
});

describe('the ledger and the usage summary', () => {
    it('keeps the day’s spend in a JSON file across a restart (CLI)', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'vault-agent-spend-'));
        try {
            const clock = new FakeClock();
            const file = join(dir, 'state', 'spend.json');
            const first = new SpendControl({ ledger: new JsonFileSpendLedger({ file }), dailyCapUsd: 1, clock });
            const reservation = await first.reserve({
                model: TEST_MODEL,
                inputTokens: 100,
                maxOutputTokens: 100,
                scope: { kind: 'chat', id: 'c' },
            });
            if (!('settle' in reservation)) throw new Error('refused');
            reservation.settle({
                inputTokens: 100,
                outputTokens: 100,
                cacheReadTokens: 0,
                cacheWriteTokens: 0,
                costUsd: 0.25,
            });
            await first.summary();
            const second = new SpendControl({ ledger: new JsonFileSpendLedger({ file }), dailyCapUsd: 1, clock });
            expect(await second.spentTodayUsd()).toBeCloseTo(0.25, 9);
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });

    it('writes the calls of jobs that end together in fewer ledger writes, keeping every entry in order', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'vault-agent-spend-'));
        try {
            const clock = new FakeClock();
            const file = join(dir, 'state', 'spend.json');
            const ledger = new JsonFileSpendLedger({ file });
            let writes = 0;
            const counted = {
                entries: (since: number) => ledger.entries(since),
                append: (...entries: SpendEntry[]) => {
                    writes++;
                    return ledger.append(...entries);
                },
            };
            const control = new SpendControl({ ledger: counted, dailyCapUsd: 100, clock });
            const request = { model: TEST_MODEL, inputTokens: 100, maxOutputTokens: 100 };
            const reservations = await Promise.all(
                Array.from({ length: 8 }, (_, i) =>
                    control.reserve({ ...request, scope: { kind: 'job', id: `j${i}` } }),
                ),
            );
            for (const reservation of reservations) {
                if (!('settle' in reservation)) throw new Error('refused');
                const usage = { inputTokens: 100, outputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0 };
                reservation.settle({ ...usage, costUsd: 0.01 });
            }
            await control.summary();
            expect(writes).toBeLessThan(8);
            const stored = await new JsonFileSpendLedger({ file }).entries(0);
            expect(stored.map((kept) => kept.scope.id)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'j7']);
            const again = new SpendControl({ ledger: new JsonFileSpendLedger({ file }), dailyCapUsd: 100, clock });
            expect(await again.spentTodayUsd()).toBeCloseTo(0.08, 9);
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });

    it('reads a corrupt key-value ledger as empty rather than failing', async () => {
        const store = new Map<string, string>([['spend', '{not json']]);
        const ledger = new KeyValueSpendLedger({
            storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v) },
            key: 'spend',
        });
        expect(await ledger.entries(0)).toEqual([]);
        await ledger.append(entry(Date.now(), 0.1));
        expect(await ledger.entries(0)).toHaveLength(1);
    });

    it('summarises today, this week and by job', () => {
        const now = new Date(2026, 10, 19, 12).getTime(); // a Thursday
        const day = 24 * 60 * 60 * 1000;
        const summary = summariseUsage(
            [
                entry(now - 1000, 0.5, { kind: 'job', id: 'j1' }),
                entry(now - 2 * day, 0.25, { kind: 'job', id: 'j2' }),
                entry(now - 2 * day, 0.5, { kind: 'job', id: 'j1' }),
                entry(now - 10 * day, 9, { kind: 'job', id: 'old' }),
                entry(now - 1000, 0.125),
            ],
            now,
        );
        expect(summary.today.usd).toBeCloseTo(0.625, 9);
        expect(summary.week.usd).toBeCloseTo(1.375, 9);
        expect(summary.byJob.map((job) => [job.jobId, job.totals.usd])).toEqual([
            ['j1', 1],
            ['j2', 0.25],
        ]);
    });

    it('prices the worst case of a request from the table', () => {
        const control = new SpendControl({ ledger: new MemorySpendLedger() });
        const most = control.maxCostOf({ model: TEST_MODEL, inputTokens: 10_000, maxOutputTokens: 1_000 });
        // Written to the cache is dearer than uncached input for Sonnet 5.5 ($2.5/M vs $2/M).
        expect(most).toBeCloseTo(costOf({ cache_creation_input_tokens: 10_000, output_tokens: 1_000 }, TEST_MODEL), 9);
    });
});
