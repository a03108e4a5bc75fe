/**
 * The findings collaborators of a re-check: BatchImportFindings paced at the re-check's
 * Security Hub share, GetFindings at that operation's own, lower pace.
 */
import type { PublishFindingsDeps } from '../findings/publish-findings';
import { GET_FINDINGS_PACE } from '../findings/read-active-findings';
import { TokenBucket } from '../util/token-bucket';
import type { RecheckDeps, RecheckRequest } from '../types/recheck';

/** See the module comment. */
export function findingsDeps(deps: RecheckDeps, request: RecheckRequest): PublishFindingsDeps {
  const { clock, sleep } = deps;
  const rate = request.recheck.recheckSecurityHubRequestsPerSecond;
  return {
    client: deps.securityHub,
    clock,
    sleep,
    random: deps.random,
    bucket: new TokenBucket({ ratePerSecond: rate, burst: Math.max(1, Math.floor(rate)), clock, sleep }),
    readBucket: new TokenBucket({
      ratePerSecond: GET_FINDINGS_PACE.requestsPerSecond,
      burst: GET_FINDINGS_PACE.burst,
      clock,
      sleep,
    }),
  };
}
