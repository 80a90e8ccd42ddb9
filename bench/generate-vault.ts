/**
 * A seeded synthetic vault for the benchmarks: the same seed and size always give the same files, byte for byte.
 * It imitates a lived-in vault: nested folders, notes of varied length (most 0.5–4 KB, a few very large),
 * frontmatter in several YAML forms on about half, inline tags, wikilinks and embeds between notes, some notes
 * tagged #private in every form, a few attachments, and the labelled topics of `search-topics.ts` (their queries and
 * relevant notes recorded in `TOPICS_FILE`).
 *
 * Run directly: `node --import tsx bench/generate-vault.ts [--notes 20000] [--seed 1] [--out folder]`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../tests/support/seeded-random';
import { plantTopic, TOPICS, type LabelledQuery } from './search-topics';

/** Bump when the generated content changes, so cached vaults are rebuilt. */
export const GENERATOR_VERSION = 2;

/** The config folder of generated vaults: deliberately not the usual name, so nothing can rely on it. */
export const BENCH_CONFIG_DIR = '.vault-config';

const MARKER = `${BENCH_CONFIG_DIR}/vault-agent-bench.json`;

/** Where the generator records the retrieval queries and their relevant notes (`search-topics.ts`). */
export const TOPICS_FILE = `${BENCH_CONFIG_DIR}/vault-agent-bench-topics.json`;
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** What was generated. */
export interface GeneratedVault {
    /** The vault folder. */
    root: string;
    /** Markdown notes written. */
    notes: number;
    /** Attachments written. */
    attachments: number;
    /** Notes carrying a private tag in some form. */
    privateNotes: number;
    /** Of `notes`, the ones planted for the labelled topics (relevant notes and distractors). */
    topicNotes: number;
    /** Total bytes written (notes and attachments). */
    bytes: number;
    /** Seed used. */
    seed: number;
    /** True when an existing cached vault was reused. */
    cached: boolean;
}

const WORDS = (
    'the of and to in is that for it as with was on be by this are from at or an but not have has which ' +
    'project meeting idea draft review plan budget customer research garden recipe travel book chapter quote ' +
    'insight question answer follow-up deadline launch migration design architecture latency throughput index ' +
    'vault note link graph tag folder summary weekly daily retrospective experiment result hypothesis sample ' +
    'coffee walk river mountain city winter summer autumn spring evening morning piano guitar painting ' +
    'contract invoice proposal roadmap milestone sprint backlog incident postmortem onboarding hiring interview ' +
    'naïve café résumé Zürich Ångström straße über'
).split(' ');
const TOP_FOLDERS = [
    'Projects',
    'Areas',
    'Resources',
    'Archive',
    'Journal',
    'Clients',
    'People',
    'Meetings',
    'Reading',
];
const TAGS = [
    'work',
    'idea',
    'reading',
    'health',
    'finance',
    'insight',
    'todo',
    'project/alpha',
    'project/beta',
    'ref',
];
const PRIVATE_TAG_FORMS = ['private', 'Private', 'private/health', 'Private/Health', 'PRIVATE/finance/2024'];

type Random = () => number;

/** The note plan, decided before any text is written so links can point at notes that come later. */
interface PlannedNote {
    path: string;
    title: string;
    isPrivate: boolean;
}

/** Generates (or reuses) `bench/.vault-<seed>-<notes>/`. */
export function cachedVault(options: { notes: number; seed: number }): GeneratedVault {
    const root = join(BENCH_DIR, `.vault-${options.seed}-${options.notes}`);
    const marker = join(root, MARKER);
    if (existsSync(marker)) {
        const stored = JSON.parse(readFileSync(marker, 'utf8')) as GeneratedVault & { version: number };
        if (stored.version === GENERATOR_VERSION) return { ...stored, root, cached: true };
    }
    rmSync(root, { recursive: true, force: true });
    return generateVault({ root, ...options });
}

