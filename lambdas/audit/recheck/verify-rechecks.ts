/**
 * The re-check's evidence for `npm run verify`: every re-check record in range
 * (`recheck/runs/dt=…/<recheck_id>.json`, with its rows) and the re-check state
 * (`recheck/state.json`), read with the same readers the re-check itself trusts. A record
 * or state is `verified` when it is authentic, `bad` otherwise; none of it is ever part of
 * the nightly chain, which {@link verifyRuns} checks on its own.
 */
import { readLatest } from '../history/trusted-latest';
import type { RunVerdict } from '../history/verify-runs';
import { recheckIdDate } from '../report/run-id';
import type { ObjectMac } from '../store/object-mac';
import type { ReportStore } from '../store/report-store';
import { displaySafe } from '../util/display-text';
import { recheckKeys } from './recheck-keys';
import { readRecheckRecord } from './recheck-record';
import { readRecheckState } from './recheck-state';

/** What {@link verifyRechecks} checks. */
export interface VerifyRechecksInput {
  readonly store: ReportStore;
  readonly mac: ObjectMac;
  readonly prefix: string;
  /** Keys of the re-check records (`<prefix>recheck/runs/dt=…/<recheck_id>.json`), as listed. */
  readonly recordKeys: readonly string[];
  /** `YYYY-MM-DD`: records of earlier dates are left out. */
  readonly since?: string;
  /** Epoch ms, to judge times in the future. */
  readonly now: number;
}

/** The state's label in the verdicts (relative to the prefix, like `latest/run.json`). */
const STATE_LABEL = 'recheck/state.json';

const bad = (run: string, reason: string): RunVerdict => ({ run, status: 'bad', reason: displaySafe(reason, 300) });

/** The re-check id a listed key names, when the key is exactly where that re-check's record goes. */
function recheckIdOf(prefix: string, key: string): string | null {
  const id = /\/([^/]+)\.json$/.exec(key)?.[1];
  if (id === undefined || recheckIdDate(id) === null) return null;
  return recheckKeys(prefix, id).run === key ? id : null;
}

/** One listed record: MAC, key layout, rows hash and count (readRecheckRecord). */
async function verifyRecord(input: VerifyRechecksInput, key: string): Promise<RunVerdict> {
  const id = recheckIdOf(input.prefix, key);
  if (id === null) return bad(key, 'is not where a re-check record goes');
  const read = await readRecheckRecord(input.store, input.prefix, input.mac, id);
  if (read.status === 'OK') return { run: id, status: 'verified', reason: null };
  return bad(id, read.status === 'NONE' ? 'listed but not readable' : read.reason);
}

/**
 * The state: judged against the trusted latest run when there is one. An authentic state of
 * an earlier full run (STALE) is verified: the next re-check replaces it. Without a trusted
 * latest run only its MAC can be checked, and an authentic state then reads as STALE too.
 */
async function verifyState(input: VerifyRechecksInput): Promise<RunVerdict | null> {
  const latest = await readLatest(input.store, input.prefix, input.now, input.mac);
  const fullRunId = latest.kind === 'trusted' ? latest.summary.run_id : '';
  const read = await readRecheckState(input.store, input.prefix, input.mac, fullRunId, input.now);
  if (read.status === 'NONE') return null;
  if (read.status === 'OK' || read.status === 'STALE') return { run: STATE_LABEL, status: 'verified', reason: null };
  return bad(STATE_LABEL, read.reason ?? 'not verified');
}

/**
 * Verifies every listed re-check record in range (oldest first), then the re-check state
 * when there is one (`<prefix>recheck/state.json`).
 * @throws ReportStoreError when the store fails; MacServiceError when the key service fails.
 */
export async function verifyRechecks(input: VerifyRechecksInput): Promise<RunVerdict[]> {
  const inRange = [...input.recordKeys]
    .filter((key) => {
      const dt = /\/dt=(\d{4}-\d{2}-\d{2})\/[^/]+\.json$/.exec(key)?.[1];
      return dt !== undefined && (input.since === undefined || dt >= input.since);
    })
    .sort();
  const verdicts: RunVerdict[] = [];
  for (const key of inRange) verdicts.push(await verifyRecord(input, key));
  const state = await verifyState(input);
  if (state !== null) verdicts.push(state);
  return verdicts;
}
