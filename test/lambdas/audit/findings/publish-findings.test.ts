import {
  GetFindingsCommand,
  type AwsSecurityFinding,
  type BatchImportFindingsCommand,
  type BatchImportFindingsResponse,
  type GetFindingsResponse,
} from '@aws-sdk/client-securityhub';
import { findingId, GENERATOR_ID, productArn } from '../../../../lambdas/audit/findings/asff-finding';
import {
  publishFindings,
  type PublishFindingsDeps,
  type PublishFindingsInput,
} from '../../../../lambdas/audit/findings/publish-findings';
import { row } from '../report/row-fixtures';

const accountIds = (n: number) => Array.from({ length: n }, (_, i) => String(100000000000 + i));
const driftedRows = (n: number) =>
  accountIds(n).map((id) => row({ target_id: id, drift: true, drift_reasons: ['FAILED'], audit_result: 'DRIFT' }));

const INPUT: Omit<PublishFindingsInput, 'rows'> = {
  previous: null,
  accountId: '999988887777',
  region: 'us-east-1',
  partition: 'aws',
  runId: '20261126T020000Z',
  auditedAt: '2026-11-26T02:00:00.000Z',
  reportKey: 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
};

type Answer = (ids: string[], call: number) => BatchImportFindingsResponse | Error;
type ReadAnswer = (token: string | undefined) => GetFindingsResponse | Error;

const noneActive: ReadAnswer = () => ({ Findings: [] });

function harness(answer: Answer, now = () => 0, readAnswer: ReadAnswer = noneActive) {
  const calls: string[][] = [];
  const sent: AwsSecurityFinding[][] = [];
  const sleeps: number[] = [];
  const bucket = { take: jest.fn(() => Promise.resolve()), backOff: jest.fn(), recover: jest.fn() };
  const readBucket = { take: jest.fn(() => Promise.resolve()), backOff: jest.fn(), recover: jest.fn() };
  const deps: PublishFindingsDeps = {
    client: {
      send: (command: BatchImportFindingsCommand | GetFindingsCommand) => {
        if (command instanceof GetFindingsCommand) {
          const out = readAnswer(command.input.NextToken);
          return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
        }
        sent.push(command.input.Findings!);
        const ids = command.input.Findings!.map((f) => f.Id!);
        calls.push(ids);
        const out = answer(ids, calls.length);
        return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
      },
    },
    clock: { now },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    bucket,
    readBucket,
  };
  return { deps, calls, sent, sleeps, bucket, readBucket };
}

