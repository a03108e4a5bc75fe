/**
 * One report row as a Security Hub finding in the AWS Security Finding Format (ASFF).
 * Pure: the row and where the finding goes in, the finding out.
 *
 * Only fields a finding provider owns are set. Note, UserDefinedFields, VerificationState
 * and Workflow belong to the customer (BatchImportFindings cannot update them once the
 * finding exists), and Severity, Types, Confidence, Criticality and RelatedFindings are
 * provided through FindingProviderFields, never the top-level fields customers edit with
 * BatchUpdateFindings. Every value from outside (names, status messages, exclusion
 * reasons) is escaped with `displaySafe` and cut to the ASFF limit of its field.
 */
import type { AwsSecurityFinding, Partition, Resource } from '@aws-sdk/client-securityhub';
import type { AssociationRow } from '../report/rows';
import type { ActiveFinding } from '../types/findings';
import { displaySafe } from '../util/display-text';
import { remediationOf, severityOf } from '../drift/reason-guide';
import { emptyRow } from '../report/rows';

/** Where the findings go and what they point back to. */
export interface FindingContext {
  /** The delegated administrator account the audit runs in: owner of the product and of every finding. */
  readonly accountId: string;
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  readonly runId: string;
  /** Run time, ISO 8601 UTC: the earliest UpdatedAt a finding gets, and the drift's LastObservedAt. */
  readonly auditedAt: string;
  /**
   * Clock time of the publish, ISO 8601 UTC: UpdatedAt is not earlier, so a retried run
   * or a re-run of an older night still updates what an earlier attempt stored.
   */
  readonly sentAt?: string;
  /** S3 key of the run's associations object. */
  readonly reportKey: string;
}

/** ASFF limits the builder bounds values to (AWS Security Finding Format, API reference). */
export const ASFF_LIMITS = {
  title: 256,
  description: 1024,
  recommendationText: 512,
  productFieldValue: 2048,
  otherDetailValue: 1023,
  /** A whole finding, serialized: "up to 240 KB per finding". */
  findingBytes: 240 * 1024,
} as const;

/** Schema version every ASFF finding carries. */
const ASFF_SCHEMA_VERSION = '2018-10-08';
/** The one check the audit reports on; part of every finding id. */
export const GENERATOR_ID = 'securityhub-config-audit/configuration-policy-drift';
/**
 * namespace/category/classifier, as ASFF finding types are written.
 * @internal Exported for its tests.
 */
export const FINDING_TYPE = 'Software and Configuration Checks/AWS Security Best Practices/Configuration Policy Drift';

/** `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: the account's own product. */
export function productArn(ctx: Pick<FindingContext, 'accountId' | 'region' | 'partition'>): string {
  return `arn:${ctx.partition}:securityhub:${ctx.region}:${ctx.accountId}:product/${ctx.accountId}/default`;
}

/**
 * Stable per target and check, so the next run (or a retry of this one) updates the same
 * finding instead of adding another. Target ids are validated Organizations ids.
 */
export function findingId(targetId: string): string {
  return `${GENERATOR_ID}/${targetId}`;
}

/**
 * The UpdatedAt of the audit's next update of a finding: the run time or the publish
 * time, whichever is later, and strictly later than what Security Hub holds. "If
 * UpdatedAt on the update matches or occurs before UpdatedAt on the existing finding,
 * Security Hub CSPM ignores the update" (User Guide, BatchImportFindings for finding
 * providers, "Determining whether to create or update a finding").
 */
function updateTime(ctx: Pick<FindingContext, 'auditedAt' | 'sentAt'>, stored: string | null): string {
  let ms = Date.parse(ctx.auditedAt);
  const sent = ctx.sentAt === undefined ? Number.NaN : Date.parse(ctx.sentAt);
  if (sent > ms) ms = sent;
  const held = stored === null ? Number.NaN : Date.parse(stored);
  // Security Hub keeps up to nanoseconds; one millisecond past the truncated value is later still.
  if (held >= ms) ms = Math.floor(held) + 1;
  return new Date(ms).toISOString();
}

