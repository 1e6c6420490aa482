/** Name search as equality lookups: every prefix of every name is stored with the user. */
export const SEARCH_PREFIX_MIN = 2;
export const SEARCH_PREFIX_MAX = 20;

/** Case- and accent-insensitive form of a name or a query: "Zoë  O'Brien" -> "zoe o'brien". */
export function normaliseForSearch(value: string): string {
  return value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

export interface NameKeys {
  searchNames: string[];
  searchPrefixes: string[];
}

/** First name, last name, both together and the username, each with its prefixes. */
export function nameSearchKeys(user: { firstName: string; lastName: string; username: string }): NameKeys {
  const names = [user.firstName, user.lastName, `${user.firstName} ${user.lastName}`, user.username].map(normaliseForSearch);
  const searchNames = [...new Set(names.filter(Boolean))];
  const prefixes = new Set<string>();
  for (const name of searchNames) {
    const chars = [...name]; // by code point, so a prefix never splits a surrogate pair
    for (let n = SEARCH_PREFIX_MIN; n <= Math.min(chars.length, SEARCH_PREFIX_MAX); n++) prefixes.add(chars.slice(0, n).join(''));
  }
  return { searchNames, searchPrefixes: [...prefixes] };
}