const ok: Answer = (ids) => ({ FailedCount: 0, SuccessCount: ids.length, FailedFindings: [] });
const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe('publishFindings', () => {
  it('sends at most 100 findings per call, each call paced by the bucket', async () => {
    const h = harness(ok);
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(250) });
    expect(h.calls.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(h.bucket.take).toHaveBeenCalledTimes(3);
    expect(out).toMatchObject({ published: 250, failed: 0, active: 250, archived: 0, apiCalls: 3 });
  });

  it('re-sends only the FailedFindings, with jittered backoff, and counts them published once they pass', async () => {
    const [a, b] = accountIds(2).map(findingId);
    const h = harness((ids, call) =>
      call === 1
        ? {
            FailedCount: 1,
            SuccessCount: ids.length - 1,
            FailedFindings: [{ Id: b, ErrorCode: 'LimitExceeded', ErrorMessage: 'x' }],
          }
        : ok(ids, call),
    );
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(2) });
    expect(h.calls).toEqual([[a, b], [b]]);
    expect(h.sleeps).toEqual([250]); // full jitter: 0.5 * 500 ms for the first re-send
    expect(out).toMatchObject({ published: 2, failed: 0, apiCalls: 2 });
  });

  it('gives up after maxAttempts, and at once on errors a retry cannot change', async () => {
    const [a, b] = accountIds(2).map(findingId);
    const h = harness((ids) => ({
      FailedCount: ids.length,
      SuccessCount: 0,
      FailedFindings: ids.map((Id) => ({
        Id,
        ErrorCode: Id === a ? 'InvalidInput' : 'LimitExceeded',
        ErrorMessage: 'no',
      })),
    }));
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(2), maxAttempts: 3 });
    expect(h.calls).toEqual([[a, b], [b], [b]]);
    expect(out).toMatchObject({ published: 0, failed: 2 });
    expect(out.failures.map((f) => [f.id, f.errorCode])).toEqual([
      [a, 'InvalidInput'],
      [b, 'LimitExceeded'],
    ]);
  });

  it('counts a failed call and goes on with the next batch; never throws', async () => {
    const h = harness((ids, call) => (call === 1 ? named('InternalException') : ok(ids, call)));
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(150) });
    expect(h.calls).toHaveLength(2);
    expect(out).toMatchObject({ published: 50, failed: 100 });
  });

  it('stops sending when the account refuses the API, counting everything left as failed', async () => {
    const h = harness(() => named('InvalidAccessException', 'not subscribed'));
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(250) });
    expect(h.calls).toHaveLength(1);
    expect(out).toMatchObject({ published: 0, failed: 250, apiCalls: 1 });
    expect(out.failures[0]).toMatchObject({ errorCode: 'InvalidAccessException' });
    expect(out.failures).toHaveLength(10); // the log keeps a bounded sample
  });

  it('backs the bucket off when throttling survived the SDK retries', async () => {
    const h = harness(() => named('LimitExceededException'));
    await publishFindings(h.deps, { ...INPUT, rows: driftedRows(1) });
    expect(h.bucket.backOff).toHaveBeenCalledTimes(1);
  });

  it('sends nothing past the deadline', async () => {
    const h = harness(ok, () => 10_000);
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(3), deadline: 5_000 });
    expect(h.calls).toHaveLength(0);
    expect(out).toMatchObject({ published: 0, failed: 3 });
  });

  it('honours FailedCount: failures without an Id are re-sent, then counted as failed', async () => {
    const [a, b] = accountIds(2).map(findingId);
    const h = harness((ids) => ({
      FailedCount: 1,
      SuccessCount: ids.length - 1,
      FailedFindings: [{ Id: undefined, ErrorCode: 'InternalError', ErrorMessage: 'x' }],
    }));
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(2), maxAttempts: 2 });
    expect(h.calls).toEqual([
      [a, b],
      [a, b],
    ]);
    expect(out).toMatchObject({ published: 1, failed: 1 });
    expect(out.failures).toEqual([
      {
        id: '',
        errorCode: 'UnnamedFailure',
        errorMessage: 'FailedCount counts a failure FailedFindings does not name',
      },
    ]);
  });

  it('counts failures a bare FailedCount or a short SuccessCount reports, with no FailedFindings at all', async () => {
    const bare = harness((ids) => ({ FailedCount: 2, SuccessCount: ids.length - 2 }));
    expect(await publishFindings(bare.deps, { ...INPUT, rows: driftedRows(3), maxAttempts: 1 })).toMatchObject({
      published: 1,
      failed: 2,
    });
    const short = harness(() => ({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] }));
    expect(await publishFindings(short.deps, { ...INPUT, rows: driftedRows(3), maxAttempts: 1 })).toMatchObject({
      published: 1,
      failed: 2,
    });
  });

  it("reads the audit's ACTIVE findings page by page on its own bucket, and archives the one no longer drifted", async () => {
    const product = productArn(INPUT);
    const stored = (id: string, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding => ({
      SchemaVersion: '2018-10-08',
      Id: findingId(id),
      ProductArn: product,
      GeneratorId: GENERATOR_ID,
      AwsAccountId: INPUT.accountId,
      CreatedAt: '2026-11-20T02:00:00.000Z',
      UpdatedAt: '2026-11-26T02:00:00.000Z',
      Title: 't',
      Description: 'd',
      Resources: [],
      RecordState: 'ACTIVE',
      ...extra,
    });
    const [drifting, resolved] = accountIds(2);
    const pages: Record<string, GetFindingsResponse> = {
      first: { Findings: [stored(drifting, { UpdatedAt: '2026-11-26T02:00:00.500Z' })], NextToken: 'p2' },
      p2: {
        Findings: [
          stored(resolved),
          // Not the audit's own: another generator, an archived one, a hostile id.
          stored('123412341234', { GeneratorId: 'other' }),
          stored('123412341235', { RecordState: 'ARCHIVED' }),
          stored('../x', {}),
        ],
      },
    };
    const h = harness(
      ok,
      () => 0,
      (token) => pages[token ?? 'first'],
    );
    const rows = [...driftedRows(1), row({ target_id: resolved })];
    const out = await publishFindings(h.deps, { ...INPUT, rows });
    expect(h.readBucket.take).toHaveBeenCalledTimes(2);
    expect(out.read).toEqual({ status: 'COMPLETE', found: 2, apiCalls: 2, ignored: 3, reason: null });
    expect(h.sent.flat().map((f) => [f.Id, f.RecordState, f.UpdatedAt])).toEqual([
      [findingId(drifting), 'ACTIVE', '2026-11-26T02:00:00.501Z'],
      [findingId(resolved), 'ARCHIVED', '2026-11-26T02:00:00.001Z'],
    ]);
    expect(out).toMatchObject({ active: 1, archived: 1, published: 2 });
  });

  it('goes on without the read when GetFindings fails, and says so', async () => {
    const h = harness(
      ok,
      () => 0,
      () => named('AccessDeniedException', 'not allowed'),
    );
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(1) });
    expect(out.read).toMatchObject({ status: 'INCOMPLETE', found: 0, apiCalls: 1 });
    expect(out.read.reason).toContain('AccessDeniedException');
    expect(out).toMatchObject({ published: 1, failed: 0 });
  });

  it('never throws on answers that are no object: every finding counts as failed', async () => {
    const h = harness(
      () => undefined as unknown as BatchImportFindingsResponse,
      () => 0,
      () => null as unknown as GetFindingsResponse,
    );
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(2) });
    expect(out).toMatchObject({ published: 0, failed: 2, read: { status: 'INCOMPLETE' } });
    expect(out.failures[0]).toMatchObject({ errorCode: 'MalformedAnswer' });
  });

  it('escapes what the service says before keeping it for the log', async () => {
    const h = harness(() => named('InternalException', 'bad\u001b[31m news'));
    const out = await publishFindings(h.deps, { ...INPUT, rows: driftedRows(1) });
    expect(out.failures[0].errorMessage).toBe('bad\\x1b[31m news');
  });
});
