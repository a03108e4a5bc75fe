/**
 * The `associations` table rows: built from the findings (pure), written as gzip
 * JSON Lines with keys in schema order, and read back for the next run's comparison.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import {
  ACCOUNT_STATES,
  ASSOCIATION_STATUSES,
  ASSOCIATION_TYPES,
  AUDIT_RESULTS,
  CHANGE_KINDS,
  DRIFT_REASONS,
  TARGET_TYPES,
  type AccountStatus,
  type AssociationStatus,
  type AssociationType,
  type AuditResult,
  type ChangeKind,
  type DriftReason,
  type TargetType,
  SELF_MANAGED,
} from '../model';
import { fixCommand, FINDING_SEVERITIES, severityOf, type FindingSeverity } from '../drift/reason-guide';
import type { TargetFinding } from '../drift/drift-rules';
import type { TargetHistory } from '../history/compare-history';
import { displaySafe } from '../util/display-text';
import { gunzipBounded, parseJsonBounded } from '../store/bounded-read';
import { ASSOCIATION_COLUMNS, type GlueColumnType, type ReportColumn } from './schema';
import {
  boundedIds,
  describeIssues,
  freeText,
  idText,
  isIsoInstant,
  isoDate,
  isoInstant,
  nameText,
  ouPath,
  boundedName,
  rowRunId,
  targetId,
} from './value-schemas';
import { isTargetIdOfType } from '../target-ids';
import { ReportFormatError } from '../errors';
import {
  capNullable,
  capText,
  MAX_FREE_TEXT_LENGTH,
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_SERVICE_TEXT_LENGTH,
} from '../util/text-bounds';

/** One row of the `associations` table: exactly {@link ASSOCIATION_COLUMNS}, in that order. */
export interface AssociationRow {
  readonly run_id: string;
  readonly audited_at: string;
  readonly target_id: string;
  readonly target_type: TargetType;
  readonly target_name: string;
  readonly parent_id: string | null;
  readonly ou_path: string;
  readonly account_status: AccountStatus | null;
  readonly configuration_policy_id: string | null;
  readonly association_type: AssociationType | null;
  readonly association_status: AssociationStatus | null;
  readonly association_status_message: string | null;
  readonly updated_at: string | null;
  readonly expected_policy_id: string | null;
  readonly baseline_policy_id: string | null;
  readonly drift: boolean;
  readonly drift_reasons: readonly DriftReason[];
  readonly audit_result: AuditResult;
  readonly changes: readonly ChangeKind[];
  readonly error_code: string | null;
  readonly error_reason: string | null;
  readonly first_drift_seen: string | null;
  readonly excluded_reason: string | null;
  readonly exclusion_expires: string | null;
  readonly exclusion_expired: boolean;
  readonly ou_path_names: string | null;
  readonly configuration_policy_name: string | null;
  readonly expected_policy_name: string | null;
  readonly baseline_policy_name: string | null;
  readonly severity: FindingSeverity | null;
  readonly remediation_command: string | null;
}

/**
 * True when `value` is a JSON value of Glue type `type`. Only `string` columns may hold null.
 * @internal Exported for its tests.
 */
export function matchesGlueType(type: GlueColumnType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return value === null || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value) && (value as number) >= -2_147_483_648 && (value as number) <= 2_147_483_647;
    case 'bigint':
      return Number.isSafeInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array<string>':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

/**
 * Copies `record` into a new object whose keys are exactly the column names, in column
 * order, checking each value against its Glue type. The single gate every written
 * object passes, so a row can never drift from the Athena contract.
 * @throws ReportFormatError on a missing or extra key or a value of the wrong type.
 */
