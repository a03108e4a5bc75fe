/**
 * Judges what a re-check read: the nightly drift rules and row builder over the re-checked
 * part of the organization, then the changes against what was known of each target.
 */
import { parseBaseline } from '../drift/baseline';
import { parseExclusions } from '../drift/exclusions';
import { evaluateRecheck } from './evaluate-recheck';
import { compareWithKnown, type KnownComparison } from './recheck-changes';
import type { KnownState } from './known-state';
import type { RecheckRead } from './recheck-read';
import type { RecheckRequest } from '../types/recheck';

/** Rows of the re-checked targets, their changes against the known state. @throws DocumentError for a bad document. */
export function judgeRecheck(
  request: RecheckRequest,
  read: RecheckRead,
  known: KnownState,
  run: { readonly recheckId: string; readonly now: number },
): KnownComparison {
  const { baseline, exclusions } = request;
  const rows = evaluateRecheck(read.resolved.org, read.settled.fetched, {
    recheckId: run.recheckId,
    auditedAt: new Date(run.now).toISOString(),
    now: run.now,
    pendingStaleMs: request.tuning.pendingStaleHours * 3_600_000,
    baseline: baseline && parseBaseline(baseline.text, baseline.source),
    exclusions: exclusions && parseExclusions(exclusions.text, exclusions.source),
    policyNames: read.policyNames,
  });
  return compareWithKnown(rows, (id) => known.tree?.get(id));
}
