/**
 * A tiny promise pool: run async work with at most N tasks in flight. Used for the
 * organization walk (dynamic work, via {@link createLimiter}) and the Security Hub fan-out
 * (a fixed list, via {@link mapConcurrent}).
 */

/** Runs a task when a slot is free; resolves or rejects with the task's result. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

function assertConcurrency(concurrency: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
}

/**
 * Creates a limiter that lets at most `concurrency` tasks run at once; the rest wait in
 * FIFO order. A failing task frees its slot like a succeeding one.
 */
export function createLimiter(concurrency: number): Limiter {
  assertConcurrency(concurrency);
  let active = 0;
  const waiting: (() => void)[] = [];

  const acquire = (): Promise<void> => {
    if (active < concurrency) {
      active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `active` never drops in between.
    if (next) next();
    else active -= 1;
  };

  return async <T>(task: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      // Awaited inside the try, so a task that throws synchronously frees its slot too.
      return await task();
    } finally {
      release();
    }
  };
}

/**
 * Maps `items` through `fn` with at most `concurrency` calls in flight and returns the
 * results in input order. On the first rejection no further items are started and the
 * returned promise rejects with that error; calls already in flight run to completion
 * (their results are discarded).
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  assertConcurrency(concurrency);
  const results = new Array<R>(items.length);
  let nextIndex = 0;
  let failed = false;

  const worker = async (): Promise<void> => {
    while (!failed && nextIndex < items.length) {
      const index = nextIndex;
      nextIndex += 1;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };

  const workers = Array.from({ length: Math.min(concurrency, items.length) }, () => worker());
  await Promise.all(workers);
  return results;
}
