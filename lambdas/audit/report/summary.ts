/**
 * The `runs` table row: counts over the rows and the fetch statistics, plus the
 * integrity check that every enumerated target was reported exactly once.
 */
import { z } from 'zod';
import {
  PREVIOUS_RUN_STATUSES,
  RUN_STATUSES,
  RUN_TRIGGERS,
  type FetchStats,
  type OrgSnapshot,
  type PreviousRunStatus,
  type RunStatus,
  type RunTrigger,
} from '../model';
import { ObjectTooLargeError, ReportIntegrityError, ReportFormatError } from '../errors';
import { MAX_RUN_OBJECT_BYTES, parseJsonBounded } from '../store/bounded-read';
import { encodeRows, orderByColumns, type AssociationRow } from './rows';
import { boundedIds, describeIssues, isoInstant, nameText, runId, targetId } from './value-schemas';
import { reportKeys } from '../store/report-store';
import { MAC_PATTERN } from '../store/object-mac';
import type { AccountStatus } from '../model';

/** Account states counted as `suspended_accounts`: not usable, or on the way out (CLOSED used to arrive as SUSPENDED). */
const SUSPENDED_STATES: ReadonlySet<AccountStatus | null> = new Set<AccountStatus | null>([
  'SUSPENDED',
  'PENDING_CLOSURE',
  'CLOSED',
]);
import { RUN_COLUMNS } from './schema';

/** One row of the `runs` table: exactly {@link RUN_COLUMNS}, in that order. */
export interface RunSummary {
  readonly run_id: string;
  readonly audited_at: string;
  readonly trigger: RunTrigger;
  readonly run_status: RunStatus;
  readonly targets_enumerated: number;
  readonly targets_reported: number;
  readonly targets_rejected: number;
  readonly roots: number;
  readonly organizational_units: number;
  readonly accounts: number;
  readonly suspended_accounts: number;
  readonly status_success: number;
  readonly status_pending: number;
  readonly status_failed: number;
  readonly status_unknown: number;
  readonly drifted: number;
  readonly excluded: number;
  readonly drift_failed: number;
  readonly drift_pending_stale: number;
  readonly drift_unprocessed: number;
  readonly drift_missing: number;
  readonly drift_inheritance_mismatch: number;
  readonly drift_baseline_mismatch: number;
  readonly new_drift: number;
  readonly resolved_drift: number;
  readonly changed: number;
  readonly departed_targets: readonly string[];
  readonly previous_run_id: string | null;
  readonly previous_run_status: PreviousRunStatus;
  readonly previous_run_reason: string | null;
  readonly organizations_api_calls: number;
  readonly securityhub_api_calls: number;
  readonly throttled_requests: number;
  readonly redrive_attempts: number;
  readonly deadline_reached: boolean;
  readonly duration_seconds: number;
  readonly report_key: string;
  /** Key of the run's HTML report; `null` in summaries written before it existed. */
  readonly html_key: string | null;
  readonly associations_sha256: string | null;
  /** Why a checkpoint was not resumed from (the run started over); `null` when none was refused. */
  readonly checkpoint_refused: string | null;
  /** MAC of the object this summary was read from or is written as; `null` before signing. */
  readonly mac: string | null;
}

interface RunSummaryFields {
  readonly runId: string;
  /** Run time, ISO 8601 UTC. */
  readonly auditedAt: string;
  readonly trigger: RunTrigger;
  /** The walked organization: what "enumerated" means. */
  readonly org: OrgSnapshot;
  /** Security Hub fan-out counters. */
  readonly fetchStats: FetchStats;
  readonly organizationsApiCalls: number;
  /** Organizations throttles, added to the Security Hub ones in `throttled_requests`. Default 0. */
  readonly organizationsThrottledRequests?: number;
  readonly departedTargets: readonly string[];
  readonly previousRunId: string | null;
  /** Default: OK with a previous run id, NONE without. */
  readonly previousRunStatus?: PreviousRunStatus;
  /** Why history was not trusted; already bounded and display-safe. Default `null`. */
  readonly previousRunReason?: string | null;
  /** SHA-256 of the associations object as written; default: computed from the rows. */
  readonly associationsSha256?: string;
  readonly durationSeconds: number;
  /** Why a checkpoint was refused this run; already bounded and display-safe. Default `null`. */
  readonly checkpointRefused?: string | null;
}

/**
 * Input of {@link buildRunSummary}. The report key is given directly, or derived
 * from the report prefix and the run's `dt` with `reportKeys`.
 */
export type RunSummaryInput = RunSummaryFields &
  ({ readonly reportKey: string; readonly htmlKey?: string } | { readonly prefix: string; readonly dt: string });

