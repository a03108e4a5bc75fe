/**
 * What people must be told when the previous run could not be trusted: without it a
 * tampered `latest/` makes the next report look like a first run. One text, shown by the
 * CLI, the HTML report and the digest, so none of them can say less than the others.
 */
import type { RunSummary } from '../report/summary';

/** Longest reason quoted in a notice; the run summary keeps the full (bounded) reason. */
const MAX_NOTICE_REASON = 300;

/**
 * "previous run not trusted: <reason>; every drifted target counts as new drift", or
 * undefined when history was verified or there was none. The reason came from the
 * bucket: each renderer still escapes the notice for its own format.
 */
export function untrustedHistoryNotice(
  summary: Pick<RunSummary, 'previous_run_status' | 'previous_run_reason'>,
): string | undefined {
  if (summary.previous_run_status !== 'UNTRUSTED') return undefined;
  const reason = (summary.previous_run_reason ?? 'no reason recorded').slice(0, MAX_NOTICE_REASON);
  return `previous run not trusted: ${reason}; every drifted target counts as new drift`;
}