/** The earlier of two ISO timestamps; `null` ones are skipped. */
function earliest(a: string | null, b: string): string {
  return a !== null && Date.parse(a) < Date.parse(b) ? a : b;
}

/** `value` escaped and cut so the result has at most `max` characters. */
function bounded(value: unknown, max: number): string {
  const safe = displaySafe(value, max);
  // displaySafe keeps `max` characters and adds an ellipsis; the ASFF limit counts it too.
  return safe.length <= max ? safe : `${safe.slice(0, max - 1)}…`;
}

function describeTarget(row: Pick<AssociationRow, 'target_type' | 'target_id' | 'target_name'>): string {
  const kind = row.target_type === 'ORGANIZATIONAL_UNIT' ? 'OU' : row.target_type === 'ROOT' ? 'root' : 'account';
  const name = row.target_name === '' ? '' : ` (${bounded(row.target_name, 60)})`;
  return `${kind} ${row.target_id}${name}`;
}

function resourceOf(row: AssociationRow, ctx: FindingContext): Resource {
  const common = { Partition: ctx.partition as Partition, Region: ctx.region };
  if (row.target_type === 'ACCOUNT') return { ...common, Type: 'AwsAccount', Id: `AWS::::Account:${row.target_id}` };
  return {
    ...common,
    Type: 'Other',
    Id: row.target_id,
    Details: {
      // A FieldMap: values are NonEmptyString in the SDK model, so empty ones are left out.
      Other: {
        TargetType: row.target_type,
        ...(row.target_name === '' ? {} : { Name: bounded(row.target_name, ASFF_LIMITS.otherDetailValue) }),
        ...(row.ou_path === '' ? {} : { OuPath: bounded(row.ou_path, ASFF_LIMITS.otherDetailValue) }),
      },
    },
  };
}

/** Solution-specific details, non-empty values only, each cut to the ProductFields value limit. */
function productFields(row: AssociationRow, ctx: FindingContext): Record<string, string> {
  const fields: Record<string, string | null> = {
    'ConfigAudit/RunId': ctx.runId,
    'ConfigAudit/ReportKey': ctx.reportKey,
    'ConfigAudit/TargetId': row.target_id,
    'ConfigAudit/TargetType': row.target_type,
    'ConfigAudit/OuPath': row.ou_path,
    'ConfigAudit/AuditResult': row.audit_result,
    'ConfigAudit/DriftReasons': row.drift_reasons.join(','),
    'ConfigAudit/ConfigurationPolicyId': row.configuration_policy_id,
    'ConfigAudit/ConfigurationPolicyName': row.configuration_policy_name,
    'ConfigAudit/OuPathNames': row.ou_path_names,
    'ConfigAudit/AssociationType': row.association_type,
    'ConfigAudit/AssociationStatus': row.association_status,
    'ConfigAudit/ExpectedPolicyId': row.expected_policy_id,
    'ConfigAudit/BaselinePolicyId': row.baseline_policy_id,
    'ConfigAudit/ExpectedPolicyName': row.baseline_policy_name ?? row.expected_policy_name,
    'ConfigAudit/RemediationCommand': row.remediation_command,
    'ConfigAudit/ErrorCode': row.error_code,
    'ConfigAudit/FirstDriftSeen': row.first_drift_seen,
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== null && value !== '') out[key] = bounded(value, ASFF_LIMITS.productFieldValue);
  }
  return out;
}