function count<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (predicate(item)) n += 1;
  return n;
}

/** Enumerated = reported, each target exactly once; throws otherwise. */
function checkIntegrity(rows: readonly AssociationRow[], org: OrgSnapshot): void {
  if (rows.length !== org.targets.length) {
    throw new ReportIntegrityError(`${org.targets.length} targets enumerated but ${rows.length} rows built`);
  }
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const row of rows) {
    if (seen.has(row.target_id)) repeated.add(row.target_id);
    seen.add(row.target_id);
  }
  if (repeated.size > 0)
    throw new ReportIntegrityError(`target ids reported more than once: ${boundedIds([...repeated])}`);
  const notReported = org.targets.map((t) => t.id).filter((id) => !seen.has(id));
  if (notReported.length > 0)
    throw new ReportIntegrityError(`enumerated targets without a row: ${boundedIds(notReported)}`);
}

/**
 * Builds the run summary. `run_status` is COMPLETE only when every target has a
 * definite association status (SUCCESS, PENDING or FAILED) and the walk rejected no
 * listed entry for an invalid id (such an entry, and an OU's subtree, is not in the rows).
 * @throws ReportIntegrityError when the rows are not exactly one per enumerated target.
 */
export function buildRunSummary(rows: readonly AssociationRow[], input: RunSummaryInput): RunSummary {
  checkIntegrity(rows, input.org);
  const targets = input.org.targets;
  const withReason = (reason: AssociationRow['drift_reasons'][number]) =>
    count(rows, (r) => r.drift_reasons.includes(reason));
  const withChange = (change: AssociationRow['changes'][number]) => count(rows, (r) => r.changes.includes(change));
  const statusUnknown = count(rows, (r) => r.association_status === null);
  const keys = 'reportKey' in input ? null : reportKeys(input.prefix, input.runId, input.dt);
  const reportKey = keys?.associations ?? (input as { reportKey: string }).reportKey;
  const htmlKey = keys?.html ?? (input as { htmlKey?: string }).htmlKey ?? null;
  if (!Number.isFinite(input.durationSeconds) || input.durationSeconds < 0) {
    throw new ReportIntegrityError(
      `duration must be a finite non-negative number of seconds, got ${input.durationSeconds}`,
    );
  }
  return {
    run_id: input.runId,
    audited_at: input.auditedAt,
    trigger: input.trigger,
    run_status: statusUnknown === 0 && input.org.rejected.length === 0 ? 'COMPLETE' : 'INCOMPLETE',
    targets_enumerated: targets.length,
    targets_reported: rows.length,
    targets_rejected: input.org.rejected.length,
    roots: count(targets, (t) => t.type === 'ROOT'),
    organizational_units: count(targets, (t) => t.type === 'ORGANIZATIONAL_UNIT'),
    accounts: count(targets, (t) => t.type === 'ACCOUNT'),
    suspended_accounts: count(targets, (t) => SUSPENDED_STATES.has(t.accountStatus)),
    status_success: count(rows, (r) => r.association_status === 'SUCCESS'),
    status_pending: count(rows, (r) => r.association_status === 'PENDING'),
    status_failed: count(rows, (r) => r.association_status === 'FAILED'),
    status_unknown: statusUnknown,
    drifted: count(rows, (r) => r.drift),
    excluded: count(rows, (r) => r.audit_result === 'EXCLUDED'),
    drift_failed: withReason('FAILED'),
    drift_pending_stale: withReason('PENDING_STALE'),
    drift_unprocessed: withReason('UNPROCESSED'),
    drift_missing: withReason('MISSING'),
    drift_inheritance_mismatch: withReason('INHERITANCE_MISMATCH'),
    drift_baseline_mismatch: withReason('BASELINE_MISMATCH'),
    new_drift: withChange('NEW_DRIFT'),
    resolved_drift: withChange('RESOLVED'),
    changed: withChange('CHANGED'),
    departed_targets: [...input.departedTargets],
    previous_run_id: input.previousRunId,
    previous_run_status: input.previousRunStatus ?? (input.previousRunId === null ? 'NONE' : 'OK'),
    previous_run_reason: input.previousRunReason ?? null,
    organizations_api_calls: input.organizationsApiCalls,
    securityhub_api_calls: input.fetchStats.apiCalls,
    throttled_requests: input.fetchStats.throttledRequests + (input.organizationsThrottledRequests ?? 0),
    redrive_attempts: input.fetchStats.redriveAttempts,
    deadline_reached: input.fetchStats.deadlineReached,
    duration_seconds: Math.round(input.durationSeconds * 1000) / 1000,
    report_key: reportKey,
    html_key: htmlKey,
    associations_sha256: input.associationsSha256 ?? encodeRows(rows).sha256,
    checkpoint_refused: input.checkpointRefused ?? null,
    mac: null,
  };
}