/** Writes a fresh vault of `notes` notes into `root` (which should not exist or be empty). */
export function generateVault(options: { root: string; notes: number; seed: number }): GeneratedVault {
    const random = seededRandom(options.seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const folders = planFolders(random, pick);
    const plan: PlannedNote[] = [];
    // The topics' notes count towards `notes`, so every row still measures a vault of the size asked for.
    const planted = TOPICS.map((topic, index) =>
        plantTopic(topic, index, (count) => sentence(random, pick, count).slice(0, -1).toLowerCase()),
    );
    const plantedCount = planted.reduce((sum, notes) => sum + notes.length, 0);
    const regular = Math.max(0, options.notes - plantedCount);
    for (let i = 0; i < regular; i++) {
        const title = `${capitalise(pick(WORDS))} ${pick(WORDS)} ${i}`;
        const folder = pick(folders);
        plan.push({ path: `${folder}/${title}.md`, title, isPrivate: random() < 0.03 });
    }
    const attachmentCount = Math.max(3, Math.round(options.notes * 0.02));
    const attachments = Array.from(
        { length: attachmentCount },
        (_, i) => `Attachments/image-${i}.${i % 5 === 0 ? 'pdf' : 'png'}`,
    );

    const made = new Set<string>();
    let bytes = 0;
    const write = (path: string, data: string | Uint8Array): void => {
        const full = join(options.root, path);
        const dir = dirname(full);
        if (!made.has(dir)) {
            mkdirSync(dir, { recursive: true });
            made.add(dir);
        }
        writeFileSync(full, data);
        bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    };

    let privateNotes = 0;
    for (const note of plan) {
        if (note.isPrivate) privateNotes++;
        write(note.path, noteText(note, plan, attachments, random, pick));
    }
    const queries: LabelledQuery[] = TOPICS.map((topic) => ({ query: topic.query, relevant: [] }));
    for (const [topicIndex, notes] of planted.entries()) {
        for (const note of notes) {
            const path = `${pick(folders)}/${note.title}.md`;
            write(path, note.text);
            if (note.kind !== 'distractor') queries[topicIndex]?.relevant.push(path);
        }
    }
    write(TOPICS_FILE, JSON.stringify(queries, null, 2));
    for (const path of attachments) write(path, attachmentBytes(random, path.endsWith('.pdf')));
    write(`${BENCH_CONFIG_DIR}/app.json`, '{\n  "attachmentFolderPath": "Attachments"\n}\n');
    const result: GeneratedVault = {
        root: options.root,
        notes: options.notes,
        attachments: attachmentCount,
        privateNotes,
        topicNotes: plantedCount,
        bytes,
        seed: options.seed,
        cached: false,
    };
    // Written last: a half-generated vault has no marker and is rebuilt next time.
    write(MARKER, JSON.stringify({ ...result, root: '', version: GENERATOR_VERSION }, null, 2));
    return result;
}

function planFolders(random: Random, pick: <T>(items: readonly T[]) => T): string[] {
    const folders: string[] = [];
    for (const top of TOP_FOLDERS) {
        folders.push(top);
        const children = 3 + Math.floor(random() * 8);
        for (let c = 0; c < children; c++) {
            const child = `${top}/${capitalise(pick(WORDS))} ${c}`;
            folders.push(child);
            if (random() < 0.5) folders.push(`${child}/${capitalise(pick(WORDS))}/${pick(WORDS)} ${c}`);
        }
    }
    return folders;
}

function noteText(
    note: PlannedNote,
    plan: PlannedNote[],
    attachments: string[],
    random: Random,
    pick: <T>(items: readonly T[]) => T,
): string {
    const parts: string[] = [];
    const tags = random() < 0.6 ? [pick(TAGS), ...(random() < 0.4 ? [pick(TAGS)] : [])] : [];
    // Half of the private notes say so in frontmatter, the rest inline somewhere in the body.
    const privateTag = note.isPrivate ? pick(PRIVATE_TAG_FORMS) : null;
    const privateInFrontmatter = privateTag !== null && random() < 0.5;
    if (privateInFrontmatter) tags.push(privateTag);
    if (random() < 0.5 || privateInFrontmatter) parts.push(frontmatter(tags, random, pick));
    else if (tags.length > 0) parts.push(tags.map((t) => `#${t}`).join(' '), '');

    // Log-uniform between 0.5 and 4 KB, with one note in two hundred between 20 and 200 KB.
    const target = random() < 0.005 ? 20_000 + random() * 180_000 : 500 * Math.pow(8, random());
    let size = 0;
    let section = 0;
    while (size < target) {
        const block = bodyBlock(section++, plan, attachments, random, pick);
        parts.push(block);
        size += block.length;
    }
    if (privateTag !== null && !privateInFrontmatter) {
        const at = 1 + Math.floor(random() * (parts.length - 1));
        parts.splice(at, 0, `Filed under #${privateTag} for now.`);
    }
    return parts.join('\n') + '\n';
}

function frontmatter(tags: string[], random: Random, pick: <T>(items: readonly T[]) => T): string {
    const lines = ['---'];
    const form = Math.floor(random() * 4);
    if (tags.length > 0) {
        if (form === 0) lines.push('tags:', ...tags.map((t) => `  - ${t}`));
        else if (form === 1) lines.push(`tags: [${tags.join(', ')}]`);
        else if (form === 2) lines.push(`tags: ${tags.join(' ')}`);
        else lines.push(`tag: ${tags.join(', ')}`);
    }
    if (random() < 0.3) lines.push(`aliases: [${capitalise(pick(WORDS))} ${pick(WORDS)}]`);
    lines.push(`created: 2024-${pad(1 + Math.floor(random() * 12))}-${pad(1 + Math.floor(random() * 28))}`);
    if (random() < 0.4) lines.push(`status: ${pick(['draft', 'active', 'done'])}`);
    lines.push('---', '');
    return lines.join('\n');
}

function bodyBlock(
    section: number,
    plan: PlannedNote[],
    attachments: string[],
    random: Random,
    pick: <T>(items: readonly T[]) => T,
): string {
    const roll = random();
    if (section > 0 && roll < 0.15)
        return `${'#'.repeat(1 + Math.floor(random() * 3))} ${capitalise(pick(WORDS))} ${pick(WORDS)}\n`;
    if (roll < 0.25) {
        const items = 2 + Math.floor(random() * 5);
        return (
            Array.from({ length: items }, () => `- ${random() < 0.3 ? '[ ] ' : ''}${sentence(random, pick, 6)}`).join(
                '\n',
            ) + '\n'
        );
    }
    if (roll < 0.28) return '```js\n// #notatag inside code\nconst x = "---";\n```\n';
    if (roll < 0.33)
        return random() < 0.5 ? `![[${pick(attachments).split('/').pop() ?? ''}]]\n` : `![[${pick(plan).title}]]\n`;
    let text = sentence(random, pick, 20 + Math.floor(random() * 60));
    if (random() < 0.6) {
        const target = pick(plan);
        const link = random() < 0.7 ? `[[${target.title}]]` : `[[${target.title}#Heading|${pick(WORDS)}]]`;
        text = `${text} See ${link}.`;
    }
    if (random() < 0.2) text = `${text} #${pick(TAGS)}`;
    return `${text}\n`;
}

function sentence(random: Random, pick: <T>(items: readonly T[]) => T, words: number): string {
    const out: string[] = [];
    for (let i = 0; i < words; i++) out.push(pick(WORDS));
    return `${capitalise(out.join(' '))}.`;
}

function attachmentBytes(random: Random, pdf: boolean): Uint8Array {
    const header = pdf ? [0x25, 0x50, 0x44, 0x46, 0x2d] : [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    const bytes = new Uint8Array(2_000 + Math.floor(random() * 30_000));
    bytes.set(header);
    for (let i = header.length; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
    return bytes;
}

function capitalise(word: string): string {
    return word.charAt(0).toUpperCase() + word.slice(1);
}

function pad(n: number): string {
    return String(n).padStart(2, '0');
}

function argValue(args: string[], name: string): string | undefined {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
    const args = process.argv.slice(2);
    const notes = Number(argValue(args, '--notes') ?? 20_000);
    const seed = Number(argValue(args, '--seed') ?? 1);
    const out = argValue(args, '--out');
    const started = performance.now();
    const result = out === undefined ? cachedVault({ notes, seed }) : generateVault({ root: out, notes, seed });
    const ms = Math.round(performance.now() - started);
    process.stdout.write(
        `${result.cached ? 'Reused' : 'Generated'} ${result.notes} notes, ${result.attachments} attachments ` +
            `(${result.privateNotes} private, ${(result.bytes / 1e6).toFixed(1)} MB) in ${ms} ms: ${result.root}\n`,
    );
}
