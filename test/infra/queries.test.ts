import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { QUERIES_DIRECTORY, readNamedQueryFiles } from '../../infra/constructs/report-catalog';
import { ASSOCIATION_COLUMNS, RUN_COLUMNS, type ReportColumn } from '../../lambdas/audit/report/schema';
import { createReportViews } from '../tools/query/report-views';
import { writeReportFiles } from './report-fixture-files';
import { partitionReads, trinoSyntaxErrors } from './sql-partition-bounds';

/**
 * Runs every named query file, unmodified, in DuckDB over hand-written report files
 * laid out like the S3 report. A query that only Athena understands fails here.
 */

const ROOT = 'r-ab12';
const PROD = 'ou-ab12-11111111';
const DEV = 'ou-ab12-22222222';
/**
 * `YYYY-MM-DD` of `daysAgo` UTC days before today. The queries bound `dt` by
 * `current_date`, so the fixtures are dated relative to the day the test runs.
 */
const dayAgo = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const runIdOf = (dt: string) => `${dt.replace(/-/g, '')}T020000Z`;
const DT_OLD = dayAgo(40);
const DT_1 = dayAgo(2);
const DT_2 = dayAgo(1);
const RUN_OLD = runIdOf(DT_OLD);
const RUN_1 = runIdOf(DT_1);
const RUN_2 = runIdOf(DT_2);

/** A row with every schema column (null/false/[] unless given), so fixtures track the schema. */
function row(columns: readonly ReportColumn[], values: Record<string, unknown>): Record<string, unknown> {
  const unknownKeys = Object.keys(values).filter((k) => !columns.some((c) => c.name === k));
  if (unknownKeys.length > 0) {
    throw new Error(`fixture uses columns not in the schema: ${unknownKeys.join(', ')}`);
  }
  return Object.fromEntries(
    columns.map((c) => [
      c.name,
      c.name in values
        ? values[c.name]
        : c.type === 'array<string>'
          ? []
          : c.type === 'boolean'
            ? false
            : c.type === 'string'
              ? null
              : 0,
    ]),
  );
}

const iso = (runId: string) =>
  `${runId.slice(0, 4)}-${runId.slice(4, 6)}-${runId.slice(6, 8)}T${runId.slice(9, 11)}:${runId.slice(11, 13)}:${runId.slice(13, 15)}Z`;

function target(runId: string, id: string, values: Record<string, unknown>): Record<string, unknown> {
  const type = id.startsWith('r-') ? 'ROOT' : id.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT';
  return row(ASSOCIATION_COLUMNS, {
    run_id: runId,
    audited_at: iso(runId),
    target_id: id,
    target_type: type,
    association_status: 'SUCCESS',
    association_type: type === 'ROOT' ? 'APPLIED' : 'INHERITED',
    configuration_policy_id: 'policy-a',
    expected_policy_id: 'policy-a',
    audit_result: 'OK',
    updated_at: '2026-11-01T00:00:00Z',
    account_status: type === 'ACCOUNT' ? 'ACTIVE' : null,
    ...values,
  });
}

