/**
 * What a job's tool calls did, as the change controller reported it on each result (never read from message text):
 * the notes changed, the writes refused, and the notes written with code other plugins run made inert.
 */
import { inertNoticeIn } from '../agent/changes/unapproved-content';
import type { TurnResult } from '../agent/loop/turn-events';

/** The notes the job's tool calls changed, as the ChangeController reported them on each result. */
export function changedNotes(result: TurnResult): string[] {
    return result.toolCalls.flatMap((call) => call.result?.changed ?? []);
}

/** Writes that changed nothing (refused by the scope, stale, excluded, taken, over budget…), for the log (row 16). */
export function refusedWrites(result: TurnResult): string[] {
    return result.toolCalls
        .filter(
            (call) =>
                call.result?.changed !== undefined &&
                call.result.changed.length === 0 &&
                call.result.proposed === undefined,
        )
        .map((call) => `Refused ${call.name}: ${call.result?.content.split('\n')[0] ?? 'not run'}`);
}

/** Changes a `propose` job recorded for review (the notes are untouched), for the log: tool, note, proposal id. */
export function proposedWrites(result: TurnResult): string[] {
    return result.toolCalls.flatMap((call) => {
        const id = call.result?.proposed;
        if (id === undefined) return [];
        const path = (call.input as { path?: unknown } | null)?.path;
        return [`Proposed ${call.name}${typeof path === 'string' ? ` "${path}"` : ''} for review (${id}).`];
    });
}

/** Notes the job's tools wrote with code other plugins run made inert, for the log. */
export function inertWrites(result: TurnResult): string[] {
    return result.toolCalls.flatMap((call) => {
        // Only a write the change controller reports as made can carry its notice.
        if (call.result === null || call.result.isError === true || (call.result.changed ?? []).length === 0) return [];
        const notice = inertNoticeIn(call.result.content);
        const path = (call.input as { path?: unknown } | null)?.path;
        return notice === null ? [] : [`${call.name}${typeof path === 'string' ? ` "${path}"` : ''}: ${notice}`];
    });
}
