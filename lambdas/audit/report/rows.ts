/**
 * The `associations` table rows: built from the findings (pure), written as gzip
 * JSON Lines with keys in schema order, and read back for the next run's comparison.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import {
  ACCOUNT_STATES,
  CHANGE_KINDS,
  DRIFT_REASONS,
  type AccountStatus,
  type AssociationStatus,
  type AssociationType,
  type AuditResult,
  type ChangeKind,
  type DriftReason,
  type TargetType,
} from '../model';
import type { TargetFinding } from '../drift/drift-rules';
import { applyHistory, type TargetHistory } from '../drift/history';
import { ASSOCIATION_COLUMNS, type GlueColumnType, type ReportColumn } from './schema';

/** A report object is not what this code writes: bad gzip, bad JSON, wrong columns or types. */
export class ReportFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportFormatError';
  }
}

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
}

/** True when `value` is a JSON value of Glue type `type`. Only `string` columns may hold null. */
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
  if (extra.length > 0) throw new ReportFormatError(`${what}: keys not in the schema: ${extra.join(', ')}`);
  const ordered: Record<string, unknown> = {};
  for (const column of columns) {
    if (!Object.prototype.hasOwnProperty.call(source, column.name))
      throw new ReportFormatError(`${what}: missing column ${column.name}`);
    const value = source[column.name];
    if (!matchesGlueType(column.type, value)) {
      throw new ReportFormatError(
        `${what}: column ${column.name} must be ${column.type}, got ${JSON.stringify(value)}`,
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

/** One finding plus its history as a row. */
export function toAssociationRow(finding: TargetFinding, history: TargetHistory, run: RowRun): AssociationRow {
  const { target, association, unprocessed, exclusion } = finding;
  return {
    run_id: run.runId,
    audited_at: run.auditedAt,
    target_id: target.id,
    target_type: target.type,
    target_name: target.name,
    parent_id: target.parentId,
    ou_path: target.ouPath,
    account_status: target.accountStatus,
    configuration_policy_id: association?.configurationPolicyId ?? null,
    association_type: association?.associationType ?? null,
    association_status: association?.associationStatus ?? null,
    association_status_message: association?.associationStatusMessage ?? null,
    updated_at: association?.updatedAt ?? null,
    expected_policy_id: finding.expectedPolicyId,
    baseline_policy_id: finding.baselinePolicyId,
    drift: finding.drift,
    drift_reasons: [...finding.reasons],
    audit_result: finding.result,
    changes: [...history.changes],
    error_code: unprocessed?.errorCode ?? null,
    error_reason: unprocessed?.errorReason ?? null,
    first_drift_seen: history.firstDriftSeen,
    excluded_reason: exclusion?.reason ?? null,
    exclusion_expires: exclusion?.expires ?? null,
    exclusion_expired: exclusion?.expired ?? false,
  };
}

export interface BuildRowsInput extends RowRun {
  /** From `evaluateDrift`: one per target, in org order. */
  readonly findings: readonly TargetFinding[];
  /** The previous run's rows; `null` for the first run. */
  readonly previousRows: readonly AssociationRow[] | null;
}

export interface BuiltRows {
  /** One per finding, same order. */
  readonly rows: AssociationRow[];
  /** Ids in the previous run but not in this one, sorted. */
  readonly departedTargets: string[];
}

/** Applies history against the previous rows and turns every finding into a row. */
export function buildAssociationRows(input: BuildRowsInput): BuiltRows {
  const history = applyHistory(input.findings, input.previousRows, input.auditedAt);
  const rows = input.findings.map((finding) => {
    const entry = history.byTarget.get(finding.target.id);
    if (!entry) throw new Error(`no history for ${finding.target.id}`); // applyHistory covers every finding
    return toAssociationRow(finding, entry, input);
  });
  return { rows, departedTargets: [...history.departedTargets] };
}

/** gzip JSON Lines, one row per line, keys in {@link ASSOCIATION_COLUMNS} order. */
export function serializeRows(rows: readonly AssociationRow[]): Buffer {
  const lines = rows.map(
    (row, index) => `${JSON.stringify(orderByColumns(ASSOCIATION_COLUMNS, row, `row ${index} (${row.target_id})`))}\n`,
  );
  return gzipSync(Buffer.from(lines.join(''), 'utf8'));
}

const nullableString = z.string().nullable().default(null);

/**
 * Reading schema. Columns a row cannot do without are required; every other column
 * may be absent (an object written before the column existed) and is filled with
 * `null`, `[]` or `false`. Unknown keys are dropped.
 */
const rowShape = {
  run_id: z.string(),
  audited_at: z.string(),
  target_id: z.string(),
  target_type: z.enum(['ROOT', 'ORGANIZATIONAL_UNIT', 'ACCOUNT']),
  target_name: z.string(),
  parent_id: nullableString,
  ou_path: z.string(),
  account_status: z.enum(ACCOUNT_STATES).nullable().default(null),
  configuration_policy_id: nullableString,
  association_type: z.enum(['APPLIED', 'INHERITED']).nullable().default(null),
  association_status: z.enum(['SUCCESS', 'PENDING', 'FAILED']).nullable().default(null),
  association_status_message: nullableString,
  updated_at: nullableString,
  expected_policy_id: nullableString,
  baseline_policy_id: nullableString,
  drift: z.boolean(),
  drift_reasons: z.array(z.enum(DRIFT_REASONS)).default([]),
  audit_result: z.enum(['OK', 'DRIFT', 'EXCLUDED']),
  changes: z.array(z.enum(CHANGE_KINDS)).default([]),
  error_code: nullableString,
  error_reason: nullableString,
  first_drift_seen: nullableString,
  excluded_reason: nullableString,
  exclusion_expires: nullableString,
  exclusion_expired: z.boolean().default(false),
} satisfies Record<keyof AssociationRow, z.ZodType>;

const rowSchema = z.object(rowShape);

// Compile-time: what the reading schema yields is an AssociationRow.
const asRow = (parsed: z.output<typeof rowSchema>): AssociationRow => parsed;

/**
 * Reads an object written by {@link serializeRows} (or by an older version of it).
 * @param source names the object in error messages.
 * @throws ReportFormatError on bad gzip, a line that is not a JSON object, or a bad row.
 */
export function parseRows(buffer: Buffer, source = 'associations object'): AssociationRow[] {
  let text: string;
  try {
    text = gunzipSync(buffer).toString('utf8');
  } catch (error) {
    throw new ReportFormatError(`${source}: not gzip data`, { cause: error });
  }
  const rows: AssociationRow[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ReportFormatError(`${source}: line ${index + 1}: not valid JSON`, { cause: error });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ReportFormatError(`${source}: line ${index + 1}: expected a JSON object`);
    }
    const parsed = rowSchema.safeParse(value);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(row)'}: ${i.message}`).join('; ');
      throw new ReportFormatError(`${source}: line ${index + 1}: ${problems}`, { cause: parsed.error });
    }
    rows.push(
      asRow(
        orderByColumns(ASSOCIATION_COLUMNS, parsed.data, `${source}: line ${index + 1}`) as z.output<typeof rowSchema>,
      ),
    );
  });
  return rows;
}