function writeFixtures(dir: string): void {
  writeReportFiles(
    dir,
    DT_OLD,
    RUN_OLD,
    [],
    row(RUN_COLUMNS, {
      run_id: RUN_OLD,
      audited_at: iso(RUN_OLD),
      run_status: 'COMPLETE',
      status_failed: 9,
      drifted: 9,
    }),
  );

  writeReportFiles(
    dir,
    DT_1,
    RUN_1,
    [
      target(RUN_1, ROOT, { target_name: 'Root', ou_path: ROOT }),
      target(RUN_1, PROD, { target_name: 'Prod', parent_id: ROOT, ou_path: `${ROOT}/${PROD}` }),
      target(RUN_1, DEV, { target_name: 'Dev', parent_id: ROOT, ou_path: `${ROOT}/${DEV}` }),
      target(RUN_1, '111111111111', {
        target_name: 'prod-a',
        parent_id: PROD,
        ou_path: `${ROOT}/${PROD}`,
        association_status: 'FAILED',
        drift: true,
        drift_reasons: ['FAILED'],
        audit_result: 'DRIFT',
        changes: ['NEW_DRIFT'],
        first_drift_seen: iso(RUN_1),
      }),
      target(RUN_1, '222222222222', { target_name: 'prod-b', parent_id: PROD, ou_path: `${ROOT}/${PROD}` }),
      target(RUN_1, '333333333333', { target_name: 'dev-a', parent_id: DEV, ou_path: `${ROOT}/${DEV}` }),
      target(RUN_1, '222233334444', { target_name: 'Sandbox', parent_id: DEV, ou_path: `${ROOT}/${DEV}` }),
    ],
    row(RUN_COLUMNS, {
      run_id: RUN_1,
      audited_at: iso(RUN_1),
      trigger: 'SCHEDULED',
      run_status: 'COMPLETE',
      targets_reported: 7,
      status_success: 6,
      status_failed: 1,
      drifted: 1,
      new_drift: 1,
      previous_run_id: null,
      departed_targets: [],
    }),
  );

  writeReportFiles(
    dir,
    DT_2,
    RUN_2,
    [
      target(RUN_2, ROOT, { target_name: 'Root', ou_path: ROOT }),
      target(RUN_2, PROD, {
        target_name: 'Prod',
        parent_id: ROOT,
        ou_path: `${ROOT}/${PROD}`,
        association_status: 'FAILED',
        association_status_message: 'Policy could not be applied',
        drift: true,
        drift_reasons: ['FAILED'],
        audit_result: 'DRIFT',
        changes: ['NEW_DRIFT'],
        first_drift_seen: iso(RUN_2),
      }),
      target(RUN_2, DEV, { target_name: 'Dev', parent_id: ROOT, ou_path: `${ROOT}/${DEV}` }),
      target(RUN_2, '111111111111', {
        target_name: 'prod-a',
        parent_id: PROD,
        ou_path: `${ROOT}/${PROD}`,
        association_status: 'FAILED',
        drift: true,
        drift_reasons: ['FAILED'],
        audit_result: 'DRIFT',
        first_drift_seen: iso(RUN_1),
      }),
      target(RUN_2, '222222222222', {
        target_name: 'prod-b',
        parent_id: PROD,
        ou_path: `${ROOT}/${PROD}`,
        association_status: 'PENDING',
        updated_at: '2026-11-20T08:00:00Z',
        drift: true,
        drift_reasons: ['PENDING_STALE'],
        audit_result: 'DRIFT',
        changes: ['NEW_DRIFT'],
        first_drift_seen: iso(RUN_2),
      }),
      target(RUN_2, '333333333333', {
        target_name: 'dev-a',
        parent_id: DEV,
        ou_path: `${ROOT}/${DEV}`,
        association_status: 'PENDING',
        updated_at: '2026-11-26T01:00:00Z',
      }),
      target(RUN_2, '444444444444', {
        target_name: 'dev-b',
        parent_id: DEV,
        ou_path: `${ROOT}/${DEV}`,
        association_status: 'PENDING',
        updated_at: '2026-11-18T00:00:00Z',
        drift_reasons: ['PENDING_STALE'],
        audit_result: 'EXCLUDED',
        excluded_reason: 'migration',
        exclusion_expires: '2026-12-31',
      }),
    ],
    row(RUN_COLUMNS, {
      run_id: RUN_2,
      audited_at: iso(RUN_2),
      trigger: 'SCHEDULED',
      run_status: 'COMPLETE',
      targets_reported: 7,
      status_success: 2,
      status_pending: 3,
      status_failed: 2,
      drifted: 3,
      excluded: 1,
      new_drift: 2,
      previous_run_id: RUN_1,
      departed_targets: ['222233334444'],
    }),
  );
}

