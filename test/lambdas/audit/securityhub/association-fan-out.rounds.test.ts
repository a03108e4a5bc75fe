import {
  AccessDeniedException,
  InvalidAccessException,
  BatchGetConfigurationPolicyAssociationsCommand,
  InternalException,
  InvalidInputException,
  LimitExceededException,
  ResourceNotFoundException,
  SecurityHubClient,
  type BatchGetConfigurationPolicyAssociationsCommandInput,
  type BatchGetConfigurationPolicyAssociationsCommandOutput,
  type ConfigurationPolicyAssociationSummary,
  type UnprocessedConfigurationPolicyAssociation,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { TargetType } from '../../../../lambdas/audit/model';
import type { FetchResult } from '../../../../lambdas/audit/model';
import { AssociationFanOut } from '../../../../lambdas/audit/securityhub/association-fan-out';
import type { FetchDeps, FetchOptions, FetchTarget } from '../../../../lambdas/audit/securityhub/fetch-types';
import { fakeTime } from '../../../support/fake-time';
import { SecurityHubFetchError } from '../../../../lambdas/audit/errors';
import { DEFAULT_TUNING } from '../../../support/default-tuning';

/** One fan-out over `targets`, all known up front: the first pass, then the re-drive rounds (bad options reject). */
async function fetchAssociations(
  targets: readonly FetchTarget[],
  deps: FetchDeps,
  options: FetchOptions,
): Promise<FetchResult> {
  const fanOut = new AssociationFanOut(deps, options);
  fanOut.add(targets);
  return await fanOut.finish();
}

/** The production defaults (config.ts DEFAULT_TUNING), as fan-out options. */
const BASE_OPTIONS: FetchOptions = {
  groupSize: DEFAULT_TUNING.batchGroupSize,
  concurrency: DEFAULT_TUNING.maxConcurrency,
  requestsPerSecond: DEFAULT_TUNING.securityHubRequestsPerSecond,
  burst: DEFAULT_TUNING.securityHubBurst,
  maxRedriveAttempts: DEFAULT_TUNING.redriveMaxAttempts,
  baseDelayMs: DEFAULT_TUNING.redriveBaseDelayMs,
  maxDelayMs: DEFAULT_TUNING.redriveMaxDelayMs,
};

const shMock = mockClient(SecurityHubClient);
const client = new SecurityHubClient({});

/** A random source returning the given values in order (then repeating the last). */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)];
}

/** Options that keep the token bucket out of the way unless a test is about it. */
const fast: FetchOptions = {
  ...BASE_OPTIONS,
  requestsPerSecond: 1_000_000,
  burst: 1_000_000,
};

