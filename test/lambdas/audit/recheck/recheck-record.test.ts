import {
  MAX_RECORD_EVENTS,
  readRecheckRecord,
  writeRecheckRecord,
  type RecheckRecordInput,
} from '../../../../lambdas/audit/recheck/recheck-record';
import { recheckKeys } from '../../../../lambdas/audit/recheck/recheck-keys';
import { ReportFormatError, ReportIntegrityError } from '../../../../lambdas/audit/errors';
import { MemoryStore } from '../../../support/memory-store';
import { localMac, TEST_MAC } from '../../../support/local-mac';
import { FULL_RUN_ID, RECHECK_ID, RECHECK_TIME, recheckRow } from './recheck-fixtures';

const PREFIX = 'audit/';
const KEYS = recheckKeys(PREFIX, RECHECK_ID);
const EVENT = {
  eventId: '6f1c2b9e-0000-4000-8000-000000000001',
  eventName: 'MoveAccount',
  eventTime: Date.parse('2026-11-27T10:14:00Z'),
};

const INPUT: RecheckRecordInput = {
  recheckId: RECHECK_ID,
  fullRunId: FULL_RUN_ID,
  stateStatus: 'OK',
  startedAt: RECHECK_TIME,
  finishedAt: '2026-11-27T10:16:00.000Z',
  events: [EVENT],
  rows: [
    recheckRow('111111111111', ['FAILED'], { changes: ['NEW_DRIFT', 'CHANGED'] }),
    recheckRow('222222222222', [], { changes: ['RESOLVED'] }),
    recheckRow('333333333333', [], { association_status: 'PENDING' }),
  ],
  deferred: 7,
  badEvents: 2,
};

describe('the re-check record', () => {
  it('writes the rows and a signed summary under recheck/ only, and reads both back verified', async () => {
    const store = new MemoryStore();
    const written = await writeRecheckRecord(store, PREFIX, TEST_MAC, INPUT);
    expect(store.putKeys()).toEqual([KEYS.associations, KEYS.run]);
    expect(store.putKeys().every((k) => k.startsWith('audit/recheck/'))).toBe(true);
    expect(written.record).toMatchObject({
      recheck_id: RECHECK_ID,
      run_kind: 'RECHECK',
      full_run_id: FULL_RUN_ID,
      events: [{ event_id: EVENT.eventId, event_name: 'MoveAccount', event_time: '2026-11-27T10:14:00.000Z' }],
      events_total: 1,
      targets: 3,
      drifted: 1,
      status_failed: 1,
      new_drift: 1,
      resolved_drift: 1,
      changed: 1,
      still_pending: 1,
      deferred: 7,
      bad_events: 2,
      associations_key: KEYS.associations,
    });
    const back = await readRecheckRecord(store, PREFIX, TEST_MAC, RECHECK_ID);
    expect(back).toEqual({ status: 'OK', record: written.record, rows: INPUT.rows });
  });

  it('lists at most a bounded number of events and counts them all', async () => {
    const events = Array.from({ length: MAX_RECORD_EVENTS + 5 }, (_, i) => ({ ...EVENT, eventId: `id-${i}` }));
    const { record } = await writeRecheckRecord(new MemoryStore(), PREFIX, TEST_MAC, { ...INPUT, events });
    expect(record.events).toHaveLength(MAX_RECORD_EVENTS);
    expect(record.events_total).toBe(MAX_RECORD_EVENTS + 5);
  });

  it.each([
    ['a row of another run', [recheckRow('111111111111', [], { run_id: FULL_RUN_ID })]],
    ['a target twice', [recheckRow('111111111111'), recheckRow('111111111111')]],
  ])('writes nothing with %s', async (_, rows) => {
    const store = new MemoryStore();
    await expect(writeRecheckRecord(store, PREFIX, TEST_MAC, { ...INPUT, rows })).rejects.toThrow(ReportIntegrityError);
    expect(store.puts).toHaveLength(0);
  });

  it('writes nothing for an event whose time is no time', async () => {
    const store = new MemoryStore();
    const events = [{ ...EVENT, eventTime: Number.NaN }];
    await expect(writeRecheckRecord(store, PREFIX, TEST_MAC, { ...INPUT, events })).rejects.toThrow(ReportFormatError);
    expect(store.puts).toHaveLength(0);
  });

  it('is NONE when never written', async () => {
    expect(await readRecheckRecord(new MemoryStore(), PREFIX, TEST_MAC, RECHECK_ID)).toEqual({ status: 'NONE' });
  });

  const spoilers: [string, (store: MemoryStore) => void][] = [
    ['its rows replaced', (s) => s.objects.set(KEYS.associations, s.objects.get(KEYS.associations)!.subarray(1))],
    ['its rows gone', (s) => s.objects.delete(KEYS.associations)],
    [
      'a count edited',
      (s) =>
        s.objects.set(
          KEYS.run,
          Buffer.from(s.objects.get(KEYS.run)!.toString().replace('"new_drift":1', '"new_drift":0')),
        ),
    ],
    ['not JSON', (s) => s.objects.set(KEYS.run, Buffer.from('{'))],
  ];

  it.each(spoilers)('is UNTRUSTED with %s', async (_, spoil) => {
    const store = new MemoryStore();
    await writeRecheckRecord(store, PREFIX, TEST_MAC, INPUT);
    spoil(store);
    const out = await readRecheckRecord(store, PREFIX, TEST_MAC, RECHECK_ID);
    expect(out.status).toBe('UNTRUSTED');
  });

  it('is UNTRUSTED when signed with another key, or filed under another re-check id', async () => {
    const store = new MemoryStore();
    await writeRecheckRecord(store, PREFIX, localMac(), INPUT);
    expect((await readRecheckRecord(store, PREFIX, TEST_MAC, RECHECK_ID)).status).toBe('UNTRUSTED');
    const other = 'recheck-20261127T101500Z-ffffff';
    const copy = new MemoryStore();
    await writeRecheckRecord(copy, PREFIX, TEST_MAC, INPUT);
    copy.objects.set(recheckKeys(PREFIX, other).run, copy.objects.get(KEYS.run)!);
    expect((await readRecheckRecord(copy, PREFIX, TEST_MAC, other)).status).toBe('UNTRUSTED');
  });
});
