/**
 * The Athena contract: the named queries in infra/queries run unmodified in DuckDB over
 * views typed exactly like the Glue tables, on report files the audit really wrote to a
 * real S3-compatible server in two nightly runs against the emulated organization.
 * Between the runs three accounts leave the organization, one association turns FAILED
 * and one FAILED association recovers, so every query has rows to return.
 */
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { AssociationRow } from '../../lambdas/audit/report/rows';
import {
  ASSOCIATION_COLUMNS,
  RUN_COLUMNS,
  type GlueColumnType,
  type ReportColumn,
} from '../../lambdas/audit/report/schema';
import { emulatorClientConfig, startEmulator, type GeneratedOrg, type RunningEmulator } from '../emulator';
import { createReportViews } from '../tools/query/report-views';
import { startEmulatedAudit, type EmulatedAudit } from '../support/emulated-audit';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { gunzipSync } from 'node:zlib';
import type { AuditOutcome } from '../../lambdas/audit/types/audit';

const QUERIES_DIR = join(__dirname, '..', '..', 'infra', 'queries');

/** Independent of the writer's own validation: what Athena's JSON SerDe would accept for each Glue type. */
function hasGlueType(type: GlueColumnType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return value === null || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'int':
    case 'bigint':
      return Number.isInteger(value);
    case 'double':
      return typeof value === 'number';
    case 'array<string>':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
  }
}

function expectGlueShape(record: Record<string, unknown>, columns: readonly ReportColumn[], what: string): void {
  expect(Object.keys(record)).toEqual(columns.map((c) => c.name));
  for (const column of columns) {
    if (!hasGlueType(column.type, record[column.name])) {
      throw new Error(
        `${what}: column ${column.name} should be ${column.type}, got ${JSON.stringify(record[column.name])}`,
      );
    }
  }
}

/** The next night's organization: some accounts gone, one association broken, one repaired. */
function nextNight(
  org: GeneratedOrg,
  departed: readonly string[],
  turnsFailed: string,
  recovers: string,
): GeneratedOrg {
  const gone = new Set(departed);
  const associations = new Map(org.associations);
  for (const id of gone) associations.delete(id);
  associations.set(turnsFailed, {
    ...associations.get(turnsFailed)!,
    associationStatus: 'FAILED',
    associationStatusMessage: 'Policy update failed',
  });
  associations.set(recovers, {
    ...associations.get(recovers)!,
    associationStatus: 'SUCCESS',
    associationStatusMessage: null,
    anomaly: null,
  });
  const anomalies = Object.fromEntries(
    Object.entries(org.anomalies).map(([kind, ids]) => [kind, ids.filter((id) => !gone.has(id) && id !== recovers)]),
  ) as unknown as GeneratedOrg['anomalies'];
  return { ...org, accounts: org.accounts.filter((a) => !gone.has(a.id)), associations, anomalies };
}

async function downloadBucket(audit: EmulatedAudit, root: string): Promise<void> {
  for (const key of await audit.s3.listKeys()) {
    const file = join(root, key);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, await audit.s3.getObject(key));
  }
}

async function query(connection: DuckDBConnection, name: string): Promise<Record<string, unknown>[]> {
  const sql = await readFile(join(QUERIES_DIR, `${name}.sql`), 'utf8');
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson();
}

/**
 * The two nights: the day before yesterday and yesterday, 02:00 UTC. The queries bound `dt`
 * by `current_date` (Athena prunes partitions at planning), so the runs are dated relative to
 * the day the test runs, as real reports are.
 */
const DAY_MS = 86_400_000;
const NIGHT_2 = Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS + 2 * 3_600_000;
const NIGHT_1 = NIGHT_2 - DAY_MS;
const DT_1 = new Date(NIGHT_1).toISOString().slice(0, 10);
const DT_2 = new Date(NIGHT_2).toISOString().slice(0, 10);
const RUN_1 = `${DT_1.replace(/-/g, '')}T020000Z`;
const RUN_2 = `${DT_2.replace(/-/g, '')}T020000Z`;

