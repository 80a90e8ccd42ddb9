/**
 * The terms of a text as the index means them, spelled out the plain way for the tests to compare against: the words
 * (`words`), each normalised by `normaliseTerm`, stop words and overlong runs left out, in order and with repeats.
 */
import { normaliseTerm, words } from '../../src/search/tokens';

/** The terms of `text`, in order, repeats included (a MiniSearch `tokenize` for the reference index). */
export function referenceTerms(text: string): string[] {
    return words(text)
        .map((word) => normaliseTerm(word))
        .filter((term): term is string => term !== null);
}
