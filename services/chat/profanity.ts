import { englishDataset, englishRecommendedTransformers, RegExpMatcher, TextCensor } from 'obscenity';
import { config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';
import { escapeRegex } from '../../utils/text.js';

// obscenity catches the usual disguises (leetspeak, repeated letters, spacing) without
// flagging innocent words that merely contain a bad one.
const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const censor = new TextCensor();

const termPatterns = new Map<string, RegExp>();

/** A configured term as a whole word (or phrase), any case. */
function termPattern(term: string): RegExp {
  let pattern = termPatterns.get(term);
  if (!pattern) {
    pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(term)}(?![\\p{L}\\p{N}])`, 'giu');
    termPatterns.set(term, pattern);
  }
  return pattern;
}

/**
 * Applies a profanity mode to text: masked with asterisks, refused with 422, or left
 * alone. obscenity's English list, plus any configured terms.
 */
export function filterProfanity(text: string, mode = config.chat.profanity, terms: readonly string[] = []): string {
  if (mode === 'off') return text;
  const matches = matcher.getAllMatches(text, true);
  const extra = terms.filter((t) => termPattern(t).test(text));
  for (const t of extra) termPattern(t).lastIndex = 0;
  if (matches.length === 0 && extra.length === 0) return text;
  if (mode === 'refuse') throw new AppError('PROFANITY', 'This text contains words that are not allowed');
  let out = matches.length ? censor.applyTo(text, matches) : text;
  for (const t of extra) out = out.replace(termPattern(t), (m) => '*'.repeat(m.length));
  return out;
}
