import { LANGUAGES, type Language } from '../../config/constants.js';

const SUPPORTED: ReadonlySet<string> = new Set(LANGUAGES);

/**
 * The supported language a browser or phone asks for first (Accept-Language, by q-value:
 * "es-MX,es;q=0.9,en;q=0.8" is Spanish); undefined when it asks for none we write.
 */
export function preferredLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const asked = header
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { primary: tag.trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((a) => a.q > 0 && SUPPORTED.has(a.primary))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return asked[0]?.primary as Language | undefined;
}
