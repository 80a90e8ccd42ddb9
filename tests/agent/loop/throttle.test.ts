import { describe, expect, it } from 'vitest';
import { Throttle } from '../../../src/agent/loop/throttle';
import { FakeClock } from '../integration/engine-harness';

describe('Throttle', () => {
    it('lets calls through at once when nobody was rate-limited', async () => {
        const clock = new FakeClock();
        await new Throttle({ clock }).wait();
        expect(clock.sleeps).toEqual([]);
    });

    it('makes every waiter wait until the latest penalty, counting down once a second', async () => {
        const clock = new FakeClock();
        const throttle = new Throttle({ clock });
        throttle.penalize(clock.now() + 2500);
        throttle.penalize(clock.now() + 1000);
        const ticks: number[] = [];
        await throttle.wait(undefined, (remaining) => ticks.push(remaining));
        expect(ticks).toEqual([2500, 1500, 500]);
        expect(clock.now()).toBe(throttle.resumesAt());
    });

    it('gives up waiting when the turn is stopped', async () => {
        const throttle = new Throttle();
        throttle.penalize(Date.now() + 60_000);
        const controller = new AbortController();
        const waiting = throttle.wait(controller.signal);
        controller.abort(new Error('stopped'));
        await expect(waiting).rejects.toThrow('stopped');
    });
});