/**
 * The bytes a summary's MAC covers: the summary as written, with `mac` null. Computed from
 * the parsed summary when reading, so only what the audit uses is authenticated.
 */
export function summaryMacContent(summary: RunSummary): Buffer {
  return serializeRunSummary({ ...summary, mac: null });
}

/** One JSON line (with a final newline), keys in {@link RUN_COLUMNS} order. */
export function serializeRunSummary(summary: RunSummary): Buffer {
  return Buffer.from(`${JSON.stringify(orderByColumns(RUN_COLUMNS, summary, `run ${summary.run_id}`))}\n`, 'utf8');
}

const count32 = z.number().int().min(0).max(2_147_483_647);

/**
 * Reading schema, as strict as for service answers; unknown keys are dropped. Columns added
 * later (`previous_run_id`, `previous_run_status`, `previous_run_reason`,
 * `associations_sha256`, `targets_rejected`) may be absent from older runs.
 */
const summaryShape = {
  run_id: runId,
  audited_at: isoInstant,
  trigger: z.enum(RUN_TRIGGERS),
  run_status: z.enum(RUN_STATUSES),
  targets_enumerated: count32,
  targets_reported: count32,
  // Absent from runs written before the column existed.
  targets_rejected: count32.default(0),
  roots: count32,
  organizational_units: count32,
  accounts: count32,
  suspended_accounts: count32,
  status_success: count32,
  status_pending: count32,
  status_failed: count32,
  status_unknown: count32,
  drifted: count32,
  excluded: count32,
  drift_failed: count32,
  drift_pending_stale: count32,
  drift_unprocessed: count32,
  drift_missing: count32,
  drift_inheritance_mismatch: count32,
  drift_baseline_mismatch: count32,
  new_drift: count32,
  resolved_drift: count32,
  changed: count32,
  departed_targets: z.array(targetId),
  previous_run_id: runId.nullable().default(null),
  // Filled from previous_run_id when absent (see asSummary).
  previous_run_status: z.enum(PREVIOUS_RUN_STATUSES).nullable().default(null),
  previous_run_reason: nameText.nullable().default(null),
  organizations_api_calls: count32,
  securityhub_api_calls: count32,
  throttled_requests: count32,
  redrive_attempts: count32,
  deadline_reached: z.boolean(),
  duration_seconds: z.number().min(0),
  report_key: nameText,
  html_key: nameText.nullable().default(null),
  associations_sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits')
    .nullable()
    .default(null),
  checkpoint_refused: nameText.nullable().default(null),
  mac: z.string().regex(MAC_PATTERN, 'expected a base64 HMAC-SHA-256').nullable().default(null),
} satisfies Record<keyof RunSummary, z.ZodType>;

/** `yyyymmddThhmmssZ` of an ISO instant: what a run id starts with. */
const compactTime = (iso: string): string => iso.replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');

const summarySchema = z.object(summaryShape).superRefine((run, ctx) => {
  // A run id is named after its run time; one that is not would make "latest" and "future" meaningless.
  if (!run.run_id.startsWith(compactTime(run.audited_at))) {
    ctx.addIssue({ code: 'custom', message: 'run_id does not name the run time audited_at' });
  }
  if (run.targets_reported !== run.targets_enumerated) {
    ctx.addIssue({ code: 'custom', message: 'targets_reported differs from targets_enumerated' });
  }
});

// Compile-time: what the reading schema yields is a RunSummary once the status is filled.
const asSummary = (parsed: z.output<typeof summarySchema>): RunSummary => ({
  ...parsed,
  previous_run_status: parsed.previous_run_status ?? (parsed.previous_run_id === null ? 'NONE' : 'OK'),
});

/**
 * Reads an object written by {@link serializeRunSummary}, bounded in size and nesting.
 * @throws ObjectTooLargeError when it is larger than `MAX_RUN_OBJECT_BYTES`.
 * @throws ReportFormatError when it is not one JSON object with the run columns.
 */
export function parseRunSummary(buffer: Buffer, source = 'run object'): RunSummary {
  if (buffer.length > MAX_RUN_OBJECT_BYTES) throw new ObjectTooLargeError(source, MAX_RUN_OBJECT_BYTES);
  const value = parseJsonBounded(buffer.toString('utf8'), source);
  const parsed = summarySchema.safeParse(value);
  if (!parsed.success) {
    throw new ReportFormatError(`${source}: ${describeIssues(parsed.error, '(run)')}`, { cause: parsed.error });
  }
  return orderByColumns(RUN_COLUMNS, asSummary(parsed.data), source) as unknown as RunSummary;
}
