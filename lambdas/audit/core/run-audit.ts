import type { AuditDeps, AuditOutcome, AuditRequest } from '../types/audit';
import { beginAudit, collectStep, finishAudit } from './audit-steps';

/**
 * One complete audit, as a pipeline: read and verify the previous run, walk the
 * organization while fetching every target's association, evaluate drift, compare with
 * the previous run, build the rows, summarise, write, publish findings. Bad documents and
 * a failing store end the run before the walk (in seconds); untrusted history only makes
 * it alert on every drifted target. Once the walk succeeded, every enumerated target
 * reaches the report exactly once. The steps live in `audit-steps.ts`; a run spread over
 * several invocations composes the same steps (`checkpoint/resumable-audit.ts`).
 */
export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditOutcome> {
  const begun = await beginAudit(deps, request);
  const { org, fetched } = await collectStep(begun);
  return finishAudit(begun, { org, fetched });
}
