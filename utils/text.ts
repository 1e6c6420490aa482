// C0/C1 control characters except tab and newline, plus bidi overrides used to disguise text.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** Text as stored: Unicode NFC, no control characters, trimmed. */
export const cleanText = (value: string): string => value.normalize('NFC').replace(CONTROL, '').trim();

/**
 * An email address or sign-in identifier as stored and looked up: trimmed, lower-case, then NFC
 * (an address typed in decomposed Unicode is the same address; composed last, as lower-casing
 * can leave a sequence that composes).
 */
export const normaliseIdentifier = (value: string): string => value.trim().toLowerCase().normalize('NFC');

/**
 * Characters no address holds: control and format ones (bidi overrides, zero-width), spaces of
 * any kind, and the rest Unicode says are drawn as nothing (fillers, variation selectors, the
 * grapheme joiner): each would let an address show as another.
 */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}]/u;

/** Names refuse markup: no angle brackets, no URLs' punctuation soup. */
export const MARKUP = /[<>{}[\]\\]/;

export const escapeRegex = (value: string): string => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Interests and hashtags: lower-case, ascii-ish tags joined by dashes. */
export const normaliseTag = (value: string): string =>
  cleanText(value)
    .toLowerCase()
    .replace(/^#/, '')
    .replace(/[\s_]+/g, '-')
    .replace(/[^\p{L}\p{N}+#.-]/gu, '')
    .slice(0, 30);
