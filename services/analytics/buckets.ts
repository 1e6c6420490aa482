/** The keys of the analytics buckets an instant falls in (UTC): a day, its hours, an ISO week, a month. */

export const dayKey = (at: Date) => `d:${at.toISOString().slice(0, 10)}`;
/** The document of a day's counts per hour. */
export const hoursKey = (at: Date) => `hd:${at.toISOString().slice(0, 10)}`;
/** An event's count for the hour an instant falls in, a field of its day's hours document: `h09_message`. */
export const hourField = (at: Date, event: string) => `h${at.toISOString().slice(11, 13)}_${event}`;
/** A day's posts marked viral, with their scores (read for the report's top list). */
export const viralKey = (at: Date) => `vp:${at.toISOString().slice(0, 10)}`;
export const monthKey = (at: Date) => `m:${at.toISOString().slice(0, 7)}`;

/** The ISO week (Monday first) an instant falls in: `w:2026-W49`. */
export function weekKey(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `w:${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Whole UTC days from one instant's day to another's. */
export const daysBetween = (from: Date, to: Date) =>
  Math.round(
    (Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate()) -
      Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate())) /
      86_400_000,
  );

/** Session lengths are kept as counts per band (upper bounds in seconds): enough for a median. */
export const SESSION_BANDS = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400, 28_800] as const;
export const bandOf = (seconds: number) => SESSION_BANDS.find((b) => seconds <= b) ?? 86_400;
