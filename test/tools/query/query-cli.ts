/**
 * `npm run query`: runs the named queries the stack installs in Athena (infra/queries),
 * unmodified, over a local report directory with DuckDB, so a report written by
 * `npm run audit -- --out-dir DIR` (or `npm start`, or copied down from the bucket) can be
 * queried without an AWS account. A dev and ops tool: DuckDB is a devDependency, so this
 * lives outside lambdas/ and never reaches the Lambda bundle.
 */
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type Json } from '@duckdb/node-api';
import { QUERIES_DIRECTORY, readNamedQueryFiles } from '../../../infra/constructs/report-catalog';
import type { CliIo } from '../../../lambdas/audit/cli/run-cli';
import { textTable } from '../../../lambdas/audit/cli/text-table';
import { UsageError } from '../../../lambdas/audit/errors';
import { REPORT_LAYOUT } from '../../../lambdas/audit/report/schema';
import { displaySafe } from '../../../lambdas/audit/util/display-text';
import { nearestName } from '../../../lambdas/audit/util/nearest-name';
import { createReportViews } from './report-views';

/** Exit codes, as the audit CLI's: 0 done, 2 the query failed, 3 bad usage. */
const EXIT = { ok: 0, failed: 2, badInput: 3 } as const;

/** Longest cell shown: OU paths five levels deep fit. */
const MAX_CELL = 200;

/** Shown by `--help` and after a usage error. */
export const QUERY_USAGE = `Usage: npm run query -- NAME --reports DIR
       npm run query -- --list

Runs a named query the stack installs in Athena (infra/queries/NAME.sql), unmodified, with
DuckDB over the report files under DIR (the --out-dir of an audit run, or a copy of the
bucket's prefix): DIR/associations/dt=*/ and DIR/runs/dt=*/. Like in Athena, the queries only
read the recent days they name (the last 7 days for the latest run), by today's date.

  --reports DIR   the report directory
  --list          the named queries, with what each answers
  -h, --help      this text`;

const OPTIONS = {
  reports: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `"value"`, display-safe and short, for a message. */
const shown = (value: string) => `"${displaySafe(value, 80)}"`;

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const { tokens } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: false,
      tokens: true,
    });
    const unknown = tokens.find((t) => t.kind === 'option' && !(t.name in OPTIONS));
    if (unknown?.kind !== 'option') throw new UsageError(displaySafe((error as Error).message, 300));
    const nearest = nearestName(unknown.name, Object.keys(OPTIONS));
    throw new UsageError(`Unknown option ${shown(unknown.rawName)}${nearest ? `; did you mean --${nearest}?` : ''}`);
  }
}

/** The report directory, checked: a directory holding the two table folders an audit writes. */
async function reportsDir(dir: string | undefined): Promise<string> {
  if (dir === undefined || dir.trim() === '') throw new UsageError('--reports DIR: the report directory is required');
  const root = resolve(dir);
  const isDir = (path: string) =>
    stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
  if (!(await isDir(root))) throw new UsageError(`--reports ${shown(dir)}: no such directory`);
  for (const table of [REPORT_LAYOUT.associationsDir, REPORT_LAYOUT.runsDir]) {
    if (!(await isDir(join(root, table)))) {
      throw new UsageError(
        `--reports ${shown(dir)}: not a report directory (no ${table}/ in it); give the --out-dir of an audit run ` +
          "(with --prefix P, that directory's P)",
      );
    }
  }
  return root;
}

/** A DuckDB value as a display-safe cell: lists comma-separated, null as "-". */
function cellOf(value: Json): string {
  if (value === null) return '-';
  const text = Array.isArray(value)
    ? value.map(String).join(',')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  return displaySafe(text, MAX_CELL);
}

/** Runs `sql` over the reports under `root`; the result as table lines and a row count. */
async function runQuery(sql: string, root: string): Promise<{ lines: string[]; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await createReportViews(connection, root);
    const reader = await connection.runAndReadAll(sql);
    const header = reader.columnNames().map((name) => displaySafe(name, MAX_CELL));
    const rows = reader.getRowsJson().map((row) => row.map(cellOf));
    return { lines: textTable([header, ...rows]), rows: rows.length };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The named queries as a table: name and what it answers (its first comment line). */
function listing(): string {
  const queries = readNamedQueryFiles(QUERIES_DIRECTORY);
  return textTable([['Query', 'Answers'], ...queries.map((q) => [q.name, displaySafe(q.description)])]).join('\n');
}

async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    io.stdout(QUERY_USAGE);
    return EXIT.ok;
  }
  if (values.list) {
    if (positionals.length > 0 || values.reports !== undefined) throw new UsageError('--list takes nothing else');
    io.stdout(listing());
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError('Give exactly one query NAME (npm run query -- --list shows them)');
  const queries = readNamedQueryFiles(QUERIES_DIRECTORY);
  const name = positionals[0];
  const query = queries.find((q) => q.name === name);
  if (query === undefined) {
    const names = queries.map((q) => q.name);
    const nearest = nearestName(name, names);
    throw new UsageError(
      `Unknown query ${shown(name)}${nearest ? ` (did you mean ${nearest}?)` : ''}; the named queries: ${names.join(', ')}`,
    );
  }
  const root = await reportsDir(values.reports);
  const result = await runQuery(query.sql, root).catch((error: unknown) => {
    throw new Error(
      `query ${name} over ${displaySafe(root, 500)} failed: ${displaySafe((error as Error).message, 1000)}`,
      { cause: error },
    );
  });
  io.stdout(result.lines.join('\n'));
  io.stderr(`${result.rows} row${result.rows === 1 ? '' : 's'}`);
  return EXIT.ok;
}

/** The query command; returns the exit code instead of exiting, so tests call it in-process. */
export async function runQueryCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    // A usage problem: the message, then the usage text, exit 3.
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${QUERY_USAGE}`);
      return EXIT.badInput;
    }
    io.stderr(`error: ${displaySafe(error instanceof Error ? error.message : String(error), 2000)}`);
    return EXIT.failed;
  }
}