export function orderByColumns(
  columns: readonly ReportColumn[],
  record: object,
  what: string,
): Record<string, unknown> {
  const source = record as Record<string, unknown>;
  const names = new Set(columns.map((c) => c.name));
  const extra = Object.keys(source).filter((k) => !names.has(k));
  if (extra.length > 0) throw new ReportFormatError(`${what}: keys not in the schema: ${boundedIds(extra)}`);
  const ordered: Record<string, unknown> = {};
  for (const column of columns) {
    if (!Object.prototype.hasOwnProperty.call(source, column.name))
      throw new ReportFormatError(`${what}: missing column ${column.name}`);
    const value = source[column.name];
    if (!matchesGlueType(column.type, value)) {
      throw new ReportFormatError(
        `${what}: column ${column.name} must be ${column.type}, got ${displaySafe(JSON.stringify(value) ?? 'undefined', 40)}`,
      );
    }
    ordered[column.name] = value;
  }
  return ordered;
}

/** The run a row belongs to. */
export interface RowRun {
  readonly runId: string;
  /** Run time, ISO 8601 UTC. */
  readonly auditedAt: string;
}

/**
 * One finding plus its history as a row, without the names and guidance derived from it.
 * Text from outside is cut to the bound the reading schema below accepts for its column (the
 * sources cut already; this is the last gate), so whatever a run writes, the next run reads back.
 */
function baseRow(finding: TargetFinding, history: TargetHistory, run: RowRun): BaseRow {
  const { target, association, unprocessed, exclusion } = finding;
  const updatedAt = association?.updatedAt ?? null;
  return {
    run_id: run.runId,
    audited_at: run.auditedAt,
    target_id: target.id,
    target_type: target.type,
    target_name: capText(target.name, MAX_NAME_LENGTH),
    parent_id: target.parentId,
    ou_path: target.ouPath,
    account_status: target.accountStatus,
    configuration_policy_id: capNullable(association?.configurationPolicyId, MAX_ID_LENGTH),
    association_type: association?.associationType ?? null,
    association_status: association?.associationStatus ?? null,
    association_status_message: capNullable(association?.associationStatusMessage, MAX_SERVICE_TEXT_LENGTH),
    updated_at: updatedAt !== null && isIsoInstant(updatedAt) ? updatedAt : null,
    expected_policy_id: finding.expectedPolicyId,
    baseline_policy_id: finding.baselinePolicyId,
    drift: finding.drift,
    drift_reasons: [...finding.reasons],
    audit_result: finding.result,
    changes: [...history.changes],
    error_code: capNullable(unprocessed?.errorCode, MAX_ID_LENGTH),
    error_reason: capNullable(unprocessed?.errorReason, MAX_SERVICE_TEXT_LENGTH),
    first_drift_seen: history.firstDriftSeen,
    excluded_reason: capNullable(exclusion?.reason, MAX_FREE_TEXT_LENGTH),
    exclusion_expires: exclusion?.expires ?? null,
    exclusion_expired: exclusion?.expired ?? false,
  };
}

/** What an empty row knows of its target. */
export interface EmptyRowTarget {
  readonly id: string;
  readonly type: TargetType;
  readonly name: string;
  readonly parentId: string | null;
  readonly ouPath: string;
}

/** A row that knows its target and run and nothing else: no association, no drift, no names. */
export function emptyRow(target: EmptyRowTarget, run: RowRun): AssociationRow {
  return {
    run_id: run.runId,
    audited_at: run.auditedAt,
    target_id: target.id,
    target_type: target.type,
    target_name: target.name,
    parent_id: target.parentId,
    ou_path: target.ouPath,
    account_status: null,
    configuration_policy_id: null,
    association_type: null,
    association_status: null,
    association_status_message: null,
    updated_at: null,
    expected_policy_id: null,
    baseline_policy_id: null,
    drift: false,
    drift_reasons: [],
    audit_result: 'OK',
    changes: [],
    error_code: null,
    error_reason: null,
    first_drift_seen: null,
    excluded_reason: null,
    exclusion_expires: null,
    exclusion_expired: false,
    ou_path_names: null,
    configuration_policy_name: null,
    expected_policy_name: null,
    baseline_policy_name: null,
    severity: null,
    remediation_command: null,
  };
}

/** The columns derived from a row's data: names, severity and the fix. */
type DerivedColumns =
  | 'ou_path_names'
  | 'configuration_policy_name'
  | 'expected_policy_name'
  | 'baseline_policy_name'
  | 'severity'
  | 'remediation_command';
