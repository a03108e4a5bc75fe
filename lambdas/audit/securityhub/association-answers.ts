/**
 * Mapping of BatchGetConfigurationPolicyAssociations answers from the SDK's shapes to the
 * audit's domain: an {@link Association} when the answer can be read, an unprocessed
 * outcome (with the service's code, or MALFORMED_RESPONSE) when it cannot. Pure: no
 * client and no state; the clock's reading is passed in.
 */
import type {
  BatchGetConfigurationPolicyAssociationsCommandOutput,
  ConfigurationPolicyAssociation,
  ConfigurationPolicyAssociationSummary,
  UnprocessedConfigurationPolicyAssociation,
} from '@aws-sdk/client-securityhub';
import { normalisePolicyId, POLICY_ID_PATTERN } from '../drift/baseline';
import { SELF_MANAGED, type Association, type AssociationStatus, type AssociationType } from '../model';
import { isBeyondClockSkew } from '../report/run-id';
import { quoteUntrustedId } from '../target-ids';
import { toIsoInstant } from '../util/iso-instant';
import { capNullable, MAX_ID_LENGTH, MAX_SERVICE_TEXT_LENGTH } from '../util/text-bounds';
import type { FetchTarget } from './fetch-types';
import { MALFORMED_RESPONSE } from './unprocessed-errors';

/** What one target's answer says. A target absent from a mapped answer is MISSING. */
export type TargetOutcome =
  | { readonly kind: 'FOUND'; readonly association: Association }
  | { readonly kind: 'UNPROCESSED'; readonly errorCode: string | null; readonly errorReason: string | null };

/** The part of the batch-get output the mapping reads. */
export type BatchGetAnswer = Pick<
  BatchGetConfigurationPolicyAssociationsCommandOutput,
  'ConfigurationPolicyAssociations' | 'UnprocessedConfigurationPolicyAssociations'
>;

const ASSOCIATION_TYPES: ReadonlySet<string> = new Set<AssociationType>(['APPLIED', 'INHERITED']);
const ASSOCIATION_STATUSES: ReadonlySet<string> = new Set<AssociationStatus>(['SUCCESS', 'PENDING', 'FAILED']);

/**
 * `value` cut to {@link MAX_SERVICE_TEXT_LENGTH} code units, the `…` included (never inside a
 * surrogate pair); null stays null.
 */
export function capServiceText(value: string | null | undefined): string | null {
  return capNullable(value, MAX_SERVICE_TEXT_LENGTH);
}

/** An error code (the service's, or an exception name) cut to `MAX_ID_LENGTH`; null stays null. */
export function capErrorCode(value: string | null | undefined): string | null {
  return capNullable(value, MAX_ID_LENGTH);
}

/** The request identifier of a target: the Target member matching its type. */
export function toIdentifier(target: FetchTarget): ConfigurationPolicyAssociation {
  switch (target.type) {
    case 'ACCOUNT':
      return { Target: { AccountId: target.id } };
    case 'ORGANIZATIONAL_UNIT':
      return { Target: { OrganizationalUnitId: target.id } };
    case 'ROOT':
      return { Target: { RootId: target.id } };
  }
}

function targetIdOf(entry: UnprocessedConfigurationPolicyAssociation): string | undefined {
  const target = entry.ConfigurationPolicyAssociationIdentifiers?.Target;
  return target?.AccountId ?? target?.OrganizationalUnitId ?? target?.RootId;
}

/** A summary field value as an error reason shows it: quoted and bounded, or `absent`. */
const shown = (value: unknown): string => (value === undefined ? 'absent' : quoteUntrustedId(value));

/** A policy id the audit can compare: a UUID, or the self-managed marker. */
function isPolicyId(value: unknown): boolean {
  return typeof value === 'string' && (value === SELF_MANAGED || POLICY_ID_PATTERN.test(value));
}

/**
 * Why an UpdatedAt cannot be used, or `null`: absent is fine; a time that is no date, cannot
 * be written as the report writes times, or lies beyond the clock-skew bound after `now`
 * (a PENDING dated 9999 would never go stale) is not.
 */
function updatedAtProblem(value: unknown, now: number): string | null {
  if (value === undefined) return null;
  const iso = toIsoInstant(value);
  if (iso !== null && !isBeyondClockSkew(Date.parse(iso), now)) return null;
  return `UpdatedAt ${iso === null ? 'not a usable time' : `${iso} is in the future`}`;
}

/**
 * Why a summary cannot be read as the association of `target`, or `null` when it can.
 * A missing or unknown AssociationType/AssociationStatus, a policy id that is neither a
 * UUID nor SELF_MANAGED_SECURITY_HUB, a TargetType other than the one asked for, or an
 * unusable UpdatedAt would each make any verdict a guess.
 * @param now the clock, epoch ms: an UpdatedAt beyond the clock-skew bound after it is unusable.
 * @internal Exported for its tests.
 */
