/**
 * A re-check's record in the report store: its rows, encoded exactly like the nightly
 * associations (so one Glue table shape reads both), then a signed summary naming them by
 * key and SHA-256. Written under `recheck/` only: a re-check never touches `latest/` or
 * the nightly folders, so it can never move or stand in for the nightly evidence.
 *
 * The rows first, the summary last: the summary is the commit point (as `runs/` is for a
 * nightly run), so it never names rows that are missing.
 */
import { z } from 'zod';
import type { Change } from '../types/recheck';
import { encodeRows, parseRows, sha256Hex, type AssociationRow } from '../report/rows';
import { boundedIds, describeIssues, idText, isoInstant, nameText, runId } from '../report/value-schemas';
import { MAX_RUN_OBJECT_BYTES, parseJsonBounded } from '../store/bounded-read';
import { MAC_PATTERN, type ObjectMac } from '../store/object-mac';
import type { ReportStore } from '../store/report-store';
import { boundedReason, untrustedReason } from '../history/trusted-latest';
import { RECHECK_ID_PATTERN } from '../report/run-id';
import { toIsoInstant } from '../util/iso-instant';
import { ReportFormatError, ReportIntegrityError } from '../errors';
import { recheckKeys } from './recheck-keys';
import type { RecheckStateStatus } from './recheck-state';

/** Events listed in a record; the rest are counted in `events_total`. @internal Exported for its tests. */
export const MAX_RECORD_EVENTS = 100;

/** One event that triggered the re-check, as the record lists it. */
interface RecordedEvent {
  readonly event_id: string;
  readonly event_name: string;
  /** CloudTrail eventTime, ISO 8601 UTC. */
  readonly event_time: string;
}

/** The signed summary of one re-check (`recheck/runs/dt=…/<recheck_id>.json`). */
export interface RecheckRecord {
  readonly recheck_id: string;
  readonly run_kind: 'RECHECK';
  /** The full run the re-check compared with; `null` when there was none. */
  readonly full_run_id: string | null;
  /** How the re-check state overlaying that run was judged. */
  readonly state_status: RecheckStateStatus;
  readonly started_at: string;
  readonly finished_at: string;
  /** At most {@link MAX_RECORD_EVENTS}. */
  readonly events: readonly RecordedEvent[];
  readonly events_total: number;
  /** Targets re-checked: rows written. */
  readonly targets: number;
  readonly drifted: number;
  readonly status_failed: number;
  readonly new_drift: number;
  readonly resolved_drift: number;
  readonly changed: number;
  /** Re-checked targets still PENDING when the re-check stopped waiting. */
  readonly still_pending: number;
  /** Targets left to the nightly run (over the re-check's bound). */
  readonly deferred: number;
  readonly bad_events: number;
  readonly associations_key: string;
  readonly associations_sha256: string;
  readonly mac: string | null;
}

/** What the orchestrator hands over. */
export interface RecheckRecordInput {
  readonly recheckId: string;
  readonly fullRunId: string | null;
  readonly stateStatus: RecheckStateStatus;
  /** ISO 8601 UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly events: readonly Pick<Change, 'eventId' | 'eventName' | 'eventTime'>[];
  /** The re-checked rows, run_id the re-check id, changes computed against the known state. */
  readonly rows: readonly AssociationRow[];
  readonly deferred: number;
  readonly badEvents: number;
}

/** Where a record went. */
export interface WrittenRecheckRecord {
  readonly associationsKey: string;
  readonly runKey: string;
  readonly record: RecheckRecord;
}

/** What {@link readRecheckRecord} found. */
export type RecheckRecordRead =
  | { readonly status: 'OK'; readonly record: RecheckRecord; readonly rows: readonly AssociationRow[] }
  | { readonly status: 'NONE' }
  | { readonly status: 'UNTRUSTED'; readonly reason: string };

const count32 = z.number().int().min(0).max(2_147_483_647);
const recheckId = z.string().regex(RECHECK_ID_PATTERN, 'expected a re-check id');

