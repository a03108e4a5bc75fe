/**
 * Writing a run's report and reading the previous one.
 *
 * Four PUTs, in this order: the dated associations object, the dated run object, the
 * run's HTML report (html/), then `latest/run.json`. The dated run object is the commit point for Athena (its queries
 * take `max(run_id)` from the `runs` table), so it is written only once the rows it
 * counts exist. `latest/run.json` is the run summary itself and the only object in
 * `latest/`: its `report_key` names the dated associations object, so `latest/` moves
 * with one PUT and can never be half advanced, and it is written last, so it never
 * names a run whose objects are missing.
 */
import type { ConsoleContext } from './console-links';
import { encodeRows, sha256Hex, type AssociationRow, type EncodedRows } from './rows';
import { serializeRunSummary, summaryMacContent, type RunSummary } from './summary';
import type { MacKind, ObjectMac } from '../store/object-mac';
import { reportKeys, type ReportKeys, type ReportStore } from '../store/report-store';
import { runIdDate } from './run-id';
import { readLatest } from '../history/trusted-latest';
import { writeHtmlReport } from './html/write-html-report';
import { ReportIntegrityError } from '../errors';

/** Content-Type of the gzip JSON Lines objects. No Content-Encoding: Athena reads the raw file. */
const ASSOCIATIONS_CONTENT_TYPE = 'application/gzip';
/** Content-Type of the run summary objects. */
const RUN_CONTENT_TYPE = 'application/json';

/** What a successful {@link writeReport} wrote. */
export interface WrittenReport {
  readonly associationsKey: string;
  readonly runKey: string;
  /** The run's HTML report (`html/dt=…/<run_id>.html`). */
  readonly htmlKey: string;
  /** The `latest/` pointer, whether or not this run moved it. */
  readonly latestRunKey: string;
  /**
   * False when `latest/run.json` already named a newer run and was left alone (an older
   * run, e.g. a delayed retry, finished after it); the dated objects are written either way.
   */
  readonly latestAdvanced: boolean;
  /** The run `latest/run.json` names after the write: this run, or the newer one that kept it. */
  readonly latestRunId: string;
  /** Why the `latest/run.json` this run replaced was not trusted; absent when it was trusted or absent. */
  readonly replacedUntrustedLatest?: string;
}

export interface ReportContent {
  readonly rows: readonly AssociationRow[];
  readonly summary: RunSummary;
  readonly runId: string;
  /** `YYYY-MM-DD` partition of the run; must be the date the run id encodes. */
  readonly dt: string;
  /** The rows as `encodeRows` gave them for the summary's hash; encoded here when absent. */
  readonly encoded?: EncodedRows;
  /** Where the run ran, for the HTML report's console links; absent: no console links. */
  readonly console?: ConsoleContext;
}

function checkContent(content: ReportContent, keys: ReportKeys, encoded: EncodedRows): void {
  const { rows, summary, runId, dt } = content;
  // readPreviousRun finds a run's objects by the date in its id, and the pointer
  // check orders runs by id: a run id that is not one, or another dt, would strand the run.
  if (runIdDate(runId) !== dt) throw new ReportIntegrityError(`run id ${runId} does not encode the date ${dt}`);
  if (summary.run_id !== runId) throw new ReportIntegrityError(`summary is for run ${summary.run_id}, not ${runId}`);
  if (summary.targets_reported !== rows.length) {
    throw new ReportIntegrityError(
      `summary reports ${summary.targets_reported} targets but ${rows.length} rows are written`,
    );
  }
  const foreign = rows.find((r) => r.run_id !== runId);
  if (foreign)
    throw new ReportIntegrityError(`row for ${foreign.target_id} belongs to run ${foreign.run_id}, not ${runId}`);
  if (summary.report_key !== keys.associations) {
    throw new ReportIntegrityError(
      `summary report_key ${summary.report_key} is not the associations key ${keys.associations}`,
    );
  }
  // The next run trusts these rows only if they hash to what the summary records.
  if (summary.associations_sha256 !== encoded.sha256 || sha256Hex(encoded.body) !== encoded.sha256) {
    throw new ReportIntegrityError(`summary associations_sha256 is not the hash of the associations object written`);
  }
}

/** The summary as stored under `key`: signed for that key and kind (`mac` null without a key). */
async function signedSummary(mac: ObjectMac, summary: RunSummary, key: string, kind: MacKind): Promise<Buffer> {
  const content = summaryMacContent(summary);
  const signature = await mac.sign({ kind, key, runId: summary.run_id, execution: null }, content);
  return serializeRunSummary({ ...summary, mac: signature });
}

/**
 * Writes `associations/dt=…/<run_id>.jsonl.gz`, then `runs/dt=…/<run_id>.json`, then —
 * only when both succeeded — `latest/run.json`. Re-running with the same run id
 * overwrites the same objects.
 *
 * `latest/` never moves backwards: just before its PUT, `latest/run.json` is read, and
 * when it names a trusted run whose id sorts after this one (run ids sort in time order),
 * it is left alone and `latestAdvanced` is false. That is the case of a Lambda async retry
 * of an older scheduled run that finishes after a newer manual run. The read and the
 * PUT are not one atomic step; reserved concurrency 1 on the Lambda keeps two runs
 * from interleaving between them. A `latest/run.json` that cannot be trusted (corrupt,
 * not a run, pointing elsewhere, or from more than the allowed skew in the future) is
 * replaced, so one bad object cannot hold `latest/` forever.
 *
 * The run object and `latest/run.json` each carry their own MAC (bound to their key and
 * kind); the associations object is authenticated through the summary's SHA-256.
 *
 * @param now the clock, epoch ms, to judge whether latest names a run from the future.
 * @param mac signs the summaries and authenticates the `latest/run.json` read before moving it.
 * @throws ReportIntegrityError when summary, rows, hash, run id and dt disagree (nothing is written).
 * @throws ReportStoreError from the store; later objects are then not written.
 * @throws MacServiceError when the key service fails; nothing is written unsigned instead.
 */
export async function writeReport(
  store: ReportStore,
  prefix: string,
  content: ReportContent,
  now: number,
  mac: ObjectMac,
): Promise<WrittenReport> {
  const keys = reportKeys(prefix, content.runId, content.dt);
  const encoded = content.encoded ?? encodeRows(content.rows);
  checkContent(content, keys, encoded);
  const runBody = await signedSummary(mac, content.summary, keys.run, 'run-summary');
  await store.put(keys.associations, encoded.body, ASSOCIATIONS_CONTENT_TYPE);
  await store.put(keys.run, runBody, RUN_CONTENT_TYPE);
  // The page for people, after the objects it shows and before latest/ names the run.
  await writeHtmlReport(store, prefix, keys.html, content);

  const written = {
    associationsKey: keys.associations,
    runKey: keys.run,
    htmlKey: keys.html,
    latestRunKey: keys.latestRun,
  };
  const latest = await readLatest(store, prefix, now, mac);
  // Fixed-width timestamp first, so plain string order is time order.
  if (latest.kind === 'trusted' && latest.summary.run_id > content.runId) {
    return { ...written, latestAdvanced: false, latestRunId: latest.summary.run_id };
  }
  const latestBody = await signedSummary(mac, content.summary, keys.latestRun, 'latest-run');
  await store.put(keys.latestRun, latestBody, RUN_CONTENT_TYPE);
  return {
    ...written,
    latestAdvanced: true,
    latestRunId: content.runId,
    ...(latest.kind === 'untrusted' ? { replacedUntrustedLatest: latest.reason } : {}),
  };
}
