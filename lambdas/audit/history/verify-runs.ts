/**
 * Evidence an auditor can check (`npm run verify`): every run in range, with the audit's
 * own code. A run is `verified` when its dated summary carries a valid MAC for its key and
 * kind, names its own associations object, that object hashes to the summary's
 * `associations_sha256` and agrees with its counts, and the previous run it compared with
 * is itself an authentic run. `unsigned` runs were written without a key; `bad` ones fail a check.
 */
import { readVerified } from './read-previous';
import { readDatedRun, readLatest } from './trusted-latest';
import { runIdDate } from '../report/run-id';
import { parseRunSummary, summaryMacContent, type RunSummary } from '../report/summary';
import { MAX_RUN_OBJECT_BYTES } from '../store/bounded-read';
import type { ObjectMac } from '../store/object-mac';
import { reportKeys, type ReportStore } from '../store/report-store';
import { displaySafe } from '../util/display-text';

/** The verdict on one run (or on `latest/run.json`). */
export interface RunVerdict {
  /** The run id, or the object key when it names no run. */
  readonly run: string;
  readonly status: 'verified' | 'unsigned' | 'bad';
  /** Why it is not verified; `null` when it is. */
  readonly reason: string | null;
}

/** What {@link verifyRuns} checks. */
export interface VerifyInput {
  readonly store: ReportStore;
  readonly mac: ObjectMac;
  readonly prefix: string;
  /** Keys of the dated run objects (`<prefix>runs/dt=…/<run_id>.json`), as listed. */
  readonly runKeys: readonly string[];
  /** `YYYY-MM-DD`: runs of earlier dates are left out. */
  readonly since?: string;
  /** Epoch ms, to judge run times in the future. */
  readonly now: number;
}

const bad = (run: string, reason: string): RunVerdict => ({ run, status: 'bad', reason: displaySafe(reason, 300) });

/** The summary at `key`, or a verdict on why it is not a run of this prefix. */
async function summaryAt(input: VerifyInput, key: string): Promise<RunSummary | RunVerdict> {
  let summary: RunSummary;
  try {
    const body = await input.store.get(key, { maxBytes: MAX_RUN_OBJECT_BYTES });
    if (body === null) return bad(key, 'listed but not readable');
    summary = parseRunSummary(body, key);
  } catch (error) {
    return bad(key, error instanceof Error ? error.message : 'unreadable');
  }
  const dt = runIdDate(summary.run_id);
  if (dt === null || reportKeys(input.prefix, summary.run_id, dt).run !== key) {
    return bad(key, `holds the summary of run ${summary.run_id}, not of this key`);
  }
  return summary;
}

/** One dated run: MAC, its associations object, and its link to the previous run. */
async function verifyRun(input: VerifyInput, key: string): Promise<RunVerdict> {
  const read = await summaryAt(input, key);
  if ('status' in read) return read;
  const run = read.run_id;
  if (read.mac === null) return { run, status: 'unsigned', reason: 'written without a MAC key' };
  const context = { kind: 'run-summary' as const, key, runId: run, execution: null };
  const verdict = await input.mac.verify(context, summaryMacContent(read), read.mac);
  if (!verdict.valid) return bad(run, `MAC: ${verdict.reason}`);
  const rows = await readVerified(input.store, read, input.now);
  if (rows.status !== 'OK') return bad(run, `associations: ${rows.reason ?? 'not verified'}`);
  const previous = read.previous_run_id;
  if (previous !== null) {
    if (previous >= run) return bad(run, `names a later previous run ${previous}`);
    const prior = await readDatedRun(input.store, input.prefix, previous, input.now, input.mac);
    if (prior.kind !== 'trusted') {
      return bad(run, `chain: previous run ${previous} ${prior.kind === 'none' ? 'is missing' : prior.reason}`);
    }
  }
  return { run, status: 'verified', reason: null };
}

/** Verifies every listed run in range (oldest first), then `latest/run.json`. */
export async function verifyRuns(input: VerifyInput): Promise<RunVerdict[]> {
  const inRange = [...input.runKeys]
    .filter((key) => {
      const dt = /\/dt=(\d{4}-\d{2}-\d{2})\/[^/]+\.json$/.exec(key)?.[1];
      return dt !== undefined && (input.since === undefined || dt >= input.since);
    })
    .sort();
  const verdicts: RunVerdict[] = [];
  for (const key of inRange) verdicts.push(await verifyRun(input, key));
  const latest = await readLatest(input.store, input.prefix, input.now, input.mac);
  if (latest.kind === 'trusted') verdicts.push({ run: 'latest/run.json', status: 'verified', reason: null });
  if (latest.kind === 'untrusted') verdicts.push(bad('latest/run.json', latest.reason));
  return verdicts;
}
