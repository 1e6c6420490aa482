import { isIP } from 'node:net';
import { z } from 'zod';

/** The shapes environment variables take, and how a config area is declared. */

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

export const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const csv = z
  .string()
  .optional()
  .transform((v) => splitList(v ?? ''));

/** A number that may have a fraction (thresholds, ratios). */
export const ratio = (fallback: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(fallback);

/** A cron expression (five fields at least). */
export const cron = (fallback: string) => z.string().min(9).default(fallback);

/** A URL without its trailing slash, so paths can be appended. */
export const baseUrl = (fallback: string) =>
  z
    .url()
    .default(fallback)
    .transform((v) => v.replace(/\/$/, ''));

/** What every area may look at besides its own variables. */
export interface AreaContext {
  production: boolean;
  /** Where this server is reached from outside (PUBLIC_URL, no trailing slash). */
  publicUrl: string;
  /** The AWS region the AWS clients use unless their area names another. */
  awsRegion: string;
}

/**
 * One area of the configuration: the variables it reads (each named once, with its rule and
 * default), the problems only seen across them or in production, and the settings the code
 * reads. Checks and settings see the whole parsed environment, typed as the area's own.
 */
export interface ConfigArea<S extends z.ZodRawShape, T> {
  vars: S;
  check?: (e: z.output<z.ZodObject<S>>, ctx: AreaContext) => string[];
  settings: (e: z.output<z.ZodObject<S>>, ctx: AreaContext) => T;
}

export const defineArea = <S extends z.ZodRawShape, T>(area: ConfigArea<S, T>): ConfigArea<S, T> => area;

/**
 * An IP address as browsers write it in ICE candidates: IPv4 as given, IPv6 compressed and
 * lower-case (RFC 5952, as the URL standard serializes it); null for anything else.
 */
export function canonicalIp(ip: string): string | null {
  const kind = isIP(ip);
  if (kind === 4) return ip;
  if (kind !== 6) return null;
  try {
    return new URL(`http://[${ip}]`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}
