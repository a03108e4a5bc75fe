/**
 * What a re-check compares with: the last full run (verified exactly as the nightly run
 * verifies its history) and the signed overlay of the re-checks since. Anything that does
 * not verify is left out and said so: the re-check then treats more as new, never less.
 */
import type { AssociationRow } from '../report/rows';
import type { ObjectMac } from '../store/object-mac';
import type { ReportStore } from '../store/report-store';
import { readVerified } from '../history/read-previous';
import { readLatest } from '../history/trusted-latest';
import { KnownTree } from './known-tree';
import { emptyRecheckState, readRecheckState, type RecheckState, type RecheckStateStatus } from './recheck-state';
import type { KnownStateNote } from './publish-recheck';

/** The known state, and how far it could be trusted. */
export interface KnownState {
  /** The full run's verified rows overlaid by the verified re-check state; `null` without a trusted full run. */
  readonly tree: KnownTree | null;
  readonly fullRunId: string | null;
  /** The overlay to extend (empty when there was none or it was not trusted). */
  readonly state: RecheckState | null;
  readonly stateStatus: RecheckStateStatus;
  /** What the digest and the record say of it. */
  readonly note: KnownStateNote;
}

/**
 * Reads and verifies the known state.
 * @throws ReportStoreError when the store fails; MacServiceError when the key service fails.
 */
export async function readKnownState(
  store: ReportStore,
  prefix: string,
  mac: ObjectMac,
  now: number,
): Promise<KnownState> {
  const latest = await readLatest(store, prefix, now, mac);
  if (latest.kind === 'none') {
    return { tree: null, fullRunId: null, state: null, stateStatus: 'NONE', note: { status: 'NONE', reason: null } };
  }
  const full = latest.kind === 'trusted' ? await readVerified(store, latest.summary, now) : null;
  if (latest.kind !== 'trusted' || full?.rows == null) {
    const reason = latest.kind === 'untrusted' ? latest.reason : (full?.reason ?? 'the last full run did not verify');
    return { tree: null, fullRunId: null, state: null, stateStatus: 'NONE', note: { status: 'UNTRUSTED', reason } };
  }
  const fullRunId = latest.summary.run_id;
  const read = await readRecheckState(store, prefix, mac, fullRunId, now, Date.parse(latest.summary.audited_at));
  const overlay: readonly AssociationRow[] = [...read.rows.values()];
  const state = { ...emptyRecheckState(fullRunId, new Date(now).toISOString()), rows: overlay };
  const note: KnownStateNote =
    read.status === 'UNTRUSTED'
      ? { status: 'UNTRUSTED', reason: read.reason ?? 'the re-check state did not verify' }
      : { status: 'OK', reason: null };
  return { tree: new KnownTree(full.rows, overlay), fullRunId, state, stateStatus: read.status, note };
}
