/**
 * The report contract. The Lambda writes rows with exactly these columns, the CDK
 * stack declares the Glue tables from these lists, and the Athena contract test
 * checks written files against them: one list, so the three cannot drift apart.
 *
 * Types are Glue/Hive type names. Columns are flat (no maps, no structs), arrays
 * hold only strings, timestamps are ISO 8601 UTC strings, so that the OpenX JSON
 * SerDe and DuckDB read them the same way.
 */
import {
  ACCOUNT_STATES,
  ASSOCIATION_STATUSES,
  ASSOCIATION_TYPES,
  AUDIT_RESULTS,
  CHANGE_KINDS,
  DRIFT_REASONS,
  PREVIOUS_RUN_STATUSES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  TARGET_TYPES,
} from '../model';
import { FINDING_SEVERITIES } from '../drift/reason-guide';

/** `A, B, C`: the values of an enumerated column, for its comment. */
const values = (allowed: readonly string[]): string => allowed.join(', ');

/** A Glue column type used by the report. */
export type GlueColumnType = 'string' | 'boolean' | 'int' | 'bigint' | 'double' | 'array<string>';

/** One column of a report table. */
export interface ReportColumn {
  readonly name: string;
  readonly type: GlueColumnType;
  readonly comment: string;
}

/** Object-key layout below the optional prefix. */
export const REPORT_LAYOUT = {
  /** `associations/dt=YYYY-MM-DD/<run_id>.jsonl.gz` */
  associationsDir: 'associations',
  /** `runs/dt=YYYY-MM-DD/<run_id>.json` */
  runsDir: 'runs',
  /** `latest/run.json`: the newest run's summary, whose report_key names its dated associations; written last, never to an older run. */
  latestDir: 'latest',
  /** `html/dt=YYYY-MM-DD/<run_id>.html`: the run as a self-contained page for people; outside the Glue tables' folders. */
  htmlDir: 'html',
  /** Hive-style partition column on both tables. */
  partitionKey: 'dt',
} as const;

/** Columns of the `associations` table: one row per target per run. */
export const ASSOCIATION_COLUMNS: readonly ReportColumn[] = [
  { name: 'run_id', type: 'string', comment: 'Run identifier; sorts in run order' },
  { name: 'audited_at', type: 'string', comment: 'Run time, ISO 8601 UTC' },
  { name: 'target_id', type: 'string', comment: 'Root, OU or account id' },
  { name: 'target_type', type: 'string', comment: values(TARGET_TYPES) },
  { name: 'target_name', type: 'string', comment: 'Root, OU or account name' },
  { name: 'parent_id', type: 'string', comment: 'Parent root or OU id; null for a root' },
  { name: 'ou_path', type: 'string', comment: 'Ids from the root, slash-separated' },
  {
    name: 'account_status',
    type: 'string',
    comment: `Organizations account State: ${values(ACCOUNT_STATES)} (Status when State is absent); null for roots, OUs and unknown values`,
  },
  {
    name: 'configuration_policy_id',
    type: 'string',
    comment: 'Policy id or SELF_MANAGED_SECURITY_HUB; null if unknown',
  },
  { name: 'association_type', type: 'string', comment: `${values(ASSOCIATION_TYPES)}; null if unknown` },
  { name: 'association_status', type: 'string', comment: `${values(ASSOCIATION_STATUSES)}; null if unknown` },
  { name: 'association_status_message', type: 'string', comment: 'Service status message' },
  { name: 'updated_at', type: 'string', comment: 'Association UpdatedAt, ISO 8601 UTC' },
  { name: 'expected_policy_id', type: 'string', comment: 'Effective policy inherited from the nearest ancestor' },
  { name: 'baseline_policy_id', type: 'string', comment: 'Effective policy by the baseline; null without one' },
  { name: 'drift', type: 'boolean', comment: 'True when the target drifted and no exclusion covers it' },
  {
    name: 'drift_reasons',
    type: 'array<string>',
    comment: values(DRIFT_REASONS),
  },
  { name: 'audit_result', type: 'string', comment: values(AUDIT_RESULTS) },
  { name: 'changes', type: 'array<string>', comment: `${values(CHANGE_KINDS)} against the previous run` },
  { name: 'error_code', type: 'string', comment: 'Last ErrorCode of an unprocessed target' },
  { name: 'error_reason', type: 'string', comment: 'Last ErrorReason of an unprocessed target' },
  {
    name: 'first_drift_seen',
    type: 'string',
    comment: 'Run time drift was first seen, carried forward; null when not drifted',
  },
  { name: 'excluded_reason', type: 'string', comment: 'Reason of the exclusion that applies or expired' },
  { name: 'exclusion_expires', type: 'string', comment: 'YYYY-MM-DD expiry of that exclusion' },
  {
    name: 'exclusion_expired',
    type: 'boolean',
    comment: 'True when an exclusion exists for the target but has expired',
  },
  { name: 'ou_path_names', type: 'string', comment: 'Names from the root, " / "-separated (Root / Production)' },
  {
    name: 'configuration_policy_name',
    type: 'string',
    comment: `Name of configuration_policy_id; Self-managed; ${'"(no such policy)"'} when the id is not listed; null if unknown`,
  },
  { name: 'expected_policy_name', type: 'string', comment: 'Name of expected_policy_id, as above' },
  { name: 'baseline_policy_name', type: 'string', comment: 'Name of baseline_policy_id, as above' },
  { name: 'severity', type: 'string', comment: `${values(FINDING_SEVERITIES)} of the drift reasons; null without any` },
  {
    name: 'remediation_command',
    type: 'string',
    comment: 'AWS CLI command that would fix the target (never run by the audit); null when none can',
  },
];

