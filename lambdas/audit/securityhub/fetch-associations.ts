/**
 * The Security Hub fan-out: BatchGetConfigurationPolicyAssociations for every target,
 * in groups, paced by a token bucket, with bounded concurrency, splitting groups the
 * service rejects as invalid and re-driving retryable unprocessed entries with backoff
 * until the work is done, the rounds run out or the deadline comes.
 *
 * Batch size: the API reference documents no maximum number of entries for
 * `ConfigurationPolicyAssociationIdentifiers` - the parameter says only "Type: Array of
 * ConfigurationPolicyAssociation objects. Required: Yes", with no "Array Members" limit:
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchGetConfigurationPolicyAssociations.html
 * Hence a configurable group size (default 50) and, should the service still reject a
 * group as too large (InvalidInputException), splitting it in halves down to single targets.
 */
import {
  BatchGetConfigurationPolicyAssociationsCommand,
  type ConfigurationPolicyAssociation,
  type ConfigurationPolicyAssociationSummary,
  type SecurityHubClient,
  type UnprocessedConfigurationPolicyAssociation,
} from '@aws-sdk/client-securityhub';
import { countFromNow, isThrottlingError, type RequestCounter } from '../aws/request-counter';
import { quoteUntrustedId } from '../target-ids';
import type {
  Association,
  AssociationStatus,
  AssociationType,
  Clock,
  FetchResult,
  OrgTarget,
  Sleep,
  UnprocessedTarget,
} from '../model';
import { fullJitterDelay } from '../util/backoff';
import { mapConcurrent } from '../util/map-concurrent';
import { TokenBucket } from '../util/token-bucket';
import { DEADLINE_EXCEEDED, isRetryableErrorCode, MALFORMED_RESPONSE } from './unprocessed-errors';

/** A target as the fan-out needs it. */
export type FetchTarget = Pick<OrgTarget, 'id' | 'type'>;

