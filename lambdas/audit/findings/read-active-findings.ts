/**
 * Reads the audit's own ACTIVE findings from Security Hub with GetFindings, so every run
 * reconciles with what Security Hub holds rather than with what the previous run meant
 * to send: a finding whose archive failed, was skipped by an untrusted history or by a
 * CLI run is still found here, and archived the next night.
 *
 * GetFindings has a quota of its own, lower than the rest of the API: "GetFindings -
 * RateLimit of 3 requests per second. BurstLimit of 6 requests per second." (Security Hub
 * API Reference, Welcome page; also the @aws-sdk/client-securityhub README). The caller
 * paces the calls on a bucket of their own, below it (see {@link GET_FINDINGS_PACE}).
 *
 * Everything returned is untrusted: only findings of this product and generator, ACTIVE,
 * with an id the audit builds for a well-formed target id are kept; timestamps that do
 * not parse are dropped. Never throws: a failed call ends the read as INCOMPLETE.
 */
import { GetFindingsCommand, type AwsSecurityFinding, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Clock, TargetType } from '../model';
import { isTargetIdOfType } from '../target-ids';
import type { ActiveFinding, ActiveFindingsRead } from '../types/findings';
import { displaySafe } from '../util/display-text';
import type { TokenBucket } from '../util/token-bucket';
import { GENERATOR_ID } from './asff-finding';

/**
 * Client-side pace for GetFindings: below its documented 3 requests/s, burst 6, since the
 * quota is per account and Region and shared with every other reader (consoles, SIEMs).
 */
export const GET_FINDINGS_PACE = { requestsPerSecond: 2, burst: 4 } as const;
/** GetFindings MaxResults: 1 to 100 (API Reference, GetFindings request). */
const GET_FINDINGS_PAGE_SIZE = 100;
/**
 * Values one GetFindings filter attribute takes at most: "You can filter by up to 10
 * finding attributes. For each attribute, you can provide up to 20 filter values."
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html)
 */
export const MAX_FILTER_VALUES = 20;
/** Pages read at most: 50,000 findings, far above any organization's targets. */
const DEFAULT_MAX_PAGES = 500;
/** The longest timestamp kept from a service answer (nanoseconds and an offset fit). */
const MAX_TIMESTAMP_LENGTH = 40;
/** An error text is kept only this long, escaped, for the log. */
const MAX_REASON = 200;

/** Collaborators, injected so tests never wait. */
export interface ReadActiveFindingsDeps {
  readonly client: Pick<SecurityHubClient, 'send'>;
  readonly clock: Clock;
  readonly bucket: Pick<TokenBucket, 'take' | 'backOff' | 'recover'>;
}

/** Which findings to read. */
export interface ReadActiveFindingsInput {
  /** The account's own default product ARN. */
  readonly productArn: string;
  /** Epoch ms on `clock` after which no call is made. */
  readonly deadline?: number;
  /** Default 500 pages. */
  readonly maxPages?: number;
  /**
   * Only these finding ids (at most {@link MAX_FILTER_VALUES}): a re-check of a few targets
   * reads their findings in one call instead of every page. Default: every finding.
   */
  readonly ids?: readonly string[];
}

const TARGET_TYPES_BY_SHAPE: readonly TargetType[] = ['ACCOUNT', 'ORGANIZATIONAL_UNIT', 'ROOT'];
const ID_PREFIX = `${GENERATOR_ID}/`;

/** An ISO 8601 timestamp that parses, bounded; otherwise `null`. */
function timestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_TIMESTAMP_LENGTH) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}

/** The finding as the audit's own ACTIVE finding, or `null` when it is not one. */
function activeFindingOf(f: AwsSecurityFinding, productArn: string): ActiveFinding | null {
  if (f.ProductArn !== productArn || f.GeneratorId !== GENERATOR_ID || f.RecordState !== 'ACTIVE') return null;
  if (typeof f.Id !== 'string' || !f.Id.startsWith(ID_PREFIX)) return null;
  const targetId = f.Id.slice(ID_PREFIX.length);
  const targetType = TARGET_TYPES_BY_SHAPE.find((type) => isTargetIdOfType(type, targetId));
  if (targetType === undefined) return null;
  return {
    id: f.Id,
    targetId,
    targetType,
    createdAt: timestamp(f.CreatedAt),
    updatedAt: timestamp(f.UpdatedAt),
    firstObservedAt: timestamp(f.FirstObservedAt),
    lastObservedAt: timestamp(f.LastObservedAt),
  };
}

function errorText(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return displaySafe(`GetFindings failed: ${name}: ${message}`, MAX_REASON);
}

/**
 * Reads every page of the audit's ACTIVE findings: filtered by product ARN, generator id
 * and RecordState ACTIVE, 100 per page. Never throws.
 */
export async function readActiveFindings(
  deps: ReadActiveFindingsDeps,
  input: ReadActiveFindingsInput,
): Promise<ActiveFindingsRead> {
  const byId = new Map<string, ActiveFinding>();
  const seenTokens = new Set<string>();
  let ignored = 0;
  let apiCalls = 0;
  let token: string | undefined;
  const done = (reason: string | null): ActiveFindingsRead => ({
    status: reason === null ? 'COMPLETE' : 'INCOMPLETE',
    findings: [...byId.values()],
    apiCalls,
    ignored,
    reason,
  });
  for (let page = 0; page < (input.maxPages ?? DEFAULT_MAX_PAGES); page += 1) {
    await deps.bucket.take();
    if (input.deadline !== undefined && deps.clock.now() > input.deadline) return done('the run deadline came first');
    let out: { Findings?: AwsSecurityFinding[]; NextToken?: string };
    try {
      apiCalls += 1;
      out = await deps.client.send(new GetFindingsCommand(request(input, token)));
      deps.bucket.recover();
    } catch (error) {
      if (error instanceof Error && /LimitExceeded|Throttl/.test(error.name)) deps.bucket.backOff();
      return done(errorText(error));
    }
    // An untrusted answer: anything but an object ends the read rather than the run.
    if (typeof out !== 'object' || out === null) return done('GetFindings answered with no object');
    for (const f of Array.isArray(out.Findings) ? out.Findings : []) {
      const active = typeof f === 'object' && f !== null ? activeFindingOf(f, input.productArn) : null;
      if (active === null || byId.has(active.id)) ignored += 1;
      else byId.set(active.id, active);
    }
    token = typeof out.NextToken === 'string' && out.NextToken !== '' ? out.NextToken : undefined;
    if (token === undefined) return done(null);
    if (seenTokens.has(token)) return done('GetFindings repeated a page token');
    seenTokens.add(token);
  }
  return done(`more than ${input.maxPages ?? DEFAULT_MAX_PAGES} pages of findings`);
}

function request(input: ReadActiveFindingsInput, nextToken: string | undefined) {
  const ids = input.ids?.slice(0, MAX_FILTER_VALUES);
  return {
    Filters: {
      ProductArn: [{ Value: input.productArn, Comparison: 'EQUALS' as const }],
      GeneratorId: [{ Value: GENERATOR_ID, Comparison: 'EQUALS' as const }],
      RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' as const }],
      ...(ids === undefined ? {} : { Id: ids.map((Value) => ({ Value, Comparison: 'EQUALS' as const })) }),
    },
    MaxResults: GET_FINDINGS_PAGE_SIZE,
    ...(nextToken === undefined ? {} : { NextToken: nextToken }),
  };
}
