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
import { displaySafe } from '../util/display-text';
import { remediationOf, severityOf } from '../drift/reason-guide';

/** Where the findings go and what they point back to. */
export interface FindingContext {
  /** The delegated administrator account the audit runs in: owner of the product and of every finding. */
  readonly accountId: string;
  readonly region: string;
  /** `aws`, `aws-cn` or `aws-us-gov`. */
  readonly partition: string;
  readonly runId: string;
  /** Run time, ISO 8601 UTC: every finding's UpdatedAt. */
  readonly auditedAt: string;
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
const GENERATOR_ID = 'securityhub-config-audit/configuration-policy-drift';
/**
 * namespace/category/classifier, as ASFF finding types are written.
 * @internal Exported for its tests.
 */
export const FINDING_TYPE = 'Software and Configuration Checks/AWS Security Best Practices/Configuration Policy Drift';

/**
 * `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`: the account's own product.
 * @internal Exported for its tests.
 */
export function productArn(ctx: Pick<FindingContext, 'accountId' | 'region' | 'partition'>): string {
  return `arn:${ctx.partition}:securityhub:${ctx.region}:${ctx.accountId}:product/${ctx.accountId}/default`;
}

/**
 * Stable per target and check, so the next run (or a retry of this one) updates the same
 * finding instead of adding another. Target ids are validated Organizations ids.
 * @internal Exported for its tests.
 */
export function findingId(targetId: string): string {
  return `${GENERATOR_ID}/${targetId}`;
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
      Other: {
        TargetType: row.target_type,
        Name: bounded(row.target_name, ASFF_LIMITS.otherDetailValue),
        OuPath: bounded(row.ou_path, ASFF_LIMITS.otherDetailValue),
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
    'ConfigAudit/AssociationType': row.association_type,
    'ConfigAudit/AssociationStatus': row.association_status,
    'ConfigAudit/ExpectedPolicyId': row.expected_policy_id,
    'ConfigAudit/BaselinePolicyId': row.baseline_policy_id,
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
  const policy = (id: string | null) => (id === null ? 'unknown' : bounded(id, 64));
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

function baseFinding(row: AssociationRow, ctx: FindingContext, createdAt: string): AwsSecurityFinding {
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: findingId(row.target_id),
    ProductArn: productArn(ctx),
    GeneratorId: GENERATOR_ID,
    AwsAccountId: ctx.accountId,
    CreatedAt: createdAt,
    UpdatedAt: ctx.auditedAt,
    Title: '',
    Description: '',
    Resources: [resourceOf(row, ctx)],
    ProductFields: productFields(row, ctx),
  };
}

/** A drifted target's finding: ACTIVE, Compliance FAILED, severity by its worst reason. */
export function driftFinding(row: AssociationRow, ctx: FindingContext): AwsSecurityFinding {
  const reasons = row.drift_reasons;
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
    ...baseFinding(row, ctx, row.first_drift_seen ?? row.audited_at),
    Title: bounded(`Configuration policy drift on ${describeTarget(row)}: ${reasons.join(', ')}`, ASFF_LIMITS.title),
    Description: description([
      `Security Hub central configuration drift on ${describeTarget(row)} at ${bounded(row.ou_path, 200)}: ${reasons.join(', ')}.`,
      policySentence(row),
      statusMessage,
      error,
      expired,
      runSentence(ctx),
    ]),
    Remediation: { Recommendation: { Text: bounded(remediationOf(reasons), ASFF_LIMITS.recommendationText) } },
    FindingProviderFields: {
      Severity: { Label: severityOf(reasons), Original: reasons.join(',') },
      Types: [FINDING_TYPE],
    },
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
  };
}

/**
 * The finding of a target that was drifted in the previous run and is not now: archived.
 * `current` is the target's row in this run, or `null` when it left the organization
 * (then `previous` describes it). Compliance PASSED when the drift is gone, WARNING when
 * an exclusion now covers it (accepted, not fixed), NOT_AVAILABLE when the target left.
 */
export function closingFinding(
  previous: AssociationRow,
  current: AssociationRow | null,
  ctx: FindingContext,
): AwsSecurityFinding {
  const row = current ?? previous;
  const createdAt = previous.first_drift_seen ?? previous.audited_at;
  const [status, outcome, why] =
    current === null
      ? (['NOT_AVAILABLE', 'closed', 'left the organization since the previous run'] as const)
      : current.audit_result === 'EXCLUDED'
        ? ([
            'WARNING',
            'excluded',
            `is excluded until ${bounded(current.exclusion_expires ?? 'unknown', 10)}: ${bounded(current.excluded_reason ?? '', 300)}; its drift (${current.drift_reasons.join(', ')}) is accepted, not fixed`,
          ] as const)
        : (['PASSED', 'resolved', 'is no longer drifted'] as const);
  return {
    ...baseFinding(row, ctx, createdAt),
    Title: bounded(`Configuration policy drift ${outcome} on ${describeTarget(row)}`, ASFF_LIMITS.title),
    Description: description([
      `${describeTarget(row)} at ${bounded(row.ou_path, 200)} ${why}.`,
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