type BaseRow = Omit<AssociationRow, DerivedColumns>;

/** What names the report: the configuration policies listed this run (absent: the listing failed). */
export interface RowNames {
  /** Lower-case policy id to name. */
  readonly policyNames?: ReadonlyMap<string, string>;
}

/**
 * Shown for a policy id that the run's listing of policies does not contain.
 * @internal Exported for its tests.
 */
export const POLICY_NOT_FOUND = '(no such policy)';

function policyName(id: string | null, names: ReadonlyMap<string, string> | undefined): string | null {
  if (id === null) return null;
  if (id === SELF_MANAGED) return 'Self-managed';
  if (names === undefined) return null;
  return names.get(id.toLowerCase()) ?? POLICY_NOT_FOUND;
}

function withDerived(row: BaseRow, containerNames: ReadonlyMap<string, string>, names: RowNames): AssociationRow {
  const pathNames = row.ou_path
    .split('/')
    .map((id) => containerNames.get(id) ?? id)
    .join(' / ');
  return {
    ...row,
    ou_path_names: boundedName(pathNames),
    configuration_policy_name: policyName(row.configuration_policy_id, names.policyNames),
    expected_policy_name: policyName(row.expected_policy_id, names.policyNames),
    baseline_policy_name: policyName(row.baseline_policy_id, names.policyNames),
    severity: row.drift_reasons.length > 0 ? severityOf(row.drift_reasons) : null,
    remediation_command: row.drift ? fixCommand(row) : null,
  };
}

/**
 * Turns every finding, with its history, into a row: one per finding, same order.
 * @param history from `compareWithHistory`, which covers every finding.
 */
export function buildAssociationRows(
  findings: readonly TargetFinding[],
  history: ReadonlyMap<string, TargetHistory>,
  run: RowRun,
  names: RowNames = {},
): AssociationRow[] {
  const containerNames = new Map(
    findings.filter((f) => f.target.type !== 'ACCOUNT').map((f) => [f.target.id, f.target.name] as const),
  );
  return findings.map((finding) => {
    const entry = history.get(finding.target.id);
    if (!entry) throw new ReportFormatError(`no history for ${finding.target.id}`);
    return withDerived(baseRow(finding, entry, run), containerNames, names);
  });
}

/** The associations object exactly as written, and its SHA-256 (hex) for the run summary. */
export interface EncodedRows {
  readonly body: Buffer;
  readonly sha256: string;
}

/** SHA-256 of an object's bytes, lowercase hex. */
export function sha256Hex(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * gzip JSON Lines, one row per line, keys in {@link ASSOCIATION_COLUMNS} order.
 * @internal Exported for its tests.
 */
export function serializeRows(rows: readonly AssociationRow[]): Buffer {
  const lines = rows.map(
    (row, index) => `${JSON.stringify(orderByColumns(ASSOCIATION_COLUMNS, row, `row ${index} (${row.target_id})`))}\n`,
  );
  return gzipSync(Buffer.from(lines.join(''), 'utf8'));
}

/** {@link serializeRows} plus the hash the run summary records, so the next run can verify the object. */
export function encodeRows(rows: readonly AssociationRow[]): EncodedRows {
  const body = serializeRows(rows);
  return { body, sha256: sha256Hex(body) };
}

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);

/**
 * Reading schema, as strict as for service answers: ids, dates and enums are checked,
 * strings bounded. Columns a row cannot do without are required; every other column
 * may be absent (an object written before the column existed) and is filled with
 * `null`, `[]` or `false`. Unknown keys are dropped.
 */
