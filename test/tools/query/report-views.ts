import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  ASSOCIATION_COLUMNS,
  REPORT_LAYOUT,
  RUN_COLUMNS,
  type GlueColumnType,
  type ReportColumn,
} from '../../../lambdas/audit/report/schema';

/**
 * DuckDB stand-ins for the Glue tables, so the named queries in infra/queries run
 * unmodified outside Athena. Shared by `npm run query`, the unit test over hand-written
 * fixtures and the contract test over real audit output (same file layout as the S3 report).
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