describe('named queries (infra/queries/*.sql) in DuckDB', () => {
  let dir: string;
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const queries = readNamedQueryFiles(QUERIES_DIRECTORY);

  const run = async (name: string): Promise<Record<string, unknown>[]> => {
    const query = queries.find((q) => q.name === name);
    if (!query) {
      throw new Error(`no query ${name}`);
    }
    // Exactly the file's text, as the named query holds it.
    expect(query.sql).toBe(fs.readFileSync(path.join(QUERIES_DIRECTORY, `${name}.sql`), 'utf8').trim());
    const reader = await connection.runAndReadAll(query.sql);
    return reader.getRowObjectsJson();
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-queries-'));
    writeFixtures(dir);
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await createReportViews(connection, dir);
  });

  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('views mirror the Glue columns and types, plus dt as VARCHAR', async () => {
    const describe = async (view: string) =>
      (await connection.runAndReadAll(`DESCRIBE ${view}`))
        .getRowObjectsJson()
        .map((r) => [r.column_name, r.column_type]);
    expect(await describe('associations')).toEqual([
      ...ASSOCIATION_COLUMNS.map((c) => [
        c.name,
        { string: 'VARCHAR', boolean: 'BOOLEAN', 'array<string>': 'VARCHAR[]' }[c.type as string],
      ]),
      ['dt', 'VARCHAR'],
    ]);
    expect((await describe('runs')).at(-1)).toEqual(['dt', 'VARCHAR']);
  });

  it('every query file parses and runs', async () => {
    expect(queries.map((q) => q.name)).toEqual([
      'departed-targets',
      'drift-latest-run',
      'failed-and-drift-trend-30-days',
      'failed-by-ou-path',
      'new-drift-since-previous-run',
      'stale-pending',
    ]);
    for (const query of queries) {
      await expect(connection.runAndReadAll(query.sql)).resolves.toBeDefined();
    }
  });

  it('every query file is valid Trino (Athena engine 3) SQL', () => {
    for (const query of queries) {
      expect({ name: query.name, errors: trinoSyntaxErrors(query.sql) }).toEqual({ name: query.name, errors: [] });
    }
    // The check itself rejects what Athena would reject.
    expect(trinoSyntaxErrors('SELECT FROM runs WHERE')).not.toEqual([]);
  });

  it('every read of associations or runs is bounded by a dt predicate Athena evaluates at planning', () => {
    for (const query of queries) {
      const reads = partitionReads(query.sql, ['associations', 'runs']);
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        expect({ query: query.name, table: read.alias, bounded: read.bounds.length > 0 }).toEqual({
          query: query.name,
          table: read.alias,
          bounded: true,
        });
      }
    }
    // A join on the latest run alone is not a planning-time bound.
    const joinOnly = partitionReads(
      'WITH latest AS (SELECT max(run_id) AS run_id, max(dt) AS dt FROM runs) ' +
        'SELECT a.target_id FROM associations a JOIN latest l ON a.dt = l.dt AND a.run_id = l.run_id',
      ['associations', 'runs'],
    );
    expect(joinOnly.map((r) => r.bounds)).toEqual([[], []]);
    // A bound in a subquery does not bound the outer read.
    const inner = partitionReads(
      "SELECT a.target_id FROM associations a WHERE a.run_id IN (SELECT run_id FROM runs WHERE dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR))",
      ['associations', 'runs'],
    );
    expect(inner.map((r) => [r.alias, r.bounds.length])).toEqual([
      ['a', 0],
      ['runs', 1],
    ]);
  });

  it('the latest-run CTE is one text, repeated verbatim where it is used', () => {
    const cte = /WITH latest AS \([\s\S]*?\n\)/;
    const users = queries.filter((q) => /\bJOIN latest\b/.test(q.sql));
    expect(users.map((q) => q.name)).toEqual([
      'departed-targets',
      'drift-latest-run',
      'failed-by-ou-path',
      'new-drift-since-previous-run',
      'stale-pending',
    ]);
    const texts = new Set(users.map((q) => cte.exec(q.sql)?.[0]));
    expect([...texts]).toHaveLength(1);
    expect([...texts][0]).toContain("WHERE dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS VARCHAR)");
  });

  it('reads no partition older than its window: a latest run older than 7 days is not listed', async () => {
    const stale = fs.mkdtempSync(path.join(os.tmpdir(), 'report-stale-'));
    try {
      const dt = dayAgo(9);
      const runId = runIdOf(dt);
      writeReportFiles(
        stale,
        dt,
        runId,
        [target(runId, '111111111111', { drift: true, drift_reasons: ['FAILED'], association_status: 'FAILED' })],
        row(RUN_COLUMNS, { run_id: runId, run_status: 'COMPLETE', status_failed: 1, drifted: 1 }),
      );
      await createReportViews(connection, stale);
      // The same data dated inside the window is found, so only dt keeps it out.
      const fresh = await connection.runAndReadAll(
        `SELECT count(*) AS n FROM associations WHERE drift = true AND dt = '${dt}'`,
      );
      expect(fresh.getRowObjectsJson()).toEqual([{ n: '1' }]);
      expect(await run('drift-latest-run')).toEqual([]);
      expect(await run('failed-by-ou-path')).toEqual([]);
      expect(await run('failed-and-drift-trend-30-days')).toHaveLength(1);
    } finally {
      await createReportViews(connection, dir);
      fs.rmSync(stale, { recursive: true, force: true });
    }
  });

  it('drift-latest-run lists the drifted targets of the newest run only', async () => {
    const rows = await run('drift-latest-run');
    expect(rows.map((r) => [r.run_id, r.target_id, r.drift_reasons])).toEqual([
      [RUN_2, '111111111111', ['FAILED']],
      [RUN_2, '222222222222', ['PENDING_STALE']],
      [RUN_2, PROD, ['FAILED']],
    ]);
    expect(rows[0]).toMatchObject({ first_drift_seen: iso(RUN_1), ou_path: `${ROOT}/${PROD}` });
  });

  it('failed-by-ou-path counts FAILED targets per path', async () => {
    const rows = await run('failed-by-ou-path');
    expect(
      rows.map((r) => ({
        ...r,
        failed_targets: Number(r.failed_targets),
        failed_accounts: Number(r.failed_accounts),
        failed_roots_and_ous: Number(r.failed_roots_and_ous),
      })),
    ).toEqual([
      {
        ou_path: `${ROOT}/${PROD}`,
        failed_targets: 2,
        failed_accounts: 1,
        failed_roots_and_ous: 1,
        target_ids: ['111111111111', PROD],
      },
    ]);
  });

  it('stale-pending lists PENDING_STALE targets oldest first, excluded ones included', async () => {
    const rows = await run('stale-pending');
    expect(rows.map((r) => [r.target_id, r.pending_since, r.audit_result])).toEqual([
      ['444444444444', '2026-11-18T00:00:00Z', 'EXCLUDED'],
      ['222222222222', '2026-11-20T08:00:00Z', 'DRIFT'],
    ]);
  });

  it('new-drift-since-previous-run lists NEW_DRIFT targets with the run compared against', async () => {
    const rows = await run('new-drift-since-previous-run');
    expect(rows.map((r) => [r.target_id, r.previous_run_id])).toEqual([
      ['222222222222', RUN_1],
      [PROD, RUN_1],
    ]);
  });

  it('failed-and-drift-trend-30-days returns the runs of the 30 days up to the latest run', async () => {
    const rows = await run('failed-and-drift-trend-30-days');
    expect(rows.map((r) => [r.dt, r.run_id, r.status_failed, r.drifted])).toEqual([
      [DT_1, RUN_1, 1, 1],
      [DT_2, RUN_2, 2, 3],
    ]);
  });

  it('departed-targets lists targets of the previous run missing from the latest, with their last row', async () => {
    const rows = await run('departed-targets');
    expect(rows).toEqual([
      {
        target_id: '222233334444',
        target_type: 'ACCOUNT',
        target_name: 'Sandbox',
        ou_path: `${ROOT}/${DEV}`,
        account_status: 'ACTIVE',
        last_seen_at: iso(RUN_1),
        previous_run_id: RUN_1,
        missing_since_run_id: RUN_2,
      },
    ]);
  });

  it('answers with empty results, not errors, before the first run', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'report-empty-'));
    try {
      // One run with no departed targets and nothing drifted.
      writeReportFiles(
        empty,
        DT_2,
        RUN_2,
        [target(RUN_2, ROOT, { ou_path: ROOT })],
        row(RUN_COLUMNS, { run_id: RUN_2, run_status: 'COMPLETE' }),
      );
      await createReportViews(connection, empty);
      for (const name of [
        'drift-latest-run',
        'failed-by-ou-path',
        'stale-pending',
        'new-drift-since-previous-run',
        'departed-targets',
      ]) {
        expect(await run(name)).toEqual([]);
      }
      expect((await run('failed-and-drift-trend-30-days')).map((r) => r.run_id)).toEqual([RUN_2]);
    } finally {
      await createReportViews(connection, dir);
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
