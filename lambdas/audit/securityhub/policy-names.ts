/**
 * Configuration policy names, so people read "Production baseline" next to a UUID. One
 * paged ListConfigurationPolicies per run, after the fan-out (so it never competes with it
 * for the Security Hub quota), paced by its own bucket at the same rate. Names come from
 * outside: entries without a UUID id or with an over-long name are left out, and every
 * renderer escapes what it shows.
 */
import { ListConfigurationPoliciesCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Clock, Sleep } from '../model';
import { POLICY_ID_PATTERN } from '../drift/baseline';
import { TokenBucket } from '../util/token-bucket';
import { AuditError } from '../errors';

/** The documented MaxResults of ListConfigurationPolicies (1-100, botocore model). */
const PAGE_SIZE = 100;
/**
 * Pages read at most: far above any account's policies (a delegated administrator has at
 * most 100 configuration policies per Region, Security Hub quotas), so a service that keeps
 * returning a NextToken cannot hold the run.
 */
const MAX_PAGES = 20;
/** Longest name kept; Security Hub's own limit is 128 characters. */
const MAX_POLICY_NAME = 256;

/** How the listing is paced: the run's Security Hub rate, and its clock. */
export interface PolicyNamesDeps {
  readonly client: SecurityHubClient;
  readonly requestsPerSecond: number;
  readonly burst: number;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /**
   * Epoch ms by which the listing gives up (names are worth less than the report, which is
   * written after it): no page starts after it, and a page under way is aborted at it.
   */
  readonly deadline: number;
}

/**
 * Lower-case policy id → name, for every valid entry of every page.
 * @throws when a call fails or the deadline comes first (the caller keeps the ids alone).
 */
export async function listPolicyNames(deps: PolicyNamesDeps): Promise<ReadonlyMap<string, string>> {
  const { client, clock, sleep } = deps;
  const bucket = new TokenBucket({ ratePerSecond: deps.requestsPerSecond, burst: deps.burst, clock, sleep });
  const names = new Map<string, string>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    await bucket.take();
    const left = deps.deadline - clock.now();
    if (left <= 0) throw new AuditError('TRANSIENT', 'the deadline came before the policies were listed');
    const answer = await client.send(
      new ListConfigurationPoliciesCommand({ MaxResults: PAGE_SIZE, NextToken: nextToken }),
      { abortSignal: AbortSignal.timeout(left) },
    );
    for (const { Id, Name } of answer.ConfigurationPolicySummaries ?? []) {
      if (typeof Id !== 'string' || !POLICY_ID_PATTERN.test(Id)) continue;
      if (typeof Name !== 'string' || Name.length === 0 || Name.length > MAX_POLICY_NAME) continue;
      names.set(Id.toLowerCase(), Name);
    }
    nextToken = answer.NextToken === '' ? undefined : answer.NextToken;
    if (nextToken === undefined) return names;
  }
  return names;
}