/** "expected X (baseline Y); actual Z (APPLIED, FAILED)", from the row's columns (policy ids come from the service: bounded). */
function policySentence(row: AssociationRow): string {
  const names = new Map([
    [row.configuration_policy_id, row.configuration_policy_name],
    [row.expected_policy_id, row.expected_policy_name],
    [row.baseline_policy_id, row.baseline_policy_name],
  ]);
  const policy = (id: string | null) => {
    if (id === null) return 'unknown';
    const name = names.get(id);
    return name ? `${bounded(name, 128)} (${bounded(id, 64)})` : bounded(id, 64);
  };
  const expected = policy(row.baseline_policy_id ?? row.expected_policy_id);
  const baseline =
    row.baseline_policy_id !== null &&
    row.expected_policy_id !== null &&
    row.baseline_policy_id !== row.expected_policy_id
      ? ` (inherited from its parent: ${policy(row.expected_policy_id)})`
      : '';
  const state = [row.association_type, row.association_status].filter((v) => v !== null).join(', ');
  return `Expected policy ${expected}${baseline}; actual policy ${policy(row.configuration_policy_id)}${state === '' ? '' : ` (${state})`}.`;
}

function runSentence(ctx: FindingContext): string {
  return `Run ${bounded(ctx.runId, 40)}, report ${bounded(ctx.reportKey, 300)}.`;
}

/** Sentences joined, then cut to the Description limit (each part is already bounded). */
function description(parts: readonly (string | null)[]): string {
  return bounded(parts.filter((p): p is string => p !== null).join(' '), ASFF_LIMITS.description);
}

/** A row for a target known only by its finding (it left, and no history describes it). */
function rowOfFinding(active: ActiveFinding, ctx: FindingContext): AssociationRow {
  return emptyRow(
    { id: active.targetId, type: active.targetType, name: '', parentId: null, ouPath: '' },
    { runId: ctx.runId, auditedAt: ctx.auditedAt },
  );
}

/** When the finding was created and last updated; on creation the two are equal (ASFF). */
interface FindingTimes {
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly firstObservedAt: string | null;
  readonly lastObservedAt: string | null;
}

function baseFinding(row: AssociationRow, ctx: FindingContext, times: FindingTimes): AwsSecurityFinding {
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(row.target_id),
    ProductArn: productArn(ctx),
    GeneratorId: GENERATOR_ID,
    AwsAccountId: ctx.accountId,
    CreatedAt: times.createdAt,
    UpdatedAt: times.updatedAt,
    ...(times.firstObservedAt === null ? {} : { FirstObservedAt: times.firstObservedAt }),
    ...(times.lastObservedAt === null ? {} : { LastObservedAt: times.lastObservedAt }),
    Title: '',
    Description: '',
    Resources: [resourceOf(row, ctx)],
    ProductFields: productFields(row, ctx),
  };
}

/**
 * A drifted target's finding: ACTIVE, Compliance FAILED, severity by its worst reason.
 * `stored` is the finding as Security Hub holds it when it is ACTIVE there (its times
 * are kept or moved past); `null` when it is new or archived. FirstObservedAt is the
 * first time the drift was seen, LastObservedAt this run.
 */
export function driftFinding(
  row: AssociationRow,
  ctx: FindingContext,
  stored: ActiveFinding | null = null,
): AwsSecurityFinding {
  const reasons = row.drift_reasons;
  const updatedAt = updateTime(ctx, stored?.updatedAt ?? null);
  const firstObservedAt = earliest(stored?.firstObservedAt ?? null, row.first_drift_seen ?? row.audited_at);
  const times: FindingTimes = {
    createdAt: stored?.createdAt ?? updatedAt,
    updatedAt,
    firstObservedAt,
    lastObservedAt: Date.parse(row.audited_at) < Date.parse(firstObservedAt) ? firstObservedAt : row.audited_at,
  };
  const statusMessage =
    row.association_status_message !== null ? `Status message: ${bounded(row.association_status_message, 300)}.` : null;
  const error =
    row.error_code !== null
      ? `Last error: ${bounded(row.error_code, 40)}${row.error_reason !== null ? ` ${bounded(row.error_reason, 200)}` : ''}.`
      : null;
  const expired =
    row.exclusion_expired && row.exclusion_expires !== null
      ? `Its exclusion expired on ${bounded(row.exclusion_expires, 10)}.`
      : null;
  return {
    ...baseFinding(row, ctx, times),
    Title: bounded(`Configuration policy drift on ${describeTarget(row)}: ${reasons.join(', ')}`, ASFF_LIMITS.title),
    Description: description([
      `Security Hub central configuration drift on ${describeTarget(row)} at ${bounded(row.ou_path, 200)}: ${reasons.join(', ')}.`,
      policySentence(row),
      statusMessage,
      error,
      expired,
      runSentence(ctx),
    ]),
    Remediation: {
      Recommendation: {
        Text: bounded(
          `${remediationOf(reasons)}${row.remediation_command === null ? '' : ` Command: ${row.remediation_command}`}`,
          ASFF_LIMITS.recommendationText,
        ),
      },
    },
    FindingProviderFields: {
      Severity: { Label: severityOf(reasons), Original: reasons.join(',') },
      Types: [FINDING_TYPE],
    },
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
  };
}