export function malformation(
  target: FetchTarget,
  summary: ConfigurationPolicyAssociationSummary,
  now: number,
): string | null {
  const problems: string[] = [];
  if (summary.AssociationStatus === undefined || !ASSOCIATION_STATUSES.has(summary.AssociationStatus)) {
    problems.push(`AssociationStatus ${shown(summary.AssociationStatus)}`);
  }
  if (summary.AssociationType === undefined || !ASSOCIATION_TYPES.has(summary.AssociationType)) {
    problems.push(`AssociationType ${shown(summary.AssociationType)}`);
  }
  if (!isPolicyId(summary.ConfigurationPolicyId)) {
    problems.push(`ConfigurationPolicyId ${shown(summary.ConfigurationPolicyId)}`);
  }
  if (summary.TargetType !== undefined && summary.TargetType !== target.type) {
    problems.push(`TargetType ${shown(summary.TargetType)} for a target asked for as ${target.type}`);
  }
  const updatedAt = updatedAtProblem(summary.UpdatedAt, now);
  if (updatedAt !== null) problems.push(updatedAt);
  return problems.length === 0 ? null : `Unreadable association: ${problems.join(', ')}`;
}

/** A summary {@link malformation} found readable, as the domain's association (policy UUIDs lower-cased). */
function toAssociation(targetId: string, summary: ConfigurationPolicyAssociationSummary): Association {
  const policyId = summary.ConfigurationPolicyId;
  return {
    targetId,
    configurationPolicyId: policyId === undefined ? null : normalisePolicyId(policyId),
    associationType: summary.AssociationType!,
    associationStatus: summary.AssociationStatus!,
    associationStatusMessage: capServiceText(summary.AssociationStatusMessage),
    updatedAt: toIsoInstant(summary.UpdatedAt),
  };
}

/** The outcome a readable or unreadable summary gives its target. */
function summaryOutcome(
  target: FetchTarget,
  summary: ConfigurationPolicyAssociationSummary,
  now: number,
): TargetOutcome {
  const problem = malformation(target, summary, now);
  return problem === null
    ? { kind: 'FOUND', association: toAssociation(target.id, summary) }
    : { kind: 'UNPROCESSED', errorCode: MALFORMED_RESPONSE, errorReason: problem };
}

const CONFLICT: TargetOutcome = {
  kind: 'UNPROCESSED',
  errorCode: MALFORMED_RESPONSE,
  errorReason: 'Conflicting answers: the answer lists this target more than once, with different content',
};

/** Records `outcome` for `id`; a second, different outcome for the same id makes it a {@link CONFLICT}. */
function record(outcomes: Map<string, TargetOutcome>, id: string, outcome: TargetOutcome): void {
  const earlier = outcomes.get(id);
  // Outcomes are built here with a fixed key order, so equal content serialises equally.
  const same = earlier === undefined || JSON.stringify(earlier) === JSON.stringify(outcome);
  outcomes.set(id, same ? outcome : CONFLICT);
}

/**
 * Reads one answer for `group`. Only entries naming a target of this call count. A target
 * listed twice with the same content counts once; listed twice with different content (two
 * associations, or an association and an unprocessed entry), its state is not definite and
 * it is MALFORMED_RESPONSE rather than whichever came last. Targets the answer does not
 * mention are not in the map.
 * @param now the clock, epoch ms, for the UpdatedAt check.
 */
export function readAnswer(
  group: readonly FetchTarget[],
  answer: BatchGetAnswer,
  now: number,
): Map<string, TargetOutcome> {
  const inGroup = new Map(group.map((target) => [target.id, target]));
  const outcomes = new Map<string, TargetOutcome>();
  for (const summary of answer.ConfigurationPolicyAssociations ?? []) {
    const id = summary.TargetId;
    const target = id === undefined ? undefined : inGroup.get(id);
    // Only targets we asked for in this call: anything else cannot be attributed safely.
    if (id === undefined || target === undefined) continue;
    record(outcomes, id, summaryOutcome(target, summary, now));
  }
  for (const entry of answer.UnprocessedConfigurationPolicyAssociations ?? []) {
    const id = targetIdOf(entry);
    if (id === undefined || !inGroup.has(id)) continue;
    record(outcomes, id, {
      kind: 'UNPROCESSED',
      errorCode: capErrorCode(entry.ErrorCode),
      errorReason: capServiceText(entry.ErrorReason),
    });
  }
  return outcomes;
}
