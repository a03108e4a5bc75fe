import { DRIFT_REASONS } from '../model';
import type { AssociationRow } from '../report/rows';
import type { DigestInput, DigestSummary } from '../types/digest';
import { deploymentLabel } from './deployment-label';
import { listBounded, displaySafe } from '../util/display-text';

/**
 * SNS Publish: subjects are ASCII and "less than 100 characters long".
 * @internal Exported for its tests.
 */
export const MAX_SUBJECT_LENGTH = 99;

/**
 * `text` as an SNS subject: printable ASCII only (anything else, line breaks included,
 * becomes `?`), cut to {@link MAX_SUBJECT_LENGTH} with `...`.
 * @internal Exported for its tests.
 */
export function asciiSubject(text: string): string {
  const ascii = text.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > MAX_SUBJECT_LENGTH ? `${ascii.slice(0, MAX_SUBJECT_LENGTH - 3)}...` : ascii;
}

/** Event names shown for a re-check: the first few (distinct, in order), then how many more. */
const MAX_LISTED_EVENTS = 3;

/**
 * "MoveAccount, CreateAccountResult and 2 more": the distinct names of the events that
 * triggered a re-check, display-safe; `undefined` for a nightly run.
 */
export function recheckTrigger(summary: DigestSummary, maxListed = MAX_LISTED_EVENTS): string | undefined {
  if (summary.trigger !== 'RECHECK') return undefined;
  const names = [...new Set(summary.recheckEvents)];
  return names.length === 0 ? 'no named event' : listBounded(names, maxListed, (n) => displaySafe(n, 64));
}

/** The subject's lead for a re-check, from the fullest to the shortest; `['']` for a nightly run. */
function recheckLeads(summary: DigestSummary): string[] {
  const full = recheckTrigger(summary);
  if (full === undefined) return [''];
  return [`Re-check (${full}): `, `Re-check (${recheckTrigger(summary, 1)}): `];
}

/** "2 FAILED, 1 PENDING_STALE": how many of `rows` carry each reason, in rule order. */
export function reasonCounts(rows: readonly AssociationRow[]): string {
  return DRIFT_REASONS.map((reason) => [reason, rows.filter((r) => r.drift_reasons.includes(reason)).length] as const)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
}

/** "2 new (2 FAILED), 1 resolved", or without the reason counts; a single new drift names its target. */
function changeText({ summary, changes }: DigestInput, withReasons: boolean): string {
  const parts: string[] = [];
  if (summary.new_drift > 0) {
    const only = summary.new_drift === 1 ? changes.newDrift[0] : undefined;
    const reasons = withReasons ? reasonCounts(changes.newDrift) : '';
    parts.push(
      only
        ? `new ${only.drift_reasons.join('+')} on ${only.target_id}`
        : `${summary.new_drift} new${reasons ? ` (${reasons})` : ''}`,
    );
  }
  if (summary.resolved_drift > 0) parts.push(`${summary.resolved_drift} resolved`);
  return parts.join(', ');
}

/**
 * What changed, most important first: "Security Hub drift: 2 new (2 FAILED), 1 resolved;
 * 5 drifted, 3 FAILED [111122223333 us-east-1]", led by "[HISTORY UNTRUSTED] " and
 * "[INCOMPLETE] " when they apply. Within SNS's limit the subject drops detail whole (the
 * reason counts, then the deployment) rather than cut a total in the middle.
 */
export function digestSubject(input: DigestInput): string {
  const { summary, options } = input;
  const untrusted = summary.previous_run_status === 'UNTRUSTED' ? '[HISTORY UNTRUSTED] ' : '';
  const incomplete = summary.run_status === 'INCOMPLETE' ? '[INCOMPLETE] ' : '';
  const now = `${summary.drifted} drifted, ${summary.status_failed} FAILED`;
  const where = deploymentLabel(options.deployment, 'short');
  // A re-check says so first (naming fewer events before it drops detail), and counts over the targets it re-checked.
  const leads = recheckLeads(summary);
  const candidates = [true, false].flatMap((withReasons) =>
    leads.flatMap((lead) => {
      const head = `${lead}${untrusted}${incomplete}Security Hub drift: ${changeText(input, withReasons)}; ${now}`;
      return where === undefined ? [head] : [`${head} [${where}]`, head];
    }),
  );
  // Last resort before a cut: the shortest label (for a re-check, naming fewer events, then none).
  const lastLeads = leads[0] === '' ? leads : [...leads, 'Re-check: '];
  for (const lead of lastLeads)
    candidates.push(`${lead}${untrusted}${incomplete}Drift: ${changeText(input, false)}; ${now}`);
  const ascii = candidates.map(asciiSubject);
  return ascii.find((subject, i) => subject === candidates[i]) ?? ascii[ascii.length - 1];
}
