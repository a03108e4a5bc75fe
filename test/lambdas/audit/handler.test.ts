import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT_IN_OU, P1, P2, ROOT, healthyAnswers, serveAssociations, serveOrganization } from './core/mock-aws-org';
import { lambdaContext } from '../../support/lambda-context';

type HandlerModule = typeof import('../../../lambdas/audit/handler');
type OrganizationsSdk = typeof import('@aws-sdk/client-organizations');
type SecurityHubSdk = typeof import('@aws-sdk/client-securityhub');
type S3Sdk = typeof import('@aws-sdk/client-s3');
type SnsSdk = typeof import('@aws-sdk/client-sns');

const BUCKET = 'audit-reports';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:audit-alerts';
const NAMESPACE = 'SecurityHubConfigAuditTest';
const SERVICE = 'securityhub-config-audit-test';

const context = lambdaContext('req-1');

const scheduled = (day: number) => ({ time: `2026-11-${String(day).padStart(2, '0')}T02:00:00Z` });

/**
 * A fresh copy of the handler (its runtime is cached per module) together with the SDK
 * modules it uses, mocked: the mocks must patch the very classes the handler's copy
 * imported, so they are required inside the same isolated registry.
 */
function loadHandler() {
  let handlerModule!: HandlerModule;
  let sdk!: { orgs: OrganizationsSdk; sh: SecurityHubSdk; s3: S3Sdk; sns: SnsSdk };
  jest.isolateModules(() => {
    handlerModule = require('../../../lambdas/audit/handler') as HandlerModule;
    sdk = {
      orgs: require('@aws-sdk/client-organizations') as OrganizationsSdk,
      sh: require('@aws-sdk/client-securityhub') as SecurityHubSdk,
      s3: require('@aws-sdk/client-s3') as S3Sdk,
      sns: require('@aws-sdk/client-sns') as SnsSdk,
    };
  });
  const orgMock = mockClient(sdk.orgs.OrganizationsClient);
  const shMock = mockClient(sdk.sh.SecurityHubClient);
  const s3Mock = mockClient(sdk.s3.S3Client);
  const snsMock = mockClient(sdk.sns.SNSClient);
  serveOrganization(orgMock, sdk.orgs);
  const answers = healthyAnswers();
  serveAssociations(shMock, answers, sdk.sh);

  // The report bucket, in memory.
  const objects = new Map<string, Buffer>();
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (body === undefined) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
  });
  s3Mock.on(sdk.s3.PutObjectCommand).callsFake(async (input: { Key: string; Body: Buffer }) => {
    objects.set(input.Key, Buffer.from(input.Body));
    return {};
  });
  snsMock.on(sdk.sns.PublishCommand).resolves({ MessageId: 'm-1' });

  const published = () => snsMock.commandCalls(sdk.sns.PublishCommand).map((c) => c.args[0].input);
  const putKeys = () => s3Mock.commandCalls(sdk.s3.PutObjectCommand).map((c) => c.args[0].input.Key);
  return {
    handler: handlerModule.handler,
    sdk,
    orgMock,
    shMock,
    s3Mock,
    snsMock,
    answers,
    objects,
    published,
    putKeys,
  };
}

interface Emf {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

let savedEnv: NodeJS.ProcessEnv;
let stdout: string[];
let stderr: string[];

/** EMF documents printed so far. */
const emfDocs = (): Emf[] =>
  stdout
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf);

beforeEach(() => {
  savedEnv = process.env;
  process.env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIATEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    REPORT_BUCKET: BUCKET,
    REPORT_PREFIX: 'audit',
    ALERT_TOPIC_ARN: TOPIC,
    POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
    POWERTOOLS_SERVICE_NAME: SERVICE,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  stdout = [];
  stderr = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  jest.restoreAllMocks();
  process.env = savedEnv;
});

