/**
 * Reading schemas for the values of report objects. A previous run's rows and summary
 * are read back as untrusted input, so their ids, dates and enums get the same checks as
 * service answers: ids by `target-ids.ts`, run ids by `run-id.ts`, times as the audit
 * writes them, and every string bounded. Messages never echo the offending value.
 */
import { z } from 'zod';
import { isTargetId, TARGET_ID_EXPECTATION } from '../target-ids';
import { displaySafe, listBounded } from '../util/display-text';
import { isIsoInstant } from '../util/iso-instant';
import { MAX_FREE_TEXT_LENGTH, MAX_ID_LENGTH, MAX_NAME_LENGTH } from '../util/text-bounds';
import { recheckIdDate, runIdDate } from './run-id';

export { isIsoInstant } from '../util/iso-instant';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && isIsoInstant(`${value}T00:00:00.000Z`);
}

/** `2026-11-26T02:00:00.000Z`. */
export const isoInstant = z
  .string()
  .refine(isIsoInstant, 'expected an ISO 8601 UTC time like 2026-11-26T02:00:00.000Z');
/** `YYYY-MM-DD`, a real date. */
export const isoDate = z.string().refine(isIsoDate, 'expected a date YYYY-MM-DD');
/** A root, OU or account id. */
export const targetId = z.string().max(MAX_ID_LENGTH).refine(isTargetId, TARGET_ID_EXPECTATION);
/** Ids from the root down, joined by `/`. */
export const ouPath = z
  .string()
  .max(MAX_NAME_LENGTH * 4)
  .refine((v) => v.split('/').every(isTargetId), 'expected target ids joined by /');
/** A run id this code makes. */
export const runId = z
  .string()
  .max(64)
  .refine((v) => runIdDate(v) !== null, 'expected a run id like 20261126T020000Z');
/** The run a row belongs to: a nightly run, or a re-check (whose rows have the same columns). */
export const rowRunId = z
  .string()
  .max(64)
  .refine((v) => runIdDate(v) !== null || recheckIdDate(v) !== null, 'expected a run or re-check id');
/** Id-like text: policy ids, error codes. */
export const idText = z.string().max(MAX_ID_LENGTH);
/** Names and keys. */
export const nameText = z.string().max(MAX_NAME_LENGTH);
/** A name the audit derives (a path of names), cut to the bound {@link nameText} reads back. */
export const boundedName = (text: string): string => text.slice(0, MAX_NAME_LENGTH);
/** Free text: status messages and error reasons (written up to `MAX_SERVICE_TEXT_LENGTH`), exclusion reasons. */
export const freeText = z.string().max(MAX_FREE_TEXT_LENGTH);

/** Ids in a message: display-safe, at most 10, then "and N more". */
export function boundedIds(ids: readonly string[], max = 10): string {
  return listBounded(ids, max, (id) => displaySafe(id, 64));
}

/** Zod issues as one bounded, display-safe line: `path: problem; …` (at most 5, then "and N more"). */
export function describeIssues(error: z.ZodError, what: string): string {
  const issues = error.issues.map((i) => displaySafe(`${i.path.map(String).join('.') || what}: ${i.message}`, 160));
  const more = issues.length > 5 ? ` and ${issues.length - 5} more` : '';
  return `${issues.slice(0, 5).join('; ')}${more}`;
}
