/**
 * Re-signing a forged summary with the test key: for tests of what the audit checks
 * beyond the MAC (defence in depth against someone who holds the key), and for tests
 * that the MAC alone refuses an object whose hashes were recomputed without it.
 */
import { serializeRunSummary, summaryMacContent, type RunSummary } from '../../lambdas/audit/report/summary';
import type { MacKind, ObjectMac } from '../../lambdas/audit/store/object-mac';
import { TEST_MAC } from './local-mac';

/** `summary` as stored under `key`, with a MAC of `mac` (the test key by default) for that key and kind. */
export async function signedSummaryBody(
  summary: RunSummary,
  key: string,
  kind: MacKind = 'latest-run',
  mac: ObjectMac = TEST_MAC,
): Promise<Buffer> {
  const signature = await mac.sign(
    { kind, key, runId: summary.run_id, execution: null },
    summaryMacContent({ ...summary, mac: null }),
  );
  return serializeRunSummary({ ...summary, mac: signature });
}
