import {
  emptyRecheckState,
  MAX_RECHECK_STATE_BYTES,
  mergeRecheckState,
  readRecheckState,
  writeRecheckState,
  type RecheckState,
} from '../../../../lambdas/audit/recheck/recheck-state';
import { recheckStateKey } from '../../../../lambdas/audit/recheck/recheck-keys';
import { UNSIGNED, type ObjectMac } from '../../../../lambdas/audit/store/object-mac';
import { ReportStoreError } from '../../../../lambdas/audit/errors';
import { MemoryStore } from '../../../support/memory-store';
import { localMac, TEST_MAC } from '../../../support/local-mac';
import { FULL_RUN_ID, NOW, RECHECK_TIME, recheckRow } from './recheck-fixtures';

const PREFIX = 'audit/';
const KEY = recheckStateKey(PREFIX);
const A = '111111111111';
const B = '222222222222';

const state = (rows = [recheckRow(A, ['FAILED']), recheckRow(B)]): RecheckState =>
  mergeRecheckState(emptyRecheckState(FULL_RUN_ID, RECHECK_TIME), rows, RECHECK_TIME);

async function written(s: RecheckState = state(), mac: ObjectMac = TEST_MAC): Promise<MemoryStore> {
  const store = new MemoryStore();
  await writeRecheckState(store, PREFIX, mac, s);
  return store;
}

/** The stored state object as JSON, edited by `edit`, written back as is (its MAC unchanged). */
function tamper(store: MemoryStore, edit: (body: Record<string, unknown>) => void): void {
  const body = JSON.parse(store.objects.get(KEY)!.toString('utf8')) as Record<string, unknown>;
  edit(body);
  store.objects.set(KEY, Buffer.from(JSON.stringify(body)));
}

const read = (store: MemoryStore, fullRunId = FULL_RUN_ID, mac: ObjectMac = TEST_MAC) =>
  readRecheckState(store, PREFIX, mac, fullRunId, NOW);

describe('the re-check state', () => {
  it('round-trips: written signed, read back OK with every row as written', async () => {
    const s = state();
    const store = await written(s);
    const out = await read(store);
    expect(out.status).toBe('OK');
    expect(out.reason).toBeUndefined();
    expect([...out.rows.values()]).toEqual(s.rows);
    expect(out.rows.get(A)?.drift).toBe(true);
  });

  it('is NONE when no re-check wrote one yet', async () => {
    expect(await read(new MemoryStore())).toEqual({ status: 'NONE', rows: new Map() });
  });

  it('is STALE, and ignored, when it extends another full run', async () => {
    const out = await read(await written(), '20261127T020000Z');
    expect(out.status).toBe('STALE');
    expect(out.rows.size).toBe(0);
    expect(out.reason).toContain(FULL_RUN_ID);
  });

  it('carries, from a verified state of an older full run, only what was re-checked after the new run began', async () => {
    const store = await written();
    const recheckedAt = Date.parse(RECHECK_TIME);
    const earlier = await readRecheckState(store, PREFIX, TEST_MAC, '20261127T020000Z', NOW, recheckedAt - 1);
    expect(earlier.status).toBe('STALE');
    expect([...earlier.rows.keys()].sort()).toEqual([A, B].sort());
    const later = await readRecheckState(store, PREFIX, TEST_MAC, '20261127T020000Z', NOW, recheckedAt);
    expect(later.rows.size).toBe(0);
  });

  const untrustedCases: [string, (store: MemoryStore) => void][] = [
    [
      'a row edited after signing',
      (s) => tamper(s, (b) => ((b.rows as { target_name: string }[])[0].target_name = 'x')),
    ],
    ['a row dropped after signing', (s) => tamper(s, (b) => (b.rows as unknown[]).pop())],
    ['its run re-labelled', (s) => tamper(s, (b) => (b.full_run_id = '20261127T020000Z'))],
    ['no MAC', (s) => tamper(s, (b) => (b.mac = null))],
    ['not JSON', (s) => s.objects.set(KEY, Buffer.from('{"rows": ['))],
    ['nested too deep', (s) => s.objects.set(KEY, Buffer.from(`${'['.repeat(50)}${']'.repeat(50)}`))],
    ['a row that is no row', (s) => tamper(s, (b) => ((b.rows as unknown[])[0] = { target_id: 'not-an-id' }))],
    ['larger than the bound', (s) => s.objects.set(KEY, Buffer.alloc(MAX_RECHECK_STATE_BYTES + 1, 0x20))],
  ];

  it.each(untrustedCases)('is UNTRUSTED, and never adopted, with %s', async (_, spoil) => {
    const store = await written();
    spoil(store);
    const out = await read(store);
    expect(out.status).toBe('UNTRUSTED');
    expect(out.rows.size).toBe(0);
    expect(out.reason).toEqual(expect.any(String));
  });

  it('is UNTRUSTED when signed with another key, or not signed at all', async () => {
    expect((await read(await written(state(), localMac()))).status).toBe('UNTRUSTED');
    expect((await read(await written(state(), UNSIGNED))).status).toBe('UNTRUSTED');
    expect((await read(await written(), FULL_RUN_ID, UNSIGNED)).status).toBe('UNTRUSTED');
  });

  it('is UNTRUSTED when copied from another prefix (the MAC is bound to its key)', async () => {
    const other = new MemoryStore();
    await writeRecheckState(other, 'other/', TEST_MAC, state());
    const store = new MemoryStore(new Map([[KEY, other.objects.get(recheckStateKey('other/'))!]]));
    expect((await read(store)).status).toBe('UNTRUSTED');
  });

  it.each([
    ['rows of a nightly run', [recheckRow(A, [], { run_id: FULL_RUN_ID })]],
    ['rows from the future', [recheckRow(A, [], { audited_at: '2026-11-28T10:15:00.000Z' })]],
    ['drift first seen in the future', [recheckRow(A, ['FAILED'], { first_drift_seen: '2026-11-28T10:15:00.000Z' })]],
  ])('is UNTRUSTED, though signed, with %s', async (_, rows) => {
    const store = await written({ fullRunId: FULL_RUN_ID, updatedAt: RECHECK_TIME, rows });
    expect((await read(store)).status).toBe('UNTRUSTED');
  });

  it('is UNTRUSTED, though signed, when a target is listed twice', async () => {
    const store = await written({
      fullRunId: FULL_RUN_ID,
      updatedAt: RECHECK_TIME,
      rows: [recheckRow(A), recheckRow(A)],
    });
    const out = await read(store);
    expect(out.status).toBe('UNTRUSTED');
    expect(out.reason).toContain('more than once');
  });

  it('lets a failing store fail the read (a later attempt may succeed)', async () => {
    const store = await written();
    store.failReads = true;
    await expect(read(store)).rejects.toThrow(ReportStoreError);
  });
});

