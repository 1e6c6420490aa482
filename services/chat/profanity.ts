import { englishDataset, englishRecommendedTransformers, RegExpMatcher, TextCensor } from 'obscenity';
import { config } from '../../config/index.js';
import { AppError } from '../../utils/app-error.js';

// obscenity catches the usual disguises (leetspeak, repeated letters, spacing) without
// flagging innocent words that merely contain a bad one.
const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const censor = new TextCensor();

/** Applies CHAT_PROFANITY to a message: masked with asterisks, refused with 422, or left alone. */
export function filterProfanity(text: string, mode = config.chat.profanity): string {
  if (mode === 'off') return text;
  const matches = matcher.getAllMatches(text, true);
  if (matches.length === 0) return text;
  if (mode === 'refuse') throw new AppError(422, 'PROFANITY', 'This message contains words that are not allowed');
  return censor.applyTo(text, matches);
}
