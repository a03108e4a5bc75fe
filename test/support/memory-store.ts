import { MAX_STORED_OBJECT_BYTES } from '../../lambdas/audit/store/bounded-read';
import { type GetOptions, type ReportStore } from '../../lambdas/audit/store/report-store';
import { ReportStoreError, ObjectTooLargeError } from '../../lambdas/audit/errors';

/** Keys whose reads or writes fail, for tests of a store that breaks half-way. */
export interface MemoryStoreFaults {
  readonly put?: (key: string) => boolean;
  readonly get?: (key: string) => boolean;
}

/**
 * {@link ReportStore} in memory for unit tests: records every call and write, enforces
 * the same read-size bound as the real stores, and fails the keys `faults` names (or every
 * read while `failReads` is set) with a {@link ReportStoreError}.
 */
export class MemoryStore implements ReportStore {
  readonly puts: { key: string; contentType: string; contentEncoding?: string }[] = [];
  /** Every call in order, e.g. `put audit/latest/run.json`. */
  readonly calls: string[] = [];
  /** Fails every read when set: a store that cannot be reached. */
  failReads = false;

  constructor(
    readonly objects = new Map<string, Buffer>(),
    private readonly faults: MemoryStoreFaults = {},
  ) {}

  /** The keys written, in order. */
  putKeys(): string[] {
    return this.puts.map((p) => p.key);
  }

  put(key: string, body: Buffer, contentType = 'application/octet-stream', contentEncoding?: string): Promise<void> {
    this.calls.push(`put ${key}`);
    if (this.faults.put?.(key)) return Promise.reject(new ReportStoreError(`Cannot write mem/${key}: boom`, key));
    this.puts.push({ key, contentType, ...(contentEncoding ? { contentEncoding } : {}) });
    this.objects.set(key, body);
    return Promise.resolve();
  }

  get(key: string, options: GetOptions = {}): Promise<Buffer | null> {
    this.calls.push(`get ${key}`);
    if (this.failReads || this.faults.get?.(key)) {
      return Promise.reject(new ReportStoreError(`Cannot read mem/${key}: boom`, key));
    }
    const body = this.objects.get(key) ?? null;
    const max = options.maxBytes ?? MAX_STORED_OBJECT_BYTES;
    if (body !== null && body.length > max) return Promise.reject(new ObjectTooLargeError(`mem/${key}`, max));
    return Promise.resolve(body);
  }

  describe(): string {
    return 'mem';
  }
}
