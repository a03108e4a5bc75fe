import {
  CheckpointStore,
  checkpointKeys,
  manifestMacContent,
  type Manifest,
  type StoredCheckpoint,
} from '../../../../lambdas/audit/checkpoint/checkpoint-store';
import type { ReportStore } from '../../../../lambdas/audit/store/report-store';
import { RUN_ID, sampleCheckpoint } from './checkpoint-fixtures';
import { CheckpointIntegrityError } from '../../../../lambdas/audit/errors';
import { TEST_MAC } from '../../../support/local-mac';

/** An in-memory report store that records the order of its writes. */
function memoryStore(): ReportStore & { objects: Map<string, Buffer>; puts: string[]; failPutOf?: string } {
  const objects = new Map<string, Buffer>();
  const puts: string[] = [];
  const store = {
    objects,
    puts,
    failPutOf: undefined as string | undefined,
    put(key: string, body: Buffer) {
      if (store.failPutOf !== undefined && key.endsWith(store.failPutOf)) return Promise.reject(new Error('crash'));
      puts.push(key);
      objects.set(key, Buffer.from(body));
      return Promise.resolve();
    },
    get: (key: string) => Promise.resolve(objects.get(key) ?? null),
    describe: () => 'memory',
  };
  return store;
}

describe('CheckpointStore', () => {
  it('keeps checkpoints under the prefix, per run id, and refuses unsafe run ids', () => {
    expect(checkpointKeys('audit/', RUN_ID)).toEqual({
      manifest: `audit/checkpoints/${RUN_ID}/manifest.json`,
      slots: [`audit/checkpoints/${RUN_ID}/slot-0.json.gz`, `audit/checkpoints/${RUN_ID}/slot-1.json.gz`],
    });
    expect(() => checkpointKeys('', '../x')).toThrow(CheckpointIntegrityError);
  });

  it('reads nothing for a run without checkpoints', async () => {
    await expect(
      new CheckpointStore(memoryStore(), '', RUN_ID, { mac: TEST_MAC, execution: null }).read(),
    ).resolves.toBeNull();
  });

  it('writes the slot before the manifest, alternating slots, and reads the latest back', async () => {
    const s3 = memoryStore();
    const store = new CheckpointStore(s3, '', RUN_ID, { mac: TEST_MAC, execution: null });
    const keys = checkpointKeys('', RUN_ID);
    await store.write(sampleCheckpoint({ invocations: 1 }), 1);
    await store.write(sampleCheckpoint({ invocations: 2 }), 2);
    expect(s3.puts).toEqual([keys.slots[1], keys.manifest, keys.slots[0], keys.manifest]);
    const read = await store.read();
    expect((read as StoredCheckpoint | null)?.sequence).toBe(2);
    expect((read as StoredCheckpoint | null)?.checkpoint.invocations).toBe(2);
  });

  it('still reads the previous checkpoint when an invocation died between slot and manifest', async () => {
    const s3 = memoryStore();
    const store = new CheckpointStore(s3, '', RUN_ID, { mac: TEST_MAC, execution: null });
    await store.write(sampleCheckpoint({ invocations: 1 }), 1);
    s3.failPutOf = 'manifest.json';
    await expect(store.write(sampleCheckpoint({ invocations: 2 }), 2)).rejects.toThrow('crash');
    const read = await store.read();
    expect([
      (read as StoredCheckpoint | null)?.sequence,
      (read as StoredCheckpoint | null)?.checkpoint.invocations,
    ]).toEqual([1, 1]);
  });

  it('distrusts a manifest of another run, a missing slot and a slot of another size', async () => {
    const s3 = memoryStore();
    const store = new CheckpointStore(s3, '', RUN_ID, { mac: TEST_MAC, execution: null });
    const keys = checkpointKeys('', RUN_ID);
    await store.write(sampleCheckpoint(), 1);
    const manifest = JSON.parse(s3.objects.get(keys.manifest)!.toString()) as Manifest;
    // Signed with the key (defence in depth: the checks behind the MAC still hold).
    const resigned = async (m: Manifest) => {
      const context = { kind: 'checkpoint-manifest' as const, key: keys.manifest, runId: RUN_ID, execution: null };
      const mac = await TEST_MAC.sign(context, manifestMacContent({ ...m, mac: null }));
      return Buffer.from(JSON.stringify({ ...m, mac }));
    };

    s3.objects.set(keys.manifest, Buffer.from(JSON.stringify({ ...manifest, runId: '20261127T020000Z' })));
    await expect(store.read()).rejects.toThrow(/another|belongs to run/);

    s3.objects.set(keys.manifest, await resigned({ ...manifest, bytes: 1 }));
    await expect(store.read()).rejects.toThrow(/bytes/);

    s3.objects.set(keys.manifest, await resigned({ ...manifest, slot: 0 }));
    await expect(store.read()).rejects.toThrow(/missing/);

    s3.objects.set(keys.manifest, Buffer.from('not json'));
    await expect(store.read()).rejects.toThrow(CheckpointIntegrityError);
  });

  it('refuses to write a checkpoint of another run', async () => {
    const store = new CheckpointStore(memoryStore(), '', RUN_ID, { mac: TEST_MAC, execution: null });
    await expect(store.write(sampleCheckpoint({ runId: '20261127T020000Z' }), 1)).rejects.toThrow(
      CheckpointIntegrityError,
    );
  });
});