/** Collaborators of {@link fetchAssociations}, injected so tests control time and randomness. */
export interface FetchDeps {
  readonly client: SecurityHubClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Jitter source for re-drive backoff, [0, 1); default Math.random. */
  readonly random?: () => number;
  /** Epoch ms: at or after it no request is sent and no re-drive round (or its sleep) starts. */
  readonly deadline: number;
  /** The Security Hub client's per-attempt counter; makes `apiCalls` include SDK retries. */
  readonly requestCounter?: RequestCounter;
  /** Called after each group: targets with an outcome so far (any of the three), of `total`. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Tuning of {@link fetchAssociations}. */
export interface FetchOptions {
  /** Targets per BatchGet call. */
  readonly groupSize: number;
  /** BatchGet calls in flight at once. */
  readonly concurrency: number;
  /** Token bucket refill rate. */
  readonly requestsPerSecond: number;
  /** Token bucket capacity. */
  readonly burst: number;
  /** Re-drive rounds after the first pass. */
  readonly maxRedriveAttempts: number;
  /** Full-jitter backoff base before re-drive round 1 (doubles per round). */
  readonly baseDelayMs: number;
  /** Cap of the backoff ceiling. */
  readonly maxDelayMs: number;
}

/**
 * The whole BatchGet API was refused: the caller is not allowed to read configuration
 * policy associations at all, so no partial report would be meaningful.
 */
export class SecurityHubFetchError extends Error {
  override readonly name = 'SecurityHubFetchError';

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

interface TargetState {
  readonly target: FetchTarget;
  /** BatchGet calls that asked for this target. */
  attempts: number;
}

interface GroupOutcome {
  /** Ids that came back unprocessed with a retryable code (or whose call failed retryably). */
  readonly retry: readonly string[];
  /** The service answered a call for exactly this group (it was not rejected, split or skipped). */
  readonly accepted: boolean;
}

const NOT_SENT: GroupOutcome = { retry: [], accepted: false };

const ASSOCIATION_TYPES: ReadonlySet<string> = new Set<AssociationType>(['APPLIED', 'INHERITED']);
const ASSOCIATION_STATUSES: ReadonlySet<string> = new Set<AssociationStatus>(['SUCCESS', 'PENDING', 'FAILED']);

function toIdentifier(target: FetchTarget): ConfigurationPolicyAssociation {
  switch (target.type) {
    case 'ACCOUNT':
      return { Target: { AccountId: target.id } };
    case 'ORGANIZATIONAL_UNIT':
      return { Target: { OrganizationalUnitId: target.id } };
    case 'ROOT':
      return { Target: { RootId: target.id } };
  }
}

function targetIdOf(entry: UnprocessedConfigurationPolicyAssociation): string | undefined {
  const target = entry.ConfigurationPolicyAssociationIdentifiers?.Target;
  return target?.AccountId ?? target?.OrganizationalUnitId ?? target?.RootId;
}

function toIsoString(value: unknown): string | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date !== null && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

/** A summary field value as an error reason shows it: quoted and bounded, or `absent`. */
const shown = (value: unknown): string => (value === undefined ? 'absent' : quoteUntrustedId(value));

/**
 * Why a summary cannot be read as the association of `target`, or `null` when it can.
 * A missing or unknown AssociationType/AssociationStatus, a missing policy id, or a
 * TargetType other than the one asked for would each make any verdict a guess.
 */
function malformation(target: FetchTarget, summary: ConfigurationPolicyAssociationSummary): string | null {
  const problems: string[] = [];
  if (summary.AssociationStatus === undefined || !ASSOCIATION_STATUSES.has(summary.AssociationStatus)) {
    problems.push(`AssociationStatus ${shown(summary.AssociationStatus)}`);
  }
  if (summary.AssociationType === undefined || !ASSOCIATION_TYPES.has(summary.AssociationType)) {
    problems.push(`AssociationType ${shown(summary.AssociationType)}`);
  }
  if (typeof summary.ConfigurationPolicyId !== 'string' || summary.ConfigurationPolicyId === '') {
    problems.push(`ConfigurationPolicyId ${shown(summary.ConfigurationPolicyId)}`);
  }
  if (summary.TargetType !== undefined && summary.TargetType !== target.type) {
    problems.push(`TargetType ${shown(summary.TargetType)} for a target asked for as ${target.type}`);
  }
  return problems.length === 0 ? null : `Unreadable association: ${problems.join(', ')}`;
}

function toAssociation(targetId: string, summary: ConfigurationPolicyAssociationSummary): Association {
  return {
    targetId,
    configurationPolicyId: summary.ConfigurationPolicyId ?? null,
    associationType: summary.AssociationType!,
    associationStatus: summary.AssociationStatus!,
    associationStatusMessage: summary.AssociationStatusMessage ?? null,
    updatedAt: toIsoString(summary.UpdatedAt),
  };
}

function errorName(error: unknown): string {
  if (error instanceof Error && error.name) return error.name;
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return 'UnknownError';
}

function errorMessage(error: unknown): string | null {
  if (error instanceof Error) return error.message || null;
  return error === undefined || error === null ? null : String(error);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function validate(options: FetchOptions): void {
  const positiveInts: (keyof FetchOptions)[] = ['groupSize', 'concurrency', 'burst'];
  for (const key of positiveInts) {
    if (!Number.isInteger(options[key]) || options[key] < 1) {
      throw new RangeError(`${key} must be a positive integer, got ${options[key]}`);
    }
  }
  if (!Number.isInteger(options.maxRedriveAttempts) || options.maxRedriveAttempts < 0) {
    throw new RangeError(`maxRedriveAttempts must be a non-negative integer, got ${options.maxRedriveAttempts}`);
  }
  if (!(options.requestsPerSecond > 0)) {
    throw new RangeError(`requestsPerSecond must be positive, got ${options.requestsPerSecond}`);
  }
  if (!(options.baseDelayMs >= 0) || !(options.maxDelayMs >= 0)) {
    throw new RangeError('baseDelayMs and maxDelayMs must be non-negative');
  }
}

/**
 * Fetches the configuration policy association of every target.
 *
 * Every requested (de-duplicated) target ends up in exactly one of `associations` or
 * `unprocessed`, or in neither when the service's latest answer for it mentioned it in
 * neither list (the caller reports that as MISSING). Targets never sent because the
 * deadline came first are unprocessed with errorCode `DEADLINE_EXCEEDED`.
 *
 * @throws SecurityHubFetchError when the service answers AccessDeniedException to the call
 *   itself: this account is not allowed to read associations, normally because it is not
 *   the Security Hub delegated administrator (or this is not the home Region).
 */
export async function fetchAssociations(
  targets: readonly FetchTarget[],
  deps: FetchDeps,
  options: FetchOptions,
): Promise<FetchResult> {
  validate(options);
  const { client, clock, sleep, deadline, requestCounter } = deps;
  const random = deps.random ?? Math.random;
  const bucket = new TokenBucket({
    ratePerSecond: options.requestsPerSecond,
    burst: options.burst,
    clock,
    sleep,
  });

  // First occurrence wins; a target asked for twice would otherwise be counted twice.
  const states = new Map<string, TargetState>();
  for (const target of targets) {
    if (!states.has(target.id)) states.set(target.id, { target, attempts: 0 });
  }
  const total = states.size;

  const associations = new Map<string, Association>();
  const unprocessed = new Map<string, UnprocessedTarget>();
  /** Targets that have had an outcome at least once, for progress reporting. */
  const settled = new Set<string>();
  const counted = countFromNow(requestCounter);
  let sends = 0;
  let splitGroups = 0;
  let redriveAttempts = 0;
  let deadlineReached = false;
  let fatal: unknown;
  /**
   * Learned group size limit. When a rejected group's two halves are both accepted, the
   * rejection was about size (a bad target would have failed one half), so later groups
   * are cut to that size up front instead of each paying for the same rejections.
   */
  let groupSizeLimit = options.groupSize;

  const pastDeadline = (): boolean => clock.now() >= deadline;

  /**
   * Feeds the bucket's back-off: a call is throttled when it failed with a throttling
   * error, or when the request counter saw throttled attempts (SDK retries inside the call)
   * since the last call ended. A `429` on a single unprocessed entry is not the request
   * rate: those entries have their own re-drive backoff, and slowing every call for them
   * would stretch the whole fan-out.
   */
  let throttlesSeen = 0;
  /** Back-offs so far. A call sent before the latest one was already paid for by it. */
  let backOffs = 0;
  const pace = (throttled: boolean, sentAfterBackOffs: number): void => {
    const seen = counted().throttledRequests;
    if (throttled || seen > throttlesSeen) {
      // Calls in flight together are one throttling episode: halve the rate once for it.
      if (sentAfterBackOffs === backOffs) {
        bucket.backOff();
        backOffs += 1;
      }
    } else {
      bucket.recover();
    }
    throttlesSeen = seen;
  };

  const markUnprocessed = (id: string, errorCode: string | null, errorReason: string | null): void => {
    associations.delete(id);
    unprocessed.set(id, { targetId: id, errorCode, errorReason, attempts: states.get(id)?.attempts ?? 0 });
  };

  /** Targets of a group that was never sent keep what they knew, or get DEADLINE_EXCEEDED. */
  const markNotSent = (group: readonly TargetState[]): void => {
    deadlineReached = true;
    for (const state of group) {
      // A re-driven target keeps its last real error: more useful than "deadline".
      if (!unprocessed.has(state.target.id) && !associations.has(state.target.id)) {
        markUnprocessed(state.target.id, DEADLINE_EXCEEDED, 'Not requested: the run deadline came first');
      }
    }
  };

  const applyResponse = (
    group: readonly TargetState[],
    found: readonly ConfigurationPolicyAssociationSummary[],
    notProcessed: readonly UnprocessedConfigurationPolicyAssociation[],
  ): string[] => {
    const inGroup = new Map(group.map((s) => [s.target.id, s.target]));
    const retry: string[] = [];
    const resolved = new Set<string>();
    for (const summary of found) {
      const id = summary.TargetId;
      const target = id === undefined ? undefined : inGroup.get(id);
      // Only targets we asked for in this call: anything else cannot be attributed safely.
      if (id === undefined || target === undefined || resolved.has(id)) continue;
      resolved.add(id);
      const problem = malformation(target, summary);
      if (problem !== null) {
        markUnprocessed(id, MALFORMED_RESPONSE, problem);
        continue;
      }
      unprocessed.delete(id);
      associations.set(id, toAssociation(id, summary));
    }
    for (const entry of notProcessed) {
      const id = targetIdOf(entry);
      // An association for the same target in the same answer wins over the error.
      if (id === undefined || !inGroup.has(id) || resolved.has(id)) continue;
      resolved.add(id);
      markUnprocessed(id, entry.ErrorCode ?? null, entry.ErrorReason ?? null);
      if (isRetryableErrorCode(entry.ErrorCode)) retry.push(id);
    }
    for (const id of inGroup.keys()) {
      // The latest answer did not mention it: neither found nor unprocessed (MISSING).
      if (!resolved.has(id)) {
        associations.delete(id);
        unprocessed.delete(id);
      }
    }
    return retry;
  };

  const reportProgress = (group: readonly TargetState[]): void => {
    for (const state of group) settled.add(state.target.id);
    deps.onProgress?.(settled.size, total);
  };

  const sendGroup = async (group: readonly TargetState[]): Promise<GroupOutcome> => {
    if (fatal !== undefined) return NOT_SENT;
    if (group.length > groupSizeLimit) {
      const retry: string[] = [];
      for (const part of chunk(group, groupSizeLimit)) retry.push(...(await sendGroup(part)).retry);
      return { retry, accepted: false };
    }
    if (pastDeadline()) {
      markNotSent(group);
      reportProgress(group);
      return NOT_SENT;
    }
    await bucket.take();
    // Waiting for a token may itself have run past the deadline.
    if (pastDeadline()) {
      markNotSent(group);
      reportProgress(group);
      return NOT_SENT;
    }
    if (fatal !== undefined) return NOT_SENT;

    for (const state of group) state.attempts += 1;
    sends += 1;
    const sentAfterBackOffs = backOffs;
    try {
      const output = await client.send(
        new BatchGetConfigurationPolicyAssociationsCommand({
          ConfigurationPolicyAssociationIdentifiers: group.map((s) => toIdentifier(s.target)),
        }),
      );
      const notProcessed = output.UnprocessedConfigurationPolicyAssociations ?? [];
      const retry = applyResponse(group, output.ConfigurationPolicyAssociations ?? [], notProcessed);
      pace(false, sentAfterBackOffs);
      reportProgress(group);
      return { retry, accepted: true };
    } catch (error) {
      const name = errorName(error);
      pace(isThrottlingError(error), sentAfterBackOffs);
      // Refusals of the whole API, not of a target: InvalidAccessException is Security Hub's
      // answer when it is not enabled (or not administered) in this account and Region.
      // Reporting every target UNPROCESSED would page for the whole organization, so stop.
      if (name === 'AccessDeniedException' || name === 'InvalidAccessException') {
        fatal ??= new SecurityHubFetchError(
          `Security Hub refused BatchGetConfigurationPolicyAssociations with ${name}: ` +
            'this account is probably not the Security Hub delegated administrator, or this is not ' +
            'the home Region, or the role lacks securityhub:BatchGetConfigurationPolicyAssociations',
          { cause: error },
        );
        throw fatal;
      }
      if (name === 'InvalidInputException' && group.length > 1) {
        // Possibly "too many targets", possibly one bad target: halve and try both halves,
        // down to single targets, so every valid target still gets its answer.
        splitGroups += 1;
        const middle = Math.ceil(group.length / 2);
        const left = await sendGroup(group.slice(0, middle));
        const right = await sendGroup(group.slice(middle));
        if (left.accepted && right.accepted) groupSizeLimit = Math.min(groupSizeLimit, middle);
        return { retry: [...left.retry, ...right.retry], accepted: false };
      }
      // The SDK has already retried what it considers retryable; keep every target,
      // recording why, and let the re-drive rounds decide whether to try again.
      const retry: string[] = [];
      for (const state of group) {
        markUnprocessed(state.target.id, name, errorMessage(error));
        if (isRetryableErrorCode(name)) retry.push(state.target.id);
      }
      reportProgress(group);
      return { retry, accepted: false };
    }
  };

  const runRound = async (ids: readonly string[]): Promise<string[]> => {
    const groups = chunk(
      ids.map((id) => states.get(id)!),
      groupSizeLimit,
    );
    const outcomes = await mapConcurrent(groups, options.concurrency, sendGroup);
    return outcomes.flatMap((o) => o.retry);
  };

  let retry = await runRound([...states.keys()]);
  for (let round = 1; round <= options.maxRedriveAttempts && retry.length > 0; round += 1) {
    const delay = fullJitterDelay(round - 1, options, random);
    if (clock.now() + delay >= deadline) {
      deadlineReached = true;
      break;
    }
    await sleep(delay);
    if (clock.now() >= deadline) {
      // The process may have stalled during the sleep; a round that sends nothing is not counted.
      deadlineReached = true;
      break;
    }
    redriveAttempts += 1;
    // New groups: the retryable leftovers of many groups are packed together again.
    retry = await runRound([...new Set(retry)]);
  }

  return {
    associations,
    unprocessed,
    stats: {
      // Without a counter, only our own sends are known (SDK retries are invisible).
      apiCalls: requestCounter ? counted().requests : sends,
      throttledRequests: counted().throttledRequests,
      redriveAttempts,
      splitGroups,
      deadlineReached,
    },
  };
}
