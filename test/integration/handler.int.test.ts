/**
 * The Lambda handler end to end, configured only the way the deployed function is: through
 * environment variables. The standard AWS_ENDPOINT_URL_<SERVICE> variables route the SDK
 * clients `createAwsClients` builds to the emulator (Organizations, Security Hub) and to
 * s3rver (S3). S3 needs path-style addressing there (no DNS for `<bucket>.127.0.0.1`); the
 * SDK picks it by itself for an IP-address endpoint, which this test relies on.
 *
 * The handler uses the real clock and sleep; the tuning keeps every real wait at a
 * millisecond or two (re-drive backoff capped at 2 ms, pacing far above the call count).
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import {
  generateOrganization,
  localAwsEnvironment,
  startEmulator,
  type GeneratedOrg,
  type RunningEmulator,
} from '../emulator';
import { allTargetIds, duplicates, parseWrittenRows, withEnv } from '../support/emulated-audit';
import { startLocalS3, type LocalS3 } from '../support/s3-server';
import { lambdaContext } from '../support/lambda-context';
import { AUDIT_METRIC_NAMES } from '../../lambdas/audit/metrics/audit-metrics';

jest.setTimeout(60_000);

type HandlerModule = typeof import('../../lambdas/audit/handler');

const NAMESPACE = 'SecurityHubConfigAuditIntegration';
const SERVICE = 'securityhub-config-audit-it';
const EVENT = { time: '2026-11-26T02:00:00Z' };
const RUN_ID = '20261126T020000Z';
const KEYS = reportKeys('', RUN_ID, '2026-11-26');
const BASELINE_KEY = 'config/baseline.json';
const EXCLUSIONS_KEY = 'config/exclusions.json';
const METRIC_NAMES = AUDIT_METRIC_NAMES;

const context = lambdaContext('integration-1');

interface EmfDocument {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

let org: GeneratedOrg;
let emulator: RunningEmulator;
let s3: LocalS3;
let stdout: string[];

/** A fresh handler module: its runtime (config, clients) is cached per module instance. */
async function loadHandler(): Promise<HandlerModule['handler']> {
  let mod!: HandlerModule;
  await jest.isolateModulesAsync(async () => {
    mod = await import('../../lambdas/audit/handler');
  });
  return mod.handler;
}

/** EMF documents printed to stdout so far. */
function emfDocuments(): EmfDocument[] {
  return stdout
    .join('')
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

/** The function's environment as the stack sets it, pointed at the local servers. */
function lambdaEnvironment(): Record<string, string | undefined> {
  return {
    ...localAwsEnvironment(emulator, s3),
    REPORT_BUCKET: s3.bucket,
    MAC_KEY_ID: emulator.kms.keyId,
    REPORT_PREFIX: undefined,
    BASELINE_KEY,
    EXCLUSIONS_KEY,
    ALERT_TOPIC_ARN: undefined,
    ORGANIZATIONS_ROLE_ARN: undefined,
    SECURITYHUB_REQUESTS_PER_SECOND: '100',
    SECURITYHUB_BURST: '100',
    ORGANIZATIONS_REQUESTS_PER_SECOND: '100',
    ORGANIZATIONS_BURST: '100',
    REDRIVE_BASE_DELAY_MS: '1',
    REDRIVE_MAX_DELAY_MS: '2',
    POWERTOOLS_SERVICE_NAME: SERVICE,
    POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
    POWERTOOLS_METRICS_DISABLED: undefined,
    POWERTOOLS_DEV: undefined,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

async function putDocument(key: string, document: unknown): Promise<void> {
  const body = typeof document === 'string' ? document : JSON.stringify(document);
  await s3.client.send(
    new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ContentType: 'application/json' }),
  );
}

async function deleteReportObjects(): Promise<void> {
  for (const key of await s3.listKeys()) {
    await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }));
  }
}

