/**
 * Mapping of BatchGetConfigurationPolicyAssociations answers from the SDK's shapes to the
 * audit's domain: an {@link Association} when the answer can be read, an unprocessed
 * outcome (with the service's code, or MALFORMED_RESPONSE) when it cannot. Pure: no
 * client, no clock, no state.
 */
import type {
  BatchGetConfigurationPolicyAssociationsCommandOutput,
  ConfigurationPolicyAssociation,
  ConfigurationPolicyAssociationSummary,
  UnprocessedConfigurationPolicyAssociation,
} from '@aws-sdk/client-securityhub';
import { POLICY_ID_PATTERN } from '../drift/baseline';
import { SELF_MANAGED, type Association, type AssociationStatus, type AssociationType } from '../model';
import { quoteUntrustedId } from '../target-ids';
import type { FetchTarget } from './fetch-types';
import { MALFORMED_RESPONSE } from './unprocessed-errors';

/**
 * Longest free text from the service (status message, error reason, error message) kept
 * in a row, in UTF-16 code units; longer text is cut and ends with `…`. Real messages are
 * a sentence; the cap keeps one hostile or broken answer from bloating every report,
 * query and digest that carries it.
 * @internal Exported for its tests.
 */
export const MAX_SERVICE_TEXT_LENGTH = 1024;

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

/** `value` cut to {@link MAX_SERVICE_TEXT_LENGTH} (never inside a surrogate pair); null stays null. */
export function capServiceText(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length <= MAX_SERVICE_TEXT_LENGTH) return value;
  let end = MAX_SERVICE_TEXT_LENGTH;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${value.slice(0, end)}…`;
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

function toIsoString(value: unknown): string | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date !== null && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

/** A summary field value as an error reason shows it: quoted and bounded, or `absent`. */
const shown = (value: unknown): string => (value === undefined ? 'absent' : quoteUntrustedId(value));

/** A policy id the audit can compare: a UUID, or the self-managed marker. */
function isPolicyId(value: unknown): boolean {
  return typeof value === 'string' && (value === SELF_MANAGED || POLICY_ID_PATTERN.test(value));
}

/**
 * Why a summary cannot be read as the association of `target`, or `null` when it can.
 * A missing or unknown AssociationType/AssociationStatus, a policy id that is neither a
 * UUID nor SELF_MANAGED_SECURITY_HUB, or a TargetType other than the one asked for would
 * each make any verdict a guess.
 * @internal Exported for its tests.
 */
export function malformation(target: FetchTarget, summary: ConfigurationPolicyAssociationSummary): string | null {
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
  return problems.length === 0 ? null : `Unreadable association: ${problems.join(', ')}`;
}

/** A summary {@link malformation} found readable, as the domain's association. */
function toAssociation(targetId: string, summary: ConfigurationPolicyAssociationSummary): Association {
  return {
    targetId,
    configurationPolicyId: summary.ConfigurationPolicyId ?? null,
    associationType: summary.AssociationType!,
    associationStatus: summary.AssociationStatus!,
    associationStatusMessage: capServiceText(summary.AssociationStatusMessage),
    updatedAt: toIsoString(summary.UpdatedAt),
  };
}

/** The outcome a readable or unreadable summary gives its target. */
function summaryOutcome(target: FetchTarget, summary: ConfigurationPolicyAssociationSummary): TargetOutcome {
  const problem = malformation(target, summary);
  return problem === null
    ? { kind: 'FOUND', association: toAssociation(target.id, summary) }
    : { kind: 'UNPROCESSED', errorCode: MALFORMED_RESPONSE, errorReason: problem };
}

/**
 * Reads one answer for `group`. Only entries naming a target of this call count, the
 * first per target wins, and an association wins over an unprocessed entry for the same
 * target in the same answer. Targets the answer does not mention are not in the map.
 */
export function readAnswer(group: readonly FetchTarget[], answer: BatchGetAnswer): Map<string, TargetOutcome> {
  const inGroup = new Map(group.map((target) => [target.id, target]));
  const outcomes = new Map<string, TargetOutcome>();
  for (const summary of answer.ConfigurationPolicyAssociations ?? []) {
    const id = summary.TargetId;
    const target = id === undefined ? undefined : inGroup.get(id);
    // Only targets we asked for in this call: anything else cannot be attributed safely.
    if (id === undefined || target === undefined || outcomes.has(id)) continue;
    outcomes.set(id, summaryOutcome(target, summary));
  }
  for (const entry of answer.UnprocessedConfigurationPolicyAssociations ?? []) {
    const id = targetIdOf(entry);
    if (id === undefined || !inGroup.has(id) || outcomes.has(id)) continue;
    outcomes.set(id, {
      kind: 'UNPROCESSED',
      errorCode: capServiceText(entry.ErrorCode),
      errorReason: capServiceText(entry.ErrorReason),
    });
  }
  return outcomes;
}
