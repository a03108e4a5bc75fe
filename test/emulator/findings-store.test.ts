import { FindingsStore, findingProblem } from './findings-store';
import { PageTokenCodec } from './page-token';
import type { PagingContext } from './paging';
import { EmulatedServiceError, securityHubInvalidInput } from './service-error';

const PRODUCT = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';
const ID = 'check/111122223333';

function finding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SchemaVersion: '2018-10-08',
    Id: ID,
    ProductArn: PRODUCT,
    GeneratorId: 'check',
    AwsAccountId: '111122223333',
    CreatedAt: '2026-11-26T02:00:00.000Z',
    UpdatedAt: '2026-11-26T02:00:00.000Z',
    Title: 'title',
    Description: 'description',
    Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws' }],
    FindingProviderFields: { Severity: { Label: 'HIGH' }, Types: ['Software and Configuration Checks'] },
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    ...overrides,
  };
}
const at = (day: number, extra: Record<string, unknown> = {}) =>
  finding({ UpdatedAt: `2026-11-${day}T02:00:00.000Z`, ...extra });

const paging: PagingContext = {
  codec: new PageTokenCodec(),
  seed: 1,
  emptyPageFraction: 0,
  invalidToken: () => securityHubInvalidInput('The NextToken value is not valid.'),
  onEmptyPage: () => undefined,
};