beforeAll(async () => {
  // Staleness is judged at the clock, which each case sets just before the scheduled event's
  // time, so the organization's timestamps are relative to that (not to the wall clock,
  // which would make the test depend on the day it runs).
  org = generateOrganization({
    seed: 'handler',
    accounts: 80,
    ous: 10,
    maxDepth: 3,
    now: Date.parse(EVENT.time),
    anomalies: { failed: 2, stalePending: 1, freshPending: 1 },
  });
  emulator = await startEmulator({ org });
  // Through the fault proxy, so a case can make S3 fail the way a real outage would.
  s3 = await startLocalS3({ faults: true });
});

afterAll(async () => {
  await emulator?.close();
  await s3?.close();
});

/** The real clock; the handler's runs on a copy set just before the nightly event's time. */
const realNow = Date.now.bind(Date);

beforeEach(async () => {
  // A minute before EVENT: within the clock-skew bound ahead, and the previous night's event
  // (2026-11-25T02:00Z) within the 24 hours an event may be old. Staleness is judged at it.
  const offset = realNow() - Date.parse('2026-11-26T01:59:00Z');
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() - offset);
  await deleteReportObjects();
  emulator.setFaults({});
  emulator.resetStats();
  s3.faultProxy!.setRules([]);
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  // The handler's error logs (Powertools writes ERROR to stderr): expected here, kept off the console.
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('handler', () => {
  const excludedAccount = () => org.anomalies.failed[0];
  const unreadableAccount = () =>
    org.accounts.find((a) => a.status === 'ACTIVE' && !Object.values(org.anomalies).flat().includes(a.id))!.id;

  async function putDocuments(): Promise<void> {
    await putDocument(BASELINE_KEY, { version: 1, targets: { [org.roots[0].id]: org.policies[0].id } });
    await putDocument(EXCLUSIONS_KEY, {
      version: 1,
      exclusions: [{ targetId: excludedAccount(), reason: 'Known failure (CHG-1)', expires: '2099-12-31' }],
    });
  }

  it('audits the organization, writes the report to S3 and prints the EMF metrics', async () => {
    await putDocuments();
    emulator.setFaults({
      securityHub: {
        unprocessed: [
          {
            targetIds: [unreadableAccount()],
            attempts: 'forever',
            errorCode: '403',
            errorReason: 'Access denied (test)',
          },
          { fraction: 0.1, targetTypes: ['ACCOUNT'], attempts: 1, errorCode: '429' },
        ],
      },
    });
    const handler = await loadHandler();

    const result = await withEnv(lambdaEnvironment(), () => handler(EVENT, context));
    expect(result).toEqual({ status: 'DONE', runId: RUN_ID, runStatus: 'INCOMPLETE' });

    // Done within the first checkpoint interval: the report alone, no checkpoint.
    expect(await s3.listKeys()).toEqual(
      [BASELINE_KEY, EXCLUSIONS_KEY, KEYS.associations, KEYS.html, KEYS.latestRun, KEYS.run].sort(),
    );
    const rows = parseWrittenRows(await s3.getObject(KEYS.associations));
    const total = allTargetIds(org).length;
    expect(rows).toHaveLength(total);
    expect(duplicates(rows.map((r) => r.target_id))).toEqual([]);
    const run = JSON.parse((await s3.getObject(KEYS.run)).toString('utf8')) as Record<
      string,
      number | string | boolean
    >;
    // The same summary, each object signed for its own key and kind.
    const latest = JSON.parse((await s3.getObject(KEYS.latestRun)).toString('utf8')) as typeof run;
    expect({ ...latest, mac: null }).toEqual({ ...run, mac: null });
    expect([typeof run.mac, typeof latest.mac, run.mac === latest.mac]).toEqual(['string', 'string', false]);

    // Baseline: the root's policy everywhere, so every target whose policy differs drifts.
    const policyMismatch = [...org.associations.values()].filter(
      (a) => a.configurationPolicyId !== org.policies[0].id,
    ).length;
    expect(run).toMatchObject({
      run_id: RUN_ID,
      trigger: 'SCHEDULED',
      run_status: 'INCOMPLETE',
      targets_enumerated: total,
      targets_reported: total,
      status_failed: 2,
      drift_failed: 2,
      drift_pending_stale: 1,
      status_pending: 2,
      drift_unprocessed: 1,
      drift_baseline_mismatch:
        policyMismatch -
        (org.associations.get(unreadableAccount())!.configurationPolicyId !== org.policies[0].id ? 1 : 0),
      excluded: 1,
      redrive_attempts: 1,
    });
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    expect(byId.get(excludedAccount())).toMatchObject({
      audit_result: 'EXCLUDED',
      drift: false,
      excluded_reason: 'Known failure (CHG-1)',
    });
    expect(byId.get(unreadableAccount())).toMatchObject({ error_code: '403', drift_reasons: ['UNPROCESSED'] });
    expect(byId.get(org.roots[0].id)).toMatchObject({ baseline_policy_id: org.policies[0].id });
    // The environment reached every client: all calls went to the local servers.
    const stats = emulator.stats();
    expect(run.securityhub_api_calls).toBe(stats.requests.BatchGetConfigurationPolicyAssociations);

    const emf = emfDocuments();
    expect(emf).toHaveLength(1);
    const doc = emf[0];
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(NAMESPACE);
    expect(directive.Dimensions).toEqual([['service']]);
    expect(doc.service).toBe(SERVICE);
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual(
      [...METRIC_NAMES, 'FindingsPublished', 'FindingsPublishFailed'].sort(),
    );
    expect(doc).toMatchObject({
      FailedAssociations: run.status_failed,
      PendingAssociations: run.status_pending,
      StalePendingAssociations: run.drift_pending_stale,
      UnprocessedTargets: 1,
      MissingTargets: 0,
      DriftedTargets: run.drifted,
      NewDrift: run.new_drift,
      ResolvedDrift: 0,
      TargetsAudited: total,
      IncompleteRun: 1,
      AuditDurationSeconds: run.duration_seconds,
      ThrottledRequests: 0,
      // Findings are on by default: one per drifted target, in the function's own account's product.
      FindingsPublished: run.drifted,
      FindingsPublishFailed: 0,
    });
    const findings = emulator.findings().map((f) => f.finding);
    expect(findings).toHaveLength(run.drifted as number);
    expect(new Set(findings.map((f) => f.ProductArn))).toEqual(
      new Set(['arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default']),
    );
    expect(findings.every((f) => f.RecordState === 'ACTIVE')).toBe(true);
  });

  it('a warm retry of the same schedule overwrites the same objects and counts only its own calls', async () => {
    await putDocuments();
    const handler = await loadHandler();
    const env = lambdaEnvironment();
    await withEnv(env, () => handler(EVENT, context));
    const keys = await s3.listKeys();
    const first = JSON.parse((await s3.getObject(KEYS.run)).toString('utf8')) as Record<string, unknown>;

    await withEnv(env, () => handler(EVENT, { ...context, awsRequestId: 'integration-2' }));
    expect(await s3.listKeys()).toEqual(keys);
    const second = JSON.parse((await s3.getObject(KEYS.run)).toString('utf8')) as Record<string, unknown>;
    expect(second.organizations_api_calls).toBe(first.organizations_api_calls);
    expect(second.securityhub_api_calls).toBe(first.securityhub_api_calls);
    expect(second.previous_run_id).toBeNull();
    expect(second.new_drift).toBe(first.new_drift);
    const rows = parseWrittenRows(await s3.getObject(KEYS.associations));
    expect(duplicates(rows.map((r) => r.target_id))).toEqual([]);
    expect(emfDocuments().map((d) => d.TargetsAudited)).toEqual([rows.length, rows.length]);
  });

  /** Runs the handler, capturing what it logs to stderr (the Logger's errors). */
  async function runCapturingErrors(env: Record<string, string | undefined>) {
    const handler = await loadHandler();
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      const result = await withEnv(env, () => handler(EVENT, context));
      return { result, log: errors.join('') };
    } finally {
      spy.mockRestore();
    }
  }

  it('fails on a bad environment with a message naming each variable, writes nothing, counts an incomplete run, and is not retried', async () => {
    const { result, log } = await runCapturingErrors({
      ...lambdaEnvironment(),
      REPORT_BUCKET: undefined,
      BATCH_GROUP_SIZE: 'fifty',
    });
    // Returned, not thrown: Lambda's asynchronous retries would fail the same way.
    expect(result).toEqual({ status: 'FAILED', runStatus: 'FAILED', errorKind: 'BAD_INPUT', paged: false });
    expect(log).toMatch(/BATCH_GROUP_SIZE: expected an integer from 1 to 1000/);
    expect(log).toMatch(/REPORT_BUCKET: required/);
    expect(await s3.listKeys()).toEqual([]);
    expect(emulator.stats().totalRequests).toBe(0);
    const emf = emfDocuments();
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ IncompleteRun: 1 });
    expect(emf[0].TargetsAudited).toBeUndefined();
  });

  it('fails when BASELINE_KEY names no object, naming the variable and the object', async () => {
    await putDocument(EXCLUSIONS_KEY, { version: 1, exclusions: [] });
    const { result, log } = await runCapturingErrors(lambdaEnvironment());
    expect(result).toEqual({ status: 'FAILED', runStatus: 'FAILED', errorKind: 'BAD_INPUT', paged: false });
    expect(log).toContain('MissingDocumentError');
    expect(log).toContain(`BASELINE_KEY: s3://${s3.bucket}/${BASELINE_KEY} does not exist`);
    expect(await s3.listKeys()).toEqual([EXCLUSIONS_KEY]);
    expect(emulator.stats().totalRequests).toBe(0);
  });

  it('fails on a malformed baseline in the bucket, naming it, and writes no report', async () => {
    await putDocument(BASELINE_KEY, '{ "version": 1, "targets": [ ] }');
    await putDocument(EXCLUSIONS_KEY, { version: 1, exclusions: [] });
    const { result, log } = await runCapturingErrors(lambdaEnvironment());
    expect(result).toEqual({ status: 'FAILED', runStatus: 'FAILED', errorKind: 'BAD_INPUT', paged: false });
    expect(log).toContain('BaselineError');
    expect(log).toContain(`s3://${s3.bucket}/${BASELINE_KEY}`);
    expect(await s3.listKeys()).toEqual([BASELINE_KEY, EXCLUSIONS_KEY]);
    expect(emulator.stats().totalRequests).toBe(0);
  });

  it('fails loudly when S3 refuses the report for good: Lambda error, IncompleteRun, latest/ left on the previous run', async () => {
    await putDocuments();
    const handler = await loadHandler();
    const env = lambdaEnvironment();
    await withEnv(env, () => handler({ time: '2026-11-25T02:00:00Z' }, context));
    const latestBefore = await s3.getObject(KEYS.latestRun);
    stdout = [];

    s3.faultProxy!.setRules([{ method: 'PUT', keyPattern: /^runs\//, failures: 'forever', status: 500 }]);
    const error = await withEnv(env, () => handler(EVENT, context)).catch((e: unknown) => e as Error);
    expect((error as Error).name).toBe('ReportStoreError');
    expect((error as Error).message).toContain(`runs/dt=2026-11-26/${RUN_ID}.json`);
    expect(emfDocuments()).toEqual([expect.objectContaining({ IncompleteRun: 1 })]);
    expect(await s3.getObject(KEYS.latestRun)).toEqual(latestBefore);
    expect(await s3.listKeys()).not.toContain(KEYS.run);
  });
});