const ids = (rows: readonly { target_id?: unknown }[]) => rows.map((r) => String(r.target_id)).sort();

describe('Athena named queries over reports the audit wrote', () => {
  let audit: EmulatedAudit;
  let secondNight: RunningEmulator;
  let first: AuditOutcome;
  let second: AuditOutcome;
  let root: string;
  let connection: DuckDBConnection;
  let instance: DuckDBInstance;
  let departed: string[];
  let turnsFailed: string;
  let recovers: string;

  beforeAll(async () => {
    audit = await startEmulatedAudit({
      start: NIGHT_2,
      org: {
        seed: 'athena-contract',
        accounts: 120,
        ous: 15,
        maxDepth: 4,
        anomalies: { failed: 3, stalePending: 2, freshPending: 1, inheritanceMismatch: 2, missing: 1 },
      },
    });
    const { org } = audit;
    const anomalous = new Set(Object.values(org.anomalies).flat());
    const plain = org.accounts.filter(
      (a) =>
        a.status === 'ACTIVE' && !anomalous.has(a.id) && org.associations.get(a.id)?.associationType === 'INHERITED',
    );
    departed = plain.slice(0, 3).map((a) => a.id);
    turnsFailed = plain[3].id;
    recovers = org.anomalies.failed[0]!;

    first = await audit.run({ scheduledTime: new Date(NIGHT_1).toISOString() });
    secondNight = await startEmulator({ org: nextNight(org, departed, turnsFailed, recovers) });
    const config = emulatorClientConfig(secondNight);
    const organizations = new OrganizationsClient(config);
    const securityHub = new SecurityHubClient(config);
    try {
      second = await audit.run({
        scheduledTime: new Date(NIGHT_2).toISOString(),
        deps: { organizations, securityHub },
      });
    } finally {
      organizations.destroy();
      securityHub.destroy();
    }

    root = await mkdtemp(join(tmpdir(), 'athena-contract-'));
    await downloadBucket(audit, root);
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await createReportViews(connection, root);
  });

  afterAll(async () => {
    connection?.closeSync();
    instance?.closeSync();
    await secondNight?.close();
    await audit?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('wrote two nights in the Hive layout the Glue tables point at', async () => {
    expect(await audit.s3.listKeys()).toEqual([
      `associations/dt=${DT_1}/${RUN_1}.jsonl.gz`,
      `associations/dt=${DT_2}/${RUN_2}.jsonl.gz`,
      // The HTML reports live outside the folders the Glue tables read.
      `html/dt=${DT_1}/${RUN_1}.html`,
      `html/dt=${DT_2}/${RUN_2}.html`,
      'latest/run.json',
      `runs/dt=${DT_1}/${RUN_1}.json`,
      `runs/dt=${DT_2}/${RUN_2}.json`,
    ]);
  });

  it('writes every Glue column, in order, with its declared type, and nothing else', async () => {
    for (const dir of [`associations/dt=${DT_1}`, `associations/dt=${DT_2}`]) {
      for (const file of await readdir(join(root, dir))) {
        const lines = gunzipSync(await readFile(join(root, dir, file)))
          .toString('utf8')
          .trimEnd()
          .split('\n');
        expect(lines.length).toBeGreaterThan(100);
        lines.forEach((line, i) =>
          expectGlueShape(JSON.parse(line) as Record<string, unknown>, ASSOCIATION_COLUMNS, `${file}:${i + 1}`),
        );
      }
    }
    for (const dir of [`runs/dt=${DT_1}`, `runs/dt=${DT_2}`]) {
      for (const file of await readdir(join(root, dir))) {
        const text = await readFile(join(root, dir, file), 'utf8');
        expect(text.trimEnd().split('\n')).toHaveLength(1);
        expectGlueShape(JSON.parse(text) as Record<string, unknown>, RUN_COLUMNS, file);
      }
    }
  });

  it('reads every row back through the typed views', async () => {
    const reader = await connection.runAndReadAll('SELECT dt, count(*) AS n FROM associations GROUP BY dt ORDER BY dt');
    expect(reader.getRowObjectsJson()).toEqual([
      { dt: DT_1, n: String(first.rows.length) },
      { dt: DT_2, n: String(second.rows.length) },
    ]);
    const runs = await connection.runAndReadAll(
      'SELECT run_id, targets_reported, departed_targets FROM runs ORDER BY run_id',
    );
    expect(runs.getRowObjectsJson()).toEqual([
      { run_id: RUN_1, targets_reported: first.rows.length, departed_targets: [] },
      { run_id: RUN_2, targets_reported: second.rows.length, departed_targets: [...departed].sort() },
    ]);
  });

  it('drift-latest-run lists exactly the drifted targets of the second night', async () => {
    const rows = await query(connection, 'drift-latest-run');
    const expected = second.rows.filter((r) => r.drift);
    expect(expected.length).toBeGreaterThan(5);
    expect(ids(rows)).toEqual(ids(expected));
    const failed = rows.find((r) => r.target_id === turnsFailed)!;
    expect(failed).toMatchObject({
      run_id: RUN_2,
      association_status: 'FAILED',
      drift_reasons: ['FAILED'],
    });
  });

  it('failed-by-ou-path counts the FAILED targets of the latest run per OU path', async () => {
    const rows = await query(connection, 'failed-by-ou-path');
    const expected = new Map<string, string[]>();
    for (const r of second.rows.filter((row) => row.association_status === 'FAILED')) {
      expected.set(r.ou_path, [...(expected.get(r.ou_path) ?? []), r.target_id].sort());
    }
    expect(rows.map((r) => [r.ou_path, r.target_ids]).sort()).toEqual([...expected.entries()].sort());
    expect(rows.reduce((n, r) => n + Number(r.failed_targets), 0)).toBe(second.summary.status_failed);
    expect(second.summary.status_failed).toBe(3); // 3 seeded, 1 recovered, 1 new
  });

  it('stale-pending lists the PENDING_STALE targets, oldest first', async () => {
    const rows = await query(connection, 'stale-pending');
    expect(ids(rows)).toEqual(ids(second.rows.filter((r) => r.drift_reasons.includes('PENDING_STALE'))));
    expect(ids(rows)).toEqual([...audit.org.anomalies.stalePending].sort());
    const since = rows.map((r) => String(r.pending_since));
    expect(since).toEqual([...since].sort());
  });

  it('new-drift-since-previous-run lists the targets that drifted between the nights', async () => {
    const rows = await query(connection, 'new-drift-since-previous-run');
    expect(ids(rows)).toEqual([turnsFailed]);
    expect(rows[0]).toMatchObject({ previous_run_id: RUN_1, run_id: RUN_2 });
  });

  it('failed-and-drift-trend-30-days has one row per run with its counts', async () => {
    const rows = await query(connection, 'failed-and-drift-trend-30-days');
    const counts = (o: AuditOutcome) => ({
      run_id: o.summary.run_id,
      status_failed: o.summary.status_failed,
      drifted: o.summary.drifted,
      new_drift: o.summary.new_drift,
      resolved_drift: o.summary.resolved_drift,
    });
    expect(
      rows.map((r) => ({
        run_id: r.run_id,
        status_failed: r.status_failed,
        drifted: r.drifted,
        new_drift: r.new_drift,
        resolved_drift: r.resolved_drift,
      })),
    ).toEqual([counts(first), counts(second)]);
    expect(second.summary.resolved_drift).toBeGreaterThanOrEqual(1);
  });

  it('departed-targets lists the accounts that left, with what the previous night knew of them', async () => {
    const rows = await query(connection, 'departed-targets');
    expect(ids(rows)).toEqual([...departed].sort());
    const before = new Map<string, AssociationRow>(first.rows.map((r) => [r.target_id, r]));
    for (const row of rows) {
      const known = before.get(String(row.target_id))!;
      expect(row).toMatchObject({
        target_type: 'ACCOUNT',
        target_name: known.target_name,
        ou_path: known.ou_path,
        previous_run_id: RUN_1,
        missing_since_run_id: RUN_2,
      });
    }
  });
});
