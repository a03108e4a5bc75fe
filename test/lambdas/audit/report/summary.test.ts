import { RUN_COLUMNS } from '../../../../lambdas/audit/report/schema';
import { matchesGlueType, serializeRows, sha256Hex } from '../../../../lambdas/audit/report/rows';
import {
  buildRunSummary,
  parseRunSummary,
  serializeRunSummary,
  type RunSummaryInput,
} from '../../../../lambdas/audit/report/summary';
import { DEEP, L3, deepOrg, orgOf } from '../drift/fixtures';
import { RUN_ID, RUN_TIME, STATS, sampleRows, sampleSummary } from './row-fixtures';
import { ReportIntegrityError, ReportFormatError } from '../../../../lambdas/audit/errors';

const INPUT: RunSummaryInput = {
  runId: RUN_ID,
  auditedAt: RUN_TIME,
  trigger: 'SCHEDULED',
  org: deepOrg(),
  fetchStats: STATS,
  organizationsApiCalls: 9,
  departedTargets: ['333333333333'],
  previousRunId: '20261125T020000Z',
  durationSeconds: 4.5,
  reportKey: 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
};

describe('buildRunSummary', () => {
  const { rows } = sampleRows();

  it('counts targets, statuses, reasons and changes', () => {
    const summary = buildRunSummary(rows, INPUT);
    expect(summary).toEqual({
      run_id: RUN_ID,
      audited_at: RUN_TIME,
      trigger: 'SCHEDULED',
      run_status: 'INCOMPLETE',
      targets_enumerated: 7,
      targets_reported: 7,
      targets_rejected: 0,
      roots: 1,
      organizational_units: 4,
      accounts: 2,
      suspended_accounts: 0,
      status_success: 4,
      status_pending: 1,
      status_failed: 1,
      status_unknown: 1,
      drifted: 2,
      excluded: 1,
      drift_failed: 1,
      drift_pending_stale: 0,
      drift_unprocessed: 1,
      drift_missing: 0,
      drift_inheritance_mismatch: 0,
      drift_baseline_mismatch: 1,
      new_drift: 2,
      resolved_drift: 0,
      changed: 0,
      departed_targets: ['333333333333'],
      previous_run_id: '20261125T020000Z',
      previous_run_status: 'OK',
      previous_run_reason: null,
      organizations_api_calls: 9,
      securityhub_api_calls: 12,
      throttled_requests: 3,
      redrive_attempts: 2,
      deadline_reached: false,
      duration_seconds: 4.5,
      report_key: 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      html_key: null,
      // The exact bytes serializeRows writes for these rows, so the next run can verify them.
      associations_sha256: sha256Hex(serializeRows(rows)),
      checkpoint_refused: null,
      mac: null,
    });
    expect(summary.associations_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(summary)).toEqual(RUN_COLUMNS.map((c) => c.name));
    for (const column of RUN_COLUMNS)
      expect(matchesGlueType(column.type, summary[column.name as keyof typeof summary])).toBe(true);
  });

  it('is COMPLETE only when every target has a definite status', () => {
    const known = rows.map((r) => (r.target_id === L3 ? { ...r, association_status: 'SUCCESS' as const } : r));
    expect(buildRunSummary(known, INPUT).run_status).toBe('COMPLETE');
  });

  it('is INCOMPLETE, and counts them, when the walk rejected entries for invalid ids', () => {
    const known = rows.map((r) => (r.target_id === L3 ? { ...r, association_status: 'SUCCESS' as const } : r));
    const rejected = [{ quotedId: '"12345"', type: 'ACCOUNT' as const, parentId: 'r-ab12' }];
    const summary = buildRunSummary(known, { ...INPUT, org: { ...INPUT.org, rejected } });
    expect(summary.run_status).toBe('INCOMPLETE');
    expect(summary.targets_rejected).toBe(1);
  });

  it('counts suspended accounts, adds Organizations throttles and rounds the duration', () => {
    const org = orgOf([
      ['r-ab12', null],
      ['111111111111', 'r-ab12', 'SUSPENDED'],
      ['222222222222', 'r-ab12', 'PENDING_CLOSURE'],
      ['333333333333', 'r-ab12', 'ACTIVE'],
    ]);
    const base = rows[0];
    const orgRows = org.targets.map((t) => ({ ...base, target_id: t.id }));
    const summary = buildRunSummary(orgRows, {
      ...INPUT,
      org,
      organizationsThrottledRequests: 4,
      durationSeconds: 1.23456,
    });
    expect(summary).toMatchObject({
      roots: 1,
      accounts: 3,
      suspended_accounts: 2,
      throttled_requests: 7,
      duration_seconds: 1.235,
    });
  });

  it('derives the report key from prefix and dt', () => {
    expect(sampleSummary(rows).report_key).toBe('audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz');
  });

  it('refuses fewer or more rows than enumerated targets', () => {
    expect(() => buildRunSummary(rows.slice(1), INPUT)).toThrow(ReportIntegrityError);
    expect(() => buildRunSummary(rows.slice(1), INPUT)).toThrow('7 targets enumerated but 6 rows built');
    expect(() => buildRunSummary([...rows, rows[0]], INPUT)).toThrow(/8 rows built/);
  });

  it('refuses a repeated target id even when the count matches', () => {
    const repeated = rows.map((r) => (r.target_id === DEEP ? { ...r, target_id: L3 } : r));
    expect(() => buildRunSummary(repeated, INPUT)).toThrow(
      new ReportIntegrityError(`target ids reported more than once: ${L3}`),
    );
  });

  it('refuses rows for targets that were not enumerated', () => {
    const foreign = rows.map((r) => (r.target_id === DEEP ? { ...r, target_id: '999999999999' } : r));
    expect(() => buildRunSummary(foreign, INPUT)).toThrow(`enumerated targets without a row: ${DEEP}`);
  });

  it('refuses a negative duration', () => {
    expect(() => buildRunSummary(rows, { ...INPUT, durationSeconds: -1 })).toThrow(ReportIntegrityError);
  });
});

describe('serializeRunSummary / parseRunSummary', () => {
  const summary = sampleSummary(sampleRows().rows);

  it('writes one JSON line in schema order and reads it back', () => {
    const text = serializeRunSummary(summary).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(RUN_COLUMNS.map((c) => c.name));
    expect(parseRunSummary(serializeRunSummary(summary))).toEqual(summary);
  });

  it('tolerates a missing previous_run_id and unknown columns', () => {
    const rest: Record<string, unknown> = { ...summary };
    delete rest.previous_run_id;
    const parsed = parseRunSummary(Buffer.from(JSON.stringify({ ...rest, new_column: 1 })));
    expect(parsed.previous_run_id).toBeNull();
    expect(
      parseRunSummary(Buffer.from(JSON.stringify({ ...rest, targets_rejected: undefined }))).targets_rejected,
    ).toBe(0);
    expect(Object.keys(parsed)).toEqual(RUN_COLUMNS.map((c) => c.name));
  });

  it('throws ReportFormatError on garbage', () => {
    expect(() => parseRunSummary(Buffer.from('nope'), 'run.json')).toThrow(ReportFormatError);
    expect(() => parseRunSummary(Buffer.from('nope'), 'run.json')).toThrow('run.json: not valid JSON');
    expect(() => parseRunSummary(Buffer.from('{"run_id":1}'), 'run.json')).toThrow(
      /run.json: run_id: .*; audited_at: /,
    );
    expect(() => parseRunSummary(Buffer.from(JSON.stringify({ ...summary, drifted: 1.5 })), 'run.json')).toThrow(
      /drifted/,
    );
  });
});
