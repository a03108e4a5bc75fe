/**
 * Reconciles the audit's findings with Security Hub: reads its ACTIVE findings
 * (GetFindings, on a bucket of its own), selects what to send (`selectFindings`), and
 * sends it with BatchImportFindings, within its documented
 * limits: at most 100 findings and 6 MB per call, 240 KB per finding, and a request rate
 * paced by the same token bucket the fan-out uses (BatchImportFindings: 10 requests/s,
 * burst 30 per account and Region; "Guidelines for using the BatchImportFindings API").
 *
 * Retries in layers: the SDK retries throttling and 5xx of a call; entries the service
 * returns in FailedFindings are sent again with full-jitter backoff, a bounded number of
 * times, unless their error cannot change on a retry. Publishing never throws: what could
 * not be sent is counted, so a findings failure can never fail the audit or lose its
 * report (the caller publishes after the report is written).
 */
import {
  BatchImportFindingsCommand,
  type AwsSecurityFinding,
  type BatchImportFindingsResponse,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { AssociationRow } from '../report/rows';
import type { Clock, Sleep } from '../model';
import { fullJitterDelay, type BackoffOptions } from '../util/backoff';
import { displaySafe } from '../util/display-text';
import type { TokenBucket } from '../util/token-bucket';
import type { ActiveFindingsRead } from '../types/findings';
import { ASFF_LIMITS, findingId, productArn, type FindingContext } from './asff-finding';
import { MAX_FILTER_VALUES, readActiveFindings } from './read-active-findings';
import { selectFindings } from './select-findings';

/** "Security Hub CSPM accepts up to 100 findings per batch ... and up to 6 MB per batch." */
const MAX_FINDINGS_PER_CALL = 100;
const MAX_BYTES_PER_CALL = 6 * 1024 * 1024;

/** Collaborators, injected so tests never wait. */
export interface PublishFindingsDeps {
  readonly client: Pick<SecurityHubClient, 'send'>;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
  /** Paces the BatchImportFindings calls; shared with nothing else while findings are sent. */
  readonly bucket: Pick<TokenBucket, 'take' | 'backOff' | 'recover'>;
  /** Paces the GetFindings calls, at that operation's own, lower quota. */
  readonly readBucket: Pick<TokenBucket, 'take' | 'backOff' | 'recover'>;
}

/** What to publish. */
export interface PublishFindingsInput extends FindingContext {
  readonly rows: readonly AssociationRow[];
  /**
   * The previous run's rows when trusted, else `null`: archive candidates only when
   * Security Hub could not be read in full.
   */
  readonly previous: readonly AssociationRow[] | null;
  /** False when the walk rejected entries: targets missing from `rows` are then not known to be gone. */
  readonly walkComplete?: boolean;
  /** Targets whose findings may be archived (a re-check's); absent: all (a full run). See `SelectionInput.scope`. */
  readonly scope?: ReadonlySet<string>;
  /** Epoch ms the run began reading the organization; see `SelectionInput.observedSince`. */
  readonly observedSince?: number;
  /** Sends of one finding, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** Backoff between re-sends of failed findings. Default base 500 ms, ceiling 8 s. */
  readonly backoff?: BackoffOptions;
  /** Epoch ms on `clock` after which nothing more is sent; the rest counts as failed. */
  readonly deadline?: number;
}

/** One finding that could not be published, for the log. */
interface FindingFailure {
  readonly id: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** The outcome; `published + failed` is the number of findings selected. */
export interface PublishFindingsResult {
  readonly published: number;
  readonly failed: number;
  /** ACTIVE findings among those selected (drifted targets). */
  readonly active: number;
  /** ARCHIVED findings among those selected (targets no longer drifted). */
  readonly archived: number;
  /** BatchImportFindings calls. */
  readonly apiCalls: number;
  /** The first few failures, escaped and bounded. */
  readonly failures: readonly FindingFailure[];
  /** How reading the ACTIVE findings went (findings and calls counted, not listed). */
  readonly read: Omit<ActiveFindingsRead, 'findings'> & { readonly found: number };
}

const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 8_000 };
const MAX_FAILURES_KEPT = 10;
/** Error codes asking again cannot change: the finding itself, or the account, is refused. */
const TERMINAL_ERROR = /invalid|denied|access|notfound|not found/i;
/** A whole call refused for the account: no later call can succeed either. */
const TERMINAL_CALL_ERRORS = new Set(['AccessDeniedException', 'InvalidAccessException', 'ResourceNotFoundException']);

const byteLength = (finding: AwsSecurityFinding): number => Buffer.byteLength(JSON.stringify(finding), 'utf8');

/** Groups of at most 100 findings and 6 MB (with room for the request envelope). */
function batches(findings: readonly { finding: AwsSecurityFinding; bytes: number }[]): AwsSecurityFinding[][] {
  const out: AwsSecurityFinding[][] = [];
  let current: AwsSecurityFinding[] = [];
  let bytes = 0;
  for (const { finding, bytes: size } of findings) {
    if (current.length === MAX_FINDINGS_PER_CALL || bytes + size + 1024 > MAX_BYTES_PER_CALL) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(finding);
    bytes += size + 1;
  }
  if (current.length > 0) out.push(current);
  return out;
}

class Tally {
  published = 0;
  failed = 0;
  apiCalls = 0;
  readonly failures: FindingFailure[] = [];

  fail(id: string, errorCode: string, errorMessage: string): void {
    this.failed += 1;
    if (this.failures.length < MAX_FAILURES_KEPT) {
      this.failures.push({
        id: displaySafe(id, 200),
        errorCode: displaySafe(errorCode, 60),
        errorMessage: displaySafe(errorMessage, 200),
      });
    }
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/** A small scope's finding ids, to read only theirs; nothing for a full run or a scope too large for one filter. */
function scopedIds(scope: ReadonlySet<string> | undefined): { ids?: string[] } {
  if (scope === undefined || scope.size > MAX_FILTER_VALUES) return {};
  return { ids: [...scope].map(findingId) };
}

/**
 * Reads the ACTIVE findings, selects the run's findings and imports them. Never throws;
 * every selected finding ends up counted as published or failed.
 */
export async function publishFindings(
  deps: PublishFindingsDeps,
  input: PublishFindingsInput,
): Promise<PublishFindingsResult> {
  const stored = await readActiveFindings(
    { client: deps.client, clock: deps.clock, bucket: deps.readBucket },
    { productArn: productArn(input), deadline: input.deadline, ...scopedIds(input.scope) },
  );
  const sentAt = new Date(deps.clock.now()).toISOString();
  const selected = selectFindings(
    {
      rows: input.rows,
      stored,
      previous: input.previous,
      walkComplete: input.walkComplete ?? true,
      ...(input.scope === undefined ? {} : { scope: input.scope }),
      ...(input.observedSince === undefined ? {} : { observedSince: input.observedSince }),
    },
    { ...input, sentAt },
  );
  const tally = new Tally();
  const sized = selected.findings.map((finding) => ({ finding, bytes: byteLength(finding) }));
  const sendable = sized.filter(({ finding, bytes }) => {
    if (bytes <= ASFF_LIMITS.findingBytes) return true;
    tally.fail(finding.Id ?? '', 'FindingTooLarge', `${bytes} bytes, over the 240 KB a finding may have`);
    return false;
  });
  let stopped: string | null = null;
  for (const batch of batches(sendable)) {
    if (stopped === null) stopped = await sendBatch(deps, input, batch, tally);
    else for (const f of batch) tally.fail(f.Id ?? '', 'NotSent', stopped);
  }
  const { findings, ...read } = stored;
  return {
    published: tally.published,
    failed: tally.failed,
    active: selected.active,
    archived: selected.archived,
    apiCalls: tally.apiCalls,
    failures: tally.failures,
    read: { ...read, found: findings.length },
  };
}

/** A count from the service: a non-negative integer, else `null`. */
function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Settles one answer: counts the findings that passed and those that failed for good,
 * and returns those to send again. FailedCount is honoured: failures the service counts
 * but does not name (no Id, or an Id not sent) make every finding not named as failed
 * uncertain; they are sent again (an import already applied is ignored: same UpdatedAt),
 * and on the last attempt the unnamed failures are counted as failed.
 */
function settle(
  pending: readonly AwsSecurityFinding[],
  out: BatchImportFindingsResponse,
  lastAttempt: boolean,
  tally: Tally,
): AwsSecurityFinding[] {
  const listed = Array.isArray(out.FailedFindings) ? out.FailedFindings : [];
  const sentIds = new Set(pending.map((f) => f.Id ?? ''));
  const named = new Map(listed.filter((f) => typeof f.Id === 'string' && sentIds.has(f.Id)).map((f) => [f.Id!, f]));
  const successes = count(out.SuccessCount);
  const reported = Math.max(
    count(out.FailedCount) ?? 0,
    listed.length,
    successes === null ? 0 : pending.length - successes,
  );
  const unnamed = Math.max(0, reported - named.size);
  const retry: AwsSecurityFinding[] = [];
  const uncertain: AwsSecurityFinding[] = [];
  for (const finding of pending) {
    const failure = named.get(finding.Id ?? '');
    if (failure === undefined) uncertain.push(finding);
    else if (!lastAttempt && !TERMINAL_ERROR.test(failure.ErrorCode ?? '')) retry.push(finding);
    else tally.fail(finding.Id ?? '', failure.ErrorCode ?? 'Unknown', failure.ErrorMessage ?? '');
  }
  if (unnamed === 0) tally.published += uncertain.length;
  else if (!lastAttempt) retry.push(...uncertain);
  else {
    const lost = Math.min(unnamed, uncertain.length);
    tally.published += uncertain.length - lost;
    for (let i = 0; i < lost; i += 1)
      tally.fail('', 'UnnamedFailure', 'FailedCount counts a failure FailedFindings does not name');
  }
  return retry;
}

/**
 * Sends one batch, re-sending its failed findings with backoff. Returns why publishing
 * must stop (deadline, or a refusal of the whole API), or `null` to go on.
 */
async function sendBatch(
  deps: PublishFindingsDeps,
  input: PublishFindingsInput,
  batch: readonly AwsSecurityFinding[],
  tally: Tally,
): Promise<string | null> {
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  let pending = batch;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await deps.sleep(fullJitterDelay(attempt - 1, input.backoff ?? DEFAULT_BACKOFF, deps.random));
    await deps.bucket.take();
    if (input.deadline !== undefined && deps.clock.now() > input.deadline) {
      for (const f of pending) tally.fail(f.Id ?? '', 'DeadlineExceeded', 'the run deadline came first');
      return 'the run deadline came first';
    }
    let out: BatchImportFindingsResponse;
    try {
      tally.apiCalls += 1;
      out = await deps.client.send(new BatchImportFindingsCommand({ Findings: [...pending] }));
      deps.bucket.recover();
    } catch (error) {
      // The SDK already retried throttling and 5xx; the whole batch failed.
      const name = errorName(error);
      if (name === 'LimitExceededException' || name === 'ThrottlingException') deps.bucket.backOff();
      const message = error instanceof Error ? error.message : String(error);
      for (const f of pending) tally.fail(f.Id ?? '', name, message);
      return TERMINAL_CALL_ERRORS.has(name) ? `BatchImportFindings refused: ${name}` : null;
    }
    if (typeof out !== 'object' || out === null) {
      // An answer that is no object says nothing about any finding: all failed, as a failed call.
      for (const f of pending) tally.fail(f.Id ?? '', 'MalformedAnswer', 'BatchImportFindings answered with no object');
      return null;
    }
    pending = settle(pending, out, attempt + 1 >= maxAttempts, tally);
  }
  return null;
}
