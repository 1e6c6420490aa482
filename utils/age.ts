/** The ages an account may have and look for. */
export const MIN_AGE = 18;
export const MAX_AGE = 120;

/** Whether a range of wanted ages leaves anyone out (the default, the whole range, does not). */
export const narrowsAges = ({ minAge, maxAge }: { minAge?: number; maxAge?: number }) =>
  (minAge ?? MIN_AGE) > MIN_AGE || (maxAge ?? MAX_AGE) < MAX_AGE;

/** Whole years between a birth date and `now`, by calendar (UTC). */
export function ageOn(dateOfBirth: Date, now = new Date()): number {
  let age = now.getUTCFullYear() - dateOfBirth.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < dateOfBirth.getUTCMonth() ||
    (now.getUTCMonth() === dateOfBirth.getUTCMonth() && now.getUTCDate() < dateOfBirth.getUTCDate());
  if (beforeBirthday) age--;
  return age;
}

/**
 * Birth dates of people aged minAge to maxAge on `now`: born on or before `latest` and
 * after `earliestExclusive`. Lets an age filter be a range on the stored date.
 */
export function birthDateRange(minAge: number | undefined, maxAge: number | undefined, now = new Date()) {
  const yearsAgo = (years: number) => new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate()));
  return {
    latest: minAge === undefined ? undefined : yearsAgo(minAge),
    earliestExclusive: maxAge === undefined ? undefined : yearsAgo(maxAge + 1),
  };
}
