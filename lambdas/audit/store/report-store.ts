/**
 * Where reports go, and the object-key layout below the optional prefix. The layout
 * is the same in S3 and in a local directory, so the CLI and tests read what the
 * Lambda writes.
 */
import { REPORT_LAYOUT } from '../report/schema';
import { InvariantError } from '../errors';

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

const DT_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const SAFE_RUN_ID = /^[A-Za-z0-9_.-]+$/;

/**
 * The keys of a run's objects.
 * @throws Error when `dt` is not `YYYY-MM-DD` or the run id could escape its folder.
 */
export function reportKeys(prefix: string, runId: string, dt: string): ReportKeys {
  if (!DT_PATTERN.test(dt)) throw new InvariantError(`dt must be YYYY-MM-DD, got ${JSON.stringify(dt)}`);
  if (!SAFE_RUN_ID.test(runId) || runId.startsWith('.'))
    throw new InvariantError(`unsafe run id ${JSON.stringify(runId)}`);
  const partition = `${REPORT_LAYOUT.partitionKey}=${dt}`;
  return {
    associations: `${prefix}${REPORT_LAYOUT.associationsDir}/${partition}/${runId}.jsonl.gz`,
    run: `${prefix}${REPORT_LAYOUT.runsDir}/${partition}/${runId}.json`,
    html: `${prefix}${REPORT_LAYOUT.htmlDir}/${partition}/${runId}.html`,
    ...latestKeys(prefix),
  };
}

/** The `latest/` pointer alone. */
export function latestKeys(prefix: string): Pick<ReportKeys, 'latestRun'> {
  return { latestRun: `${prefix}${REPORT_LAYOUT.latestDir}/run.json` };
}
