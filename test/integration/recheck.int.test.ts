/**
 * The re-check end to end: a change made through the real SDK against the emulator →
 * its CloudTrail-shaped event → the synthesized rules' patterns → a queue → the re-check
 * handler (configured only through its environment, real clients routed by
 * AWS_ENDPOINT_URL_*) → findings in the emulated Security Hub, a digest on the local SNS
 * endpoint, a signed record in s3rver. Then the nightly handler runs and must agree.
 */
import {
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { SecurityHubClient, StartConfigurationPolicyAssociationCommand } from '@aws-sdk/client-securityhub';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { emulatorClientConfig, localAwsEnvironment, startEmulator, type RunningEmulator } from '../emulator';
import { startLocalS3, type LocalS3 } from '../support/s3-server';
import { startLocalSns, type LocalSns } from '../support/sns-server';
import { lambdaContext } from '../support/lambda-context';
import { parseWrittenRows, withEnv, type WrittenRow } from '../support/emulated-audit';
import { routeChangeEvents, sqsRecord, type LocalChangeQueue } from '../support/recheck-pipeline';
import { synthesizedRecheckPatterns } from '../infra/recheck-rule-patterns';
import { RECHECK_ENV, RECHECK_MANAGEMENT_ACCOUNT } from '../infra/test-app';
import { findingId } from '../../lambdas/audit/findings/asff-finding';
import { cloudTrailEvent } from '../support/cloudtrail-event';

jest.setTimeout(120_000);

const AUDIT_ACCOUNT = RECHECK_ENV.account;
const REGION = RECHECK_ENV.region;
const TOPIC = `arn:aws:sns:${REGION}:${AUDIT_ACCOUNT}:audit-alerts`;
const BASELINE_KEY = 'config/baseline.json';
const context = (id: string): Context => ({
  ...lambdaContext(id),
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${AUDIT_ACCOUNT}:function:securityhub-config-audit`,
});

let emulator: RunningEmulator;
let s3: LocalS3;
let sns: LocalSns;
let queue: LocalChangeQueue;
let organizations: OrganizationsClient;
let securityHub: SecurityHubClient;
let failing: Set<string>;

type Handler<E, R> = (event: E, context: Context) => Promise<R>;
async function load<T>(path: string): Promise<T> {
  let mod!: T;
  await jest.isolateModulesAsync(async () => {
    mod = (await import(path)) as T;
  });
  return mod;
}
const nightlyHandler = async () =>
  (await load<{ handler: Handler<object, { runStatus?: string }> }>('../../lambdas/audit/handler')).handler;
const recheckHandler = async () =>
  (
    await load<{ handler: Handler<import('aws-lambda').SQSEvent, import('aws-lambda').SQSBatchResponse> }>(
      '../../lambdas/audit/recheck-handler',
    )
  ).handler;

function environment(): Record<string, string | undefined> {
  return {
    ...localAwsEnvironment(emulator, s3),
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_REGION: REGION,
    REPORT_BUCKET: s3.bucket,
    MAC_KEY_ID: emulator.kms.keyId,
    BASELINE_KEY,
    ALERT_TOPIC_ARN: TOPIC,
    MANAGEMENT_ACCOUNT_ID: RECHECK_MANAGEMENT_ACCOUNT,
    DEPLOYMENT_NAME: 'SecurityHubConfigAudit',
    SECURITYHUB_REQUESTS_PER_SECOND: '100',
    SECURITYHUB_BURST: '100',
    ORGANIZATIONS_REQUESTS_PER_SECOND: '100',
    ORGANIZATIONS_BURST: '100',
    REDRIVE_BASE_DELAY_MS: '1',
    REDRIVE_MAX_DELAY_MS: '2',
    RECHECK_SECURITYHUB_REQUESTS_PER_SECOND: '100',
    RECHECK_ORGANIZATIONS_REQUESTS_PER_SECOND: '100',
    POWERTOOLS_SERVICE_NAME: 'securityhub-config-audit-recheck-it',
    POWERTOOLS_METRICS_NAMESPACE: 'SecurityHubConfigAuditIntegration',
    POWERTOOLS_DEV: undefined,
    POWERTOOLS_METRICS_DISABLED: undefined,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
}

let stdout: string[] = [];
function metricValues(name: string): number[] {
  return stdout
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"') && line.includes(`"${name}"`))
    .map((line) => (JSON.parse(line) as Record<string, number>)[name]);
}

async function runNightly(): Promise<WrittenRow[]> {
  const handler = await nightlyHandler();
  const result = await withEnv(environment(), () => handler({ time: new Date().toISOString() }, context('nightly')));
  expect(result.runStatus).toBe('COMPLETE');
  const latest = JSON.parse((await s3.getObject('latest/run.json')).toString('utf8')) as { report_key: string };
  return parseWrittenRows(await s3.getObject(latest.report_key));
}

async function recheckKeys(kind: 'runs' | 'associations'): Promise<string[]> {
  return (await s3.listKeys()).filter((k) => k.startsWith(`recheck/${kind}/`)).sort();
}

beforeAll(async () => {
  failing = new Set();
  emulator = await startEmulator({
    org: { seed: 'recheck-e2e', accounts: 40, ous: 6, maxDepth: 2, now: Date.now() },
    writes: {
      associationSettleMs: 1,
      failAssociationsFor: (id) => failing.has(id),
      managementAccountId: RECHECK_MANAGEMENT_ACCOUNT,
      auditAccountId: AUDIT_ACCOUNT,
      homeRegion: REGION,
    },
  });
  s3 = await startLocalS3({ faults: true });
  sns = await startLocalSns();
  const patterns = synthesizedRecheckPatterns();
  queue = routeChangeEvents(emulator, [patterns.securityHub, patterns.organizations]);
  organizations = new OrganizationsClient(emulatorClientConfig(emulator));
  securityHub = new SecurityHubClient(emulatorClientConfig(emulator));
  const root = emulator.org.roots[0].id;
  await s3.client.send(
    new PutObjectCommand({
      Bucket: s3.bucket,
      Key: BASELINE_KEY,
      Body: JSON.stringify({ version: 1, targets: { [root]: emulator.org.policies[0].id } }),
    }),
  );
});

afterAll(async () => {
  queue?.stop();
  organizations?.destroy();
  securityHub?.destroy();
  await emulator?.close();
  await s3?.close();
  await sns?.close();
});

beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  sns.clear();
});

afterEach(() => jest.restoreAllMocks());

describe('re-check, end to end', () => {
  it('turns a move and a failed association into findings and one digest in one re-check; the nightly run agrees', async () => {
    const before = await runNightly();
    const latestBefore = await s3.getObject('latest/run.json');
    sns.clear();
    const governed = (id: string) => before.find((r) => r.target_id === id);
    const accounts = before.filter((r) => r.target_type === 'ACCOUNT' && !r.drift);
    const [moved, failed] = [accounts[0].target_id, accounts[1].target_id];
    expect(governed(moved)?.drift).toBe(false);

    // A new OU with another policy applied, the account moved into it; another account's association fails.
    const root = emulator.org.roots[0].id;
    const ou = await organizations.send(new CreateOrganizationalUnitCommand({ ParentId: root, Name: 'Sandbox' }));
    const ouId = ou.OrganizationalUnit!.Id!;
    const other = emulator.org.policies.find((p) => p.id !== emulator.org.policies[0].id)!.id;
    await securityHub.send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: other,
        Target: { OrganizationalUnitId: ouId },
      }),
    );
    await organizations.send(
      new MoveAccountCommand({
        AccountId: moved,
        SourceParentId: String(governed(moved)?.parent_id),
        DestinationParentId: ouId,
      }),
    );
    failing.add(failed);
    await securityHub.send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: emulator.org.policies[0].id,
        Target: { AccountId: failed },
      }),
    );
    expect(queue.waiting.map((e) => e.detail.eventName)).toEqual([
      'CreateOrganizationalUnit',
      'StartConfigurationPolicyAssociation',
      'MoveAccount',
      'StartConfigurationPolicyAssociation',
    ]);

    const batch = queue.takeBatch();
    // EventBridge delivers at least once: a duplicate in the batch changes nothing.
    batch.Records.push({ ...batch.Records[2], messageId: 'duplicate' });
    const handler = await recheckHandler();
    const response = await withEnv(environment(), () => handler(batch, context('recheck-1')));
    expect(response).toEqual({ batchItemFailures: [] });

    // One signed record, rows for exactly what changed (and the ancestors it judged them by).
    expect(await recheckKeys('runs')).toHaveLength(1);
    const rows = parseWrittenRows(await s3.getObject((await recheckKeys('associations'))[0]));
    const row = (id: string) => rows.find((r) => r.target_id === id)!;
    // New drift, and the policy it reports changed.
    expect(row(moved)).toMatchObject({ parent_id: ouId, drift: true, changes: ['NEW_DRIFT', 'CHANGED'] });
    expect(row(moved).drift_reasons).toContain('BASELINE_MISMATCH');
    expect(row(failed)).toMatchObject({ association_status: 'FAILED', drift: true, changes: ['NEW_DRIFT', 'CHANGED'] });
    expect(row(ouId).drift_reasons).toContain('BASELINE_MISMATCH');
    // The nightly latest/ is never moved by a re-check.
    expect(await s3.getObject('latest/run.json')).toEqual(latestBefore);

    // Findings with the nightly ids, active for the drifted targets.
    const active = new Set(
      emulator
        .findings()
        .filter((f) => (f.finding.RecordState as string) === 'ACTIVE')
        .map((f) => f.finding.Id as string),
    );
    for (const id of [moved, failed, ouId]) expect(active).toContain(findingId(id));
    // One digest, for the new drift, saying it is a re-check.
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0].Subject).toMatch(/^Re-check/);
    expect(sns.published[0].Message).toContain(failed);
    expect(metricValues('RecheckNewDrift')).toEqual([3]);

    // The same batch delivered again (a retry): nothing new, so no second digest.
    sns.clear();
    const again = await withEnv(environment(), () => handler(queue.takeBatch(), context('recheck-empty')));
    expect(again).toEqual({ batchItemFailures: [] });
    expect(sns.published).toHaveLength(0);

    // The nightly run afterwards agrees with the re-check on every re-checked target.
    const after = await runNightly();
    for (const id of [moved, failed, ouId]) {
      const nightly = after.find((r) => r.target_id === id)!;
      for (const column of ['parent_id', 'drift', 'drift_reasons', 'association_status', 'configuration_policy_id']) {
        expect([id, column, nightly[column]]).toEqual([id, column, row(id)[column]]);
      }
    }
  });

  it('counts and drops bad events, and re-checks nothing for them', async () => {
    const handler = await recheckHandler();
    const runsBefore = await recheckKeys('runs');
    const forged = cloudTrailEvent({
      service: 'organizations',
      eventName: 'MoveAccount',
      account: '123456789012',
      region: 'us-east-1',
      eventTime: new Date().toISOString(),
      requestParameters: { accountId: '111111111111', sourceParentId: 'r-ab12', destinationParentId: 'r-ab12' },
    });
    const batch = {
      Records: [
        sqsRecord('not json'),
        sqsRecord('{"__proto__": {}}'),
        sqsRecord(JSON.stringify(forged)),
        sqsRecord(JSON.stringify({ ...forged, account: RECHECK_MANAGEMENT_ACCOUNT, detail: { eventName: 'Nope' } })),
      ],
    };
    const response = await withEnv(environment(), () => handler(batch, context('recheck-bad')));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(metricValues('RecheckBadEvents')).toEqual([4]);
    expect(await recheckKeys('runs')).toEqual(runsBefore);
    expect(sns.published).toHaveLength(0);
  });

  it('hands the batch back when the store fails, and the retry publishes what the first attempt could not', async () => {
    const candidate = (await runNightly()).find((r) => r.target_type === 'ACCOUNT' && !r.drift)!.target_id;
    sns.clear();
    failing.add(candidate);
    await securityHub.send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: emulator.org.policies[0].id,
        Target: { AccountId: candidate },
      }),
    );
    const batch = queue.takeBatch();
    expect(batch.Records).toHaveLength(1);
    const handler = await recheckHandler();
    s3.faultProxy!.setRules([{ method: 'PUT', keyPattern: /^recheck\//, status: 500, failures: 'forever' }]);
    const failed = await withEnv(environment(), () => handler(batch, context('recheck-fail')));
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[0].messageId }] });
    expect(sns.published).toHaveLength(0);
    s3.faultProxy!.setRules([]);
    const retried = await withEnv(environment(), () => handler(batch, context('recheck-retry')));
    expect(retried).toEqual({ batchItemFailures: [] });
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0].Message).toContain(candidate);
  });

  it('pages once and drops the batch when it can never run (a bad configuration), instead of retrying into the dead-letter queue', async () => {
    const handler = await recheckHandler();
    const event = cloudTrailEvent({
      service: 'securityhub',
      eventName: 'UpdateOrganizationConfiguration',
      account: AUDIT_ACCOUNT,
      region: REGION,
      eventTime: new Date().toISOString(),
      requestParameters: {},
    });
    const batch = { Records: [sqsRecord(JSON.stringify(event))] };
    const response = await withEnv({ ...environment(), MAC_KEY_ID: undefined }, () =>
      handler(batch, context('recheck-misconfigured')),
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0].Message).toContain('MAC_KEY_ID');
    expect(metricValues('RecheckFailed')).toEqual([1]);
  });

  it('compares with the full run alone when the re-check state was tampered with, and says so in the digest and the metrics', async () => {
    const candidate = (await runNightly()).find(
      (r) => r.target_type === 'ACCOUNT' && !r.drift && !failing.has(r.target_id),
    )!;
    const handler = await recheckHandler();
    // Some re-check state for this full run, then forged in the bucket.
    await withEnv(environment(), () =>
      handler({ Records: [sqsRecord(JSON.stringify(forgedMove(candidate)))] }, context('recheck-state')),
    );
    const state = JSON.parse((await s3.getObject('recheck/state.json')).toString('utf8')) as { rows: unknown[] };
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: 'recheck/state.json',
        Body: JSON.stringify({ ...state, rows: [] }),
      }),
    );
    sns.clear();
    stdout = [];
    failing.add(candidate.target_id);
    await securityHub.send(
      new StartConfigurationPolicyAssociationCommand({
        ConfigurationPolicyIdentifier: emulator.org.policies[0].id,
        Target: { AccountId: candidate.target_id },
      }),
    );
    const response = await withEnv(environment(), () => handler(queue.takeBatch(), context('recheck-untrusted')));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(metricValues('RecheckStateUntrusted')).toEqual([1]);
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0].Subject).toContain('UNTRUSTED');
  });
});

/** A MoveAccount event that puts `row`'s account back where it is (a no-op change), as the management account would forward it. */
function forgedMove(row: WrittenRow) {
  return cloudTrailEvent({
    service: 'organizations',
    eventName: 'MoveAccount',
    account: RECHECK_MANAGEMENT_ACCOUNT,
    region: 'us-east-1',
    eventTime: new Date().toISOString(),
    requestParameters: {
      accountId: row.target_id,
      sourceParentId: String(row.parent_id),
      destinationParentId: String(row.parent_id),
    },
  });
}
