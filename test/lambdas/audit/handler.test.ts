import { createHmac } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT_IN_OU, P1, P2, ROOT, healthyAnswers, serveAssociations, serveOrganization } from './core/mock-aws-org';
import { lambdaContext } from '../../support/lambda-context';
import { MAX_DOCUMENT_BYTES } from '../../../lambdas/audit/drift/json-document';
import { isDisplaySafe } from '../../support/is-display-safe';

type HandlerModule = typeof import('../../../lambdas/audit/handler');
type OrganizationsSdk = typeof import('@aws-sdk/client-organizations');
type SecurityHubSdk = typeof import('@aws-sdk/client-securityhub');
type S3Sdk = typeof import('@aws-sdk/client-s3');
type SnsSdk = typeof import('@aws-sdk/client-sns');
type KmsSdk = typeof import('@aws-sdk/client-kms');

const MAC_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MAC_SECRET = Buffer.alloc(32, 9);

const BUCKET = 'audit-reports';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:audit-alerts';
const NAMESPACE = 'SecurityHubConfigAuditTest';
const SERVICE = 'securityhub-config-audit-test';

const context = lambdaContext('req-1');

/** Milliseconds the test's clock is behind the real one; set by {@link scheduled}. */
let clockOffset = 0;
const realNow = Date.now.bind(Date);
beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => realNow() - clockOffset));
afterEach(() => jest.restoreAllMocks());

/** The event of the night of November `day`, with the clock set to five minutes after its schedule time. */
const scheduled = (day: number) => {
  const time = `2026-11-${String(day).padStart(2, '0')}T02:00:00Z`;
  clockOffset = realNow() - (Date.parse(time) + 300_000);
  return { time };
};

/**
 * A fresh copy of the handler (its runtime is cached per module) together with the SDK
 * modules it uses, mocked: the mocks must patch the very classes the handler's copy
 * imported, so they are required inside the same isolated registry.
 */
