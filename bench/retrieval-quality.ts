/** Retrieval quality over labelled queries: recall@10 and nDCG@10 with binary relevance, averaged over the queries. */
import type { LabelledQuery } from './search-topics';

/** How many results count. */
export const CUTOFF = 10;

/** Mean recall@10 and nDCG@10 of `answers` (one ranked path list per query, in the order of `labelled`). */
export function qualityOf(
    labelled: readonly LabelledQuery[],
    answers: readonly string[][],
): { recall: number; ndcg: number } {
    let recall = 0;
    let ndcg = 0;
    labelled.forEach(({ relevant }, i) => {
        const wanted = new Set(relevant);
        const top = (answers[i] ?? []).slice(0, CUTOFF);
        const hits = top.filter((path) => wanted.has(path)).length;
        recall += wanted.size === 0 ? 1 : hits / wanted.size;
        let dcg = 0;
        top.forEach((path, rank) => {
            if (wanted.has(path)) dcg += 1 / Math.log2(rank + 2);
        });
        let ideal = 0;
        for (let rank = 0; rank < Math.min(CUTOFF, wanted.size); rank++) ideal += 1 / Math.log2(rank + 2);
        ndcg += ideal === 0 ? 1 : dcg / ideal;
    });
    const n = Math.max(1, labelled.length);
    return { recall: recall / n, ndcg: ndcg / n };
}