const rowShape = {
  run_id: rowRunId,
  audited_at: isoInstant,
  target_id: targetId,
  target_type: z.enum(TARGET_TYPES),
  target_name: nameText,
  parent_id: nullable(targetId),
  ou_path: ouPath,
  account_status: nullable(z.enum(ACCOUNT_STATES)),
  configuration_policy_id: nullable(idText),
  association_type: nullable(z.enum(ASSOCIATION_TYPES)),
  association_status: nullable(z.enum(ASSOCIATION_STATUSES)),
  // Free text, not service text: rows of older versions carry messages cut one longer.
  association_status_message: nullable(freeText),
  updated_at: nullable(isoInstant),
  expected_policy_id: nullable(idText),
  baseline_policy_id: nullable(idText),
  drift: z.boolean(),
  drift_reasons: z.array(z.enum(DRIFT_REASONS)).max(DRIFT_REASONS.length).default([]),
  audit_result: z.enum(AUDIT_RESULTS),
  changes: z.array(z.enum(CHANGE_KINDS)).max(CHANGE_KINDS.length).default([]),
  error_code: nullable(idText),
  error_reason: nullable(freeText),
  first_drift_seen: nullable(isoInstant),
  excluded_reason: nullable(freeText),
  exclusion_expires: nullable(isoDate),
  exclusion_expired: z.boolean().default(false),
  ou_path_names: nullable(nameText),
  configuration_policy_name: nullable(nameText),
  expected_policy_name: nullable(nameText),
  baseline_policy_name: nullable(nameText),
  severity: nullable(z.enum(FINDING_SEVERITIES)),
  remediation_command: nullable(freeText),
} satisfies Record<keyof AssociationRow, z.ZodType>;

/** What every row this code writes satisfies across columns; a row that breaks it was not written by the audit. */
function rowConsistency(row: z.output<z.ZodObject<typeof rowShape>>): string | null {
  if (!isTargetIdOfType(row.target_type, row.target_id)) return 'target_id is not an id of its target_type';
  if ((row.parent_id === null) !== (row.target_type === 'ROOT')) return 'parent_id must be null exactly for a root';
  if (row.drift !== (row.audit_result === 'DRIFT')) return 'drift disagrees with audit_result';
  if ((row.audit_result === 'OK') !== (row.drift_reasons.length === 0)) {
    return 'drift_reasons disagree with audit_result';
  }
  if (!row.drift && row.first_drift_seen !== null) return 'first_drift_seen is set on a row without drift';
  // first_drift_seen is the clock at judging, which may follow the schedule time (a re-run by
  // days): the reader checks it against its own clock instead (`read-previous.ts`).
  return null;
}

const rowSchema = z.object(rowShape).superRefine((row, ctx) => {
  const problem = rowConsistency(row);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

// Compile-time: what the reading schema yields is an AssociationRow.
const asRow = (parsed: z.output<typeof rowSchema>): AssociationRow => parsed;

function parseRow(line: string, where: string): AssociationRow {
  return rowOfValue(parseJsonBounded(line, where), where);
}

/**
 * One row from an already parsed JSON value (an element of an object that embeds rows,
 * such as the re-check state), under the same reading schema as {@link parseRows}.
 * @param where names the value in error messages.
 * @throws ReportFormatError when it is not a row this code could have written.
 */
export function rowOfValue(value: unknown, where: string): AssociationRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReportFormatError(`${where}: expected a JSON object`);
  }
  const parsed = rowSchema.safeParse(value);
  if (!parsed.success) {
    throw new ReportFormatError(`${where}: ${describeIssues(parsed.error, '(row)')}`, { cause: parsed.error });
  }
  return asRow(orderByColumns(ASSOCIATION_COLUMNS, parsed.data, where) as z.output<typeof rowSchema>);
}

/**
 * Reads an object written by {@link serializeRows} (or by an older version of it),
 * inflating at most `MAX_INFLATED_BYTES`.
 * @param source names the object in error messages.
 * @throws ObjectTooLargeError when it inflates beyond the limit.
 * @throws ReportFormatError on bad gzip, a line that is not a JSON object, or a bad row.
 */
export function parseRows(buffer: Buffer, source = 'associations object'): AssociationRow[] {
  const text = gunzipBounded(buffer, source).toString('utf8');
  const rows: AssociationRow[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() !== '') rows.push(parseRow(line, `${source}: line ${index + 1}`));
  });
  return rows;
}
