/**
 * The state machine as synthesized, run by aws-local-stepfunctions: its Lambda task calls
 * the real handler in-process, configured through the environment as deployed, against
 * the emulator (Organizations, Security Hub) and s3rver (S3). Each invocation gets a
 * Lambda deadline of a few seconds and Security Hub a slow rate, so a 1,000-account run
 * spans several rounds; its report must equal the one an uninterrupted invocation writes.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import validateAsl from 'asl-validator';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import {
  generateOrganization,
  localAwsEnvironment,
  startEmulator,
  type EmulatorFaults,
  type GeneratedOrg,
  type RunningEmulator,
} from '../emulator';
import { stateMachineDefinition, type AslDefinition } from '../infra/state-machine-definition';
import { templateFor } from '../infra/test-app';
import { allTargetIds, parseWrittenRows, withEnv, withoutJudgedTimes } from '../support/emulated-audit';
import { lambdaContext } from '../support/lambda-context';
import { startLocalS3, type LocalS3 } from '../support/s3-server';

jest.setTimeout(120_000);

type HandlerModule = typeof import('../../lambdas/audit/handler');

const TIME = '2026-11-26T02:00:00Z';
const RUN_ID = '20261126T020000Z';
/** Each round's Lambda deadline: the walk fits in the first, the fan-out needs several. */
const ROUND_MS = 2_500;

let org: GeneratedOrg;
let emulator: RunningEmulator;
let s3: LocalS3;
let definition: AslDefinition;

function loadHandler(): HandlerModule['handler'] {
  let mod!: HandlerModule;
  jest.isolateModules(() => {
    // A fresh module instance (its runtime is cached per instance) needs a synchronous require here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../lambdas/audit/handler') as HandlerModule;
  });
  return mod.handler;
}

