/**
 * What the re-checks since the last full run have established: one row per re-checked
 * target (the latest re-check of it wins), overlaid on the full run's rows so the next
 * re-check compares with what is known now, not with last night.
 *
 * The state is read back as untrusted input: it carries a MAC bound to its key and to the
 * full run it extends, is read within one size bound (the same constant the writer
 * refuses to exceed), and every row passes the report's row parser. A state that cannot
 * be verified is UNTRUSTED and ignored (the caller then compares with the full run alone,
 * says so and alerts more); a state of another full run is STALE and ignored (the newer
 * full run is the truth). Nothing here ever makes a re-check alert less.
 */
import { z } from 'zod';
import { displaySafe } from '../util/display-text';
import { isBeyondClockSkew, recheckIdDate } from '../report/run-id';
import { ASSOCIATION_COLUMNS } from '../report/schema';
import { orderByColumns, rowOfValue, type AssociationRow } from '../report/rows';
import { boundedIds, describeIssues, isoInstant, runId } from '../report/value-schemas';
import { parseJsonBounded } from '../store/bounded-read';
import { MAC_PATTERN, type MacContext, type ObjectMac } from '../store/object-mac';
import type { ReportStore } from '../store/report-store';
import { boundedReason, untrustedReason } from '../history/trusted-latest';
import { ObjectTooLargeError, ReportFormatError } from '../errors';
import { recheckStateKey } from './recheck-keys';

/**
 * Largest state object, written or read: 16 MiB, about 12,000 rows of the widest kind and
 * far more of the usual ones. A state that would be larger is written empty instead (see
 * {@link writeRecheckState}), so the reader never meets one it must refuse for its size.
 * @internal Exported for its tests.
 */
export const MAX_RECHECK_STATE_BYTES = 16 * 1024 * 1024;

/** The overlay: the full run it extends, when it last changed, and the re-checked rows. */
export interface RecheckState {
  /** The full (nightly) run the re-checks compared with; the MAC is bound to it. */
  readonly fullRunId: string;
  /** ISO 8601 UTC: when the last re-check wrote the state. */
  readonly updatedAt: string;
  /** One row per re-checked target, each with the re-check id that established it as run_id. */
  readonly rows: readonly AssociationRow[];
}

/** How the stored state was judged. */
export type RecheckStateStatus = 'OK' | 'NONE' | 'UNTRUSTED' | 'STALE';

/** What {@link readRecheckState} gives: rows only when OK. */
export interface RecheckStateRead {
  readonly status: RecheckStateStatus;
  /** Re-checked rows by target id: all when OK, those re-checked after `carryAfter` when STALE, else none. */
  readonly rows: ReadonlyMap<string, AssociationRow>;
  /** Why the state was not used (display-safe, bounded); absent when OK or NONE. */
  readonly reason?: string;
}

/** What {@link writeRecheckState} wrote. */
export interface WrittenRecheckState {
  readonly key: string;
  /** True when the state was over the bound and an empty state for its run was written instead. */
  readonly truncated: boolean;
  /** Rows written (0 when truncated). */
  readonly rows: number;
  readonly bytes: number;
}

const CONTENT_TYPE = 'application/json';

const stateSchema = z.object({
  full_run_id: runId,
  updated_at: isoInstant,
  rows: z.array(z.unknown()),
  mac: z.string().regex(MAC_PATTERN, 'expected a base64 HMAC-SHA-256').nullable().default(null),
});

/** The state as stored: one JSON object, rows with their keys in column order. */
function serializeState(state: RecheckState, mac: string | null): Buffer {
  const rows = state.rows.map((row, i) => orderByColumns(ASSOCIATION_COLUMNS, row, `state row ${i}`));
  const body = { full_run_id: state.fullRunId, updated_at: state.updatedAt, rows, mac };
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}

function macContext(key: string, fullRunId: string): MacContext {
  return { kind: 'recheck-state', key, runId: fullRunId, execution: null };
}

/** An empty overlay for `fullRunId`: the start after a full run, and the fail-safe of an oversized one. */
export function emptyRecheckState(fullRunId: string, updatedAt: string): RecheckState {
  return { fullRunId, updatedAt, rows: [] };
}

/**
 * `state` with `rows` laid over it: one row per target, the later `audited_at` winning
 * (a tie goes to the new row), in target id order so the object is stable.
 */
export function mergeRecheckState(
  state: RecheckState,
  rows: readonly AssociationRow[],
  updatedAt: string,
): RecheckState {
  const byTarget = new Map(state.rows.map((row) => [row.target_id, row] as const));
  for (const row of rows) {
    const known = byTarget.get(row.target_id);
    if (known === undefined || Date.parse(row.audited_at) >= Date.parse(known.audited_at)) {
      byTarget.set(row.target_id, row);
    }
  }
  const merged = [...byTarget.values()].sort((a, b) => (a.target_id < b.target_id ? -1 : 1));
  return { fullRunId: state.fullRunId, updatedAt, rows: merged };
}

/**
 * Signs and writes the state. Over {@link MAX_RECHECK_STATE_BYTES}, an empty state for
 * the same full run is written instead and `truncated` is true: later re-checks then
 * compare with the full run alone, which alerts more, never less.
 * @throws ReportStoreError from the store; MacServiceError when the key service fails.
 */