describe('handler', () => {
  it('fails with a ConfigError naming each bad variable, and recovers once the environment is fixed', async () => {
    delete process.env.REPORT_BUCKET;
    process.env.BATCH_GROUP_SIZE = 'fifty';
    const { handler, orgMock, putKeys } = loadHandler();
    const error = (await handler(scheduled(26), context).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/BATCH_GROUP_SIZE: expected an integer/);
    expect(error.message).toMatch(/REPORT_BUCKET: required/);
    expect(orgMock.calls()).toHaveLength(0);

    // Not cached at import: the next invocation reads the environment again.
    process.env.REPORT_BUCKET = BUCKET;
    delete process.env.BATCH_GROUP_SIZE;
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'DONE',
      runId: '20261126T020000Z',
      runStatus: 'COMPLETE',
    });
    expect(putKeys()).toContain('audit/latest/run.json');
  });

  it('writes the report under the prefix and emits the run metrics with the service dimension only', async () => {
    const { handler, putKeys, published } = loadHandler();
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'DONE',
      runId: '20261126T020000Z',
      runStatus: 'COMPLETE',
    });
    expect(putKeys()).toEqual([
      // The checkpoint after the walk (slot, then the manifest naming it), then the report.
      'audit/checkpoints/20261126T020000Z/slot-1.json.gz',
      'audit/checkpoints/20261126T020000Z/manifest.json',
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      'audit/runs/dt=2026-11-26/20261126T020000Z.json',
      'audit/latest/run.json',
    ]);
    const docs = emfDocs();
    expect(docs).toHaveLength(1);
    const doc = docs[0];
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe(NAMESPACE);
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(doc.service).toBe(SERVICE);
    expect(doc).toMatchObject({ TargetsAudited: 4, IncompleteRun: 0, DriftedTargets: 0, NewDrift: 0 });
    // No drift, first run: nothing to tell.
    expect(published()).toEqual([]);
  });

  it('publishes the digest only when drift is new or resolved', async () => {
    const { handler, answers, published } = loadHandler();
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    await handler(scheduled(26), context);
    expect(published()).toHaveLength(1);
    expect(published()[0]).toMatchObject({ TopicArn: TOPIC, Subject: 'Security Hub config drift: 1 new, 0 resolved' });
    expect(published()[0].Message).toContain(
      `Report: s3://${BUCKET}/audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz`,
    );
    expect(published()[0].Message).toContain(ACCOUNT_IN_OU);

    // Same drift the next night: quiet.
    await handler(scheduled(27), context);
    expect(published()).toHaveLength(1);

    // Fixed: resolved.
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'SUCCESS' });
    await handler(scheduled(28), context);
    expect(published()).toHaveLength(2);
    expect(published()[1].Subject).toBe('Security Hub config drift: 0 new, 1 resolved');
    expect(emfDocs().map((d) => [d.NewDrift, d.ResolvedDrift, d.DriftedTargets])).toEqual([
      [1, 0, 1],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it('publishes nothing without ALERT_TOPIC_ARN', async () => {
    delete process.env.ALERT_TOPIC_ARN;
    const { handler, answers, published } = loadHandler();
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    await expect(handler(scheduled(26), context)).resolves.toMatchObject({ runStatus: 'COMPLETE' });
    expect(published()).toEqual([]);
  });

  it('reads the baseline from BASELINE_KEY in the report bucket', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, objects } = loadHandler();
    objects.set('config/baseline.json', Buffer.from(JSON.stringify({ version: 1, targets: { [ROOT]: P2 } })));
    await handler(scheduled(26), context);
    expect(emfDocs()[0]).toMatchObject({ DriftedTargets: 4 });
  });

  it('fails clearly when BASELINE_KEY names a missing object, before auditing or writing', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, orgMock, putKeys } = loadHandler();
    const error = (await handler(scheduled(26), context).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('MissingDocumentError');
    expect(error.message).toBe(`BASELINE_KEY: s3://${BUCKET}/config/baseline.json does not exist`);
    expect(orgMock.calls()).toHaveLength(0);
    expect(putKeys()).toEqual([]);
    expect(emfDocs()).toHaveLength(1);
    expect(emfDocs()[0]).toMatchObject({ IncompleteRun: 1 });
    expect(emfDocs()[0].TargetsAudited).toBeUndefined();
  });

  it('emits IncompleteRun 1 and no TargetsAudited when the audit throws', async () => {
    const { handler, orgMock, sdk, putKeys } = loadHandler();
    orgMock.on(sdk.orgs.ListRootsCommand).rejects(
      Object.assign(new Error('You are not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = (await handler(scheduled(26), context).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('OrganizationWalkError');
    expect(putKeys()).toEqual([]);
    const docs = emfDocs();
    expect(docs).toHaveLength(1);
    expect(docs[0]._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).toEqual(['IncompleteRun']);
    expect(docs[0].IncompleteRun).toBe(1);
    expect(stderr.join('')).toContain('Audit failed');
  });

  it('rethrows a digest failure without marking the written run incomplete', async () => {
    const { handler, answers, snsMock, sdk, putKeys } = loadHandler();
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    snsMock
      .on(sdk.sns.PublishCommand)
      .rejects(Object.assign(new Error('Not authorized'), { name: 'AuthorizationErrorException' }));
    const error = (await handler(scheduled(26), context).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('DigestPublishError');
    expect(putKeys()).toContain('audit/latest/run.json');
    const docs = emfDocs();
    expect(docs).toHaveLength(1);
    // A single 0, not [0, 1]: the IncompleteRun alarm (Maximum) must not fire for a digest failure.
    expect(docs[0].IncompleteRun).toBe(0);
    expect(docs[0]).toMatchObject({ TargetsAudited: 4, NewDrift: 1 });
    expect(stderr.join('')).toContain('Audit finished but the drift digest could not be sent');
    expect(stderr.join('')).not.toContain('Audit failed');
  });

  it('names a manual run (no event time) with the manual suffix', async () => {
    const { handler } = loadHandler();
    const result = await handler({}, context);
    expect(result.runId).toMatch(/^\d{8}T\d{6}Z-manual-[0-9a-f]{6}$/);
  });
});
