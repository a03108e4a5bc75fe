import { localMac, TEST_MAC } from '../../../support/local-mac';
import { signedSummaryBody } from '../../../support/signed-objects';
import { UNSIGNED } from '../../../../lambdas/audit/store/object-mac';
/**
 * The previous run is untrusted input: every way of poisoning it must end in an UNTRUSTED
 * verdict with a bounded reason, never in silently wrong history or a crash.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DirReportStore } from '../../../../lambdas/audit/store/dir-report-store';
import {
  MAX_INFLATED_BYTES,
  MAX_RUN_OBJECT_BYTES,
  MAX_STORED_OBJECT_BYTES,
  jsonDepth,
  parseJsonBounded,
} from '../../../../lambdas/audit/store/bounded-read';
import { readPreviousRun } from '../../../../lambdas/audit/history/read-previous';
import type { ReportStore } from '../../../../lambdas/audit/store/report-store';
import { parseRows, sha256Hex, type AssociationRow } from '../../../../lambdas/audit/report/rows';
import { parseRunSummary, serializeRunSummary } from '../../../../lambdas/audit/report/summary';
import { writeReport } from '../../../../lambdas/audit/report/write-report';
import { runTimeOf, sampleRows, sampleSummary } from '../report/row-fixtures';
import { MemoryStore } from '../../../support/memory-store';
import { ObjectTooLargeError, ReportFormatError } from '../../../../lambdas/audit/errors';
import { MAX_CLOCK_SKEW_MS } from '../../../../lambdas/audit/report/run-id';

const PREFIX = 'audit/';
const NOW = Date.parse('2026-11-28T00:00:00.000Z');
const RUN_1 = '20261125T020000Z';
const RUN_2 = '20261126T020000Z';
const RUN_3 = '20261127T020000Z';
const LATEST = 'audit/latest/run.json';
const ROWS_2 = 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';

/** A store in memory that honours `maxBytes` like the real ones. */

function content(runId: string, dt: string, previousRows: AssociationRow[] | null, previousRunId: string | null) {
  const { rows } = sampleRows(runId, runTimeOf(runId), previousRows);
  return { rows, summary: sampleSummary(rows, runId, previousRunId, dt), runId, dt };
}

/** Two runs; RUN_2 is latest, with drifted rows. */
async function seeded() {
  const store = new MemoryStore();
  const first = content(RUN_1, '2026-11-25', null, null);
  await writeReport(store, PREFIX, first, NOW, TEST_MAC);
  const second = content(RUN_2, '2026-11-26', first.rows, RUN_1);
  await writeReport(store, PREFIX, second, NOW, TEST_MAC);
  return { store, first, second };
}