/** Columns of the `runs` table: one row per run. */
export const RUN_COLUMNS: readonly ReportColumn[] = [
  { name: 'run_id', type: 'string', comment: 'Run identifier; sorts in run order' },
  { name: 'audited_at', type: 'string', comment: 'Run time, ISO 8601 UTC' },
  { name: 'trigger', type: 'string', comment: values(RUN_TRIGGERS) },
  { name: 'run_status', type: 'string', comment: values(RUN_STATUSES) },
  { name: 'targets_enumerated', type: 'int', comment: 'Targets the organization walk found' },
  { name: 'targets_reported', type: 'int', comment: 'Rows written; always equals targets_enumerated' },
  {
    name: 'targets_rejected',
    type: 'int',
    comment: 'Entries Organizations listed with an invalid id; left out, run INCOMPLETE',
  },
  { name: 'roots', type: 'int', comment: 'Roots enumerated' },
  { name: 'organizational_units', type: 'int', comment: 'OUs enumerated' },
  { name: 'accounts', type: 'int', comment: 'Accounts enumerated' },
  { name: 'suspended_accounts', type: 'int', comment: 'Accounts SUSPENDED, PENDING_CLOSURE or CLOSED' },
  { name: 'status_success', type: 'int', comment: 'Associations in SUCCESS' },
  { name: 'status_pending', type: 'int', comment: 'Associations in PENDING' },
  { name: 'status_failed', type: 'int', comment: 'Associations in FAILED' },
  { name: 'status_unknown', type: 'int', comment: 'Targets without a definite association state' },
  { name: 'drifted', type: 'int', comment: 'Rows with drift = true' },
  { name: 'excluded', type: 'int', comment: 'Rows with audit_result = EXCLUDED' },
  { name: 'drift_failed', type: 'int', comment: 'Rows with reason FAILED' },
  { name: 'drift_pending_stale', type: 'int', comment: 'Rows with reason PENDING_STALE' },
  { name: 'drift_unprocessed', type: 'int', comment: 'Rows with reason UNPROCESSED' },
  { name: 'drift_missing', type: 'int', comment: 'Rows with reason MISSING' },
  { name: 'drift_inheritance_mismatch', type: 'int', comment: 'Rows with reason INHERITANCE_MISMATCH' },
  { name: 'drift_baseline_mismatch', type: 'int', comment: 'Rows with reason BASELINE_MISMATCH' },
  { name: 'new_drift', type: 'int', comment: 'Rows with change NEW_DRIFT' },
  { name: 'resolved_drift', type: 'int', comment: 'Rows with change RESOLVED' },
  { name: 'changed', type: 'int', comment: 'Rows with change CHANGED' },
  { name: 'departed_targets', type: 'array<string>', comment: 'Target ids in the previous run but not in this one' },
  {
    name: 'previous_run_id',
    type: 'string',
    comment: 'Run compared against; null for the first run or when its snapshot was not trusted',
  },
  {
    name: 'previous_run_status',
    type: 'string',
    comment: `${values(PREVIOUS_RUN_STATUSES)}: previous snapshot verified, absent, or failed verification`,
  },
  {
    name: 'previous_run_reason',
    type: 'string',
    comment: 'Why the previous snapshot was not trusted (bounded); null otherwise',
  },
  { name: 'organizations_api_calls', type: 'int', comment: 'Organizations requests, retries included' },
  { name: 'securityhub_api_calls', type: 'int', comment: 'Security Hub requests, retries included' },
  { name: 'throttled_requests', type: 'int', comment: 'Requests answered with a throttling error' },
  { name: 'redrive_attempts', type: 'int', comment: 'Re-drive rounds for unprocessed entries' },
  { name: 'deadline_reached', type: 'boolean', comment: 'Re-driving stopped at the deadline' },
  { name: 'duration_seconds', type: 'double', comment: 'Wall time of the audit' },
  { name: 'report_key', type: 'string', comment: "Key of this run's associations object" },
  { name: 'html_key', type: 'string', comment: "Key of this run's self-contained HTML report" },
  {
    name: 'associations_sha256',
    type: 'string',
    comment: 'SHA-256 (hex) of the associations object as written; the next run verifies it',
  },
  {
    name: 'checkpoint_refused',
    type: 'string',
    comment: 'Why a checkpoint of this run was not resumed from (the run started over); null otherwise',
  },
  {
    name: 'mac',
    type: 'string',
    comment: 'Base64 KMS HMAC-SHA-256 of this summary, its key, kind and run; null when written without a key',
  },
];
