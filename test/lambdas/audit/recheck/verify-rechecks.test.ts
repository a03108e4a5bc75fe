import { gzipSync } from 'node:zlib';
import { recheckKeys, recheckRunsPrefix, recheckStateKey } from '../../../../lambdas/audit/recheck/recheck-keys';
import { writeRecheckRecord, type RecheckRecordInput } from '../../../../lambdas/audit/recheck/recheck-record';
import {
  emptyRecheckState,
  mergeRecheckState,
  writeRecheckState,
} from '../../../../lambdas/audit/recheck/recheck-state';
import { verifyRechecks } from '../../../../lambdas/audit/recheck/verify-rechecks';
import { UNSIGNED, type ObjectMac } from '../../../../lambdas/audit/store/object-mac';
import { MemoryStore } from '../../../support/memory-store';
import { localMac, TEST_MAC } from '../../../support/local-mac';
import { FULL_RUN_ID, NOW, RECHECK_ID, RECHECK_TIME, recheckRow } from './recheck-fixtures';

const PREFIX = 'audit/';
const LATER_ID = 'recheck-20261128T090000Z-ffee01';
const LATER_TIME = '2026-11-28T09:00:00.000Z';

const input = (recheckId: string, time: string): RecheckRecordInput => ({
  recheckId,
  fullRunId: FULL_RUN_ID,
  stateStatus: 'OK',
  startedAt: time,
  finishedAt: time,
  events: [{ eventId: `event-${recheckId}`, eventName: 'MoveAccount', eventTime: Date.parse(time) }],
  rows: [recheckRow('111111111111', ['FAILED'], { run_id: recheckId, audited_at: time, first_drift_seen: time })],
  deferred: 0,
  badEvents: 0,
});

/** Two signed records and a signed state, as two re-checks leave them. */
async function stored(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await writeRecheckRecord(store, PREFIX, TEST_MAC, input(RECHECK_ID, RECHECK_TIME));
  await writeRecheckRecord(store, PREFIX, TEST_MAC, input(LATER_ID, LATER_TIME));
  const state = mergeRecheckState(
    emptyRecheckState(FULL_RUN_ID, RECHECK_TIME),
    [recheckRow('111111111111')],
    RECHECK_TIME,
  );
  await writeRecheckState(store, PREFIX, TEST_MAC, state);
  return store;
}

const recordKeys = (store: MemoryStore) =>
  [...store.objects.keys()].filter((k) => k.startsWith(recheckRunsPrefix(PREFIX)));

const verify = (store: MemoryStore, options: { mac?: ObjectMac; since?: string; keys?: string[] } = {}) =>
  verifyRechecks({
    store,
    mac: options.mac ?? TEST_MAC,
    prefix: PREFIX,
    recordKeys: options.keys ?? recordKeys(store),
    since: options.since,
    now: NOW + 86_400_000,
  });

describe('verifying the re-check records and state', () => {
  it('verifies every signed record, oldest first, then the state', async () => {
    const store = await stored();
    expect(recheckRunsPrefix(PREFIX)).toBe('audit/recheck/runs/');
    await expect(verify(store, { keys: recordKeys(store).reverse() })).resolves.toEqual([
      { run: RECHECK_ID, status: 'verified', reason: null },
      { run: LATER_ID, status: 'verified', reason: null },
      { run: 'recheck/state.json', status: 'verified', reason: null },
    ]);
  });

  it('leaves out records dated before --since', async () => {
    const verdicts = await verify(await stored(), { since: '2026-11-28' });
    expect(verdicts.map((v) => v.run)).toEqual([LATER_ID, 'recheck/state.json']);
  });

  it('marks a record bad when its rows were rewritten, and the state when it was edited', async () => {
    const store = await stored();
    store.objects.set(recheckKeys(PREFIX, RECHECK_ID).associations, gzipSync(Buffer.from('')));
    const stateKey = recheckStateKey(PREFIX);
    const state = JSON.parse(store.objects.get(stateKey)!.toString('utf8')) as { rows: unknown[] };
    store.objects.set(stateKey, Buffer.from(JSON.stringify({ ...state, rows: [] })));
    const verdicts = await verify(store);
    expect(verdicts.map((v) => [v.run, v.status])).toEqual([
      [RECHECK_ID, 'bad'],
      [LATER_ID, 'verified'],
      ['recheck/state.json', 'bad'],
    ]);
    expect(verdicts[0]?.reason).toMatch(/associations_sha256/);
    expect(verdicts[2]?.reason).toMatch(/not authenticated/);
  });

  it('marks bad a key that is not where a re-check record goes, and a listed record that is gone', async () => {
    const store = await stored();
    const [first] = recordKeys(store);
    // Another re-check's id under the wrong date, and a name that is no re-check id.
    const misplaced = `audit/recheck/runs/dt=2026-11-27/${LATER_ID}.json`;
    const notes = 'audit/recheck/runs/dt=2026-11-27/notes.json';
    const gone = recheckKeys(PREFIX, 'recheck-20261127T120000Z-000000').run;
    const verdicts = await verify(store, { keys: [first, misplaced, notes, gone] });
    expect(verdicts.map((v) => [v.run, v.status])).toEqual([
      [notes, 'bad'],
      [RECHECK_ID, 'verified'],
      ['recheck-20261127T120000Z-000000', 'bad'],
      [misplaced, 'bad'],
      ['recheck/state.json', 'verified'],
    ]);
  });

  it('authenticates nothing with another key or without one, and says nothing of a state never written', async () => {
    const store = await stored();
    for (const mac of [localMac(), UNSIGNED]) {
      const verdicts = await verify(store, { mac });
      expect(verdicts.map((v) => v.status)).toEqual(['bad', 'bad', 'bad']);
    }
    store.objects.delete(recheckStateKey(PREFIX));
    expect((await verify(store)).map((v) => v.run)).toEqual([RECHECK_ID, LATER_ID]);
  });
});
