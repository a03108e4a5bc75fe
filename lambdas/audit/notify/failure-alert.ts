import { errorKindOf, type ErrorKind } from '../errors';
import { displaySafe } from '../util/display-text';
import type { Digest } from '../types/digest';

/**
 * Longest error text in an alert; the log has the rest.
 * @internal Exported for its tests.
 */
export const MAX_ALERT_ERROR_LENGTH = 1000;

const WHAT_TO_DO: Readonly<Record<ErrorKind, string>> = {
  BAD_INPUT:
    'A document (baseline, exclusions), the function configuration or the event is wrong. Fix it; the next scheduled run picks it up. Not retried.',
  PERMISSION:
    'The function lacks a permission or Security Hub / Organizations access is not set up. Fix it; the next scheduled run picks it up. Not retried.',
  INVARIANT:
    'The audit found a bug in its own code (an internal invariant broke). Not retried: report it with the function log.',
  TRANSIENT: 'Lambda retries the invocation.',
  INTEGRITY: 'The audit refused to write data that does not add up; see the function log.',
};

/**
 * The page sent when a run could not produce a report: `audit could not run: <kind>: <message>`.
 * The message comes from outside (a document, the environment, a service answer), so it
 * is display-safe and cut; subjects stay below SNS's 100 characters.
 */
export function buildFailureAlert(error: unknown, invocation: { readonly requestId: string }): Digest {
  const kind = errorKindOf(error);
  const text = error instanceof Error ? error.message : String(error);
  return {
    subject: `Security Hub config audit could not run: ${kind}`,
    message: [
      `audit could not run: ${kind}: ${displaySafe(text, MAX_ALERT_ERROR_LENGTH)}`,
      '',
      WHAT_TO_DO[kind],
      `Lambda request id: ${displaySafe(invocation.requestId, 100)}`,
    ].join('\n'),
  };
}
