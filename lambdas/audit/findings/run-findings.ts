/**
 * The audit's step after the report is written: publish the run's findings and say how
 * it went. Kept out of `runAudit` so the core only gains one call, and so a findings
 * failure can never reach the report: this never throws.
 */
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Clock, Sleep } from '../model';
import type { AssociationRow } from '../report/rows';
import { TokenBucket } from '../util/token-bucket';
import { publishFindings, type PublishFindingsResult } from './publish-findings';
import { GET_FINDINGS_PACE } from './read-active-findings';

/** Where the findings go: the account and Region the audit runs in (its own product). */
export interface FindingsDestination {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

/** Pattern of the account, Region and partition in a Lambda function ARN. */
const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:[\w-]+(?::[\w$-]+)?$/;

/**
 * The destination from the invoked function's ARN (`context.invokedFunctionArn`): the
 * function runs in the delegated administrator account and home Region, which is where
 * the findings belong. `null` when the ARN is not one.
 */
export function destinationOfFunctionArn(arn: string): FindingsDestination | null {
  const match = FUNCTION_ARN.exec(arn);
  return match ? { partition: match[1], region: match[2], accountId: match[3] } : null;
}

/** What {@link publishRunFindings} needs from the run. */
export interface RunFindingsInput {
  readonly destination: FindingsDestination;
  readonly rows: readonly AssociationRow[];
  readonly previous: readonly AssociationRow[] | null;
  /** False when the walk rejected entries (a missing target is then not known to be gone). */
  readonly walkComplete: boolean;
  readonly runId: string;
  readonly auditedAt: string;
  readonly reportKey: string;
  /** Client-side pacing, the same settings as the fan-out's (BatchImportFindings has its own 10/s quota). */
  readonly requestsPerSecond: number;
  readonly burst: number;
  /** Epoch ms on `clock` after which nothing more is sent. */
  readonly deadline: number;
  /** Epoch ms the run began reading the organization: findings a re-check updated since are not archived. @default none */
  readonly observedSince?: number;
}

/** Collaborators, as the audit has them. */
export interface RunFindingsDeps {
  readonly securityHub: SecurityHubClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
}

/**
 * Publishes the run's findings on buckets of their own: one for BatchImportFindings (the
 * fan-out's settings), one for GetFindings at its lower quota. Never throws.
 */
export async function publishRunFindings(
  deps: RunFindingsDeps,
  input: RunFindingsInput,
): Promise<PublishFindingsResult> {
  const bucket = new TokenBucket({
    ratePerSecond: input.requestsPerSecond,
    burst: input.burst,
    clock: deps.clock,
    sleep: deps.sleep,
  });
  const readBucket = new TokenBucket({
    ratePerSecond: GET_FINDINGS_PACE.requestsPerSecond,
    burst: GET_FINDINGS_PACE.burst,
    clock: deps.clock,
    sleep: deps.sleep,
  });
  return publishFindings(
    { client: deps.securityHub, clock: deps.clock, sleep: deps.sleep, random: deps.random, bucket, readBucket },
    { ...input.destination, ...input },
  );
}