export async function writeRecheckState(
  store: ReportStore,
  prefix: string,
  mac: ObjectMac,
  state: RecheckState,
): Promise<WrittenRecheckState> {
  const key = recheckStateKey(prefix);
  let body = await signedState(mac, key, state);
  const truncated = body.length > MAX_RECHECK_STATE_BYTES;
  if (truncated) body = await signedState(mac, key, emptyRecheckState(state.fullRunId, state.updatedAt));
  await store.put(key, body, CONTENT_TYPE);
  return { key, truncated, rows: truncated ? 0 : state.rows.length, bytes: body.length };
}

async function signedState(mac: ObjectMac, key: string, state: RecheckState): Promise<Buffer> {
  const signature = await mac.sign(macContext(key, state.fullRunId), serializeState(state, null));
  return serializeState(state, signature);
}

/** The state object parsed under the strict schemas, or a ReportFormatError. */
function parseState(body: Buffer, name: string): { readonly state: RecheckState; readonly mac: string | null } {
  if (body.length > MAX_RECHECK_STATE_BYTES) throw new ObjectTooLargeError(name, MAX_RECHECK_STATE_BYTES);
  const parsed = stateSchema.safeParse(parseJsonBounded(body.toString('utf8'), name));
  if (!parsed.success) throw new ReportFormatError(`${name}: ${describeIssues(parsed.error, '(state)')}`);
  const rows = parsed.data.rows.map((value, i) => rowOfValue(value, `${name}: row ${i}`));
  const state = { fullRunId: parsed.data.full_run_id, updatedAt: parsed.data.updated_at, rows };
  return { state, mac: parsed.data.mac };
}

/** Why authentic rows still cannot be an overlay at `now`, or `null`. */
function stateDisagrees(state: RecheckState, now: number): string | null {
  if (isBeyondClockSkew(Date.parse(state.updatedAt), now)) return `updated_at ${state.updatedAt} is in the future`;
  const notRecheck = state.rows.filter((r) => recheckIdDate(r.run_id) === null).map((r) => r.target_id);
  if (notRecheck.length > 0) return `rows not written by a re-check for ${boundedIds(notRecheck, 5)}`;
  const seen = new Set<string>();
  const repeated = state.rows.filter((r) => seen.size === seen.add(r.target_id).size).map((r) => r.target_id);
  if (repeated.length > 0) return `target ids listed more than once: ${boundedIds(repeated, 5)}`;
  const inFuture = (time: string | null) => time !== null && isBeyondClockSkew(Date.parse(time), now);
  const future = state.rows
    .filter((r) => inFuture(r.audited_at) || inFuture(r.first_drift_seen))
    .map((r) => r.target_id);
  if (future.length > 0) return `rows from the future for ${boundedIds(future, 5)}`;
  return null;
}

const verdict = (status: 'NONE' | 'UNTRUSTED' | 'STALE', reason?: string): RecheckStateRead => ({
  status,
  rows: new Map(),
  ...(reason === undefined ? {} : { reason: boundedReason(reason) }),
});

/**
 * Reads and judges the state for the full run `fullRunId`.
 * @param now the clock, epoch ms: a state or row dated beyond the allowed skew is not trusted.
 * @param carryAfter epoch ms the full run `fullRunId` began: a verified state of an older
 *   full run is STALE, and only its rows re-checked after this instant are returned.
 * @throws ReportStoreError when the store fails (a verdict needs the object).
 * @throws MacServiceError when the key service fails (never read as unsigned).
 */
export async function readRecheckState(
  store: ReportStore,
  prefix: string,
  mac: ObjectMac,
  fullRunId: string,
  now: number,
  carryAfter?: number,
): Promise<RecheckStateRead> {
  const key = recheckStateKey(prefix);
  const name = `${store.describe()}/${key}`;
  let read: ReturnType<typeof parseState>;
  try {
    const body = await store.get(key, { maxBytes: MAX_RECHECK_STATE_BYTES });
    if (body === null) return verdict('NONE');
    read = parseState(body, name);
  } catch (error) {
    return verdict('UNTRUSTED', untrustedReason(error));
  }
  const { state } = read;
  const check = await mac.verify(macContext(key, state.fullRunId), serializeState(state, null), read.mac);
  if (!check.valid) return verdict('UNTRUSTED', `${name} is not authenticated: ${check.reason}`);
  const problem = stateDisagrees(state, now);
  if (problem !== null) return verdict('UNTRUSTED', `${name}: ${problem}`);
  if (state.fullRunId !== fullRunId) {
    // What re-checks saw after the new full run began is newer than what it saw: carried on.
    const carried = state.rows.filter((row) => carryAfter !== undefined && Date.parse(row.audited_at) > carryAfter);
    return {
      ...verdict('STALE', `${name} extends run ${state.fullRunId}, not ${displaySafe(fullRunId, 64)}`),
      rows: new Map(carried.map((row) => [row.target_id, row] as const)),
    };
  }
  return { status: 'OK', rows: new Map(state.rows.map((row) => [row.target_id, row] as const)) };
}
