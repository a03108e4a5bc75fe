import { CheckpointStore, type StoredCheckpoint } from '../../../../lambdas/audit/checkpoint/checkpoint-store';
import { CheckpointWriter } from '../../../../lambdas/audit/checkpoint/checkpoint-writer';
import { MemoryStore } from '../../../support/memory-store';
import { fakeTime } from '../../../support/fake-time';
import { RUN_ID, sampleCheckpoint } from './checkpoint-fixtures';
import { TEST_MAC } from '../../../support/local-mac';

const PREFIX = 'audit/';

function writerOver(store: MemoryStore, time: ReturnType<typeof fakeTime>, sequence = 0) {
  return new CheckpointWriter({
    store: new CheckpointStore(store, PREFIX, RUN_ID, { mac: TEST_MAC, execution: null }),
    clock: time.clock,
    runId: RUN_ID,
    sequence,
    resumed: sequence > 0,
    intervalMs: 1_000,
    deadline: time.now + 10_000,
  });
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('CheckpointWriter', () => {
  it('writes a periodic checkpoint at most once per interval, never two at once, taking it only when due', async () => {
    const store = new MemoryStore();
    const time = fakeTime();
    const writer = writerOver(store, time);
    let taken = 0;
    const take = () => {
      taken += 1;
      return sampleCheckpoint({ invocations: taken });
    };
    writer.saveIfDue(take);
    expect(taken).toBe(0);
    time.advance(1_000);
    writer.saveIfDue(take);
    time.advance(1_000);
    // The first write is still in flight: no second one starts.
    writer.saveIfDue(take);
    expect(taken).toBe(1);
    await writer.close();
    expect(writer.tally()).toMatchObject({ written: 1 });
    expect(await new CheckpointStore(store, PREFIX, RUN_ID, { mac: TEST_MAC, execution: null }).read()).toMatchObject({
      sequence: 1,
    });
  });

  it('starts no periodic write after the deadline or once closed; save still writes, after the one in flight', async () => {
    const store = new MemoryStore();
    const time = fakeTime();
    const writer = writerOver(store, time);
    time.advance(10_000);
    writer.saveIfDue(() => sampleCheckpoint());
    expect(writer.tally().written).toBe(0);
    await writer.close();
    writer.saveIfDue(() => sampleCheckpoint());
    await writer.save(sampleCheckpoint({ invocations: 2 }));
    expect(writer.tally().written).toBe(1);
  });

  it('keeps the sequence after a failed write, so the next write never overwrites the slot the manifest names', async () => {
    let failNext = false;
    const store = new MemoryStore(new Map(), { put: (key) => failNext && key.endsWith('.json.gz') });
    const time = fakeTime();
    const writer = writerOver(store, time, 4);
    failNext = true;
    time.advance(1_000);
    writer.saveIfDue(() => sampleCheckpoint());
    await flush();
    await writer.close();
    expect(writer.tally().written).toBe(0);
    failNext = false;
    await writer.save(sampleCheckpoint({ invocations: 3 }));
    const read = await new CheckpointStore(store, PREFIX, RUN_ID, { mac: TEST_MAC, execution: null }).read();
    expect((read as StoredCheckpoint | null)?.sequence).toBe(5);
    // Slot 0 (sequence 4, named by the manifest before) was never written over.
    expect(store.putKeys().filter((key) => key.endsWith('slot-0.json.gz'))).toEqual([]);
  });
});
