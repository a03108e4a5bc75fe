/**
 * One re-check: the changes of a burst of events in, the changed targets' findings, a
 * digest for new drift, a signed record and the updated overlay out. In order: read what
 * is known (verified), plan, look up and list only what the events cannot tell, read the
 * associations (waiting while they are PENDING), judge exactly as the nightly run does,
 * compare with what was known, write the record, publish, and only then extend the
 * overlay, so a re-check that fails before it published is retried whole and its alert is
 * never lost. It never writes `latest/` or anything the nightly run reads.
 */
import type { AssociationRow } from '../report/rows';
import { deriveRecheckId } from '../report/run-id';
import { DigestPublishError } from '../errors';
import type { RecheckDeps, RecheckRequest } from '../types/recheck';
import { DEFAULT_COALESCE_AT, planRecheck, type RecheckPlan } from './plan-recheck';
import { readKnownState, type KnownState } from './known-state';
import { lookAndRead, type RecheckRead } from './recheck-read';
import { judgeRecheck } from './recheck-judge';
import { writeRecheckRecord, type WrittenRecheckRecord } from './recheck-record';
import { mergeRecheckState, writeRecheckState, type WrittenRecheckState } from './recheck-state';
import type { KnownComparison } from './recheck-changes';
import { publishRecheck, type RecheckPublishResult } from './publish-recheck';
import { findingsDeps } from './recheck-findings-deps';

/** What a re-check did. */
export interface RecheckOutcome {
  readonly recheckId: string;
  readonly plan: RecheckPlan;
  readonly known: KnownState;
  readonly read: RecheckRead;
  readonly comparison: KnownComparison;
  readonly written: WrittenRecheckRecord;
  readonly published: RecheckPublishResult | null;
  readonly state: WrittenRecheckState | null;
}

/** See the module comment. @throws what a step cannot get past (the queue retries the batch). */
export async function runRecheck(deps: RecheckDeps, request: RecheckRequest): Promise<RecheckOutcome> {
  const startedAt = deps.clock.now();
  const recheckId = deriveRecheckId(startedAt, deps.random);
  const known = await readKnownState(deps.store, request.reportPrefix, deps.mac, startedAt);
  const plan = planRecheck(request.changes, known.tree, {
    coalesceAt: DEFAULT_COALESCE_AT,
    maxTargets: request.recheck.recheckMaxTargets,
  });
  const read = await lookAndRead(deps, request, plan, known);
  const comparison = judgeRecheck(request, read, known, { recheckId, now: startedAt });
  const written = await writeRecheckRecord(deps.store, request.reportPrefix, deps.mac, {
    recheckId,
    fullRunId: known.fullRunId,
    stateStatus: known.stateStatus,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(deps.clock.now()).toISOString(),
    events: plan.changes,
    rows: comparison.rows,
    deferred: plan.deferred.length,
    badEvents: request.badEvents,
  });
  const published = await publishStep(deps, request, { written, comparison, known, gone: goneRows(read, known) });
  const state = await stateStep(deps, request, known, comparison.rows);
  return { recheckId, plan, known, read, comparison, written, published, state };
}

/** The last known rows of the targets found gone. */
function goneRows(read: RecheckRead, known: KnownState): AssociationRow[] {
  return read.resolved.gone.flatMap((id) => {
    const row = known.tree?.get(id);
    return row === undefined ? [] : [row];
  });
}

async function publishStep(
  deps: RecheckDeps,
  request: RecheckRequest,
  parts: {
    readonly written: WrittenRecheckRecord;
    readonly comparison: KnownComparison;
    readonly known: KnownState;
    readonly gone: readonly AssociationRow[];
  },
): Promise<RecheckPublishResult | null> {
  const { written, comparison, known, gone } = parts;
  const published = await publishRecheck(
    { findings: findingsDeps(deps, request), sns: deps.sns, metrics: deps.metrics },
    {
      destination: request.findings,
      record: written.record,
      comparison,
      gone,
      known: (id) => known.tree?.get(id),
      knownState: known.note,
      topicArn: request.topicArn,
      digestOptions: request.digestOptions(written.associationsKey),
      deadline: request.deadline,
    },
  );
  // Retried whole: the overlay is not yet extended, so the retry sees the same new drift and sends it again.
  if (published.digest.status === 'FAILED') throw new DigestPublishError('TRANSIENT', published.digest.reason);
  return published;
}

/** Extends the overlay with this re-check's rows; nothing to extend without a trusted full run. */
async function stateStep(
  deps: RecheckDeps,
  request: RecheckRequest,
  known: KnownState,
  rows: readonly AssociationRow[],
): Promise<WrittenRecheckState | null> {
  if (known.state === null) return null;
  const merged = mergeRecheckState(known.state, rows, new Date(deps.clock.now()).toISOString());
  const written = await writeRecheckState(deps.store, request.reportPrefix, deps.mac, merged);
  if (written.truncated) {
    deps.logger?.warn(
      'The re-check state outgrew its bound and was emptied: later re-checks compare with the full run',
      {
        fullRunId: known.state.fullRunId,
      },
    );
  }
  return written;
}
