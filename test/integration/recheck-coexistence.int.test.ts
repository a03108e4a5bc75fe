/**
 * A re-check while a nightly run is in progress, against an emulator that enforces both
 * services' quotas (Security Hub 10 requests/s, burst 30; Organizations as the benchmark
 * assumes, test/bench/quotas.ts), each side at its default pacing (nightly 8/s + re-check
 * 2/s on Security Hub): both finish, neither loses a target to throttling, and the
 * re-check waits while the changed association is PENDING and reports how it settled.
 */
import { SecurityHubClient, StartConfigurationPolicyAssociationCommand } from '@aws-sdk/client-securityhub';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { emulatorClientConfig, localAwsEnvironment, startEmulator, type RunningEmulator } from '../emulator';
import { startLocalS3, type LocalS3 } from '../support/s3-server';
import { lambdaContext } from '../support/lambda-context';
import { parseWrittenRows, withEnv, type WrittenRow } from '../support/emulated-audit';
import { routeChangeEvents, type LocalChangeQueue } from '../support/recheck-pipeline';
import { securityHubChangePattern } from '../../lambdas/audit/recheck/change-events';
import { isThrottleCode } from '../bench/audit-scenario';
import { BENCH_QUOTAS } from '../bench/quotas';

jest.setTimeout(120_000);

const AUDIT_ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const SETTLE_MS = 3_000;
const context = (id: string): Context => ({
  ...lambdaContext(id),
  invokedFunctionArn: `arn:aws:lambda:${REGION}:${AUDIT_ACCOUNT}:function:securityhub-config-audit`,
});

let emulator: RunningEmulator;
let s3: LocalS3;
let queue: LocalChangeQueue;
let securityHub: SecurityHubClient;
const failing = new Set<string>();

function environment(): Record<string, string | undefined> {
  return {
    ...localAwsEnvironment(emulator, s3),
    AWS_REGION: REGION,
    REPORT_BUCKET: s3.bucket,
    MAC_KEY_ID: emulator.kms.keyId,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

async function load<T>(path: string): Promise<T> {
  let mod!: T;
  await jest.isolateModulesAsync(async () => {
    mod = (await import(path)) as T;
  });
  return mod;
}

async function nightly(): Promise<WrittenRow[]> {
  const { handler } = await load<{ handler: (e: object, c: Context) => Promise<{ runStatus?: string }> }>(
    '../../lambdas/audit/handler',
  );
  const result = await withEnv(environment(), () => handler({ time: new Date().toISOString() }, context('nightly')));
  expect(result.runStatus).toBe('COMPLETE');
  const latest = JSON.parse((await s3.getObject('latest/run.json')).toString('utf8')) as { report_key: string };
  return parseWrittenRows(await s3.getObject(latest.report_key));
}

beforeAll(async () => {
  emulator = await startEmulator({
    org: { seed: 'recheck-coexistence', accounts: 300, ous: 20, maxDepth: 3, now: Date.now() },
    writes: {
      associationSettleMs: SETTLE_MS,
      failAssociationsFor: (id) => failing.has(id),
      auditAccountId: AUDIT_ACCOUNT,
      homeRegion: REGION,
    },
  });
  s3 = await startLocalS3();
  queue = routeChangeEvents(emulator, [securityHubChangePattern(AUDIT_ACCOUNT)]);
  securityHub = new SecurityHubClient(emulatorClientConfig(emulator));
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterAll(async () => {
  jest.restoreAllMocks();
  queue?.stop();
  securityHub?.destroy();
  await emulator?.close();
  await s3?.close();
});

it('re-checks a change while the nightly run is in progress, both within the quotas, and waits for PENDING to settle', async () => {
  const first = await nightly();
  const changed = first.find((r) => r.target_type === 'ACCOUNT' && !r.drift)!.target_id;
  emulator.setFaults({
    securityHub: { quota: BENCH_QUOTAS.securityHub },
    organizations: { quota: BENCH_QUOTAS.organizations },
  });
  emulator.resetStats();

  let nightlyDone = false;
  const running = nightly().finally(() => (nightlyDone = true));
  failing.add(changed);
  await securityHub.send(
    new StartConfigurationPolicyAssociationCommand({
      ConfigurationPolicyIdentifier: emulator.org.policies[0].id,
      Target: { AccountId: changed },
    }),
  );
  const { handler } = await load<{ handler: (e: SQSEvent, c: Context) => Promise<SQSBatchResponse> }>(
    '../../lambdas/audit/recheck-handler',
  );
  // The two overlap: the nightly run is still going when the re-check starts.
  expect(nightlyDone).toBe(false);
  const response = await withEnv(environment(), () => handler(queue.takeBatch(), context('recheck')));
  expect(response).toEqual({ batchItemFailures: [] });
  const record = (await s3.listKeys()).find((k) => k.startsWith('recheck/associations/'))!;
  const rechecked = parseWrittenRows(await s3.getObject(record)).find((r) => r.target_id === changed)!;
  // The association was PENDING for SETTLE_MS after the call: FAILED means the re-check waited for it.
  expect(rechecked).toMatchObject({ association_status: 'FAILED', drift: true });

  const second = await running;
  expect(second).toHaveLength(first.length);
  expect(second.filter((r) => r.association_status === null && isThrottleCode(r.error_code as string | null))).toEqual(
    [],
  );
});