async function loadHandler() {
  let handlerModule!: HandlerModule;
  let sdk!: { orgs: OrganizationsSdk; sh: SecurityHubSdk; s3: S3Sdk; sns: SnsSdk; kms: KmsSdk };
  await jest.isolateModulesAsync(async () => {
    handlerModule = await import('../../../lambdas/audit/handler');
    sdk = {
      orgs: await import('@aws-sdk/client-organizations'),
      sh: await import('@aws-sdk/client-securityhub'),
      s3: await import('@aws-sdk/client-s3'),
      sns: await import('@aws-sdk/client-sns'),
      kms: await import('@aws-sdk/client-kms'),
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
  s3Mock.on(sdk.s3.GetObjectCommand).callsFake((input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (body === undefined) {
      return Promise.reject(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }));
    }
    return Promise.resolve({ Body: { transformToByteArray: () => Promise.resolve(new Uint8Array(body)) } });
  });
  s3Mock.on(sdk.s3.PutObjectCommand).callsFake((input: { Key: string; Body: Buffer }) => {
    objects.set(input.Key, Buffer.from(input.Body));
    return Promise.resolve({});
  });
  snsMock.on(sdk.sns.PublishCommand).resolves({ MessageId: 'm-1' });
  // The MAC key: an HMAC only this mock holds, refusing a MAC that does not verify as KMS does.
  const kmsMock = mockClient(sdk.kms.KMSClient);
  const hmac = (message: Uint8Array) => createHmac('sha256', MAC_SECRET).update(message).digest();
  kmsMock
    .on(sdk.kms.GenerateMacCommand)
    .callsFake((input: { Message: Uint8Array }) =>
      Promise.resolve({ Mac: new Uint8Array(hmac(input.Message)), KeyId: MAC_KEY_ID, MacAlgorithm: 'HMAC_SHA_256' }),
    );
  kmsMock
    .on(sdk.kms.VerifyMacCommand)
    .callsFake((input: { Message: Uint8Array; Mac: Uint8Array }) =>
      Buffer.from(input.Mac).equals(hmac(input.Message))
        ? Promise.resolve({ MacValid: true, KeyId: MAC_KEY_ID, MacAlgorithm: 'HMAC_SHA_256' })
        : Promise.reject(Object.assign(new Error('MAC does not verify'), { name: 'KMSInvalidMacException' })),
    );

  const published = () => snsMock.commandCalls(sdk.sns.PublishCommand).map((c) => c.args[0].input);
  const putKeys = () => s3Mock.commandCalls(sdk.s3.PutObjectCommand).map((c) => c.args[0].input.Key);
  return {
    handler: handlerModule.handler,
    sdk,
    orgMock,
    shMock,
    s3Mock,
    snsMock,
    kmsMock,
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
    MAC_KEY_ID,
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
  it('does not retry a bad configuration: counts it, pages with the problem, and recovers once fixed', async () => {
    delete process.env.REPORT_BUCKET;
    process.env.BATCH_GROUP_SIZE = 'fifty';
    const { handler, orgMock, putKeys, published } = await loadHandler();
    // Returned, not thrown: Lambda's asynchronous retries would only fail the same way.
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: true,
    });
    expect(orgMock.calls()).toHaveLength(0);
    expect(emfDocs()[0]).toMatchObject({ IncompleteRun: 1 });
    // The configuration did not load, but ALERT_TOPIC_ARN on its own is valid: it gets the page.
    expect(published()).toHaveLength(1);
    expect(published()[0]).toMatchObject({
      TopicArn: TOPIC,
      Subject: 'Security Hub config audit could not run: BAD_INPUT',
    });
    expect(published()[0].Message).toMatch(/^audit could not run: BAD_INPUT: Invalid configuration: /);
    expect(published()[0].Message).toMatch(/BATCH_GROUP_SIZE: expected an integer/);
    expect(published()[0].Message).toMatch(/REPORT_BUCKET: required/);
    expect(published()[0].Message).toContain('Lambda request id: req-1');
    expect(stderr.join('')).toContain('Audit failed');

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

  it('still counts and logs a bad configuration when no alert topic is usable', async () => {
    process.env.BATCH_GROUP_SIZE = 'fifty';
    process.env.ALERT_TOPIC_ARN = 'not-an-arn';
    const { handler, published } = await loadHandler();
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: false,
    });
    expect(published()).toEqual([]);
    expect(emfDocs()[0]).toMatchObject({ IncompleteRun: 1 });
    expect(stderr.join('')).toContain('no alert topic is known');
  });

  it('says the refusal was not paged when SNS refuses the page, so the state machine pages instead', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, snsMock, sdk, published } = await loadHandler();
    snsMock
      .on(sdk.sns.PublishCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AuthorizationErrorException' }));
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: false,
    });
    expect(published()).toHaveLength(1);
    expect(emfDocs()[0]).toMatchObject({ IncompleteRun: 1 });
    expect(stderr.join('')).toContain('The alert that the audit could not run was not sent');
  });

  it('writes the report under the prefix and emits the run metrics with the service dimension only', async () => {
    const { handler, putKeys, published } = await loadHandler();
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'DONE',
      runId: '20261126T020000Z',
      runStatus: 'COMPLETE',
    });
    expect(putKeys()).toEqual([
      // Done within the first checkpoint interval: no checkpoint, only the report.
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      'audit/runs/dt=2026-11-26/20261126T020000Z.json',
      'audit/html/dt=2026-11-26/20261126T020000Z.html',
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

  it.each([
    ['us-east-1', 'https://us-east-1.console.aws.amazon.com', 'https://s3.console.aws.amazon.com'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com', 'https://console.amazonaws-us-gov.com'],
  ])('links the HTML report to the consoles of the partition of AWS_REGION %s', async (region, orgs, s3) => {
    process.env.AWS_REGION = region;
    const { handler, s3Mock, sdk } = await loadHandler();
    await handler(scheduled(26), context);
    const put = s3Mock
      .commandCalls(sdk.s3.PutObjectCommand)
      .find((c) => c.args[0].input.Key === 'audit/html/dt=2026-11-26/20261126T020000Z.html')!;
    const html = Buffer.from(put.args[0].input.Body as Uint8Array).toString('utf8');
    expect(html).toContain(`href="${orgs}/organizations/v2/home/root"`);
    expect(html).toContain(
      `href="${s3}/s3/object/${BUCKET}?region=${region}&amp;prefix=audit%2Fassociations%2Fdt%3D2026-11-26%2F20261126T020000Z.jsonl.gz"`,
    );
  });

  it('publishes the digest only when drift is new or resolved', async () => {
    const { handler, answers, published } = await loadHandler();
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    await handler(scheduled(26), context);
    expect(published()).toHaveLength(1);
    expect(published()[0]).toMatchObject({
      TopicArn: TOPIC,
      Subject: `Security Hub drift: new FAILED on ${ACCOUNT_IN_OU}; 1 drifted, 1 FAILED [123456789012 us-east-1]`,
      MessageStructure: 'json',
    });
    const email = (JSON.parse(published()[0].Message!) as { email: string }).email;
    // An https console link to the report object, and the deployment that sent it.
    expect(email).toContain(
      `https://s3.console.aws.amazon.com/s3/object/${BUCKET}?region=us-east-1&prefix=${encodeURIComponent('audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz')}`,
    );
    expect(email).toContain('Sent by:    account 123456789012, us-east-1');
    expect(email).toContain(ACCOUNT_IN_OU);

    // Same drift the next night: quiet.
    await handler(scheduled(27), context);
    expect(published()).toHaveLength(1);

    // Fixed: resolved.
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'SUCCESS' });
    await handler(scheduled(28), context);
    expect(published()).toHaveLength(2);
    expect(published()[1].Subject).toBe('Security Hub drift: 1 resolved; 0 drifted, 0 FAILED [123456789012 us-east-1]');
    expect(emfDocs().map((d) => [d.NewDrift, d.ResolvedDrift, d.DriftedTargets])).toEqual([
      [1, 0, 1],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it('publishes nothing without ALERT_TOPIC_ARN', async () => {
    delete process.env.ALERT_TOPIC_ARN;
    const { handler, answers, published } = await loadHandler();
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    await expect(handler(scheduled(26), context)).resolves.toMatchObject({ runStatus: 'COMPLETE' });
    expect(published()).toEqual([]);
  });

  it('reads the baseline from BASELINE_KEY in the report bucket', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, objects } = await loadHandler();
    objects.set('config/baseline.json', Buffer.from(JSON.stringify({ version: 1, targets: { [ROOT]: P2 } })));
    await handler(scheduled(26), context);
    expect(emfDocs()[0]).toMatchObject({ DriftedTargets: 4 });
  });

  it('fails clearly when BASELINE_KEY names a missing object, before auditing or writing, without a retry', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, orgMock, putKeys, published } = await loadHandler();
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: true,
    });
    expect(orgMock.calls()).toHaveLength(0);
    expect(putKeys()).toEqual([]);
    expect(emfDocs()).toHaveLength(1);
    expect(emfDocs()[0]).toMatchObject({ IncompleteRun: 1 });
    expect(emfDocs()[0].TargetsAudited).toBeUndefined();
    expect(published()[0].Message).toMatch(
      new RegExp(
        `^audit could not run: BAD_INPUT: BASELINE_KEY: s3://${BUCKET}/config/baseline\\.json does not exist\n`,
      ),
    );
  });

  it('pages for a bad baseline (duplicate key) without walking the organization or retrying', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, orgMock, objects, published } = await loadHandler();
    objects.set('config/baseline.json', Buffer.from(`{"version":1,"targets":{"${ROOT}":"${P1}","${ROOT}":"${P2}"}}`));
    await expect(handler(scheduled(26), context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: true,
    });
    expect(orgMock.calls()).toHaveLength(0);
    expect(published()).toHaveLength(1);
    expect(published()[0].Message).toContain(
      `audit could not run: BAD_INPUT: Invalid baseline s3://${BUCKET}/config/baseline.json: targets: duplicate key "${ROOT}"`,
    );
  });

  it('rejects a baseline object that is not UTF-8 or too large', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, objects, published } = await loadHandler();
    objects.set('config/baseline.json', Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
    await expect(handler(scheduled(26), context)).resolves.toMatchObject({ errorKind: 'BAD_INPUT' });
    expect(published()[0].Message).toContain('not UTF-8 text');
    objects.set('config/baseline.json', Buffer.alloc(MAX_DOCUMENT_BYTES + 1, 0x20));
    await expect(handler(scheduled(26), context)).resolves.toMatchObject({ errorKind: 'BAD_INPUT' });
    expect(published()[1].Message).toContain(`too large: ${MAX_DOCUMENT_BYTES + 1} bytes`);
  });

  it('keeps hostile text out of the page and the log as raw control characters', async () => {
    process.env.BASELINE_KEY = 'config/\u001b[2J\u009b\u202eevil.json';
    const { handler, published } = await loadHandler();
    await expect(handler(scheduled(26), context)).resolves.toMatchObject({ errorKind: 'BAD_INPUT' });
    const message = published()[0].Message!;
    expect(isDisplaySafe(message.replace(/\n/g, ''))).toBe(true);
    expect(message).toContain('BASELINE_KEY');
    const log = stderr.join('');
    expect(log).toContain('Audit failed');
    expect(log).not.toMatch(/[\u009b\u202e]/);
    expect(log).not.toContain('\\u001b[2J'); // not even JSON-escaped: shown as \x1b
  });

  it.each([
    ['a time that is not a string', { time: 20261126 }],
    ['a time that is not ISO 8601', { time: 'yesterday' }],
    ['an event that is not an object', 'run now'],
  ])('does not retry an event with %s', async (_name, event) => {
    const { handler, orgMock } = await loadHandler();
    await expect(handler(event as never, context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: true,
    });
    expect(orgMock.calls()).toHaveLength(0);
  });

  it('refuses an event time more than 24 hours old, unless the event says rerun or is a later round', async () => {
    const { handler, orgMock } = await loadHandler();
    const old = scheduled(26);
    scheduled(28); // the clock: two days after the event time
    await expect(handler(old, context)).resolves.toEqual({
      status: 'FAILED',
      runStatus: 'FAILED',
      errorKind: 'BAD_INPUT',
      paged: true,
    });
    expect(orgMock.calls()).toHaveLength(0);
    await expect(handler({ ...old, rerun: true }, context)).resolves.toMatchObject({ status: 'DONE' });
    await expect(handler({ ...old, round: 2, maxRounds: 8 }, context)).resolves.toMatchObject({ status: 'DONE' });
  });

  it('throws a transient failure so Lambda retries, and pages nothing itself', async () => {
    process.env.BASELINE_KEY = 'config/baseline.json';
    const { handler, s3Mock, sdk, published } = await loadHandler();
    s3Mock.on(sdk.s3.GetObjectCommand).rejects(
      Object.assign(new Error('Service unavailable'), {
        name: 'ServiceUnavailable',
        $metadata: { httpStatusCode: 503 },
      }),
    );
    await expect(handler(scheduled(26), context)).rejects.toThrow();
    expect(emfDocs()[0]).toMatchObject({ IncompleteRun: 1 });
    expect(published()).toEqual([]);
  });

  it('emits IncompleteRun 1 and no TargetsAudited when the audit throws', async () => {
    const { handler, orgMock, sdk, putKeys } = await loadHandler();
    // A server error: transient whatever wraps it, so it is thrown for Lambda to retry.
    orgMock.on(sdk.orgs.ListRootsCommand).rejects(
      Object.assign(new Error('We encountered an internal error'), {
        name: 'ServiceException',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
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
    const { handler, answers, snsMock, sdk, putKeys } = await loadHandler();
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
    const { handler } = await loadHandler();
    const result = await handler({}, context);
    expect(result).toMatchObject({ runId: expect.stringMatching(/^\d{8}T\d{6}Z-manual-[0-9a-f]{6}$/) as unknown });
  });
});