const recordSchema = z.object({
  recheck_id: recheckId,
  run_kind: z.literal('RECHECK'),
  full_run_id: runId.nullable(),
  state_status: z.enum(['OK', 'NONE', 'UNTRUSTED', 'STALE']),
  started_at: isoInstant,
  finished_at: isoInstant,
  events: z
    .array(
      z.object({
        event_id: idText,
        event_name: z.string().regex(/^[A-Za-z]{1,64}$/, 'expected an event name'),
        event_time: isoInstant,
      }),
    )
    .max(MAX_RECORD_EVENTS),
  events_total: count32,
  targets: count32,
  drifted: count32,
  status_failed: count32,
  new_drift: count32,
  resolved_drift: count32,
  changed: count32,
  still_pending: count32,
  deferred: count32,
  bad_events: count32,
  associations_key: nameText,
  associations_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
  mac: z.string().regex(MAC_PATTERN, 'expected a base64 HMAC-SHA-256').nullable(),
}) satisfies z.ZodType<RecheckRecord>;

/** Field order as written: the schema's, so the object is the same bytes on every write. */
const RECORD_FIELDS = Object.keys(recordSchema.shape) as (keyof RecheckRecord)[];

/** One JSON line, fields in schema order. */
function serializeRecord(record: RecheckRecord): Buffer {
  const ordered = Object.fromEntries(RECORD_FIELDS.map((field) => [field, record[field]]));
  return Buffer.from(`${JSON.stringify(ordered)}\n`, 'utf8');
}

const macContext = (key: string, record: RecheckRecord) =>
  ({ kind: 'recheck-record', key, runId: record.recheck_id, execution: null }) as const;

function count(rows: readonly AssociationRow[], predicate: (row: AssociationRow) => boolean): number {
  return rows.reduce((n, row) => (predicate(row) ? n + 1 : n), 0);
}

/** Every row belongs to the re-check, once per target. */
function checkRows(input: RecheckRecordInput): void {
  const foreign = input.rows.filter((r) => r.run_id !== input.recheckId).map((r) => r.target_id);
  if (foreign.length > 0) throw new ReportIntegrityError(`rows of another run for ${boundedIds(foreign)}`);
  const seen = new Set<string>();
  const repeated = input.rows.filter((r) => seen.size === seen.add(r.target_id).size).map((r) => r.target_id);
  if (repeated.length > 0) throw new ReportIntegrityError(`target ids re-checked twice: ${boundedIds(repeated)}`);
}

/** The record of `input`, counts taken from the rows themselves, unsigned. */
function buildRecord(input: RecheckRecordInput, associationsKey: string, sha256: string): RecheckRecord {
  const { rows } = input;
  const withChange = (change: AssociationRow['changes'][number]) => count(rows, (r) => r.changes.includes(change));
  return {
    recheck_id: input.recheckId,
    run_kind: 'RECHECK',
    full_run_id: input.fullRunId,
    state_status: input.stateStatus,
    started_at: input.startedAt,
    finished_at: input.finishedAt,
    events: input.events.slice(0, MAX_RECORD_EVENTS).map((e) => ({
      event_id: e.eventId,
      event_name: e.eventName,
      // An unusable time fails the schema check below: nothing is written.
      event_time: toIsoInstant(new Date(e.eventTime)) ?? '',
    })),
    events_total: input.events.length,
    targets: rows.length,
    drifted: count(rows, (r) => r.drift),
    status_failed: count(rows, (r) => r.association_status === 'FAILED'),
    new_drift: withChange('NEW_DRIFT'),
    resolved_drift: withChange('RESOLVED'),
    changed: withChange('CHANGED'),
    still_pending: count(rows, (r) => r.association_status === 'PENDING'),
    deferred: input.deferred,
    bad_events: input.badEvents,
    associations_key: associationsKey,
    associations_sha256: sha256,
    mac: null,
  };
}