/** The function's environment, pointed at the local servers, with a slow Security Hub. */
function environment(prefix: string): Record<string, string | undefined> {
  return {
    ...localAwsEnvironment(emulator, s3),
    REPORT_BUCKET: s3.bucket,
    REPORT_PREFIX: prefix,
    BASELINE_KEY: undefined,
    EXCLUSIONS_KEY: undefined,
    ALERT_TOPIC_ARN: undefined,
    ORGANIZATIONS_ROLE_ARN: undefined,
    // 25 batch-gets at 3 per second: about 8 s of fan-out, three or more rounds of 2.5 s.
    SECURITYHUB_REQUESTS_PER_SECOND: '3',
    SECURITYHUB_BURST: '1',
    ORGANIZATIONS_REQUESTS_PER_SECOND: '100',
    ORGANIZATIONS_BURST: '100',
    REDRIVE_BASE_DELAY_MS: '1',
    REDRIVE_MAX_DELAY_MS: '2',
    DEADLINE_MARGIN_SECONDS: '0',
    CHECKPOINT_INTERVAL_SECONDS: '5',
    POWERTOOLS_SERVICE_NAME: 'securityhub-config-audit-it',
    POWERTOOLS_METRICS_NAMESPACE: 'SecurityHubConfigAuditIntegration',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
}

function faults(): EmulatorFaults {
  const accounts = org.accounts.map((a) => a.id);
  return {
    securityHub: {
      unprocessed: [
        { targetIds: accounts.slice(0, 20), attempts: 1, errorCode: '429' },
        { targetIds: accounts.slice(20, 22), attempts: 'forever', errorCode: '403' },
      ],
    },
  };
}

async function report(prefix: string) {
  const keys = reportKeys(prefix, RUN_ID, '2026-11-26');
  const rows = parseWrittenRows(await s3.getObject(keys.associations));
  const summary = JSON.parse((await s3.getObject(keys.run)).toString('utf8')) as Record<string, unknown>;
  return { rows, summary };
}

/** Only timing, the report's own key and the number of calls may differ between the two runs. */
function counts(summary: Record<string, unknown>): Record<string, unknown> {
  // The rows' hash follows first_drift_seen, the clock when each run started.
  const differ = new Set([
    'duration_seconds',
    'report_key',
    'html_key',
    'securityhub_api_calls',
    'throttled_requests',
    'associations_sha256',
  ]);
  return Object.fromEntries(Object.entries(summary).filter(([key]) => !differ.has(key)));
}

beforeAll(async () => {
  org = generateOrganization({ seed: 'state-machine', accounts: 1_000, ous: 200, maxDepth: 5, now: Date.parse(TIME) });
  emulator = await startEmulator({ org });
  s3 = await startLocalS3();
  definition = stateMachineDefinition(templateFor());
});

afterAll(async () => {
  await emulator?.close();
  await s3?.close();
});

/** The real clock; the handler runs on a copy that starts at the schedule time. */
const realNow = Date.now.bind(Date);

beforeEach(() => {
  // Staleness is judged at the clock and an event more than 24 h old is refused: run at TIME.
  const offset = realNow() - Date.parse(TIME);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() - offset);
  // Powertools writes its EMF documents and logs here; not needed by these tests.
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** Runs the synthesized definition with the audit task calling `invoke`, the other tasks recorded. */
function runStateMachine(invoke: (payload: unknown) => Promise<unknown>) {
  const calls: { state: string; input: unknown }[] = [];
  const record = (state: string) => (input: unknown) => {
    calls.push({ state, input });
    return {};
  };
  const machine = new StateMachine(definition as unknown as StateMachineDefinition);
  const execution = machine.run(
    { time: TIME },
    {
      // What Step Functions supplies to every execution; the page quotes it.
      context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:audit:local' } },
      overrides: {
        taskResourceLocalHandlers: {
          AuditRound: async (input) => {
            calls.push({ state: 'AuditRound', input });
            // The handler's result is JSON (it is what Lambda would serialize).
            const payload = JSON.parse(JSON.stringify(await invoke((input as { Payload: unknown }).Payload))) as string;
            return { Payload: payload, StatusCode: 200 };
          },
          CountIncompleteRun: record('CountIncompleteRun'),
          Page: record('Page'),
        },
        retryIntervalOverrides: { AuditRound: 0, CountIncompleteRun: 0, Page: 0 },
      },
    },
  );
  return { result: execution.result, calls };
}

describe('the audit state machine', () => {
  it('is valid Amazon States Language', () => {
    expect(validateAsl(structuredClone(definition)).errorsText()).toBe('');
  });

  it('continues a 1,000-account run over several rounds and writes the report an uninterrupted run writes', async () => {
    emulator.setFaults(faults());
    const direct = loadHandler();
    const once = await withEnv(environment('whole/'), () => direct({ time: TIME }, lambdaContext('whole')));
    expect(once).toMatchObject({ status: 'DONE', runId: RUN_ID });

    emulator.setFaults(faults());
    const handler = loadHandler();
    let invocation = 0;
    const { result, calls } = runStateMachine((payload) => {
      invocation += 1;
      return withEnv(environment('rounds/'), () => handler(payload, lambdaContext(`round-${invocation}`, ROUND_MS)));
    });
    const output = (await result) as { round: number; result: { status: string; runId: string } };

    const rounds = calls.filter((c) => c.state === 'AuditRound');
    expect(rounds.length).toBeGreaterThanOrEqual(3);
    // Every round carries the schedule time and its own number.
    expect(rounds.map((c) => c.input)).toEqual(
      rounds.map((_, i) => expect.objectContaining({ Payload: { time: TIME, round: i + 1, maxRounds: 8 } }) as unknown),
    );
    expect(output).toMatchObject({ time: TIME, round: rounds.length, result: { status: 'DONE', runId: RUN_ID } });
    expect(calls.some((c) => c.state === 'Page' || c.state === 'CountIncompleteRun')).toBe(false);

    const whole = await report('whole/');
    const resumed = await report('rounds/');
    expect(withoutJudgedTimes(resumed.rows)).toEqual(withoutJudgedTimes(whole.rows));
    expect(counts(resumed.summary)).toEqual(counts(whole.summary));
    expect(resumed.rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(org).sort());
  });

  it('counts, pages and fails when a round fails for good', async () => {
    const { result, calls } = runStateMachine(() => Promise.reject(new Error('the function failed')));
    await expect(result).rejects.toThrow(/The audit run failed/);
    // The first attempt and the two retries of States.TaskFailed, then the failure path, in order.
    expect(calls.map((c) => c.state)).toEqual(['AuditRound', 'AuditRound', 'AuditRound', 'CountIncompleteRun', 'Page']);
    expect(calls.find((c) => c.state === 'CountIncompleteRun')?.input).toMatchObject({
      Namespace: 'SecurityHubConfigAudit',
      MetricData: [{ MetricName: 'IncompleteRun', Value: 1 }],
    });
    expect(calls.find((c) => c.state === 'Page')?.input).toMatchObject({
      Message: expect.stringContaining(`schedule time ${TIME} failed in round 1`) as unknown,
    });
  });
});
