import { z } from 'zod';
import type { Exclusion } from '../model';
import { TARGET_ID_EXPECTATION, isTargetId } from '../target-ids';
import { describeIssues, parseJson, quoteValue } from './json-document';
import { ExclusionsError } from '../errors';
import { MAX_FREE_TEXT_LENGTH } from '../util/text-bounds';

/**
 * True for `YYYY-MM-DD` naming a real calendar date (no 2026-02-30).
 * @internal Exported for its tests.
 */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const DOCUMENT_FIELDS: ReadonlySet<string> = new Set(['version', 'exclusions', 'targetId', 'reason', 'expires']);

/** Message for a missing or wrongly typed field: `required: <what>` or `expected <what>, got <value>`. */
const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required: ${what}` : `expected ${what}, got ${quoteValue(issue.input)}`;

const exclusionEntry = z.strictObject(
  {
    targetId: z
      .string({ error: required(TARGET_ID_EXPECTATION.replace(/^expected /, '')) })
      .refine(isTargetId, { error: (issue) => `${TARGET_ID_EXPECTATION}, got ${quoteValue(issue.input)}` }),
    reason: z
      .string({ error: required('a non-empty reason') })
      .trim()
      .min(1, { error: 'expected a non-empty reason' })
      // The report cuts reasons to this bound in UTF-16 code units (zod's max counts code points).
      .refine((reason) => reason.length <= MAX_FREE_TEXT_LENGTH, {
        error: `expected a reason of at most ${MAX_FREE_TEXT_LENGTH} characters`,
      }),
    expires: z.string({ error: required('a date YYYY-MM-DD') }).refine(isCalendarDate, {
      error: (issue) => `expected a calendar date YYYY-MM-DD, got ${quoteValue(issue.input)}`,
    }),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'expected an object { "targetId", "reason", "expires" }' : undefined,
  },
);

const exclusionsDocument = z.strictObject(
  {
    version: z.literal(1, {
      error: (issue) =>
        issue.input === undefined ? 'required: 1' : `unsupported version ${quoteValue(issue.input)}; expected 1`,
    }),
    exclusions: z
      .array(exclusionEntry, {
        error: (issue) =>
          issue.input === undefined ? 'required: an array of exclusions' : 'expected an array of exclusions',
      })
      .superRefine((entries, ctx) => {
        const firstIndex = new Map<string, number>();
        entries.forEach((entry, index) => {
          const first = firstIndex.get(entry.targetId);
          if (first === undefined) firstIndex.set(entry.targetId, index);
          else
            ctx.addIssue({
              code: 'custom',
              path: [index, 'targetId'],
              message: `duplicate exclusion for ${entry.targetId} (already at exclusions[${first}]); keep one entry per target`,
            });
        });
      }),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type' ? 'expected a JSON object { "version": 1, "exclusions": [ … ] }' : undefined,
  },
);

/**
 * Parses and validates an exclusions document:
 *
 * ```json
 * { "version": 1, "exclusions": [ { "targetId": "123456789012", "reason": "Sandbox, CHG-1234", "expires": "2026-12-31" } ] }
 * ```
 *
 * `targetId` is a root, OU or account id (at most one entry per target), `reason` is
 * non-empty (trimmed) and at most `MAX_FREE_TEXT_LENGTH` characters, `expires` is a real calendar date; the exclusion covers the
 * target up to and including that UTC date. An exclusion covers only its own target,
 * not its descendants. Whether the ids exist is checked later by `checkKnownTargets`.
 *
 * Duplicate keys, a `__proto__` key, more than `MAX_DOCUMENT_BYTES` and nesting deeper
 * than `MAX_JSON_DEPTH` are errors too (see `parseJson`).
 *
 * @throws ExclusionsError naming the source and each bad path (at most `MAX_LISTED_PROBLEMS`, then a count).
 */
export function parseExclusions(text: string, source: string): Exclusion[] {
  const json = parseJson(text, DOCUMENT_FIELDS);
  if (!json.ok) throw new ExclusionsError(source, json.problem, { cause: json.cause });
  const parsed = exclusionsDocument.safeParse(json.value);
  if (!parsed.success)
    throw new ExclusionsError(source, describeIssues(parsed.error, DOCUMENT_FIELDS), { cause: parsed.error });
  return parsed.data.exclusions.map((e) => ({ targetId: e.targetId, reason: e.reason, expires: e.expires }));
}
