/**
 * The notes both search-worker suites search (in process and through the built CLI): every form a match can take —
 * links to a private note, CRLF, a BOM, case folding that changes length, a subfolder — beside a private note and an
 * excluded folder.
 */
export const SEARCH_FIXTURE_NOTES: Readonly<Record<string, string>> = {
    'Plain.md': '# Plan\nThe weekly meeting.\nNo match here.\nMEETING again, shouting.\n',
    'Links.md':
        'See [[Secret]] for the meeting.\nOnly in a link: [[Secret|meeting notes]].\nA visible link: [[Plain|meeting]].\n' +
        'Markdown: [the meeting](Secret.md) and [x](Plain.md) meeting.\n',
    'Crlf.md': 'first line\r\nmeeting with CRLF\r\nlast\r\n',
    'Bom.md': '\uFEFFmeeting at the start\nsecond\n',
    'Turkish.md': 'İstanbul meeting\nno\n',
    'Folder/Deep.md': 'deep meeting\n',
    'Nothing.md': 'nothing to see\n',
};
