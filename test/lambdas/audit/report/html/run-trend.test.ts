import { MAX_RUN_OBJECT_BYTES } from '../../../../../lambdas/audit/store/bounded-read';
import { readRunTrend, TREND_RUNS } from '../../../../../lambdas/audit/report/html/run-trend';
import { serializeRunSummary, type RunSummary } from '../../../../../lambdas/audit/report/summary';
import { summaryWith } from '../row-fixtures';
import { MemoryStore } from '../../../../support/memory-store';

const day = (n: number) => new Date(Date.UTC(2026, 9, 1, 2) + n * 86_400_000).toISOString();
const runId = (n: number) => `${day(n).slice(0, 10).replace(/-/g, '')}T020000Z`;
const runKey = (n: number) => `audit/runs/dt=${day(n).slice(0, 10)}/${runId(n)}.json`;

/** Night n's summary, pointing at night n-1 (none for night 0). */
const night = (n: number, values: Partial<RunSummary> = {}): RunSummary =>
  summaryWith({
    run_id: runId(n),
    audited_at: day(n),
    previous_run_id: n === 0 ? null : runId(n - 1),
    drifted: n,
    status_failed: n % 3,
    ...values,
  });

function storeWithNights(count: number): MemoryStore {
  const store = new MemoryStore();
  for (let n = 0; n < count; n++) store.objects.set(runKey(n), serializeRunSummary(night(n)));
  return store;
}

describe('readRunTrend', () => {
  it('follows previous_run_id back to the first run, oldest first', async () => {
    const store = storeWithNights(5);
    const trend = await readRunTrend(store, 'audit/', night(5));
    expect(trend.points.map((p) => p.runId)).toEqual([0, 1, 2, 3, 4, 5].map(runId));
    expect(trend.points.map((p) => [p.drifted, p.failed])).toEqual([0, 1, 2, 3, 4, 5].map((n) => [n, n % 3]));
    expect(trend.stoppedBecause).toBeUndefined();
  });

  it(`shows at most ${TREND_RUNS} runs and reads no more objects than that`, async () => {
    const store = storeWithNights(60);
    const trend = await readRunTrend(store, 'audit/', night(60));
    expect(trend.points).toHaveLength(TREND_RUNS);
    expect(trend.points.at(-1)!.runId).toBe(runId(60));
    expect(store.calls.filter((c) => c.startsWith('get ')).map((c) => c.slice(4))).toHaveLength(TREND_RUNS - 1);
  });

  it.each([
    ['missing', (s: MemoryStore) => s.objects.delete(runKey(3)), 'run object of 20261004T020000Z is missing'],
    [
      'oversized',
      (s: MemoryStore) => s.objects.set(runKey(3), Buffer.alloc(MAX_RUN_OBJECT_BYTES + 1, 32)),
      'run object of 20261004T020000Z is too large',
    ],
    [
      'not a run summary',
      (s: MemoryStore) => s.objects.set(runKey(3), Buffer.from('{"run_id":"<script>"}\n')),
      'run object of 20261004T020000Z is not a valid run summary',
    ],
    [
      'another run',
      (s: MemoryStore) => s.objects.set(runKey(3), serializeRunSummary(night(2))),
      'run object of 20261004T020000Z holds run 20261003T020000Z',
    ],
    [
      'pointing forward (a loop)',
      (s: MemoryStore) => s.objects.set(runKey(3), serializeRunSummary(night(3, { previous_run_id: runId(4) }))),
      'run 20261004T020000Z names an invalid previous run',
    ],
  ])('stops at a %s object, says why, and keeps the newer runs', async (_what, corrupt, reason) => {
    const store = storeWithNights(5);
    corrupt(store);
    const trend = await readRunTrend(store, 'audit/', night(5));
    expect(trend.stoppedBecause).toBe(reason);
    expect(trend.points.at(-1)!.runId).toBe(runId(5));
    expect(trend.points.length).toBeLessThanOrEqual(3);
  });

  it('a first run has a trend of itself', async () => {
    const trend = await readRunTrend(new MemoryStore(), 'audit/', night(0));
    expect(trend).toEqual({ points: [expect.objectContaining({ runId: runId(0) })] });
  });
});
