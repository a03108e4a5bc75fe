/**
 * The one time format the audit writes (`Date.prototype.toISOString` of a year 0000-9999
 * time) and reads back: a time that would print otherwise (year 10000 and later, or before
 * year 0) is refused where it comes in, not written for the next run to refuse.
 */

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** True for an ISO 8601 UTC time exactly as `Date.prototype.toISOString` writes it. */
export function isIsoInstant(value: string): boolean {
  return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
}

/** `value` (a Date or a date string) as the audit writes times, or `null` when it cannot be. */
export function toIsoInstant(value: unknown): string | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return isIsoInstant(iso) ? iso : null;
}
