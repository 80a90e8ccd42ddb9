/**
 * The transcript of one chat as it is kept and shown: what the person said, what the agent answered, every tool
 * call with its input and result, and the model history needed to resume the chat after a restart. Pure data and
 * pure functions, so the chat view, the chat store and the tests share one model.
 */
import type { UndoReport } from '../agent/changes/checkpoints';
import type { HistoryMessage } from '../agent/loop/conversation';
import { addUsage, emptyUsage, type TurnEvent, type TurnOutcome, type UsageTotals } from '../agent/loop/turn-events';
import type { GuidanceReport } from '../context/guidance';
import type { AnswerSources } from '../agent/citations/answer-sources';
import type { WebActivity } from '../agent/web/web-research';
import { passageLink } from '../agent/citations/answer-sources';
import { webLogLine } from '../agent/web/web-log';

/** The stored shape's version, for later migrations. */
export const CHAT_RECORD_VERSION = 1;

/** One line of the transcript. */
export type ChatEntry =
    /** What the person sent, and what the context chips said was attached or left out. */
    | { kind: 'user'; text: string; context: string[]; time: number }
    /** The agent's text of one model answer; `outcome` is set when the turn ended. */
    | {
          kind: 'assistant';
          turnId: string;
          text: string;
          outcome?: TurnOutcome;
          message?: string;
          /** What the answer rests on: cited passages (checked) or note-level sources; set when the turn ended. */
          sources?: AnswerSources;
      }
    /** A web search or fetch, as it went. */
    | { kind: 'web'; turnId: string; activity: WebActivity }
    /** A tool call and, once it finished, its result. */
    | { kind: 'tool'; turnId: string; id: string; name: string; input: unknown; result?: string; isError?: boolean }
    /** Older messages were summarised into a record here (automatically or by `/compact`). */
    | { kind: 'compacted'; reason: string; summarisedMessages: number; changesKept: number }
    /** Which instruction notes and skills guided a turn; for the person only, never sent to the model. */
    | { kind: 'guidance'; turnId: string; instructions: string[]; skills: string[] }
    /** What the person did with a proposal outside the chat (an inline edit in the editor); the model hears it next turn. */
    | { kind: 'note'; text: string; time: number };

/** One chat, as persisted. */
export interface ChatRecord {
    /** Shape version. */
    version: number;
    /** Stable id; also the file name in the chat store. */
    id: string;
    /** A short title from the first message. */
    title: string;
    /** When the chat began, ms since the epoch. */
    created: number;
    /** When it last changed, ms since the epoch. */
    updated: number;
    /** The permission mode the chat runs in. */
    mode: string;
    /** The model id. */
    model: string;
    /** What the person sees, in order. */
    entries: ChatEntry[];
    /** What the model sees on the next turn (blocks as sent), so a resumed chat continues where it stopped. */
    history: HistoryMessage[];
    /** Tokens and cost of every turn so far. */
    usage: UsageTotals;
    /** Context tokens of the last request (input plus cache), for the footer. */
    contextTokens: number;
    /** Turn ids that applied changes, oldest first (what "Undo" can target). */
    changedTurns: string[];
}

/** What a chat list shows. */
export interface ChatSummary {
    /** The chat's id. */
    id: string;
    /** Its title. */
    title: string;
    /** Last change, ms since the epoch. */
    updated: number;
}

/** A fresh, empty chat. */
export function newChatRecord(options: { id: string; mode: string; model: string; now: number }): ChatRecord {
    return {
        version: CHAT_RECORD_VERSION,
        id: options.id,
        title: 'New chat',
        created: options.now,
        updated: options.now,
        mode: options.mode,
        model: options.model,
        entries: [],
        history: [],
        usage: emptyUsage(),
        contextTokens: 0,
        changedTurns: [],
    };
}

