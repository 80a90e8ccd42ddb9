/**
 * The exclusion gate's tag rules (`exclusions.ts`): a rule as the person writes it (`#Private/`, `privé`) in one form,
 * and the test of a note's tag against the rules, which the gate runs for every tag of every note it judges.
 */
import { trimSlashes } from './path-rules';

/**
 * The rule that covers `tag` (`#Private/health` is covered by `private`), or `null`. The gate runs this for every tag
 * of every note in every listing, so the common case compares characters in place: a length and `/` test rules most
 * tags out, then an ASCII case-insensitive compare. Only non-ASCII tags that failed it are lowercased whole (and
 * composed as NFC, as the rules are).
 */
export function matchingTagRule(tag: string, rules: readonly string[]): string | null {
    const offset = tag.charCodeAt(0) === 35 ? 1 : 0;
    for (const rule of rules) {
        const end = offset + rule.length;
        if (tag.length < end || (tag.length > end && tag.charCodeAt(end) !== 47)) continue;
        if (equalsIgnoringAsciiCase(tag, offset, rule)) return rule;
    }
    if (!hasNonAscii(tag)) return null;
    // Composed and decomposed accents are one tag to a person (`#privé` typed on two systems): compare both as NFC.
    const lower = tag.replace(/^#+/, '').toLowerCase().normalize('NFC');
    for (const rule of rules) {
        if (lower === rule || (lower.startsWith(rule) && lower.charCodeAt(rule.length) === 47)) return rule;
    }
    return null;
}

/** A plain loop: tags are short, and a regex call costs more than reading a dozen characters. */
export function hasNonAscii(text: string): boolean {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 128) return true;
    return false;
}

/** `text` from `offset` starts with `lowerRule`, where `text` may have ASCII capitals. */
function equalsIgnoringAsciiCase(text: string, offset: number, lowerRule: string): boolean {
    for (let i = 0; i < lowerRule.length; i++) {
        const c = text.charCodeAt(offset + i);
        const r = lowerRule.charCodeAt(i);
        if (c !== r && !(c >= 65 && c <= 90 && c + 32 === r)) return false;
    }
    return true;
}

/**
 * The tag rules one entry of the person's list holds. No tag has a space, a comma, a semicolon or a quote in it, so an
 * entry written by hand as `private, secret`, `#private #secret`, `"private"` or `tag:private` (the search
 * syntax) is read as the tags it names: each of them excluded, where the entry as a whole would match no tag at all.
 */
export function tagRulesOf(entry: string): string[] {
    const rules: string[] = [];
    for (const piece of entry.split(/[\s,;]+/u)) {
        const bare = piece.replace(/^["'`]+|["'`]+$/gu, '');
        // `tag:private` names `private`; kept as written too, in case a tool allows the colon: more is excluded.
        for (const rule of /^tag:/iu.test(bare) ? [bare.slice(4), bare] : [bare]) rules.push(normaliseTagRule(rule));
    }
    return rules.filter((rule) => rule !== '');
}

/**
 * Lowercases a tag rule (then NFC) and strips `#` and surrounding slashes, so `#Private/` and `private` are one rule.
 */
export function normaliseTagRule(tag: string): string {
    return trimSlashes(tag.trim().replace(/^#+/, '')).toLowerCase().normalize('NFC');
}
