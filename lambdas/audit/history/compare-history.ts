/**
 * Comparison with the previous run. Pure: this run's findings and the previous run's
 * per-target state in, per-target changes and the carried-forward first-drift time out.
 * Knows nothing of the report format: the report layer reads (and verifies) the previous
 * run and hands over a {@link PreviousRun}.
 */
import { CHANGE_KINDS, type AssociationStatus, type AssociationType, type ChangeKind } from '../model';
import type { TargetFinding } from '../drift/drift-rules';

/** What the previous run knew of one target. */
export interface PreviousTarget {
  readonly targetId: string;
  readonly drift: boolean;
  /** Run time drift was first seen; `null` when not drifted. */
  readonly firstDriftSeen: string | null;
  readonly configurationPolicyId: string | null;
  readonly associationStatus: AssociationStatus | null;
  readonly associationType: AssociationType | null;
}

/** The previous run, as far as history needs it. */
export interface PreviousRun {
  readonly runId: string;
  /** One entry per target of the previous run. */
  readonly targets: readonly PreviousTarget[];
}

/** What history adds to one target's row. */
export interface TargetHistory {
  /** In {@link CHANGE_KINDS} order. */
  readonly changes: readonly ChangeKind[];
  /** Run time drift was first seen in the current unbroken stretch of drift; `null` when not drifted. */
  readonly firstDriftSeen: string | null;
}

/** The outcome of {@link compareWithHistory}. */
export interface HistoryResult {
  /** One entry per finding, by target id. */
  readonly byTarget: ReadonlyMap<string, TargetHistory>;
  /** Target ids of the previous run that the organization no longer has, sorted. */
  readonly departedTargets: readonly string[];
}

/** The association fields a change is judged on. */
type AssociationState = Pick<PreviousTarget, 'configurationPolicyId' | 'associationStatus' | 'associationType'>;

/** True when any association state is known (the target was neither unprocessed nor missing). */
function hasState(state: AssociationState): boolean {
  return state.configurationPolicyId !== null || state.associationStatus !== null || state.associationType !== null;
}

function stateChanged(before: AssociationState, now: AssociationState): boolean {
  return (
    now.configurationPolicyId !== before.configurationPolicyId ||
    now.associationStatus !== before.associationStatus ||
    now.associationType !== before.associationType
  );
}

/** What a target is judged to be now, as far as history compares it: a finding, or a re-checked row. */
export interface JudgedTarget {
  readonly drift: boolean;
  /** The association read now; `null` when none was (unprocessed, missing). */
  readonly association: AssociationState | null;
}

/**
 * One target's history: its changes against `before` (its last known state, `undefined`
 * when unknown) and its first drift time. The rules of {@link compareWithHistory}, shared
 * with the re-check so both tell a change the same way.
 */
export function targetHistory(now: JudgedTarget, before: PreviousTarget | undefined, runTime: string): TargetHistory {
  const wasDrift = before?.drift === true;
  const found = new Set<ChangeKind>();
  if (now.drift && !wasDrift) found.add('NEW_DRIFT');
  if (!now.drift && wasDrift) found.add('RESOLVED');
  const association = now.association;
  if (before && association && hasState(before) && hasState(association) && stateChanged(before, association)) {
    found.add('CHANGED');
  }
  const firstDriftSeen = !now.drift ? null : wasDrift ? (before.firstDriftSeen ?? runTime) : runTime;
  return { changes: CHANGE_KINDS.filter((c) => found.has(c)), firstDriftSeen };
}

/**
 * Compares this run's findings with the previous run.
 *
 * - NEW_DRIFT: drifted now, and not drifted in the previous run or absent from it
 *   (also when there is no previous run: the first run, or history that was not trusted).
 * - RESOLVED: drifted in the previous run, not now (EXCLUDED counts as not drifted).
 * - CHANGED: policy id, association status or association type differs from the
 *   previous run. Compared only when both runs know the target's association state,
 *   so a target that was unprocessed or missing on one side is not reported as
 *   changed (its UNPROCESSED/MISSING reason already tells that story).
 * - first drift time: kept from the previous run while drift continues, `runTime` when
 *   drift starts, `null` when not drifted.
 *
 * @param previous `null` when there is no previous run to compare with.
 * @param runTime when this run judged the findings (ISO 8601): the clock, not the schedule time.
 */
export function compareWithHistory(
  findings: readonly TargetFinding[],
  previous: PreviousRun | null,
  runTime: string,
): HistoryResult {
  const before = new Map<string, PreviousTarget>();
  for (const target of previous?.targets ?? []) {
    if (!before.has(target.targetId)) before.set(target.targetId, target);
  }
  const byTarget = new Map<string, TargetHistory>();
  for (const finding of findings) {
    byTarget.set(finding.target.id, targetHistory(finding, before.get(finding.target.id), runTime));
  }
  const departedTargets = [...before.keys()].filter((id) => !byTarget.has(id)).sort();
  return { byTarget, departedTargets };
}