describe('mergeRecheckState', () => {
  it('keeps one row per target, the later re-check winning, in target id order', () => {
    const later = '2026-11-27T11:00:00.000Z';
    const base = state([recheckRow(B, ['FAILED']), recheckRow(A)]);
    const merged = mergeRecheckState(
      base,
      [
        recheckRow(B, [], { audited_at: later }),
        recheckRow(A, ['MISSING'], { audited_at: '2026-11-27T09:00:00.000Z' }),
      ],
      later,
    );
    expect(merged.updatedAt).toBe(later);
    expect(merged.rows.map((r) => [r.target_id, r.drift])).toEqual([
      [A, false],
      [B, false],
    ]);
  });
});

describe('the bound on the state', () => {
  /** Rows of about 50 KB each (the widest text columns are 64 KiB), so the bound is reached with few rows. */
  const wide = (i: number, extra = 0) =>
    recheckRow(String(100000000000 + i), ['FAILED'], {
      association_status_message: 'm'.repeat(50_000),
      error_reason: extra > 0 ? 'e'.repeat(extra) : null,
      error_code: extra > 0 ? 'E' : null,
    });

  it('reads back the largest state it writes', async () => {
    const probe = new MemoryStore();
    const size = async (n: number) =>
      (await writeRecheckState(probe, PREFIX, TEST_MAC, state(Array.from({ length: n }, (_, i) => wide(i))))).bytes;
    // Every wide row adds the same bytes: fill the bound with them, then pad the last one to land on it exactly.
    const [one, two] = [await size(1), await size(2)];
    const n = Math.floor((MAX_RECHECK_STATE_BYTES - one) / (two - one)) + 1;
    const bytes = one + (n - 1) * (two - one);
    // Padding replaces error_code null with "E" (1 byte less) and error_reason null with a string (its quotes, 2, less null, 4).
    const largest = state([
      ...Array.from({ length: n - 1 }, (_, i) => wide(i)),
      wide(n - 1, MAX_RECHECK_STATE_BYTES - bytes + 3),
    ]);
    const store = new MemoryStore();
    const out = await writeRecheckState(store, PREFIX, TEST_MAC, largest);
    expect(out).toMatchObject({ truncated: false, bytes: MAX_RECHECK_STATE_BYTES, rows: n });
    const back = await read(store);
    expect(back.status).toBe('OK');
    expect(back.rows.size).toBe(n);
    // One byte more is not written.
    const over = state([...largest.rows.slice(0, n - 1), wide(n - 1, MAX_RECHECK_STATE_BYTES - bytes + 4)]);
    expect((await writeRecheckState(store, PREFIX, TEST_MAC, over)).truncated).toBe(true);
  });

  it('writes an empty state for the run instead of one over the bound, and says so', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => wide(i));
    const store = new MemoryStore();
    const out = await writeRecheckState(store, PREFIX, TEST_MAC, state(rows));
    expect(out).toMatchObject({ truncated: true, rows: 0 });
    const back = await read(store);
    expect(back).toEqual({ status: 'OK', rows: new Map() });
  });
});
