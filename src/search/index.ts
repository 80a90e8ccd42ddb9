/** Ranked retrieval over the vault: the relevance index, related notes, and the seam for a later vector channel. */
export { NoteSearch, type NoteSearchOptions, type RankedNote, type RankOptions } from './note-search';
export { relatedNotes, type RelatedNote } from './related';
export { bestPassage, type Passage } from './passage';
export { modifiedRange, type TimeRange } from './modified';
export { fuseRankings, type ChannelQuery, type ChannelRanking, type RankedPath, type RankingChannel } from './channels';
export { FIELD_BOOSTS, NOTE_FIELDS, noteTitle, type NoteField } from './note-document';
export { queryTerms } from './tokens';