/** A title from the person's first message: its first line, mentions kept, at most 60 characters. */
export function titleFrom(text: string): string {
    const line = text.trim().split('\n')[0]?.trim() ?? '';
    if (line === '') return 'New chat';
    return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/**
 * Folds one turn event into the record. Text of a retried attempt is dropped (the `retry` event says the attempt's
 * text is void), so the transcript holds what the model finally said.
 */
export function applyTurnEvent(record: ChatRecord, turnId: string, event: TurnEvent): void {
    switch (event.type) {
        case 'text': {
            const last = record.entries[record.entries.length - 1];
            if (last?.kind === 'assistant' && last.turnId === turnId && last.outcome === undefined)
                last.text += event.delta;
            else record.entries.push({ kind: 'assistant', turnId, text: event.delta });
            break;
        }
        case 'retry': {
            const last = record.entries[record.entries.length - 1];
            if (last?.kind === 'assistant' && last.turnId === turnId && last.outcome === undefined) last.text = '';
            break;
        }
        case 'tool-proposed':
            record.entries.push({ kind: 'tool', turnId, id: event.id, name: event.name, input: event.input });
            break;
        case 'tool-done': {
            const entry = record.entries.find((e) => e.kind === 'tool' && e.id === event.id);
            if (entry?.kind === 'tool') {
                entry.result = event.result.content;
                if (event.result.isError === true) entry.isError = true;
            }
            break;
        }
        case 'web': {
            const entry = record.entries.find((e) => e.kind === 'web' && e.activity.id === event.activity.id);
            if (entry?.kind === 'web') entry.activity = event.activity;
            else record.entries.push({ kind: 'web', turnId, activity: event.activity });
            break;
        }
        case 'compacted':
            record.entries.push({
                kind: 'compacted',
                reason: event.notice.reason,
                summarisedMessages: event.notice.summarisedMessages,
                changesKept: event.notice.changesKept,
            });
            break;
        case 'usage':
            record.contextTokens = event.call.inputTokens + event.call.cacheReadTokens + event.call.cacheWriteTokens;
            break;
        case 'stop': {
            record.usage = addUsage(record.usage, event.result.usage);
            const last = lastAssistantOf(record, turnId);
            if (last === undefined) {
                record.entries.push({
                    kind: 'assistant',
                    turnId,
                    text: '',
                    outcome: event.result.outcome,
                    message: event.result.message,
                });
            } else {
                last.outcome = event.result.outcome;
                last.message = event.result.message;
            }
            const sources = event.result.sources;
            const answer = lastAssistantOf(record, turnId);
            if (sources !== undefined && answer !== undefined) answer.sources = sources;
            break;
        }
        default:
            break;
    }
}

/** The divider's words where a compaction happened. */
export function compactionText(entry: Extract<ChatEntry, { kind: 'compacted' }>): string {
    const messages = `${entry.summarisedMessages} message${entry.summarisedMessages === 1 ? '' : 's'}`;
    const changes = `${entry.changesKept} change${entry.changesKept === 1 ? '' : 's'}`;
    return `Earlier messages summarised — ${messages}, ${changes} kept`;
}

/**
 * The guidance entry of a turn: the instruction notes whose text was sent and the skills loaded. Instruction notes
 * that were not used are left out entirely, so an excluded one is never named. `null` when nothing guided the turn.
 */
export function guidanceEntry(turnId: string, report: GuidanceReport): Extract<ChatEntry, { kind: 'guidance' }> | null {
    const instructions = report.instructions.filter((item) => item.used).map((item) => item.path);
    const skills = report.skills.map((skill) => skill.name);
    if (instructions.length === 0 && skills.length === 0) return null;
    return { kind: 'guidance', turnId, instructions, skills };
}

/** The quiet line under an answer: `Instructions: AGENTS.md · Skills: meeting-brief`. */
export function guidanceText(entry: Extract<ChatEntry, { kind: 'guidance' }>): string {
    const parts: string[] = [];
    if (entry.instructions.length > 0) parts.push(`Instructions: ${entry.instructions.join(', ')}`);
    if (entry.skills.length > 0) parts.push(`Skills: ${entry.skills.join(', ')}`);
    return parts.join(' · ');
}

function lastAssistantOf(record: ChatRecord, turnId: string): Extract<ChatEntry, { kind: 'assistant' }> | undefined {
    for (let i = record.entries.length - 1; i >= 0; i--) {
        const entry = record.entries[i];
        if (entry?.kind === 'assistant' && entry.turnId === turnId) return entry;
        if (entry?.kind === 'user') return undefined;
    }
    return undefined;
}

/** The chat as a Markdown note: the person's messages as quotes, answers as written, tool calls as a list. */
export function transcriptToMarkdown(record: ChatRecord): string {
    const lines: string[] = [
        '---',
        `vault-agent: chat`,
        `chat: ${record.id}`,
        `model: ${record.model}`,
        `created: ${new Date(record.created).toISOString()}`,
        '---',
        '',
        `# ${record.title}`,
        '',
    ];
    for (const entry of record.entries) {
        if (entry.kind === 'user') {
            lines.push('**You**', '', ...entry.text.split('\n').map((line) => `> ${line}`), '');
        } else if (entry.kind === 'assistant') {
            if (entry.text !== '') lines.push('**Agent**', '', entry.text, '');
            if (entry.outcome !== undefined && entry.outcome !== 'done') lines.push(`*${entry.message ?? ''}*`, '');
            lines.push(...sourcesMarkdown(entry.sources));
        } else if (entry.kind === 'web') {
            const line = webLogLine(entry.activity);
            if (line !== null) lines.push(`- ${line}`, '');
        } else if (entry.kind === 'tool') {
            lines.push(`- Tool \`${entry.name}\`: ${toolSummary(entry.name, entry.input)}`, '');
        } else if (entry.kind === 'compacted') {
            lines.push(`*${compactionText(entry)}*`, '');
        } else if (entry.kind === 'note') {
            lines.push(`*${entry.text}*`, '');
        }
    }
    return lines.join('\n');
}

/** An answer's sources as Markdown lines: each passage linked and quoted, flagged when not in its source. */
export function sourcesMarkdown(sources: AnswerSources | undefined): string[] {
    if (sources === undefined) return [];
    if (sources.passages.length > 0) {
        const lines = sources.passages.map((passage) => {
            const quote = passage.quote.replace(/\s+/gu, ' ').trim();
            const flag = passage.verified === false ? ' ⚠ *not found in the source as it is now*' : '';
            return `- ${passageLink(passage)}: “${quote}”${flag}`;
        });
        return ['Sources:', '', ...lines, ''];
    }
    const notes = sources.notes.map((path) => `- [[${path.replace(/\.md$/iu, '')}]]`);
    return notes.length === 0
        ? []
        : ['Sources:', '', ...notes, '', ...(sources.fallback ? [`*${sources.fallback}*`, ''] : [])];
}

/** One line saying what a tool call was about: its path or query, else its input in short. */
export function toolSummary(name: string, input: unknown): string {
    if (input !== null && typeof input === 'object') {
        const record = input as Record<string, unknown>;
        for (const key of ['path', 'query', 'tag', 'folder', 'from', 'pattern']) {
            const value = record[key];
            if (typeof value === 'string' && value !== '') {
                const to = typeof record.to === 'string' ? ` → ${record.to}` : '';
                return `${value}${to}`;
            }
        }
    }
    const json = JSON.stringify(input) ?? '';
    return json.length > 80 ? `${json.slice(0, 79)}…` : json || name;
}

/** What a chat tells its view. */
export type ChatServiceEvent =
    /** A different chat is shown (new or resumed): render it all again. */
    | { type: 'reset'; record: ChatRecord }
    /** The person's message was added. */
    | { type: 'user'; entry: Extract<ChatEntry, { kind: 'user' }> }
    /** An event of the running turn (already folded into the record). */
    | { type: 'turn'; turnKey: string; event: TurnEvent }
    /** A turn started or ended. */
    | { type: 'busy'; busy: boolean }
    /** A turn's changes were undone (or an undo was planned). */
    | { type: 'undo'; report: UndoReport; changeId?: string }
    /** Which instructions and skills guided the turn that just ended (already in the record). */
    | { type: 'guidance'; entry: Extract<ChatEntry, { kind: 'guidance' }> }
    /** A line from the chat itself, e.g. an unknown command or what `/compact` did; nothing was sent. */
    | { type: 'notice'; message: string }
    /** Something failed before the model was asked (e.g. the key is not set); in words for the person. */
    | { type: 'error'; message: string; error?: unknown };
