import type { AwsSecurityFinding, GetFindingsCommand, GetFindingsResponse } from '@aws-sdk/client-securityhub';
import { findingId, GENERATOR_ID } from '../../../../lambdas/audit/findings/asff-finding';
import { GET_FINDINGS_PACE, readActiveFindings } from '../../../../lambdas/audit/findings/read-active-findings';

const PRODUCT = 'arn:aws:securityhub:us-east-1:999988887777:product/999988887777/default';

const active = (target: string, extra: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding => ({
  SchemaVersion: '2018-10-08',
  Id: findingId(target),
  ProductArn: PRODUCT,
  GeneratorId: GENERATOR_ID,
  AwsAccountId: '999988887777',
  CreatedAt: '2026-11-20T02:00:00.000Z',
  UpdatedAt: '2026-11-21T02:00:00.000Z',
  Title: 't',
  Description: 'd',
  Resources: [],
  RecordState: 'ACTIVE',
  ...extra,
});

function harness(answer: (call: number, token: string | undefined) => GetFindingsResponse | Error, now = () => 0) {
  const requests: GetFindingsCommand['input'][] = [];
  const bucket = { take: jest.fn(() => Promise.resolve()), backOff: jest.fn(), recover: jest.fn() };
  const deps = {
    client: {
      send: (command: GetFindingsCommand) => {
        requests.push(command.input);
        const out = answer(requests.length, command.input.NextToken);
        return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
      },
    },
    clock: { now },
    bucket,
  };
  return { deps, requests, bucket };
}

describe('readActiveFindings', () => {
  it("asks for the audit's own ACTIVE findings, 100 a page, each call paced by its bucket", async () => {
    const h = harness((call) =>
      call === 1 ? { Findings: [active('111111111111')], NextToken: 'n1' } : { Findings: [active('ou-ab12-11111111')] },
    );
    const out = await readActiveFindings(h.deps, { productArn: PRODUCT });
    expect(h.requests[0]).toEqual({
      Filters: {
        ProductArn: [{ Value: PRODUCT, Comparison: 'EQUALS' }],
        GeneratorId: [{ Value: GENERATOR_ID, Comparison: 'EQUALS' }],
        RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
      },
      MaxResults: 100,
    });
    expect(h.requests[1].NextToken).toBe('n1');
    expect(h.bucket.take).toHaveBeenCalledTimes(2);
    expect(out).toMatchObject({ status: 'COMPLETE', apiCalls: 2, ignored: 0, reason: null });
    expect(out.findings.map((f) => [f.targetId, f.targetType, f.updatedAt])).toEqual([
      ['111111111111', 'ACCOUNT', '2026-11-21T02:00:00.000Z'],
      ['ou-ab12-11111111', 'ORGANIZATIONAL_UNIT', '2026-11-21T02:00:00.000Z'],
    ]);
  });

  it('paces below the documented GetFindings quota (3 requests/s, burst 6)', () => {
    expect(GET_FINDINGS_PACE.requestsPerSecond).toBeLessThan(3);
    expect(GET_FINDINGS_PACE.burst).toBeLessThanOrEqual(6);
  });

  it('keeps only well-formed findings of its own, and drops timestamps that do not parse', async () => {
    const h = harness(() => ({
      Findings: [
        active('111111111111', { UpdatedAt: 'tomorrow', FirstObservedAt: 'x'.repeat(100) }),
        active('111111111111'),
        active('222222222222', { ProductArn: PRODUCT.replace('999988887777', '000011112222') }),
        active('333333333333', { RecordState: 'ARCHIVED' }),
        { ...active('444444444444'), Id: `${GENERATOR_ID}/444444444444/../x` },
        { ...active('555555555555'), Id: 'other-generator/555555555555' },
      ],
    }));
    const out = await readActiveFindings(h.deps, { productArn: PRODUCT });
    expect(out.findings).toEqual([
      {
        id: findingId('111111111111'),
        targetId: '111111111111',
        targetType: 'ACCOUNT',
        createdAt: '2026-11-20T02:00:00.000Z',
        updatedAt: null,
        firstObservedAt: null,
        lastObservedAt: null,
      },
    ]);
    expect(out.ignored).toBe(5);
  });

  it('ends INCOMPLETE, keeping what it read, on a failed call, a repeated token, the page bound or the deadline', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'LimitExceededException' });
    const failing = harness((call) =>
      call === 1 ? { Findings: [active('111111111111')], NextToken: 'a' } : throttled,
    );
    const out = await readActiveFindings(failing.deps, { productArn: PRODUCT });
    expect(out).toMatchObject({ status: 'INCOMPLETE', apiCalls: 2 });
    expect(out.findings).toHaveLength(1);
    expect(out.reason).toContain('LimitExceededException');
    expect(failing.bucket.backOff).toHaveBeenCalledTimes(1);

    const looping = harness(() => ({ Findings: [], NextToken: 'same' }));
    expect(await readActiveFindings(looping.deps, { productArn: PRODUCT })).toMatchObject({
      status: 'INCOMPLETE',
      apiCalls: 2,
      reason: 'GetFindings repeated a page token',
    });

    let page = 0;
    const endless = harness(() => ({ Findings: [], NextToken: `t${(page += 1)}` }));
    expect(await readActiveFindings(endless.deps, { productArn: PRODUCT, maxPages: 3 })).toMatchObject({
      status: 'INCOMPLETE',
      apiCalls: 3,
    });

    const empty = harness(() => undefined as unknown as GetFindingsResponse);
    expect(await readActiveFindings(empty.deps, { productArn: PRODUCT })).toMatchObject({
      status: 'INCOMPLETE',
      reason: 'GetFindings answered with no object',
    });

    const late = harness(
      () => ({ Findings: [] }),
      () => 10_000,
    );
    expect(await readActiveFindings(late.deps, { productArn: PRODUCT, deadline: 5_000 })).toMatchObject({
      status: 'INCOMPLETE',
      apiCalls: 0,
    });
  });
});
