import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  ASSOCIATION_COLUMNS,
  REPORT_LAYOUT,
  RUN_COLUMNS,
  type GlueColumnType,
  type ReportColumn,
} from '../../lambdas/audit/report/schema';

/**
 * DuckDB stand-ins for the Glue tables, so the named queries in infra/queries run
 * unmodified in tests. Shared by the unit test over hand-written fixtures and the
 * contract test over real audit output (same file layout as the S3 report).
 */

const DUCKDB_TYPES: Record<GlueColumnType, string> = {
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  'array<string>': 'VARCHAR[]',
};

/** The DuckDB type of a Glue column type. */
export function duckDbType(type: GlueColumnType): string {
  return DUCKDB_TYPES[type];
}

function columnsStruct(columns: readonly ReportColumn[]): string {
  return `{${columns.map((c) => `'${c.name}': '${duckDbType(c.type)}'`).join(', ')}}`;
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Creates views `associations` and `runs` over `<root>/associations/dt=*\/*.jsonl.gz`
 * and `<root>/runs/dt=*\/*.json`: the Glue columns with the Glue types, plus `dt` as
 * VARCHAR (hive_types, since DuckDB would otherwise guess DATE while Glue has string).
 */
export async function createReportViews(connection: DuckDBConnection, root: string): Promise<void> {
  const view = (name: string, glob: string, columns: readonly ReportColumn[]) =>
    `CREATE OR REPLACE VIEW ${name} AS SELECT * FROM read_json(${quote(path.join(root, glob))}, ` +
    `format = 'newline_delimited', columns = ${columnsStruct(columns)}, ` +
    `hive_partitioning = true, hive_types = {'${REPORT_LAYOUT.partitionKey}': 'VARCHAR'})`;
  await connection.run(
    view(
      REPORT_LAYOUT.associationsDir,
      `${REPORT_LAYOUT.associationsDir}/${REPORT_LAYOUT.partitionKey}=*/*.jsonl.gz`,
      ASSOCIATION_COLUMNS,
    ),
  );
  await connection.run(
    view(REPORT_LAYOUT.runsDir, `${REPORT_LAYOUT.runsDir}/${REPORT_LAYOUT.partitionKey}=*/*.json`, RUN_COLUMNS),
  );
}

/** Writes rows in the report's S3 layout below `root` (for fixtures). */
export function writeReportFiles(
  root: string,
  dt: string,
  runId: string,
  associations: readonly Record<string, unknown>[],
  run: Record<string, unknown>,
): void {
  const assocDir = path.join(root, REPORT_LAYOUT.associationsDir, `${REPORT_LAYOUT.partitionKey}=${dt}`);
  const runsDir = path.join(root, REPORT_LAYOUT.runsDir, `${REPORT_LAYOUT.partitionKey}=${dt}`);
  fs.mkdirSync(assocDir, { recursive: true });
  fs.mkdirSync(runsDir, { recursive: true });
  if (associations.length > 0) {
    const jsonl = associations.map((row) => JSON.stringify(row)).join('\n') + '\n';
    fs.writeFileSync(path.join(assocDir, `${runId}.jsonl.gz`), zlib.gzipSync(jsonl));
  }
  fs.writeFileSync(path.join(runsDir, `${runId}.json`), JSON.stringify(run) + '\n');
}
