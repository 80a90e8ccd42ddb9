/**
 * Room for meaning: how a second way of ranking notes (a vector channel: embeddings from an endpoint the person
 * chooses, or a local model) would join the text ranking later. Nothing implements it today; decision 0020 says why
 * and what must be measured first. A channel ranks visible notes for a query; `fuseRankings` combines its list with
 * the text ranking by reciprocal rank, so neither channel's raw scores need to be comparable.
 */

/** A note and its score in one channel's ranking (higher is better). */
export interface RankedPath {
    /** The vault path. */
    path: string;
    /** The channel's own score; only the order matters to fusion. */
    score: number;
}

/** What a channel may look at while ranking. */
export interface ChannelQuery {
    /** The query as the person or the model wrote it. */
    text: string;
    /** Most notes to return. */
    limit: number;
    /** Whether a note may be ranked at all (the gate and the filters); a channel never returns a path it refuses. */
    admits(path: string): boolean;
}

/**
 * One ranking channel beside the text index. A vector channel keeps its own vectors current from the same vault
 * events the text index follows (`noteChanged`, `noteRemoved`), and must drop a note the gate hides before the next
 * query, as the text index does: it is told through `noteRemoved`.
 */
export interface RankingChannel {
    /** A short name for results ("text", "vectors"). */
    readonly name: string;
    /** The best notes for `query`, best first. */
    rank(query: ChannelQuery): Promise<RankedPath[]>;
    /** A visible note was added or changed; `text` is what the gate let through. */
    noteChanged(path: string, text: string): void;
    /** A note was deleted or became hidden: it must not be ranked again. */
    noteRemoved(path: string): void;
}

/** One channel's ranking and how much it counts in the fused one. */
export interface ChannelRanking {
    /** The ranking, best first. */
    results: readonly RankedPath[];
    /** Weight of this channel (1 for the text ranking). */
    weight: number;
}

/**
 * Reciprocal-rank fusion: each note scores the sum of `weight / (k + rank)` over the rankings it appears in (rank
 * from 1). `k` (60 by custom) keeps one channel's first place from drowning the others.
 */
export function fuseRankings(rankings: readonly ChannelRanking[], k = 60): RankedPath[] {
    const scores = new Map<string, number>();
    for (const { results, weight } of rankings) {
        results.forEach((result, index) => {
            scores.set(result.path, (scores.get(result.path) ?? 0) + weight / (k + index + 1));
        });
    }
    return [...scores]
        .map(([path, score]) => ({ path, score }))
        .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
