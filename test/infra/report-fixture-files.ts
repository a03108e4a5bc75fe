import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { REPORT_LAYOUT } from '../../lambdas/audit/report/schema';

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
