/**
 * Where reports go, and the object-key layout below the optional prefix. The layout
 * is the same in S3 and in a local directory, so the CLI and tests read what the
 * Lambda writes.
 */
import { AuditError, isAccessError } from '../errors';
import { REPORT_LAYOUT } from './schema';

export { MAX_STORED_OBJECT_BYTES, ObjectTooLargeError } from './bounded-read';

/**
 * A read or write against the report store failed. `cause` holds the underlying error.
 * PERMISSION for access denied, TRANSIENT otherwise (a later attempt may succeed).
 */
export class ReportStoreError extends AuditError {
  /** The object key involved. */
  readonly key: string;

  constructor(message: string, key: string, options?: { cause?: unknown }) {
    super(isAccessError(options?.cause) ? 'PERMISSION' : 'TRANSIENT', message, options);
    this.key = key;
  }
}

/** Options of {@link ReportStore.get}. */
export interface GetOptions {
  /** Largest object read, in bytes as stored; default `MAX_STORED_OBJECT_BYTES`. */
  readonly maxBytes?: number;
}

/** Minimal object store the report needs. */
export interface ReportStore {
  /**
   * Writes (or overwrites) one object. `contentEncoding` is for metadata only; stores
   * never set it on `.gz` objects, which must stay plain gzip files for Athena.
   */
  put(key: string, body: Buffer, contentType: string, contentEncoding?: string): Promise<void>;
  /**
   * The object's bytes, or `null` when there is no such object. Never reads more than
   * `maxBytes` (default `MAX_STORED_OBJECT_BYTES`): a larger object is an
   * `ObjectTooLargeError`, so an untrusted object cannot exhaust memory.
   */
  get(key: string, options?: GetOptions): Promise<Buffer | null>;
  /** Human-readable location without a trailing slash, for logs: `s3://bucket` or a directory path; `${describe()}/${key}` names an object. */
  describe(): string;
}

/** Object keys of one run, plus the `latest/` pointer. */
export interface ReportKeys {
  /** `<prefix>associations/dt=YYYY-MM-DD/<run_id>.jsonl.gz` */
  readonly associations: string;
  /** `<prefix>runs/dt=YYYY-MM-DD/<run_id>.json` */
  readonly run: string;
  /** `<prefix>html/dt=YYYY-MM-DD/<run_id>.html`: the run's HTML report. */
  readonly html: string;
  /**
   * `<prefix>latest/run.json`: the newest run's summary, the only object in `latest/`.
   * Its `report_key` names the dated associations object, so one PUT moves the pointer.
   */
  readonly latestRun: string;
}

/** '' stays ''; anything else loses leading slashes and ends with exactly one '/'. */
export function normalizeReportPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

const DT_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const SAFE_RUN_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * The keys of a run's objects.
 * @throws Error when `dt` is not `YYYY-MM-DD` or the run id could escape its folder.
 */
export function reportKeys(prefix: string, runId: string, dt: string): ReportKeys {
  if (!DT_PATTERN.test(dt)) throw new Error(`dt must be YYYY-MM-DD, got ${JSON.stringify(dt)}`);
  if (!SAFE_RUN_ID.test(runId) || runId.startsWith('.')) throw new Error(`unsafe run id ${JSON.stringify(runId)}`);
  const p = normalizeReportPrefix(prefix);
  const partition = `${REPORT_LAYOUT.partitionKey}=${dt}`;
  return {
    associations: `${p}${REPORT_LAYOUT.associationsDir}/${partition}/${runId}.jsonl.gz`,
    run: `${p}${REPORT_LAYOUT.runsDir}/${partition}/${runId}.json`,
    html: `${p}${REPORT_LAYOUT.htmlDir}/${partition}/${runId}.html`,
    ...latestKeys(prefix),
  };
}

/** The `latest/` pointer alone. */
export function latestKeys(prefix: string): Pick<ReportKeys, 'latestRun'> {
  const p = normalizeReportPrefix(prefix);
  return { latestRun: `${p}${REPORT_LAYOUT.latestDir}/run.json` };
}