function targets(n: number, type: TargetType = 'ACCOUNT', prefix = ''): FetchTarget[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(100000000000 + i)}`, type }));
}

function requestedIds(input: BatchGetConfigurationPolicyAssociationsCommandInput): string[] {
  return (input.ConfigurationPolicyAssociationIdentifiers ?? []).map((entry) => {
    const t = entry.Target!;
    return (t.AccountId ?? t.OrganizationalUnitId ?? t.RootId)!;
  });
}

const UPDATED_AT = new Date('2026-11-25T10:00:00.000Z');
/** The clock of every test: the day after UPDATED_AT, so UpdatedAt is within the clock-skew bound. */
const NOW = Date.parse('2026-11-26T02:00:00.000Z');

function found(
  id: string,
  extra: Partial<ConfigurationPolicyAssociationSummary> = {},
): ConfigurationPolicyAssociationSummary {
  return {
    TargetId: id,
    TargetType: id.startsWith('r-') ? 'ROOT' : id.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT',
    ConfigurationPolicyId: 'a1b2c3d4-5678-90ab-cdef-0123456789ab',
    AssociationType: 'INHERITED',
    AssociationStatus: 'SUCCESS',
    AssociationStatusMessage: 'ok',
    UpdatedAt: UPDATED_AT,
    ...extra,
  };
}

function unprocessedEntry(
  id: string,
  code: string,
  reason = `reason ${code}`,
): UnprocessedConfigurationPolicyAssociation {
  return {
    ConfigurationPolicyAssociationIdentifiers: { Target: { AccountId: id } },
    ErrorCode: code,
    ErrorReason: reason,
  };
}

type Answer = { kind: 'found' } | { kind: 'unprocessed'; code: string } | { kind: 'omit' };

/**
 * Serves BatchGet from a per-target decision (call number for that target, starting at 1).
 * Records the groups sent, in order.
 */
function serve(decide: (id: string, attempt: number) => Answer) {
  const groups: string[][] = [];
  const attempts = new Map<string, number>();
  shMock
    .on(BatchGetConfigurationPolicyAssociationsCommand)
    .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
      const ids = requestedIds(input);
      groups.push(ids);
      const out: Partial<BatchGetConfigurationPolicyAssociationsCommandOutput> = {
        ConfigurationPolicyAssociations: [],
        UnprocessedConfigurationPolicyAssociations: [],
      };
      for (const id of ids) {
        const n = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, n);
        const answer = decide(id, n);
        if (answer.kind === 'found') out.ConfigurationPolicyAssociations!.push(found(id));
        if (answer.kind === 'unprocessed')
          out.UnprocessedConfigurationPolicyAssociations!.push(unprocessedEntry(id, answer.code));
      }
      return out;
    });
  return { groups };
}

function deps(time: ReturnType<typeof fakeTime>, extra: Partial<FetchDeps> = {}): FetchDeps {
  return { client, clock: time.clock, sleep: time.sleep, deadline: time.now + 3_600_000, ...extra };
}

beforeEach(() => {
  shMock.reset();
});

describe('fetchAssociations: grouping and mapping', () => {
  it('splits targets into groups of groupSize with the right Target member per type', async () => {
    const time = fakeTime(NOW);
    const { groups } = serve(() => ({ kind: 'found' }));
    const all = [
      { id: 'r-ab12', type: 'ROOT' as const },
      { id: 'ou-ab12-11111111', type: 'ORGANIZATIONAL_UNIT' as const },
      ...targets(118),
    ];
    const result = await fetchAssociations(all, deps(time), { ...fast, concurrency: 1 });

    expect(groups.map((g) => g.length)).toEqual([50, 50, 20]);
    const firstInput = shMock.commandCalls(BatchGetConfigurationPolicyAssociationsCommand)[0].args[0].input;
    expect(firstInput.ConfigurationPolicyAssociationIdentifiers!.slice(0, 3)).toEqual([
      { Target: { RootId: 'r-ab12' } },
      { Target: { OrganizationalUnitId: 'ou-ab12-11111111' } },
      { Target: { AccountId: '100000000000' } },
    ]);
    expect(result.associations.size).toBe(120);
    expect(result.unprocessed.size).toBe(0);
    expect(result.stats).toEqual({
      apiCalls: 3,
      throttledRequests: 0,
      redriveAttempts: 0,
      splitGroups: 0,
      deadlineReached: false,
    });
    expect(time.sleeps).toEqual([]);
  });

  it('maps associations keyed by TargetId with UpdatedAt as an ISO string', async () => {
    const time = fakeTime(NOW);
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).resolves({
      ConfigurationPolicyAssociations: [
        found('111111111111', {
          AssociationType: 'APPLIED',
          AssociationStatus: 'PENDING',
          ConfigurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
        }),
        found('333333333333', { UpdatedAt: undefined, AssociationStatusMessage: undefined, TargetType: undefined }),
      ],
    });
    const result = await fetchAssociations(
      [
        { id: '111111111111', type: 'ACCOUNT' },
        { id: '333333333333', type: 'ACCOUNT' },
      ],
      deps(time),
      fast,
    );
    expect(result.associations.get('111111111111')).toEqual({
      targetId: '111111111111',
      configurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
      associationType: 'APPLIED',
      associationStatus: 'PENDING',
      associationStatusMessage: 'ok',
      updatedAt: '2026-11-25T10:00:00.000Z',
    });
    // Optional fields may be absent without making the answer unreadable.
    expect(result.associations.get('333333333333')).toMatchObject({ associationStatusMessage: null, updatedAt: null });
  });

  it('reports an answer it cannot read as UNPROCESSED MALFORMED_RESPONSE, says why, and does not ask again', async () => {
    const time = fakeTime(NOW);
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).resolves({
      ConfigurationPolicyAssociations: [
        found('100000000001', { AssociationType: 'SOMETHING_NEW' as never }),
        found('100000000002', { AssociationStatus: undefined }),
        found('100000000003', { AssociationStatus: 'DELETING' as never }),
        found('100000000004', { ConfigurationPolicyId: undefined }),
        found('100000000005', { TargetType: 'ORGANIZATION' as never }),
        found('100000000006', { TargetType: 'ROOT' }),
      ],
    });
    const asked = [1, 2, 3, 4, 5, 6].map((n) => ({ id: `10000000000${n}`, type: 'ACCOUNT' as const }));
    const result = await fetchAssociations(asked, deps(time), fast);

    expect(result.associations.size).toBe(0);
    const reasons = Object.fromEntries(
      [...result.unprocessed.values()].map((u) => [u.targetId, [u.errorCode, u.errorReason]]),
    );
    expect(reasons).toEqual({
      '100000000001': ['MALFORMED_RESPONSE', 'Unreadable association: AssociationType "SOMETHING_NEW"'],
      '100000000002': ['MALFORMED_RESPONSE', 'Unreadable association: AssociationStatus absent'],
      '100000000003': ['MALFORMED_RESPONSE', 'Unreadable association: AssociationStatus "DELETING"'],
      '100000000004': ['MALFORMED_RESPONSE', 'Unreadable association: ConfigurationPolicyId absent'],
      '100000000005': [
        'MALFORMED_RESPONSE',
        'Unreadable association: TargetType "ORGANIZATION" for a target asked for as ACCOUNT',
      ],
      '100000000006': [
        'MALFORMED_RESPONSE',
        'Unreadable association: TargetType "ROOT" for a target asked for as ACCOUNT',
      ],
    });
    expect(shMock.calls()).toHaveLength(1);
    expect(result.stats.redriveAttempts).toBe(0);
  });

  it('asks for each id once even when it is listed twice', async () => {
    const time = fakeTime(NOW);
    const { groups } = serve(() => ({ kind: 'found' }));
    const list = [...targets(3), ...targets(3)];
    const result = await fetchAssociations(list, deps(time), fast);
    expect(groups.flat().sort()).toEqual(targets(3).map((t) => t.id));
    expect(result.associations.size).toBe(3);
  });

  it('makes no call for no targets', async () => {
    const time = fakeTime(NOW);
    const result = await fetchAssociations([], deps(time), fast);
    expect(shMock.calls()).toHaveLength(0);
    expect(result.associations.size + result.unprocessed.size).toBe(0);
  });

  it('leaves a target the service did not mention in neither map (MISSING downstream)', async () => {
    const time = fakeTime(NOW);
    serve((id) => (id === '100000000001' ? { kind: 'omit' } : { kind: 'found' }));
    const result = await fetchAssociations(targets(3), deps(time), fast);
    expect(result.associations.has('100000000001')).toBe(false);
    expect(result.unprocessed.has('100000000001')).toBe(false);
    expect(result.associations.size).toBe(2);
  });

  it('ignores answers for targets it did not ask for, and makes a target with an association and an error not definite', async () => {
    const time = fakeTime(NOW);
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).resolves({
      ConfigurationPolicyAssociations: [found('100000000000'), found('999999999999')],
      UnprocessedConfigurationPolicyAssociations: [
        unprocessedEntry('100000000000', '500'),
        unprocessedEntry('888888888888', '500'),
      ],
    });
    const result = await fetchAssociations(targets(1), deps(time), fast);
    expect(result.associations.size).toBe(0);
    expect([...result.unprocessed.keys()]).toEqual(['100000000000']);
    expect(result.unprocessed.get('100000000000')?.errorCode).toBe('MALFORMED_RESPONSE');
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    const time = fakeTime(NOW);
    let inFlight = 0;
    let maxInFlight = 0;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake(async (input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise<void>((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return { ConfigurationPolicyAssociations: requestedIds(input).map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(100), deps(time), { ...fast, groupSize: 5, concurrency: 3 });
    expect(maxInFlight).toBe(3);
    expect(result.associations.size).toBe(100);
  });

  it('paces calls through the token bucket', async () => {
    const time = fakeTime(NOW);
    serve(() => ({ kind: 'found' }));
    await fetchAssociations(targets(60), deps(time), {
      ...BASE_OPTIONS,
      groupSize: 5,
      concurrency: 1,
      requestsPerSecond: 8,
      burst: 10,
    });
    // 12 calls: a burst of 10, then two more 125 ms apart.
    expect(time.sleeps).toEqual([125, 125]);
  });

  it('reports progress up to the total', async () => {
    const time = fakeTime(NOW);
    serve(() => ({ kind: 'found' }));
    const progress: [number, number][] = [];
    await fetchAssociations(targets(12), deps(time, { onProgress: (d, t) => progress.push([d, t]) }), {
      ...fast,
      groupSize: 5,
      concurrency: 1,
    });
    expect(progress).toEqual([
      [5, 12],
      [10, 12],
      [12, 12],
    ]);
  });

  it('rejects invalid options', async () => {
    const time = fakeTime(NOW);
    await expect(fetchAssociations(targets(1), deps(time), { ...fast, groupSize: 0 })).rejects.toThrow(RangeError);
    await expect(fetchAssociations(targets(1), deps(time), { ...fast, concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(fetchAssociations(targets(1), deps(time), { ...fast, maxRedriveAttempts: -1 })).rejects.toThrow(
      RangeError,
    );
    await expect(fetchAssociations(targets(1), deps(time), { ...fast, requestsPerSecond: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('fetchAssociations: splitting groups the service rejects', () => {
  it('halves groups rejected with InvalidInputException until they are accepted', async () => {
    const time = fakeTime(NOW);
    const sizes: number[] = [];
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        const ids = requestedIds(input);
        sizes.push(ids.length);
        if (ids.length > 12) throw new InvalidInputException({ message: 'Too many targets', $metadata: {} });
        return { ConfigurationPolicyAssociations: ids.map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(50), deps(time), { ...fast, concurrency: 1 });

    // 50 -> 25 -> 13 are rejected and halved; 7 and 6 are both accepted, so 7 is learned as
    // the limit and the remaining 12 and 25 are cut to 7 up front, without more rejections.
    expect(sizes).toEqual([50, 25, 13, 7, 6, 7, 5, 7, 7, 7, 4]);
    expect(result.stats.splitGroups).toBe(3);
    expect(result.stats.apiCalls).toBe(11);
    expect(result.associations.size).toBe(50);
    expect(result.unprocessed.size).toBe(0);
  });

  it('applies a learned size limit to later groups and re-drive rounds', async () => {
    const time = fakeTime(NOW);
    const sizes: number[] = [];
    let calls = 0;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        calls += 1;
        const ids = requestedIds(input);
        sizes.push(ids.length);
        if (ids.length > 17) throw new InvalidInputException({ message: 'Too many targets', $metadata: {} });
        // The very first accepted call leaves one target unprocessed, to be re-driven.
        if (calls === 3) {
          return {
            ConfigurationPolicyAssociations: ids.slice(1).map((id) => found(id)),
            UnprocessedConfigurationPolicyAssociations: [unprocessedEntry(ids[0], '429')],
          };
        }
        return { ConfigurationPolicyAssociations: ids.map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(100), deps(time, { random: () => 0 }), { ...fast, concurrency: 1 });

    // Learned 13 from the first 25 (13 + 12 both accepted); never rejected again.
    expect(sizes).toEqual([50, 25, 13, 12, 13, 12, 13, 13, 13, 11, 1]);
    expect(result.stats.splitGroups).toBe(2);
    expect(result.stats.redriveAttempts).toBe(1);
    expect(result.associations.size).toBe(100);
  });

  it('does not learn a limit from a group that failed because of one bad target', async () => {
    const time = fakeTime(NOW);
    const sizes: number[] = [];
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        const ids = requestedIds(input);
        sizes.push(ids.length);
        if (ids.includes('100000000000')) throw new InvalidInputException({ message: 'bad target', $metadata: {} });
        return { ConfigurationPolicyAssociations: ids.map((id) => found(id)) };
      });
    await fetchAssociations(targets(8), deps(time), { ...fast, groupSize: 4, concurrency: 1 });
    // [0-3] -> [0,1] -> [0] rejected, [1] ok; [2,3] ok; then [4-7] still goes as one group of 4.
    expect(sizes).toEqual([4, 2, 1, 1, 2, 4]);
  });

  it('splits down to a single target, which then stays unprocessed with the error and is not re-driven', async () => {
    const time = fakeTime(NOW);
    const sizes: number[] = [];
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        const ids = requestedIds(input);
        sizes.push(ids.length);
        if (ids.includes('100000000005'))
          throw new InvalidInputException({ message: 'Invalid target 100000000005', $metadata: {} });
        return { ConfigurationPolicyAssociations: ids.map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(8), deps(time, { random: () => 0.5 }), {
      ...fast,
      groupSize: 8,
      concurrency: 1,
    });

    // [0-3] passes; [4-7] -> [4,5] -> [4] passes, [5] fails alone; then [6,7] passes.
    expect(sizes).toEqual([8, 4, 4, 2, 1, 1, 2]);
    expect(result.stats.splitGroups).toBe(3);
    expect(result.associations.size).toBe(7);
    expect(result.unprocessed.get('100000000005')).toEqual({
      targetId: '100000000005',
      errorCode: 'InvalidInputException',
      errorReason: 'Invalid target 100000000005',
      attempts: 4,
    });
    expect(result.stats.redriveAttempts).toBe(0);
    expect(time.sleeps).toEqual([]);
  });
});

describe('fetchAssociations: isolating one bad target', () => {
  /** What the SDK throws when it cannot deserialize a 200 answer. */
  function unreadable(): Error {
    const error = new TypeError('Invalid RFC-3339 date-time value');
    Object.defineProperty(error, '$response', { value: { statusCode: 200 }, enumerable: false });
    return Object.assign(error, { $metadata: { httpStatusCode: 200 } });
  }

  it.each([
    ['ResourceNotFoundException', () => new ResourceNotFoundException({ message: 'gone', $metadata: {} })],
    ['an answer the SDK cannot read', unreadable],
  ])('splits a group failing whole with %s until the culprit is alone', async (_, failure) => {
    const time = fakeTime(NOW);
    const sizes: number[] = [];
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        const ids = requestedIds(input);
        sizes.push(ids.length);
        if (ids.includes('100000000005')) throw failure();
        return { ConfigurationPolicyAssociations: ids.map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(8), deps(time, { random: () => 0 }), {
      ...fast,
      groupSize: 8,
      concurrency: 1,
    });
    // [0-7] -> [0-3] ok, [4-7] -> [4,5] -> [4] ok, [5] alone; [6,7] ok. Nothing learned, nothing re-driven.
    expect(sizes).toEqual([8, 4, 4, 2, 1, 1, 2]);
    expect(result.associations.size).toBe(7);
    expect(result.stats.redriveAttempts).toBe(0);
    expect(time.sleeps).toEqual([]);
  });

  it('reports the single target whose answer cannot be read as MALFORMED_RESPONSE', async () => {
    const time = fakeTime(NOW);
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).rejects(unreadable());
    const result = await fetchAssociations(targets(1), deps(time), fast);
    expect(result.unprocessed.get('100000000000')).toEqual({
      targetId: '100000000000',
      errorCode: 'MALFORMED_RESPONSE',
      errorReason: 'Unreadable answer: Invalid RFC-3339 date-time value',
      attempts: 1,
    });
    expect(shMock.calls()).toHaveLength(1);
  });

  it('reports the single vanished target with ResourceNotFoundException and does not ask again', async () => {
    const time = fakeTime(NOW);
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .rejects(new ResourceNotFoundException({ message: 'Target not found', $metadata: {} }));
    const result = await fetchAssociations(targets(1), deps(time), fast);
    expect(result.unprocessed.get('100000000000')).toEqual({
      targetId: '100000000000',
      errorCode: 'ResourceNotFoundException',
      errorReason: 'Target not found',
      attempts: 1,
    });
    expect(shMock.calls()).toHaveLength(1);
  });

  it('treats an unprocessed ErrorCode 401 as terminal', async () => {
    const time = fakeTime(NOW);
    const { groups } = serve(() => ({ kind: 'unprocessed', code: '401' }));
    const result = await fetchAssociations(targets(2), deps(time), fast);
    expect(groups).toHaveLength(1);
    expect(result.unprocessed.get('100000000001')).toMatchObject({ errorCode: '401', attempts: 1 });
  });
});

describe('fetchAssociations: re-drive', () => {
  it('re-drives retryable entries in new groups after full-jitter backoff from the injected random', async () => {
    const time = fakeTime(NOW);
    const flaky = new Set(['100000000001', '100000000004', '100000000007']);
    const { groups } = serve((id, attempt) =>
      flaky.has(id) && attempt <= 2
        ? { kind: 'unprocessed', code: attempt === 1 ? '429' : 'LimitExceededException' }
        : { kind: 'found' },
    );
    const result = await fetchAssociations(targets(9), deps(time, { random: sequence(0.5, 0.75) }), {
      ...fast,
      groupSize: 3,
      concurrency: 1,
    });

    // Round 1 waits floor(0.5 * 1000), round 2 floor(0.75 * 2000).
    expect(time.sleeps).toEqual([500, 1500]);
    expect(groups).toEqual([
      ['100000000000', '100000000001', '100000000002'],
      ['100000000003', '100000000004', '100000000005'],
      ['100000000006', '100000000007', '100000000008'],
      ['100000000001', '100000000004', '100000000007'],
      ['100000000001', '100000000004', '100000000007'],
    ]);
    expect(result.associations.size).toBe(9);
    expect(result.unprocessed.size).toBe(0);
    expect(result.stats.redriveAttempts).toBe(2);
    expect(result.stats.deadlineReached).toBe(false);
  });

  it('caps the backoff ceiling at maxDelayMs and stops after maxRedriveAttempts rounds', async () => {
    const time = fakeTime(NOW);
    serve(() => ({ kind: 'unprocessed', code: '500' }));
    const result = await fetchAssociations(targets(2), deps(time, { random: () => 0.999 }), {
      ...fast,
      maxRedriveAttempts: 4,
      baseDelayMs: 1000,
      maxDelayMs: 5000,
    });
    expect(time.sleeps).toEqual([999, 1998, 3996, 4995]);
    expect(result.stats.redriveAttempts).toBe(4);
    expect(result.stats.deadlineReached).toBe(false);
    expect(result.unprocessed.get('100000000000')).toEqual({
      targetId: '100000000000',
      errorCode: '500',
      errorReason: 'reason 500',
      attempts: 5,
    });
  });

  it.each(['403', '404', '400', 'AccessDeniedException', 'ResourceNotFoundException', 'InvalidInputException'])(
    'does not retry terminal code %s',
    async (code) => {
      const time = fakeTime(NOW);
      const { groups } = serve((id) => (id === '100000000000' ? { kind: 'unprocessed', code } : { kind: 'found' }));
      const result = await fetchAssociations(targets(2), deps(time), fast);
      expect(groups).toHaveLength(1);
      expect(time.sleeps).toEqual([]);
      expect(result.unprocessed.get('100000000000')).toMatchObject({ errorCode: code, attempts: 1 });
      expect(result.stats.redriveAttempts).toBe(0);
    },
  );

  it('turns a whole-call failure after SDK retries into unprocessed targets and re-drives them', async () => {
    const time = fakeTime(NOW);
    let call = 0;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        call += 1;
        if (call === 1) throw new InternalException({ message: 'Internal failure', $metadata: {} });
        if (call === 2) throw new LimitExceededException({ message: 'Rate exceeded', $metadata: {} });
        return { ConfigurationPolicyAssociations: requestedIds(input).map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(3), deps(time, { random: () => 0 }), {
      ...fast,
      concurrency: 1,
    });
    expect(call).toBe(3);
    expect(result.associations.size).toBe(3);
    expect(result.stats.redriveAttempts).toBe(2);
    // Two zero backoffs (random 0), and after the throttled call the bucket's slower pace.
    expect(time.sleeps).toEqual([0, 0, 1]);
  });

  it('records the error name and message when a whole call keeps failing', async () => {
    const time = fakeTime(NOW);
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .rejects(new InternalException({ message: 'Internal failure', $metadata: {} }));
    const result = await fetchAssociations(targets(2), deps(time, { random: () => 0 }), {
      ...fast,
      maxRedriveAttempts: 1,
    });
    expect(result.unprocessed.get('100000000001')).toEqual({
      targetId: '100000000001',
      errorCode: 'InternalException',
      errorReason: 'Internal failure',
      attempts: 2,
    });
    expect(result.associations.size).toBe(0);
  });

  it('drops a stale error when the latest answer no longer mentions the target', async () => {
    const time = fakeTime(NOW);
    serve((_, attempt) => (attempt === 1 ? { kind: 'unprocessed', code: '503' } : { kind: 'omit' }));
    const result = await fetchAssociations(targets(1), deps(time, { random: () => 0 }), fast);
    expect(result.unprocessed.size).toBe(0);
    expect(result.associations.size).toBe(0);
    expect(result.stats.redriveAttempts).toBe(1);
  });

  it('throws SecurityHubFetchError when the whole API is denied', async () => {
    const time = fakeTime(NOW);
    const cause = new AccessDeniedException({ message: 'User is not authorized', $metadata: {} });
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).rejects(cause);
    const error = (await fetchAssociations(targets(120), deps(time), fast).catch(
      (e: unknown) => e,
    )) as SecurityHubFetchError;
    expect(error).toBeInstanceOf(SecurityHubFetchError);
    expect(error.name).toBe('SecurityHubFetchError');
    expect(error.message).toContain('delegated administrator');
    expect(error.cause).toBe(cause);
  });

  it('throws SecurityHubFetchError when Security Hub is not enabled here (InvalidAccessException)', async () => {
    const time = fakeTime(NOW);
    const cause = new InvalidAccessException({
      message: 'Account is not subscribed to AWS Security Hub',
      $metadata: {},
    });
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).rejects(cause);
    const error = (await fetchAssociations(targets(120), deps(time), fast).catch(
      (e: unknown) => e,
    )) as SecurityHubFetchError;
    expect(error).toBeInstanceOf(SecurityHubFetchError);
    expect(error.message).toContain('InvalidAccessException');
    expect(error.cause).toBe(cause);
  });
});

describe('fetchAssociations: deadline', () => {
  it('does not start a re-drive round (or its sleep) that would end past the deadline', async () => {
    const time = fakeTime(NOW);
    serve((id) => (id === '100000000000' ? { kind: 'unprocessed', code: '429' } : { kind: 'found' }));
    const result = await fetchAssociations(
      targets(2),
      deps(time, { random: () => 0.9, deadline: time.now + 800 }),
      fast,
    );
    // The first delay would be 900 ms, past the 800 ms deadline.
    expect(time.sleeps).toEqual([]);
    expect(result.stats.deadlineReached).toBe(true);
    expect(result.stats.redriveAttempts).toBe(0);
    expect(result.unprocessed.get('100000000000')).toMatchObject({ errorCode: '429', attempts: 1 });
  });

  it('runs the rounds that fit and stops at the first that does not', async () => {
    const time = fakeTime(NOW);
    serve(() => ({ kind: 'unprocessed', code: '500' }));
    const result = await fetchAssociations(
      targets(1),
      deps(time, { random: () => 0.5, deadline: time.now + 2000 }),
      fast,
    );
    // 500 fits (t=500), 1000 fits (t=1500), 2000 would end at 3500 > 2000.
    expect(time.sleeps).toEqual([500, 1000]);
    expect(result.stats.redriveAttempts).toBe(2);
    expect(result.stats.deadlineReached).toBe(true);
    expect(result.unprocessed.get('100000000000')).toMatchObject({ errorCode: '500', attempts: 3 });
  });

  it('marks groups not yet sent when the deadline passes as DEADLINE_EXCEEDED with 0 attempts', async () => {
    const time = fakeTime(NOW);
    const start = time.now;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        time.advance(1000); // each call takes a second
        return { ConfigurationPolicyAssociations: requestedIds(input).map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(10), deps(time, { deadline: start + 2500 }), {
      ...fast,
      groupSize: 2,
      concurrency: 1,
    });
    expect(shMock.calls()).toHaveLength(3);
    expect(result.associations.size).toBe(6);
    expect(result.unprocessed.size).toBe(4);
    expect(result.unprocessed.get('100000000009')).toEqual({
      targetId: '100000000009',
      errorCode: 'DEADLINE_EXCEEDED',
      errorReason: expect.any(String) as string,
      attempts: 0,
    });
    expect(result.stats.deadlineReached).toBe(true);
  });

  it('sends nothing when the deadline has already passed', async () => {
    const time = fakeTime(NOW);
    const result = await fetchAssociations(targets(5), deps(time, { deadline: time.now - 1 }), fast);
    expect(shMock.calls()).toHaveLength(0);
    expect([...result.unprocessed.values()].every((u) => u.errorCode === 'DEADLINE_EXCEEDED' && u.attempts === 0)).toBe(
      true,
    );
    expect(result.unprocessed.size).toBe(5);
    expect(result.stats.deadlineReached).toBe(true);
  });

  it('does not send a group whose token wait ran past the deadline', async () => {
    const time = fakeTime(NOW);
    serve(() => ({ kind: 'found' }));
    const result = await fetchAssociations(targets(2), deps(time, { deadline: time.now + 500 }), {
      ...BASE_OPTIONS,
      groupSize: 1,
      concurrency: 1,
      requestsPerSecond: 1,
      burst: 1,
    });
    expect(time.sleeps).toEqual([1000]);
    expect(shMock.calls()).toHaveLength(1);
    expect(result.associations.has('100000000000')).toBe(true);
    expect(result.unprocessed.get('100000000001')).toMatchObject({ errorCode: 'DEADLINE_EXCEEDED', attempts: 0 });
  });

  it('keeps the last real error of a re-driven target the deadline then cut off', async () => {
    const time = fakeTime(NOW);
    const start = time.now;
    let call = 0;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        call += 1;
        time.advance(400); // each call takes 400 ms
        const ids = requestedIds(input);
        return call <= 2
          ? { UnprocessedConfigurationPolicyAssociations: ids.map((id) => unprocessedEntry(id, '503')) }
          : { ConfigurationPolicyAssociations: ids.map((id) => found(id)) };
      });
    // First pass: two single-target calls, both 503, ending at t=800. The re-drive round
    // (delay 0) starts before the 1000 ms deadline; its first call ends at t=1200, so its
    // second group is not sent and keeps the 503 it had.
    const result = await fetchAssociations(targets(2), deps(time, { random: () => 0, deadline: start + 1000 }), {
      ...fast,
      groupSize: 1,
      concurrency: 1,
    });
    expect(call).toBe(3);
    expect(result.stats.redriveAttempts).toBe(1);
    expect(result.stats.deadlineReached).toBe(true);
    expect(result.associations.has('100000000000')).toBe(true);
    expect(result.unprocessed.get('100000000001')).toEqual({
      targetId: '100000000001',
      errorCode: '503',
      errorReason: 'reason 503',
      attempts: 1,
    });
  });
});

describe('fetchAssociations: stats and invariants', () => {
  it('takes apiCalls and throttledRequests from the request counter, as deltas over this fetch', async () => {
    const time = fakeTime(NOW);
    const counter = { requests: 10, throttledRequests: 4 };
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        // Each send is two HTTP attempts, the first throttled, as the middleware would count.
        counter.requests += 2;
        counter.throttledRequests += 1;
        return { ConfigurationPolicyAssociations: requestedIds(input).map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(4), deps(time, { requestCounter: counter }), {
      ...fast,
      groupSize: 2,
    });
    expect(result.stats.apiCalls).toBe(4);
    expect(result.stats.throttledRequests).toBe(2);
  });

  it('slows its own pacing when the service throttles, and speeds up again after', async () => {
    const time = fakeTime(NOW);
    let calls = 0;
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        calls += 1;
        // Calls 2 and 3 are throttled (after the SDK's own retries); the rest succeed.
        if (calls === 2 || calls === 3) throw new LimitExceededException({ message: 'Rate exceeded', $metadata: {} });
        return { ConfigurationPolicyAssociations: requestedIds(input).map((id) => found(id)) };
      });
    const result = await fetchAssociations(targets(8), deps(time), {
      ...fast,
      groupSize: 1,
      concurrency: 1,
      requestsPerSecond: 4,
      burst: 1,
      maxRedriveAttempts: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(result.associations.size).toBe(8);
    // 250 ms apart at 4/s; after two throttles 1/s (1000 ms), then 1/16 of 4/s back per success.
    const pacing = time.sleeps.filter((ms) => ms > 0);
    expect(pacing.slice(0, 3)).toEqual([250, 500, 1000]);
    expect(pacing.slice(3)).toEqual([...pacing.slice(3)].sort((a, b) => b - a));
  });

  it('does not slow down for a 429 on single unprocessed entries (those are re-driven, not the request rate)', async () => {
    const time = fakeTime(NOW);
    serve((id, attempt) =>
      id === '100000000001' && attempt === 1 ? { kind: 'unprocessed', code: '429' } : { kind: 'found' },
    );
    await fetchAssociations(targets(6), deps(time), {
      ...fast,
      groupSize: 1,
      concurrency: 1,
      requestsPerSecond: 4,
      burst: 1,
      baseDelayMs: 0,
      maxDelayMs: 0,
    });
    expect(time.sleeps.filter((ms) => ms > 0)).toEqual([250, 250, 250, 250, 250, 250]);
  });

  it('never loses or duplicates a target under a random mix of outcomes', async () => {
    // Deterministic pseudo-random service behaviour (LCG), with the "latest answer" per target recorded.
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const latest = new Map<string, 'found' | 'unprocessed' | 'omit' | 'failed'>();
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
        const ids = requestedIds(input);
        if (rand() < 0.1) {
          for (const id of ids) latest.set(id, 'failed');
          throw new InternalException({ message: 'flaky', $metadata: {} });
        }
        if (ids.length > 7 && rand() < 0.3) throw new InvalidInputException({ message: 'too big', $metadata: {} });
        const out: Partial<BatchGetConfigurationPolicyAssociationsCommandOutput> = {
          ConfigurationPolicyAssociations: [],
          UnprocessedConfigurationPolicyAssociations: [],
        };
        for (const id of ids) {
          const r = rand();
          if (r < 0.6) {
            out.ConfigurationPolicyAssociations!.push(found(id));
            latest.set(id, 'found');
          } else if (r < 0.8) {
            out.UnprocessedConfigurationPolicyAssociations!.push(unprocessedEntry(id, r < 0.75 ? '429' : '403'));
            latest.set(id, 'unprocessed');
          } else {
            latest.set(id, 'omit');
          }
        }
        return out;
      });
    const time = fakeTime(NOW);
    const list = [...targets(300), ...targets(40, 'ORGANIZATIONAL_UNIT', 'ou-'), ...targets(50)];
    const result = await fetchAssociations(list, deps(time, { random: rand }), {
      ...fast,
      groupSize: 20,
      concurrency: 4,
    });

    const requested = new Set(list.map((t) => t.id));
    expect(requested.size).toBe(340);
    for (const id of result.associations.keys()) expect(result.unprocessed.has(id)).toBe(false);
    for (const id of [...result.associations.keys(), ...result.unprocessed.keys()])
      expect(requested.has(id)).toBe(true);
    for (const id of requested) {
      const where = result.associations.has(id) ? 'found' : result.unprocessed.has(id) ? 'unprocessed' : 'neither';
      if (where === 'neither') expect(latest.get(id)).toBe('omit');
      if (where === 'found') expect(latest.get(id)).toBe('found');
      if (where === 'unprocessed') expect(['unprocessed', 'failed']).toContain(latest.get(id));
    }
    expect(result.stats.redriveAttempts).toBeGreaterThan(0);
  });
});
