/**
 * Coercions for configuration values that arrive as text (environment variables, `-c key=value`)
 * or typed (cdk.json): applied before a zod schema validates them, so one rule reads both.
 */

/** A blank string means "not set". */
export const blankToUndefined = <T>(value: T): T | undefined =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** "5" becomes 5; other values pass through for the schema to judge (booleans are not numbers). */
export const toNumber = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  return typeof v === 'string' ? Number(v.trim()) : v;
};

/** "true"/"false" in any case become booleans; other values pass through for the schema to judge. */
export const toBoolean = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  if (typeof v === 'string') {
    const lower = v.trim().toLowerCase();
    return lower === 'true' ? true : lower === 'false' ? false : v;
  }
  return v;
};
