/**
 * The re-check's objects in the report store, under a folder of their own so nothing a
 * re-check writes can be read as a nightly run (`associations/`, `runs/`, `latest/`):
 *
 * - `<prefix>recheck/associations/dt=YYYY-MM-DD/<recheck_id>.jsonl.gz`: the rows re-checked,
 *   the same columns and encoding as the nightly associations (one Glue table shape).
 * - `<prefix>recheck/runs/dt=YYYY-MM-DD/<recheck_id>.json`: the signed re-check record.
 * - `<prefix>recheck/state.json`: the signed overlay of what the re-checks since the last
 *   full run established.
 */
import { REPORT_LAYOUT } from '../report/schema';
import { recheckIdDate } from '../report/run-id';
import { InvariantError } from '../errors';

/** The folder below the prefix that holds every re-check object. */
const RECHECK_DIR = 'recheck';

/** Object keys of one re-check. */
export interface RecheckKeys {
  /** `<prefix>recheck/associations/dt=YYYY-MM-DD/<recheck_id>.jsonl.gz` */
  readonly associations: string;
  /** `<prefix>recheck/runs/dt=YYYY-MM-DD/<recheck_id>.json` */
  readonly run: string;
}

/**
 * The keys of a re-check's objects, filed under the date its id encodes.
 * @throws InvariantError when `recheckId` is not a re-check id (which also keeps it from
 *   escaping its folder: the pattern allows no `/` and no leading `.`).
 */
export function recheckKeys(prefix: string, recheckId: string): RecheckKeys {
  const dt = recheckIdDate(recheckId);
  if (dt === null) throw new InvariantError(`unsafe re-check id ${JSON.stringify(recheckId.slice(0, 80))}`);
  const partition = `${REPORT_LAYOUT.partitionKey}=${dt}`;
  return {
    associations: `${prefix}${RECHECK_DIR}/${REPORT_LAYOUT.associationsDir}/${partition}/${recheckId}.jsonl.gz`,
    run: `${prefix}${RECHECK_DIR}/${REPORT_LAYOUT.runsDir}/${partition}/${recheckId}.json`,
  };
}

/** `<prefix>recheck/state.json`: one object, overwritten by each re-check. */
export function recheckStateKey(prefix: string): string {
  return `${prefix}${RECHECK_DIR}/state.json`;
}

/** `<prefix>recheck/runs/`: the folder of the dated re-check records (`npm run verify` lists it). */
export function recheckRunsPrefix(prefix: string): string {
  return `${prefix}${RECHECK_DIR}/${REPORT_LAYOUT.runsDir}/`;
}
