import { FindingsStore, findingProblem } from './findings-store';

const PRODUCT = 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default';

function finding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SchemaVersion: '2018-10-08',
    Id: 'check/111122223333',
    ProductArn: PRODUCT,
    GeneratorId: 'check',
    AwsAccountId: '111122223333',
    CreatedAt: '2026-11-26T02:00:00.000Z',
    UpdatedAt: '2026-11-26T02:00:00.000Z',
    Title: 'title',
    Description: 'description',
    Resources: [{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333' }],
    FindingProviderFields: { Severity: { Label: 'HIGH' }, Types: ['Software and Configuration Checks'] },
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    ...overrides,
  };
}

describe('findingProblem', () => {
  it('accepts a provider finding with severity and types in FindingProviderFields only', () => {
    expect(findingProblem(finding())).toBeNull();
  });

  it.each([
    ['no title', { Title: undefined }, /Title is required/],
    ['a long title', { Title: 't'.repeat(257) }, /Title is longer than 256/],
    ['a long description', { Description: 'd'.repeat(1025) }, /Description is longer than 1024/],
    ['a bad date', { UpdatedAt: 'yesterday' }, /UpdatedAt/],
    ['another account', { AwsAccountId: '999999999999' }, /own default product/],
    ['no resources', { Resources: [] }, /Resources/],
    ['no severity', { FindingProviderFields: { Types: ['x'] } }, /Severity/],
    ['no types', { FindingProviderFields: { Severity: { Label: 'LOW' } } }, /Types/],
    ['over 240 KB', { ProductFields: { big: 'x'.repeat(250 * 1024) } }, /240 KB/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(findingProblem(finding(overrides))).toMatch(message);
  });
});

describe('FindingsStore', () => {
  it('keeps customer-owned fields on update and counts the attempt to change them', () => {
    const store = new FindingsStore();
    store.import({ Findings: [finding()] });
    store.updateAsCustomer(PRODUCT, 'check/111122223333', { Workflow: { Status: 'SUPPRESSED' } });
    const out = store.import({ Findings: [finding({ Workflow: { Status: 'NEW' }, Title: 'new title' })] });
    expect(out).toEqual({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
    const [stored] = store.all();
    expect(stored.imports).toBe(2);
    expect(stored.finding).toMatchObject({ Title: 'new title', Workflow: { Status: 'SUPPRESSED' } });
    expect(store.counters().customerFieldsIgnored).toBe(1);
  });

  it('puts RESOLVED work back to NEW when an archived finding becomes active again', () => {
    const store = new FindingsStore();
    store.import({ Findings: [finding({ RecordState: 'ARCHIVED', Compliance: { Status: 'PASSED' } })] });
    store.updateAsCustomer(PRODUCT, 'check/111122223333', { Workflow: { Status: 'RESOLVED' } });
    store.import({ Findings: [finding()] });
    expect(store.all()[0].finding).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
  });

  it('fails injected findings for the given number of imports, then takes them', () => {
    const store = new FindingsStore();
    store.setFailureRules([{ findingIds: ['check/111122223333'], attempts: 1, errorCode: 'LimitExceeded' }]);
    expect(store.import({ Findings: [finding()] })).toMatchObject({
      FailedCount: 1,
      FailedFindings: [{ Id: 'check/111122223333', ErrorCode: 'LimitExceeded' }],
    });
    expect(store.import({ Findings: [finding()] })).toMatchObject({ FailedCount: 0, SuccessCount: 1 });
  });

  it('refuses an empty request or one with more than 100 findings whole', () => {
    const store = new FindingsStore();
    expect(() => store.import({ Findings: [] })).toThrow(/1 to 100/);
    expect(() => store.import({ Findings: Array.from({ length: 101 }, () => finding()) })).toThrow(/1 to 100/);
  });
});
