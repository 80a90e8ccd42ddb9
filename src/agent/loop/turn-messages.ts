/** The sentence a person reads about how a turn ended. */
import type { TurnResult } from './turn-events';

/** One or two sentences: what happened, and what was kept or done. */
export function describeEnd(result: TurnResult): string {
    switch (result.outcome) {
        case 'done':
            return 'Done.';
        case 'truncated':
            return 'The answer was cut off at the output limit; anything it was still writing (text or a tool call) was left out.';
        case 'refused':
            return 'The model declined to answer; that exchange was taken out of the conversation.';
        case 'context-full':
            return 'The conversation no longer fits the model’s context window; start a new chat (or compact this one).';
        case 'stopped':
            return `Stopped. ${doneSoFar(result)}`;
        case 'budget':
            if (result.budget?.detail !== undefined)
                return `Stopped at ${result.budget.describe}. ${result.budget.detail}`;
            return `Stopped at this turn’s limit of ${result.budget?.describe ?? 'its budget'}. ${doneSoFar(result)}`;
        case 'interrupted':
            return `${result.error?.userMessage ?? 'The turn was interrupted.'} The partial answer was kept; the turn did not finish.`;
        case 'failed':
            return result.error?.userMessage ?? 'The turn failed.';
    }
}

function doneSoFar(result: TurnResult): string {
    const ran = result.toolCalls.filter((call) => call.result !== null).length;
    const tokens =
        result.usage.inputTokens +
        result.usage.outputTokens +
        result.usage.cacheReadTokens +
        result.usage.cacheWriteTokens;
    return (
        `Done so far: ${result.modelCalls} model call${result.modelCalls === 1 ? '' : 's'}, ` +
        `${ran} of ${result.toolCalls.length} tool call${result.toolCalls.length === 1 ? '' : 's'} run, ` +
        `${tokens} tokens, $${result.usage.costUsd.toFixed(4)}.`
    );
}