function lines(body: Buffer): Record<string, unknown>[] {
  return gunzipSync(body)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const gzLines = (objects: readonly unknown[]): Buffer =>
  gzipSync(Buffer.from(objects.map((o) => `${JSON.stringify(o)}\n`).join(''), 'utf8'));

/** Replaces RUN_2's rows; with `rehash`, latest/run.json vouches for the new bytes (an attacker who edits both). */
async function replaceRows(store: MemoryStore, body: Buffer, rehash: boolean | 'without-key'): Promise<void> {
  store.objects.set(ROWS_2, body);
  if (rehash === false) return;
  const latest = { ...parseRunSummary(store.objects.get(LATEST)!), associations_sha256: sha256Hex(body) };
  // Without the key the forger can only recompute the hash; with it (defence in depth) the MAC too.
  store.objects.set(
    LATEST,
    rehash === 'without-key' ? serializeRunSummary(latest) : await signedSummaryBody(latest, LATEST),
  );
}

async function verdict(store: ReportStore, current = RUN_3) {
  return readPreviousRun(store, PREFIX, current, NOW, TEST_MAC);
}

describe('readPreviousRun verifies the previous snapshot', () => {
  it('trusts an untouched snapshot', async () => {
    const { store } = await seeded();
    expect(await verdict(store)).toMatchObject({ status: 'OK', reason: null, snapshot: { runId: RUN_2 } });
  });

  it('flipped drift flag: the hash no longer matches, so history is UNTRUSTED', async () => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const drifted = objects.findIndex((o) => o.drift === true);
    expect(drifted).toBeGreaterThanOrEqual(0);
    objects[drifted] = { ...objects[drifted], drift: false, audit_result: 'OK', drift_reasons: [] };
    await replaceRows(store, gzLines(objects), false);
    expect(await verdict(store)).toEqual({
      status: 'UNTRUSTED',
      reason: expect.stringContaining('does not match the associations_sha256 of run 20261126T020000Z') as string,
      snapshot: null,
      rows: null,
    });
  });

  it('flipped drift flag with the hash recomputed: the drift count disagrees with the summary', async () => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const drifted = objects.findIndex((o) => o.drift === true);
    objects[drifted] = {
      ...objects[drifted],
      drift: false,
      audit_result: 'OK',
      drift_reasons: [],
      first_drift_seen: null,
    };
    await replaceRows(store, gzLines(objects), true);
    expect((await verdict(store)).reason).toMatch(/1 drifted rows, but the run summary reports 2/);
  });

  it('rows edited and the hash recomputed without the key: the summary is not authenticated, UNTRUSTED', async () => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const drifted = objects.findIndex((o) => o.drift === true);
    objects[drifted] = {
      ...objects[drifted],
      drift: false,
      audit_result: 'OK',
      drift_reasons: [],
      first_drift_seen: null,
    };
    await replaceRows(store, gzLines(objects), 'without-key');
    const read = await verdict(store);
    expect(read).toMatchObject({ status: 'UNTRUSTED', snapshot: null, rows: null });
    expect(read.reason).toMatch(/latest\/run\.json is not authenticated/);
  });

  it('a summary signed with another key, or without any: UNTRUSTED', async () => {
    const { store } = await seeded();
    const latest = parseRunSummary(store.objects.get(LATEST)!);
    store.objects.set(LATEST, await signedSummaryBody(latest, LATEST, 'latest-run', localMac()));
    expect((await verdict(store)).reason).toMatch(/is not authenticated/);
    store.objects.set(LATEST, serializeRunSummary({ ...latest, mac: null }));
    expect((await verdict(store)).reason).toMatch(/is not authenticated/);
  });

  it('a dated run summary replayed as latest/run.json (another key and kind): UNTRUSTED', async () => {
    const { store } = await seeded();
    store.objects.set(LATEST, store.objects.get('audit/runs/dt=2026-11-26/20261126T020000Z.json')!);
    expect((await verdict(store)).reason).toMatch(/is not authenticated/);
  });

  it('history read without a key is never trusted', async () => {
    const { store } = await seeded();
    const read = await readPreviousRun(store, PREFIX, RUN_3, NOW, UNSIGNED);
    expect(read).toMatchObject({ status: 'UNTRUSTED', snapshot: null });
    expect(read.reason).toMatch(/no MAC key is configured/);
  });

  it('an edited latest/run.json hash: UNTRUSTED', async () => {
    const { store } = await seeded();
    const latest = parseRunSummary(store.objects.get(LATEST)!);
    store.objects.set(LATEST, await signedSummaryBody({ ...latest, associations_sha256: '0'.repeat(64) }, LATEST));
    expect((await verdict(store)).status).toBe('UNTRUSTED');
  });

  it.each([
    ['a bad target id', { target_id: '1234' }, /target_id: expected a root/],
    ['an id of another type', { target_id: 'ou-ab12-99999999' }, /target_id is not an id of its target_type/],
    ['a bad date', { audited_at: '2026-13-45T02:00:00.000Z' }, /audited_at: expected an ISO 8601/],
    ['a bad first_drift_seen', { first_drift_seen: 'yesterday' }, /first_drift_seen: expected an ISO 8601/],
    ['a bad enum', { association_status: 'MAYBE' }, /association_status: /],
    ['a bad drift reason', { drift_reasons: ['BOGUS'] }, /drift_reasons\.0: /],
    ['a bad parent id', { parent_id: '../../etc' }, /parent_id: expected a root/],
    ['an oversized name', { target_name: 'x'.repeat(5000) }, /target_name: /],
  ])('a malformed previous row (%s), even with a matching hash: UNTRUSTED', async (_what, change, reason) => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const index = objects.findIndex((o) => o.target_type === 'ACCOUNT' && o.drift === true);
    objects[index] = { ...objects[index], ...change };
    await replaceRows(store, gzLines(objects), true);
    const read = await verdict(store);
    expect(read).toMatchObject({ status: 'UNTRUSTED', snapshot: null });
    expect(read.reason).toMatch(reason);
    expect(read.reason).toContain(`line ${index + 1}`);
    expect(read.reason!.length).toBeLessThanOrEqual(301);
  });

  it('a first_drift_seen beyond the clock-skew bound of the reading clock: UNTRUSTED', async () => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const index = objects.findIndex((o) => o.target_type === 'ACCOUNT' && o.drift === true);
    objects[index] = { ...objects[index], first_drift_seen: new Date(NOW + MAX_CLOCK_SKEW_MS + 1).toISOString() };
    await replaceRows(store, gzLines(objects), true);
    const read = await verdict(store);
    expect(read).toMatchObject({ status: 'UNTRUSTED', snapshot: null });
    expect(read.reason).toMatch(/first_drift_seen in the future for \d{12}/);
  });

  it('a first_drift_seen after its run time but not after the clock (a re-run judged later): OK', async () => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const index = objects.findIndex((o) => o.target_type === 'ACCOUNT' && o.drift === true);
    objects[index] = { ...objects[index], first_drift_seen: new Date(NOW + MAX_CLOCK_SKEW_MS).toISOString() };
    await replaceRows(store, gzLines(objects), true);
    expect((await verdict(store)).status).toBe('OK');
  });

  it('a latest/run.json from the future: UNTRUSTED, not followed', async () => {
    const { store } = await seeded();
    const latest = parseRunSummary(store.objects.get(LATEST)!);
    const future = '20261128T020000Z'; // 2 h after NOW
    store.objects.set(
      LATEST,
      await signedSummaryBody(
        {
          ...latest,
          run_id: future,
          audited_at: '2026-11-28T02:00:00.000Z',
          report_key: 'audit/associations/dt=2026-11-28/20261128T020000Z.jsonl.gz',
        },
        LATEST,
      ),
    );
    const read = await verdict(store);
    expect(read.status).toBe('UNTRUSTED');
    expect(read.reason).toMatch(/more than 60 minutes in the future/);
  });

  it('a run id that does not name its run time: UNTRUSTED', async () => {
    const { store } = await seeded();
    const latest = parseRunSummary(store.objects.get(LATEST)!);
    store.objects.set(LATEST, serializeRunSummary({ ...latest, audited_at: '2026-11-20T02:00:00.000Z' }));
    expect((await verdict(store)).reason).toMatch(/run_id does not name the run time/);
  });

  it('a gzip bomb: a clear "too large" verdict, not an OOM or "not gzip"', async () => {
    const { store } = await seeded();
    // Concatenated gzip members inflate one after another: 300 × 1 MiB of zeros from ~300 KiB.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 300 }, () => member));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    expect(() => parseRows(bomb, 'bomb.gz')).toThrow(ObjectTooLargeError);
    expect(() => parseRows(bomb, 'bomb.gz')).toThrow(
      `bomb.gz: inflated content is too large (over ${MAX_INFLATED_BYTES} bytes); not read`,
    );
    await replaceRows(store, bomb, true);
    const read = await verdict(store);
    expect(read.status).toBe('UNTRUSTED');
    expect(read.reason).toMatch(/inflated content is too large/);
  });

  it('deep JSON: refused with an error naming the object', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(jsonDepth(deep)).toBe(100_000);
    expect(jsonDepth('{"a":"[[[[[[[[[[[[","b":[1]}')).toBe(2);
    expect(() => parseJsonBounded(deep, 'x.json')).toThrow(ReportFormatError);
    expect(() => parseJsonBounded(deep, 'x.json')).toThrow('x.json: JSON nested deeper than 8 levels');

    const { store } = await seeded();
    store.objects.set(LATEST, Buffer.from(`{"run_id":${'['.repeat(50_000)}${']'.repeat(50_000)}}`));
    expect((await verdict(store)).reason).toBe('mem/audit/latest/run.json: JSON nested deeper than 8 levels');
    const rowsDeep = gzLines([{ target_id: JSON.parse(`${'['.repeat(20)}${']'.repeat(20)}`) as unknown }]);
    expect(() => parseRows(rowsDeep, 'rows.gz')).toThrow('rows.gz: line 1: JSON nested deeper than 8 levels');
  });

  it('an oversized latest/run.json: UNTRUSTED without parsing it', async () => {
    const { store } = await seeded();
    store.objects.set(LATEST, Buffer.alloc(MAX_RUN_OBJECT_BYTES + 1, 0x20));
    expect((await verdict(store)).reason).toMatch(/latest\/run\.json: object is too large/);
  });

  it('an oversized associations object in a directory store: UNTRUSTED, refused by size before reading', async () => {
    const root = await mkdtemp(join(tmpdir(), 'read-previous-'));
    try {
      const store = new DirReportStore(root);
      const first = content(RUN_1, '2026-11-25', null, null);
      await writeReport(store, PREFIX, first, NOW, TEST_MAC);
      const key = 'audit/associations/dt=2026-11-25/20261125T020000Z.jsonl.gz';
      await mkdir(dirname(join(root, key)), { recursive: true });
      // A sparse file: large as stored, no memory needed to create it.
      const handle = await import('node:fs/promises').then((fs) => fs.open(join(root, key), 'w'));
      await handle.truncate(MAX_STORED_OBJECT_BYTES + 1);
      await handle.close();
      await expect(store.get(key)).rejects.toThrow(ObjectTooLargeError);
      const read = await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC);
      expect(read.status).toBe('UNTRUSTED');
      expect(read.reason).toMatch(/object is too large/);
      await writeFile(join(root, key), Buffer.from('small'));
      expect((await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC)).reason).toMatch(
        /does not match the associations_sha256/,
      );
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('bounds the ids an error message lists', async () => {
    const { store } = await seeded();
    const objects = lines(store.objects.get(ROWS_2)!);
    const foreign = objects.map((o) => ({ ...o, run_id: RUN_1, audited_at: runTimeOf(RUN_1), first_drift_seen: null }));
    await replaceRows(store, gzLines(foreign), true);
    const read = await verdict(store);
    expect(read.reason).toMatch(/rows of another run for .* and 2 more$/);
  });

  it('a retry whose first attempt did not trust history stays UNTRUSTED', async () => {
    const store = new MemoryStore();
    const first = content(RUN_1, '2026-11-25', null, null);
    await writeReport(store, PREFIX, first, NOW, TEST_MAC);
    const second = content(RUN_2, '2026-11-26', null, null);
    await writeReport(
      store,
      PREFIX,
      { ...second, summary: { ...second.summary, previous_run_status: 'UNTRUSTED', previous_run_reason: 'hash' } },
      NOW,
      TEST_MAC,
    );
    const read = await readPreviousRun(store, PREFIX, RUN_2, NOW, TEST_MAC);
    expect(read).toMatchObject({ status: 'UNTRUSTED', snapshot: null });
    expect(read.reason).toMatch(/an earlier attempt of this run did not trust its history: hash/);
  });

  it('a run written before associations_sha256 existed cannot be verified: UNTRUSTED once', async () => {
    const { store } = await seeded();
    const latest = JSON.parse(store.objects.get(LATEST)!.toString()) as Record<string, unknown>;
    delete latest.associations_sha256;
    const old = parseRunSummary(Buffer.from(JSON.stringify(latest)));
    store.objects.set(LATEST, await signedSummaryBody(old, LATEST));
    expect((await verdict(store)).reason).toMatch(/records no associations_sha256/);
  });
});