describe('findingProblem', () => {
  it('accepts a provider finding with severity and types in FindingProviderFields only', () => {
    expect(findingProblem(finding())).toBeNull();
    expect(findingProblem(finding({ UpdatedAt: '2026-11-26T02:00:00.123456789+01:00' }))).toBeNull();
  });

  it.each([
    ['no title', { Title: undefined }, /Title is required/],
    ['a blank title', { Title: '   ' }, /Title is required/],
    ['another schema version', { SchemaVersion: '2020-01-01' }, /SchemaVersion/],
    ['a long id', { Id: 'i'.repeat(513) }, /Id is longer than 512/],
    ['a long title', { Title: 't'.repeat(257) }, /Title is longer than 256/],
    ['a long description', { Description: 'd'.repeat(1025) }, /Description is longer than 1024/],
    ['a bad date', { UpdatedAt: 'yesterday' }, /UpdatedAt/],
    ['a date without a zone', { CreatedAt: '2026-11-26T02:00:00' }, /CreatedAt/],
    ['a bad observation date', { FirstObservedAt: '2026-11-26' }, /FirstObservedAt/],
    ['another account', { AwsAccountId: '999999999999' }, /own default product/],
    ['no resources', { Resources: [] }, /Resources/],
    ['33 resources', { Resources: Array.from({ length: 33 }, () => ({ Type: 'Other', Id: 'x' })) }, /Resources/],
    ['an unknown partition', { Resources: [{ Type: 'Other', Id: 'x', Partition: 'aws-moon' }] }, /Partition/],
    ['no severity', { FindingProviderFields: { Types: ['TTPs'] } }, /Severity/],
    ['no types', { FindingProviderFields: { Severity: { Label: 'LOW' } } }, /Types/],
    ['an unknown severity', { FindingProviderFields: { Severity: { Label: 'SEVERE' }, Types: ['TTPs'] } }, /Label/],
    ['an unknown top-level severity', { Severity: { Label: 'low' } }, /Severity.Label/],
    [
      'a type outside the namespaces',
      { FindingProviderFields: { Severity: { Label: 'LOW' }, Types: ['Drift/x'] } },
      /namespace/,
    ],
    ['a type with four parts', { Types: ['TTPs/a/b/c'] }, /namespace\/category\/classifier/],
    ['51 types', { Types: Array.from({ length: 51 }, () => 'TTPs') }, /1 to 50/],
    ['an unknown record state', { RecordState: 'DELETED' }, /RecordState/],
    ['an unknown compliance status', { Compliance: { Status: 'OK' } }, /Compliance.Status/],
    ['an unknown workflow status', { Workflow: { Status: 'DONE' } }, /Workflow.Status/],
    ['an unknown verification state', { VerificationState: 'MAYBE' }, /VerificationState/],
    [
      '51 product fields',
      { ProductFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
      /50 pairs/,
    ],
    ['a long product field key', { ProductFields: { ['k'.repeat(129)]: 'v' } }, /128/],
    ['a long product field value', { ProductFields: { k: 'v'.repeat(2049) } }, /2048/],
    ['an empty product field value', { ProductFields: { k: '' } }, /empty/],
    ['a long user-defined value', { UserDefinedFields: { k: 'v'.repeat(1025) } }, /1024/],
    ['a long remediation', { Remediation: { Recommendation: { Text: 'r'.repeat(513) } } }, /512/],
    ['over 240 KB', { Resources: [{ Type: 'Other', Id: 'x'.repeat(250 * 1024) }] }, /240 KB/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(findingProblem(finding(overrides))).toMatch(message);
  });
});

describe('FindingsStore', () => {
  it('keeps customer-owned fields on update and counts the attempt to change them', () => {
    const store = new FindingsStore();
    store.import({ Findings: [finding()] });
    store.updateAsCustomer(PRODUCT, ID, { Workflow: { Status: 'SUPPRESSED' } });
    const out = store.import({ Findings: [at(27, { Workflow: { Status: 'NEW' }, Title: 'new title' })] });
    expect(out).toEqual({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const [stored] = store.all();
    expect(stored.imports).toBe(2);
    expect(stored.finding).toMatchObject({ Title: 'new title', Workflow: { Status: 'SUPPRESSED' } });
    expect(store.counters().customerFieldsIgnored).toBe(1);
  });

  it('ignores an update whose UpdatedAt is not later than the stored one, and counts it a success', () => {
    const store = new FindingsStore();
    store.import({ Findings: [at(26)] });
    expect(store.import({ Findings: [at(26, { Title: 'same time' })] })).toMatchObject({ SuccessCount: 1 });
    expect(store.import({ Findings: [at(25, { Title: 'earlier' })] })).toMatchObject({ SuccessCount: 1 });
    expect(store.all()[0]).toMatchObject({ imports: 1, finding: { Title: 'title' } });
    expect(store.counters().staleUpdatesIgnored).toBe(2);
    // Compared as instants: the same time written with an offset is not later either.
    store.import({ Findings: [finding({ UpdatedAt: '2026-11-26T03:00:00.000+01:00', Title: 'offset' })] });
    expect(store.all()[0].finding.Title).toBe('title');
    // Nanoseconds count: Timestamps allow nine fraction digits.
    store.import({ Findings: [finding({ UpdatedAt: '2026-11-26T02:00:00.000000001Z', Title: 'later' })] });
    expect(store.all()[0]).toMatchObject({
      imports: 2,
      finding: { Title: 'later', CreatedAt: '2026-11-26T02:00:00.000Z' },
    });
    store.import({ Findings: [finding({ UpdatedAt: '2026-11-26T02:00:00.0000000009Z', Title: 'ten digits' })] });
    expect(store.all()[0].finding.Title).toBe('later');
  });

  it('takes Severity and Types from FindingProviderFields until a customer sets them, then keeps theirs', () => {
    const store = new FindingsStore();
    store.import({ Findings: [finding()] });
    expect(store.all()[0].finding).toMatchObject({
      Severity: { Label: 'HIGH' },
      Types: ['Software and Configuration Checks'],
    });
    const provider = { Severity: { Label: 'MEDIUM' }, Types: ['Effects/Data Exposure'] };
    store.import({ Findings: [at(27, { FindingProviderFields: provider })] });
    expect(store.all()[0].finding).toMatchObject({ Severity: { Label: 'MEDIUM' }, Types: ['Effects/Data Exposure'] });

    store.updateAsCustomer(PRODUCT, ID, { Severity: { Label: 'LOW' }, Types: ['TTPs/Discovery'] });
    store.import({ Findings: [at(28)] });
    expect(store.all()[0].finding).toMatchObject({
      Severity: { Label: 'LOW' },
      Types: ['TTPs/Discovery'],
      FindingProviderFields: { Severity: { Label: 'HIGH' }, Types: ['Software and Configuration Checks'] },
    });
  });

  it('puts RESOLVED work back to NEW when an archived finding becomes active again', () => {
    const store = new FindingsStore();
    store.import({ Findings: [finding({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } })] });
    store.updateAsCustomer(PRODUCT, ID, { Workflow: { Status: 'RESOLVED' } });
    store.import({ Findings: [at(27)] });
    expect(store.all()[0].finding).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
  });

  it('fails injected findings for the given number of imports, then takes them', () => {
    const store = new FindingsStore();
    store.setFailureRules([{ findingIds: [ID], attempts: 1, errorCode: 'LimitExceeded' }]);
    expect(store.import({ Findings: [finding()] })).toMatchObject({
      FailedCount: 1,
      FailedFindings: [{ Id: ID, ErrorCode: 'LimitExceeded' }],
    });
    expect(store.import({ Findings: [finding()] })).toMatchObject({ FailedCount: 0, SuccessCount: 1 });
  });

  it('refuses an empty request, one with more than 100 findings, or one over 6 MB, whole', () => {
    const store = new FindingsStore();
    expect(() => store.import({ Findings: [] })).toThrow(/1 to 100/);
    expect(() => store.import({ Findings: Array.from({ length: 101 }, () => finding()) })).toThrow(/1 to 100/);
    const big = (i: number) =>
      finding({ Id: `check/${i}`, Resources: [{ Type: 'Other', Id: 'x'.repeat(200 * 1024) }] });
    expect(() => store.import({ Findings: Array.from({ length: 31 }, (_, i) => big(i)) })).toThrow(/6 MB/);
    expect(store.all()).toHaveLength(0);
  });
});

describe('FindingsStore.get (GetFindings)', () => {
  function seeded(): FindingsStore {
    const store = new FindingsStore();
    const findings = Array.from({ length: 5 }, (_, i) => finding({ Id: `check/${i}` }));
    findings.push(
      finding({ Id: 'other/1', GeneratorId: 'other' }),
      finding({ Id: 'check/9', RecordState: 'ARCHIVED' }),
    );
    store.import({ Findings: findings });
    return store;
  }
  const filters = {
    ProductArn: [{ Value: PRODUCT, Comparison: 'EQUALS' }],
    GeneratorId: [{ Value: 'check', Comparison: 'EQUALS' }],
    RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }],
  };
  const ids = (out: object) => (out as { Findings: { Id: string }[] }).Findings.map((f) => f.Id);

  it('returns the findings every filter matches, page by page', () => {
    const store = seeded();
    const first = store.get({ Filters: filters, MaxResults: 3 }, paging) as { NextToken?: string };
    expect(ids(first)).toEqual(['check/0', 'check/1', 'check/2']);
    const second = store.get({ Filters: filters, MaxResults: 3, NextToken: first.NextToken }, paging);
    expect(ids(second)).toEqual(['check/3', 'check/4']);
    expect(second).not.toHaveProperty('NextToken');
  });

  it('joins EQUALS and PREFIX by OR, NOT_EQUALS by AND, as the model documents', () => {
    const store = seeded();
    const or = {
      Id: [
        { Value: 'check/1', Comparison: 'EQUALS' },
        { Value: 'other/', Comparison: 'PREFIX' },
      ],
    };
    expect(ids(store.get({ Filters: or }, paging))).toEqual(['check/1', 'other/1']);
    const and = {
      Id: [
        { Value: 'check/1', Comparison: 'NOT_EQUALS' },
        { Value: 'check/2', Comparison: 'NOT_EQUALS' },
      ],
    };
    expect(ids(store.get({ Filters: and }, paging))).toEqual(['check/0', 'check/3', 'check/4', 'other/1', 'check/9']);
  });

  it('refuses what it does not serve or AWS refuses: other filters, bad combinations, MaxResults out of range', () => {
    const store = seeded();
    const refused = (input: Record<string, unknown>) => {
      expect(() => store.get(input, paging)).toThrow(EmulatedServiceError);
    };
    refused({ Filters: { Title: [{ Value: 'x', Comparison: 'EQUALS' }] } });
    refused({
      Filters: {
        Id: [
          { Value: 'a', Comparison: 'EQUALS' },
          { Value: 'b', Comparison: 'NOT_EQUALS' },
        ],
      },
    });
    refused({ Filters: { Id: [{ Value: 'a', Comparison: 'SOUNDS_LIKE' }] } });
    refused({ MaxResults: 101 });
    refused({ NextToken: 'forged' });
  });
});
