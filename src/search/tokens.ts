/**
 * How note text and queries become terms: words of letters and digits (any script), lower-cased, accents folded
 * ("café" finds "cafe"), and a light English suffix trim so "objections", "objecting" and "objected" meet at one term.
 * The same function serves the index and the query, so both sides always agree. A query also drops the words that
 * only frame a question ("what have I written about …"), never the words of a note.
 */

/** Longest term kept; longer runs (hashes, base64) are noise for ranking. */
const MAX_TERM_CHARS = 40;

/** Words that carry no topic, dropped from the index and the query alike. */
const STOP_WORDS: ReadonlySet<string> = new Set(
    (
        'a an the and or but of to in on at by for with from as is are was were be been being it its this that these ' +
        'those there here then than so if not no do does did have has had i me my we our you your he she they them ' +
        'his her their what which who whom whose when where why how all any some can could would should will shall ' +
        'may might must into over under about up down out off just also very'
    ).split(' '),
);

/** Words that frame a request to find notes; dropped from queries only ("notes about", "anything I wrote on"). */
const QUERY_FRAME_WORDS: ReadonlySet<string> = new Set(
    'written write wrote writing note notes anything something find show list look looking mention mentioned mentions tell'.split(
        ' ',
    ),
);

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/** The words of `text` as written (not yet normalised). */
export function words(text: string): string[] {
    return text.match(WORD) ?? [];
}

/**
 * One word as a term: lower-cased, accents folded, trimmed of a common English suffix; `null` for a stop word or a
 * term too long to be a word.
 */
export function normaliseTerm(word: string): string | null {
    const cached = TERMS.get(word);
    if (cached !== undefined) return cached;
    const term = normaliseWord(word);
    // A vault's words repeat (Zipf): most tokens are looked up here, not worked out again.
    if (TERMS.size >= MAX_CACHED_TERMS) TERMS.clear();
    TERMS.set(word, term);
    return term;
}

/** Words already normalised, and what they became. */
const TERMS = new Map<string, string | null>();
const MAX_CACHED_TERMS = 200_000;

/** `normaliseTerm` without its cache (for callers that keep their own, such as `TermCounter`). */
export function normaliseWord(word: string): string | null {
    let term = word.toLowerCase();
    if (term.length > MAX_TERM_CHARS) return null;
    // Only decompose what has something to fold: most words are plain ASCII.
    if (hasNonAscii(term)) term = term.normalize('NFKD').replace(MARKS, '');
    if (STOP_WORDS.has(term)) return null;
    return stem(term);
}

/** A query word as a term: like `normaliseTerm`, and the words that only frame a question are dropped too. */
export function normaliseQueryTerm(word: string): string | null {
    const lower = word.toLowerCase();
    if (QUERY_FRAME_WORDS.has(lower)) return null;
    return normaliseTerm(word);
}

/** The distinct terms of a query, in order. */
export function queryTerms(query: string): string[] {
    const out: string[] = [];
    for (const word of words(query)) {
        const term = normaliseQueryTerm(word);
        if (term !== null && !out.includes(term)) out.push(term);
    }
    return out;
}

/**
 * A light suffix trim for English: plurals, -ing, -ed, -ly, -ation, and a final silent e ("pricing" and "price" both
 * become "pric"). Short words and digits are left alone. Deliberately conservative: a wrong merge costs precision,
 * a missed one is caught by prefix and fuzzy matching.
 */
export function stem(term: string): string {
    if (term.length <= 3 || /\d/u.test(term)) return term;
    let t = term;
    if (t.endsWith('ies') && t.length > 4) t = `${t.slice(0, -3)}y`;
    else if (t.endsWith('sses')) t = t.slice(0, -2);
    else if (t.endsWith('es') && /(?:ch|sh|x|z|ss)es$/u.test(t)) t = t.slice(0, -2);
    else if (t.endsWith('s') && !t.endsWith('ss') && !t.endsWith('us') && !t.endsWith('is')) t = t.slice(0, -1);
    if (t.length > 5 && t.endsWith('ations')) t = t.slice(0, -6);
    else if (t.length > 5 && t.endsWith('ation')) t = t.slice(0, -5);
    else if (t.length > 5 && t.endsWith('ing')) t = t.slice(0, -3);
    else if (t.length > 4 && t.endsWith('ed')) t = t.slice(0, -2);
    else if (t.length > 4 && t.endsWith('ly')) t = t.slice(0, -2);
    if (t.length > 3 && t.endsWith('e')) t = t.slice(0, -1);
    // "planning" → "plann" → "plan": a doubled final consonant left by -ing/-ed.
    if (t.length > 3 && t !== term && /([b-df-hj-np-tv-z])\1$/u.test(t) && !/(?:ll|ss|zz|ff)$/u.test(t)) {
        t = t.slice(0, -1);
    }
    return t;
}

function hasNonAscii(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return true;
    return false;
}
