/**
 * The Security Hub fan-out: BatchGetConfigurationPolicyAssociations for every target,
 * in groups, paced by a token bucket, with bounded concurrency, splitting groups the
 * service rejects because of one of their targets and re-driving retryable unprocessed
 * entries with backoff until the work is done, the rounds run out or the deadline comes.
 *
 * Batch size: the API reference documents no maximum number of entries for
 * `ConfigurationPolicyAssociationIdentifiers` - the parameter says only "Type: Array of
 * ConfigurationPolicyAssociation objects. Required: Yes", with no "Array Members" limit:
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchGetConfigurationPolicyAssociations.html
 * Hence a configurable group size (default 50) and, should the service still reject a
 * group as too large (InvalidInputException), splitting it in halves down to single targets.
 *
 * The units: association-answers.ts maps answers, adaptive-pacer.ts paces, target-ledger.ts
 * tracks per-target results, group-sender.ts sends and splits one group, and
 * association-fan-out.ts runs the (streamed) first pass and the re-drive rounds.
 */
import type { FetchResult } from '../model';
import { AssociationFanOut } from './association-fan-out';
import type { FetchDeps, FetchOptions, FetchTarget } from './fetch-types';

export { SecurityHubFetchError } from './call-errors';
export type { FetchDeps, FetchOptions, FetchTarget } from './fetch-types';

/**
 * Fetches the configuration policy association of every target.
 *
 * Every requested (de-duplicated) target ends up in exactly one of `associations` or
 * `unprocessed`, or in neither when the service's latest answer for it mentioned it in
 * neither list (the caller reports that as MISSING). Targets never sent because the
 * deadline came first are unprocessed with errorCode `DEADLINE_EXCEEDED`.
 *
 * @throws SecurityHubFetchError when the service answers AccessDeniedException or
 *   InvalidAccessException to the call itself: this account is not allowed to read
 *   associations, normally because it is not the Security Hub delegated administrator (or
 *   this is not the home Region).
 */
export async function fetchAssociations(
  targets: readonly FetchTarget[],
  deps: FetchDeps,
  options: FetchOptions,
): Promise<FetchResult> {
  const fanOut = new AssociationFanOut(deps, options);
  fanOut.add(targets);
  return await fanOut.finish();
}
