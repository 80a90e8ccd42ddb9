/**
 * The attachments of the privacy suite (issue 18): a PDF and an image in every excluded form — in an excluded folder
 * and its subfolder, matched by an excluded glob, embedded or linked only by a `#private` note (wikilink, embed,
 * Markdown image, a frontmatter property), linked only by a note in an excluded folder, a symbolic link on disk into an
 * excluded folder and one onto an attachment only a private note uses, one only a note with unreadable frontmatter
 * uses (unknowable, so excluded), and ones only a note that turns private later uses. Every excluded one carries the
 * content canary in its bytes: a PDF's uncompressed content stream (and so its extracted text), a PNG's `tEXt` chunk.
 * The positive control, used by a private AND a visible note, carries a marker instead: it must reach the model.
 */
import { randomUUID } from 'node:crypto';
import { makePng, makeRawPdf } from '../../support/attachment-fixtures';

/** The private attachments' names (and the private note with unreadable frontmatter): canaries wherever they show. */
export const ATTACHMENT_NAMES = [
    'Bandicoot',
    'Numbat',
    'Quoll',
    'Wallaby',
    'Echidna',
    'Platypus',
    'Dingo',
    'Cassowary',
    'Kookaburra',
    'Thylacine',
    'Galah',
    'Lorikeet',
    'Bunyip',
    'Gharial',
] as const;

/** Excluded globs for attachments, next to the suite's note glob (a glob without `/` matches at any depth). */
export const ATTACHMENT_GLOBS = ['**/*.secret.pdf', '*.secret.png'];

/** The private note whose frontmatter cannot be read: whether it is private cannot be known, so it is excluded. */
export const UNREADABLE_NOTE = 'Notes/Gharial.md';

/** The positive control: a PDF and an image a private note and a visible note both use. */
export const SHARED = { pdf: 'Media/Shared.pdf', png: 'Media/Shared.png' };
/** Used only by `Notes/Turncoat.md`, which turns private mid-chat. */
export const TURNCOAT_IMAGE = 'Media/Turncoat.png';
/** Used only by `Notes/Chameleon.md`, which turns private before its job runs. */
export const CHAMELEON_PDF = 'Media/Chameleon.pdf';

/** Every attachment the suite plants. */
export interface PrivacyAttachments {
    /** Path → bytes, private and visible alike. */
    files: Record<string, Uint8Array>;
    /** Symbolic links to create on disk: link path → vault path of its target. */
    symlinks: Record<string, string>;
    /** Every excluded attachment path (symlinks included): none may ever be sent or read. */
    privatePaths: string[];
    /** In the positive control's bytes: must be SEEN in decoded requests (proof the recorder reads attachments). */
    visibleMarker: string;
    /** In `TURNCOAT_IMAGE`; must never be sent once its only note is private. */
    turncoatMarker: string;
    /** In `CHAMELEON_PDF`; must never be sent once its only note is private. */
    chameleonMarker: string;
}

/** The attachments with the content canary `canary` in every private one. */
export function privacyAttachments(canary: string): PrivacyAttachments {
    const visibleMarker = `VISIBLE-ATTACHMENT-${randomUUID()}`;
    const turncoatMarker = `TURNCOAT-IMAGE-${randomUUID()}`;
    const chameleonMarker = `CHAMELEON-PDF-${randomUUID()}`;
    const pdf = (what: string): Uint8Array => makeRawPdf([`${canary} ${what}, page 1.`, `${canary} page 2.`]);
    const png = (what: string): Uint8Array => makePng(8, 8, [20, 20, 20], `${canary} ${what}`);
    const privateFiles: Record<string, Uint8Array> = {
        'Journal/Bandicoot.pdf': pdf('in an excluded folder'),
        'Journal/Deep/Numbat.png': png('in an excluded subfolder'),
        'Archive/Quoll.secret.pdf': pdf('matched by an excluded glob'),
        'Archive/Wallaby.secret.png': png('matched by an excluded glob'),
        'Media/Echidna.pdf': pdf('linked only by a private note'),
        'Media/Platypus.png': png('embedded only by a private note'),
        'Media/Dingo.png': png('a Markdown image of a private note only'),
        'Media/Cassowary.pdf': pdf('linked only by a note in an excluded folder'),
        'Media/Kookaburra.png': png('embedded only by a note in an excluded subfolder'),
        'Media/Thylacine.png': png('named only by a private note’s property'),
        'Media/Bunyip.png': png('embedded only by a note whose frontmatter cannot be read'),
    };
    const symlinks: Record<string, string> = {
        'Media/Galah.png': 'Journal/Deep/Numbat.png',
        'Media/Lorikeet.pdf': 'Media/Echidna.pdf',
    };
    return {
        files: {
            ...privateFiles,
            [SHARED.pdf]: makeRawPdf([`${visibleMarker} shared by a private and a visible note.`]),
            [SHARED.png]: makePng(8, 8, [200, 200, 20], visibleMarker),
            [TURNCOAT_IMAGE]: makePng(8, 8, [20, 200, 20], turncoatMarker),
            [CHAMELEON_PDF]: makeRawPdf([`For the job: ${chameleonMarker}.`]),
        },
        symlinks,
        privatePaths: [...Object.keys(privateFiles), ...Object.keys(symlinks)],
        visibleMarker,
        turncoatMarker,
        chameleonMarker,
    };
}
