/**
 * The baseline and exclusions documents, read from the report bucket by the functions
 * (the nightly audit and the re-check). A key that is configured must name an object.
 */
import { decodeDocument } from '../drift/document-bytes';
import { MissingDocumentError } from '../errors';
import type { ReportStore } from './report-store';
import { displaySafe } from '../util/display-text';

async function readDocument(
  store: ReportStore,
  bucket: string,
  key: string | undefined,
  variable: string,
  label: string,
) {
  if (key === undefined) {
    return undefined;
  }
  const body = await store.get(key);
  if (body === null) {
    throw new MissingDocumentError(`${variable}: s3://${bucket}/${displaySafe(key)} does not exist`);
  }
  return decodeDocument(body, `s3://${bucket}/${key}`, label);
}

/**
 * Reads both documents from the report bucket; when both fail, one error names both, so one deploy fixes them. */
export async function readDocuments(
  store: ReportStore,
  bucket: string,
  keys: { readonly baselineKey?: string; readonly exclusionsKey?: string },
) {
  const results = await Promise.allSettled([
    readDocument(store, bucket, keys.baselineKey, 'BASELINE_KEY', 'baseline'),
    readDocument(store, bucket, keys.exclusionsKey, 'EXCLUSIONS_KEY', 'exclusions'),
  ]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failures.length === 1) {
    throw failures[0];
  }
  if (failures.length > 1) {
    // errorKindOf reads the kinds of the parts, so two bad documents stay BAD_INPUT.
    throw new AggregateError(failures, failures.map((e) => e.message).join('; '));
  }
  return results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
}
