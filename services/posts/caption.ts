import { normaliseTag } from '../../utils/text.js';

export interface ParsedCaption {
  hashtags: string[];
  /** Usernames as written after @, lower-cased. */
  mentions: string[];
}

// A tag or name starts after whitespace or punctuation, so "mail@example.com" is no mention.
const HASHTAG = /(?:^|[^\p{L}\p{N}_&#])#([\p{L}\p{N}_]{1,50})/gu;
const MENTION = /(?:^|[^\p{L}\p{N}_@.])@([a-z0-9_.]{3,30})/giu;

/** Hashtags (normalised as interests are) and @mentions, each once, in order, at most 30 of each. */
export function parseCaption(caption: string): ParsedCaption {
  const hashtags = [...caption.matchAll(HASHTAG)].map((m) => normaliseTag(m[1]!)).filter(Boolean);
  const mentions = [...caption.matchAll(MENTION)].map((m) => m[1]!.toLowerCase().replace(/\.+$/, ''));
  return { hashtags: [...new Set(hashtags)].slice(0, 30), mentions: [...new Set(mentions)].slice(0, 30) };
}
