/** Day and hour keys (UTC), the buckets of quotas, counters and statistics. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
export const hourKey = (at: Date): string => at.toISOString().slice(0, 13);
export const nextUtcMidnight = (at: Date): Date => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1));