/**
 * Writes the rows (`recheck/associations/…`), then the signed record (`recheck/runs/…`).
 * Re-running with the same re-check id overwrites the same two objects.
 * @throws ReportIntegrityError when a row belongs to another run or repeats a target (nothing is written).
 * @throws ReportFormatError when the record would not read back (nothing is written).
 * @throws ReportStoreError from the store; MacServiceError when the key service fails.
 */
export async function writeRecheckRecord(
  store: ReportStore,
  prefix: string,
  mac: ObjectMac,
  input: RecheckRecordInput,
): Promise<WrittenRecheckRecord> {
  const keys = recheckKeys(prefix, input.recheckId);
  checkRows(input);
  const encoded = encodeRows(input.rows);
  const unsigned = buildRecord(input, keys.associations, encoded.sha256);
  const checked = recordSchema.safeParse(unsigned);
  if (!checked.success) {
    throw new ReportFormatError(`re-check record ${input.recheckId}: ${describeIssues(checked.error, '(record)')}`);
  }
  const record = { ...unsigned, mac: await mac.sign(macContext(keys.run, unsigned), serializeRecord(unsigned)) };
  await store.put(keys.associations, encoded.body, 'application/gzip');
  await store.put(keys.run, serializeRecord(record), 'application/json');
  return { associationsKey: keys.associations, runKey: keys.run, record };
}

/** The record object parsed under the strict schema, or a ReportFormatError. */
function parseRecord(body: Buffer, name: string): RecheckRecord {
  const parsed = recordSchema.safeParse(parseJsonBounded(body.toString('utf8'), name));
  if (!parsed.success) throw new ReportFormatError(`${name}: ${describeIssues(parsed.error, '(record)')}`);
  return parsed.data;
}

/** Reads the rows a verified record names and checks them against it. */
async function readRecordRows(store: ReportStore, record: RecheckRecord): Promise<RecheckRecordRead> {
  const name = `${store.describe()}/${record.associations_key}`;
  const body = await store.get(record.associations_key);
  if (body === null) return { status: 'UNTRUSTED', reason: `${name} does not exist` };
  if (sha256Hex(body) !== record.associations_sha256) {
    return { status: 'UNTRUSTED', reason: `${name} does not match the record's associations_sha256` };
  }
  const rows = parseRows(body, name);
  if (rows.length !== record.targets || rows.some((r) => r.run_id !== record.recheck_id)) {
    return { status: 'UNTRUSTED', reason: `${name} does not hold the ${record.targets} rows of the record` };
  }
  return { status: 'OK', record, rows };
}

/**
 * Reads and verifies the record of `recheckId` and its rows: MAC (kind, key, re-check id),
 * the key layout, the SHA-256 of the rows and their count.
 * @throws ReportStoreError when the store fails; MacServiceError when the key service fails.
 */
export async function readRecheckRecord(
  store: ReportStore,
  prefix: string,
  mac: ObjectMac,
  recheckId: string,
): Promise<RecheckRecordRead> {
  const keys = recheckKeys(prefix, recheckId);
  const name = `${store.describe()}/${keys.run}`;
  try {
    const body = await store.get(keys.run, { maxBytes: MAX_RUN_OBJECT_BYTES });
    if (body === null) return { status: 'NONE' };
    const record = parseRecord(body, name);
    const verdict = await mac.verify(
      macContext(keys.run, record),
      serializeRecord({ ...record, mac: null }),
      record.mac,
    );
    if (!verdict.valid)
      return { status: 'UNTRUSTED', reason: boundedReason(`${name} is not authenticated: ${verdict.reason}`) };
    if (record.recheck_id !== recheckId || record.associations_key !== keys.associations) {
      return { status: 'UNTRUSTED', reason: boundedReason(`${name} is the record of another re-check`) };
    }
    const read = await readRecordRows(store, record);
    return read.status === 'UNTRUSTED' ? { ...read, reason: boundedReason(read.reason) } : read;
  } catch (error) {
    return { status: 'UNTRUSTED', reason: untrustedReason(error) };
  }
}
