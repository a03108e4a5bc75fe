import { createLimiter, mapConcurrent } from '../../../../lambdas/audit/util/map-concurrent';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapConcurrent', () => {
  it('returns results in input order whatever the completion order', async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const running = mapConcurrent([0, 1, 2], 3, async (item) => {
      await gates[item].promise;
      return item * 10;
    });
    gates[2].resolve();
    gates[0].resolve();
    gates[1].resolve();
    await expect(running).resolves.toEqual([0, 10, 20]);
  });

  it('never has more than `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const items = Array.from({ length: 20 }, (_, i) => i);
    const results = await mapConcurrent(items, 3, async (item) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await flush();
      inFlight -= 1;
      return item + 1;
    });
    expect(maxInFlight).toBe(3);
    expect(results).toEqual(items.map((i) => i + 1));
  });

  it('handles empty input and concurrency above the item count', async () => {
    await expect(mapConcurrent([], 4, () => Promise.resolve(1))).resolves.toEqual([]);
    await expect(mapConcurrent(['a'], 4, (s) => Promise.resolve(s.toUpperCase()))).resolves.toEqual(['A']);
  });

  it('rejects with the first error and starts no further items', async () => {
    const started: number[] = [];
    const boom = new Error('boom');
    const running = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await flush();
      if (item === 1) throw boom;
      return item;
    });
    await expect(running).rejects.toBe(boom);
    await flush();
    await flush();
    // Items 0 and 1 ran together; 2 was picked up by the worker that finished 0 before 1 failed.
    expect(started).toEqual([0, 1, 2]);
  });

  it('rejects an invalid concurrency', async () => {
    await expect(mapConcurrent([1], 0, (x) => Promise.resolve(x))).rejects.toThrow(RangeError);
    await expect(mapConcurrent([1], 1.5, (x) => Promise.resolve(x))).rejects.toThrow(RangeError);
  });
});

describe('createLimiter', () => {
  it('runs waiting tasks in FIFO order as slots free up', async () => {
    const limit = createLimiter(1);
    const order: string[] = [];
    const first = deferred<void>();
    const a = limit(async () => {
      order.push('a:start');
      await first.promise;
      order.push('a:end');
    });
    const b = limit(() => {
      order.push('b');
      return Promise.resolve();
    });
    const c = limit(() => {
      order.push('c');
      return Promise.resolve();
    });
    await flush();
    expect(order).toEqual(['a:start']);
    first.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a:start', 'a:end', 'b', 'c']);
  });

  it('frees the slot of a failing task, including one that throws synchronously', async () => {
    const limit = createLimiter(1);
    const failing = limit(() => {
      throw new Error('sync');
    });
    const next = limit(() => Promise.resolve('ran'));
    await expect(failing).rejects.toThrow('sync');
    await expect(next).resolves.toBe('ran');
  });

  it('rejects an invalid concurrency', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});