/** Compliance, title word and sentence of a closing finding. */
function closingOutcome(
  current: AssociationRow | null,
): readonly ['NOT_AVAILABLE' | 'WARNING' | 'PASSED', string, string] {
  if (current === null) return ['NOT_AVAILABLE', 'closed', 'left the organization'];
  if (current.audit_result !== 'EXCLUDED') return ['PASSED', 'resolved', 'is no longer drifted'];
  return [
    'WARNING',
    'excluded',
    `is excluded until ${bounded(current.exclusion_expires ?? 'unknown', 10)}: ${bounded(current.excluded_reason ?? '', 300)}; its drift (${current.drift_reasons.join(', ')}) is accepted, not fixed`,
  ];
}

/**
 * The finding of a target that has an ACTIVE finding and is not drifted now: archived.
 * `active` is that finding as Security Hub holds it (or as the previous run left it,
 * when Security Hub could not be read); `current` the target's row in this run, or
 * `null` when it left the organization, and then `previous` (its last row, if known)
 * describes it. Compliance PASSED when the drift is gone, WARNING when an exclusion now
 * covers it (accepted, not fixed), NOT_AVAILABLE when the target left. The observation
 * times stay those of the drift.
 */
export function closingFinding(
  active: ActiveFinding,
  current: AssociationRow | null,
  ctx: FindingContext,
  previous: AssociationRow | null = null,
): AwsSecurityFinding {
  const row = current ?? previous ?? rowOfFinding(active, ctx);
  const updatedAt = updateTime(ctx, active.updatedAt);
  const [status, outcome, why] = closingOutcome(current);
  const place = row.ou_path === '' ? '' : ` at ${bounded(row.ou_path, 200)}`;
  return {
    ...baseFinding(row, ctx, {
      createdAt: active.createdAt ?? updatedAt,
      updatedAt,
      firstObservedAt: active.firstObservedAt,
      lastObservedAt: active.lastObservedAt,
    }),
    Title: bounded(`Configuration policy drift ${outcome} on ${describeTarget(row)}`, ASFF_LIMITS.title),
    Description: description([
      `${describeTarget(row)}${place} ${why}.`,
      current === null ? null : policySentence(current),
      runSentence(ctx),
    ]),
    FindingProviderFields: {
      Severity: { Label: 'INFORMATIONAL', Original: status },
      Types: [FINDING_TYPE],
    },
    Compliance: { Status: status },
    RecordState: 'ARCHIVED',
  };
}

/** A previous run's drifted row as the ACTIVE finding it should have left (history fallback). */
export function activeFindingOfRow(row: AssociationRow): ActiveFinding {
  return {
    id: findingId(row.target_id),
    targetId: row.target_id,
    targetType: row.target_type,
    createdAt: null,
    updatedAt: null,
    firstObservedAt: row.first_drift_seen,
    lastObservedAt: row.audited_at,
  };
}
