/**
 * The state machine as synthesized, run by aws-local-stepfunctions, on every path it has.
 *
 * - The real handler, in-process, configured through the environment as deployed, against
 *   the emulator (Organizations, Security Hub), s3rver (S3) and a recording SNS endpoint:
 *   a 1,000-account run spread over several rounds must write the report an uninterrupted
 *   invocation writes, and the runs the function refuses must page exactly once, whoever
 *   sends the page.
 * - Scripted answers of the audit task (results, Lambda service errors, function errors and
 *   timeouts, a task that never answers) and failing CountIncompleteRun and Page tasks, so
 *   that every state of the definition is entered by some execution (the last test checks
 *   it against the state names of the template) and each terminal is reached with the SNS
 *   messages counted and read: exactly one page per failed run, none from the state
 *   machine for a refusal the function paged itself.
 *
 * Retry waits are overridden to 0; everything else (retriers, catchers, timeouts, choices,
 * intrinsic functions) is the synthesized definition's own.
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
import { startLocalSns, type LocalSns, type PublishedMessage } from '../support/sns-server';

jest.setTimeout(120_000);

type HandlerModule = typeof import('../../lambdas/audit/handler');

const TIME = '2026-11-26T02:00:00Z';
/** The execution id the local interpreter gives every execution; each round passes it on. */
const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:audit:local-execution';
const RUN_ID = '20261126T020000Z';
/** Each round's Lambda deadline: the walk fits in the first, the fan-out needs several. */
const ROUND_MS = 2_500;
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:audit-alerts';
const EXECUTION_NAME = 'local-execution';
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:audit:${EXECUTION_NAME}`;
/** A schedule time with a line break and a link in it: no page may show it raw. */
const HOSTILE_TIME = '2026-11-26T02:00:00Z\nhttps://evil.example/login';

let org: GeneratedOrg;
let emulator: RunningEmulator;
let s3: LocalS3;
let sns: LocalSns;
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
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    REPORT_BUCKET: s3.bucket,
    MAC_KEY_ID: emulator.kms.keyId,
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

/**
 * Only timing, the report's own key and the number of calls may differ between the two runs
 * (Organizations calls only upwards: a listing a round's end cut short is made again).
 */
function counts(summary: Record<string, unknown>): Record<string, unknown> {
  // The rows' hash follows first_drift_seen, the clock when each run started.
  const differ = new Set([
    'mac',
    'duration_seconds',
    'report_key',
    'html_key',
    'securityhub_api_calls',
    'throttled_requests',
    'associations_sha256',
    'organizations_api_calls',
  ]);
  return Object.fromEntries(Object.entries(summary).filter(([key]) => !differ.has(key)));
}

beforeAll(async () => {
  org = generateOrganization({ seed: 'state-machine', accounts: 1_000, ous: 200, maxDepth: 5, now: Date.parse(TIME) });
  emulator = await startEmulator({ org });
  s3 = await startLocalS3();
  sns = await startLocalSns();
  definition = stateMachineDefinition(templateFor());
});

afterAll(async () => {
  await emulator?.close();
  await s3?.close();
  await sns?.close();
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

/** The payload each round gets. */
interface RoundPayload {
  readonly time?: unknown;
  readonly round: number;
  readonly maxRounds: number;
}

/** A task error as Step Functions reports it: the name is what Retry and Catch match. */
function taskError(name: string): Error {
  return Object.assign(new Error(`${name} (scripted)`), { name });
}

/** Never settles: a task that never answers, for the task timeout. */
const never = () => new Promise<never>(() => undefined);

/** What the tasks do; each gets its 0-based attempt number within the execution. Throwing fails the attempt. */
interface Script {
  /** The audit task's answer: what the function returns. */
  readonly round: (payload: RoundPayload, attempt: number) => unknown;
  readonly count?: (attempt: number) => void;
  readonly page?: (attempt: number) => void;
}

/** What an execution did. */
interface Outcome {
  /** States entered, in order (a retried state once per entry). */
  readonly entered: readonly string[];
  /** The state the execution ended in. */
  readonly terminal: string;
  /** The Error of a failed execution. */
  readonly error?: string;
  readonly output?: unknown;
  /** The payload of every attempt of AuditRound. */
  readonly invocations: readonly RoundPayload[];
  readonly countAttempts: number;
  readonly pageAttempts: number;
  /** Messages the state machine's Page delivered. */
  readonly machinePages: readonly PublishedMessage[];
  /** Messages the function delivered (the recording SNS endpoint), and the ones it was refused. */
  readonly functionPages: readonly PublishedMessage[];
  readonly functionPagesRefused: readonly PublishedMessage[];
}

/** Runs `machineDefinition` (the synthesized one unless given) on `input` with the tasks scripted. */
async function execute(input: unknown, script: Script, machineDefinition = definition): Promise<Outcome> {
  const invocations: RoundPayload[] = [];
  const machinePages: PublishedMessage[] = [];
  let countAttempts = 0;
  let pageAttempts = 0;
  sns.clear();
  const machine = new StateMachine(machineDefinition as unknown as StateMachineDefinition);
  const execution = machine.run(input as never, {
    // What Step Functions supplies to every execution (the interpreter adds StartTime); the page quotes it.
    context: { Execution: { Id: EXECUTION_ARN, Name: EXECUTION_NAME } },
    overrides: {
      taskResourceLocalHandlers: {
        AuditRound: async (task) => {
          const payload = (task as unknown as { Payload: RoundPayload }).Payload;
          invocations.push(payload);
          const answer: unknown = await script.round(payload, invocations.length - 1);
          // The handler's result is JSON (it is what Lambda would serialize).
          return { Payload: JSON.parse(JSON.stringify(answer ?? null)) as never, StatusCode: 200 };
        },
        CountIncompleteRun: () => {
          countAttempts += 1;
          script.count?.(countAttempts - 1);
          return {};
        },
        Page: (task) => {
          pageAttempts += 1;
          script.page?.(pageAttempts - 1);
          machinePages.push(task as PublishedMessage);
          return { MessageId: `local-${machinePages.length}` };
        },
      },
      retryIntervalOverrides: { AuditRound: 0, CountIncompleteRun: 0, Page: 0 },
    },
  });
  const output: unknown = await execution.result.catch(() => undefined);
  const states: string[] = [];
  let error: string | undefined;
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') states.push(event.state.name);
    if (event.type === 'ExecutionFailed') error = event.Error;
  }
  return {
    entered: states,
    terminal: states.at(-1) ?? '',
    error,
    output,
    invocations,
    countAttempts,
    pageAttempts,
    machinePages,
    functionPages: [...sns.published],
    functionPagesRefused: [...sns.refused],
  };
}

/** The synthesized definition with the audit task's timeout shortened, so a task that never answers times out in 1 s. */
function withRoundTimeout(seconds: number): AslDefinition {
  const copy = structuredClone(definition) as { States: Record<string, Record<string, unknown>> };
  copy.States.AuditRound.TimeoutSeconds = seconds;
  return copy as unknown as AslDefinition;
}

/** `text` as a regular expression that matches it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The page the state machine sends, whatever the path: the execution, its start, the path's reason. */
function machinePage(reason: string): Record<string, unknown> {
  return {
    TopicArn: expect.stringMatching(/:AlertTopic/) as unknown,
    Subject: 'Security Hub configuration audit run failed',
    Message: expect.stringMatching(
      new RegExp(
        `^The Security Hub configuration audit execution ${EXECUTION_NAME} \\(started \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\) ` +
          `failed: ${literally(reason)}\\. The execution history and the function log say why: ${literally(EXECUTION_ARN)}$`,
      ),
    ) as unknown,
  };
}

const ROUND_FAILED = 'round 1 failed on every attempt, or the function could not be invoked';
const NOT_PAGED =
  'the function refused the run (bad input or a missing permission) and could not send its own alert; its log says why';

const done = { status: 'DONE', runId: RUN_ID, runStatus: 'COMPLETE' };
const carryOn = { status: 'CONTINUE', runId: RUN_ID };
const refusal = (paged: boolean) => ({ status: 'FAILED', runStatus: 'FAILED', errorKind: 'BAD_INPUT', paged });
const fails = (name: string) => () => {
  throw taskError(name);
};

/** Runs once, on first use: the coverage test reuses the executions the other tests made. */
function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= run());
}

/** The real handler, with the alert topic on the recording SNS endpoint. */
function realFunction(prefix: string, extra: Record<string, string | undefined> = {}): Script['round'] {
  const handler = loadHandler();
  return (payload, attempt) =>
    withEnv({ ...environment(prefix), ALERT_TOPIC_ARN: TOPIC_ARN, ...extra }, () =>
      handler(payload, lambdaContext(`${prefix}${attempt}`)),
    );
}

/** Every path, each one execution. */
const paths = {
  continuedThenDone: once(() => execute({ time: TIME }, { round: (_p, attempt) => (attempt < 2 ? carryOn : done) })),
  serviceErrorsThenDone: once(() =>
    execute(
      { time: TIME },
      {
        round: (_p, attempt) => {
          const errors = [
            'Lambda.ServiceException',
            'Lambda.ClientExecutionTimeoutException',
            'Lambda.TooManyRequestsException',
            'Lambda.SdkClientException',
          ];
          if (attempt < errors.length) throw taskError(errors[attempt]);
          return done;
        },
      },
    ),
  ),
  everyRetryThenDone: once(() =>
    execute(
      { time: TIME },
      {
        // Six service errors and two failed rounds: the two retriers count separately.
        round: (_p, attempt) => {
          if (attempt < 6) throw taskError('Lambda.TooManyRequestsException');
          if (attempt < 8) throw taskError('Sandbox.Timedout');
          return done;
        },
      },
    ),
  ),
  serviceErrorsForGood: once(() => execute({ time: TIME }, { round: fails('Lambda.TooManyRequestsException') })),
  functionErrors: once(() => execute({ time: TIME }, { round: fails('Error') })),
  functionTimeouts: once(() => execute({ time: TIME }, { round: fails('Sandbox.Timedout') })),
  taskTimeouts: once(() => execute({ time: TIME }, { round: never }, withRoundTimeout(1))),
  roundsExhausted: once(() => execute({ time: TIME }, { round: () => carryOn })),
  unknownStatus: once(() => execute({ time: TIME }, { round: () => ({ status: 'MAYBE' }) })),
  refusedAndPaged: once(() => execute({ time: TIME }, { round: () => refusal(true) })),
  refusedNotPaged: once(() => execute({ time: TIME }, { round: () => refusal(false) })),
  noTime: once(() => execute({ tim: HOSTILE_TIME }, { round: () => done })),
  hostileTimeFunctionFails: once(() => execute({ time: HOSTILE_TIME }, { round: fails('Error') })),
  countFails: once(() =>
    execute({ time: TIME }, { round: fails('Error'), count: fails('CloudWatch.CloudWatchException') }),
  ),
  pageFails: once(() => execute({ time: TIME }, { round: fails('Error'), page: fails('SNS.SnsException') })),
  realRefusal: once(() =>
    execute({ time: TIME }, { round: realFunction('refused/', { BASELINE_KEY: 'config/missing.json' }) }),
  ),
  realRefusalNotPaged: once(async () => {
    sns.refuse(true);
    try {
      return await execute(
        { time: TIME },
        { round: realFunction('unpaged/', { BASELINE_KEY: 'config/missing.json' }) },
      );
    } finally {
      sns.refuse(false);
    }
  }),
  realHostileTime: once(() => execute({ time: HOSTILE_TIME }, { round: realFunction('hostile/') })),
};

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
    const outcome = await execute(
      { time: TIME },
      {
        round: (payload, attempt) =>
          withEnv(environment('rounds/'), () => handler(payload, lambdaContext(`round-${attempt}`, ROUND_MS))),
      },
    );
    emulator.setFaults({});

    expect(outcome.invocations.length).toBeGreaterThanOrEqual(3);
    // Every round carries the schedule time and its own number.
    expect(outcome.invocations).toEqual(
      outcome.invocations.map((_, i) => ({
        time: TIME,
        round: i + 1,
        maxRounds: 8,
        execution: expect.stringContaining(':execution:') as unknown,
      })),
    );
    expect(outcome.terminal).toBe('ReportWritten');
    expect(outcome.output).toMatchObject({
      time: TIME,
      round: outcome.invocations.length,
      result: { Payload: { status: 'DONE', runId: RUN_ID } },
    });
    expect(outcome.entered).not.toContain('CountIncompleteRun');
    expect(outcome.machinePages).toEqual([]);

    const whole = await report('whole/');
    const resumed = await report('rounds/');
    expect(withoutJudgedTimes(resumed.rows)).toEqual(withoutJudgedTimes(whole.rows));
    expect(counts(resumed.summary)).toEqual(counts(whole.summary));
    expect(resumed.summary.organizations_api_calls).toBeGreaterThanOrEqual(
      whole.summary.organizations_api_calls as number,
    );
    expect(resumed.rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(org).sort());
  });

  describe('ReportWritten: no page', () => {
    it('loops through NextRound while the run continues, then succeeds', async () => {
      const outcome = await paths.continuedThenDone();
      expect(outcome.entered).toEqual([
        'HasScheduleTime',
        'Start',
        'AuditRound',
        'WorkLeft',
        'NextRound',
        'AuditRound',
        'WorkLeft',
        'NextRound',
        'AuditRound',
        'WorkLeft',
        'ReportWritten',
      ]);
      expect(outcome.invocations.map((p) => p.round)).toEqual([1, 2, 3]);
      expect(outcome.machinePages).toEqual([]);
    });

    it('retries Lambda service errors, throttling and client timeouts within the round', async () => {
      const outcome = await paths.serviceErrorsThenDone();
      expect(outcome.terminal).toBe('ReportWritten');
      expect(outcome.invocations).toEqual(
        Array(5).fill({ time: TIME, round: 1, maxRounds: 8, execution: EXECUTION_ID }),
      );
      expect([outcome.countAttempts, outcome.machinePages.length]).toEqual([0, 0]);
    });

    it('uses both retriers to the end in one round (the worst case the execution timeout covers)', async () => {
      const outcome = await paths.everyRetryThenDone();
      expect(outcome.terminal).toBe('ReportWritten');
      // 1 + 6 service-error retries + 2 round retries.
      expect(outcome.invocations).toHaveLength(9);
      expect(outcome.machinePages).toEqual([]);
    });

    it('retries a round the function did not finish (timeout) from its checkpoint', async () => {
      const outcome = await execute(
        { time: TIME },
        { round: (_p, attempt) => (attempt === 0 ? fails('Sandbox.Timedout')() : done) },
      );
      expect(outcome.terminal).toBe('ReportWritten');
      expect(outcome.invocations).toHaveLength(2);
      expect(outcome.machinePages).toEqual([]);
    });
  });

  describe('RunRefused: the function paged, the state machine does not', () => {
    it('ends a FAILED result the function paged in RunRefused, neither counted nor paged again', async () => {
      const outcome = await paths.refusedAndPaged();
      expect(outcome.entered).toEqual([
        'HasScheduleTime',
        'Start',
        'AuditRound',
        'WorkLeft',
        'RefusalPaged',
        'RunRefused',
      ]);
      expect(outcome.error).toBe('AuditRefused');
      expect(outcome.invocations).toHaveLength(1);
      expect([outcome.countAttempts, outcome.pageAttempts]).toEqual([0, 0]);
    });

    it('with the real function: a missing baseline is paged once, by the function', async () => {
      const outcome = await paths.realRefusal();
      expect(outcome.terminal).toBe('RunRefused');
      expect(outcome.invocations).toHaveLength(1);
      expect(outcome.machinePages).toEqual([]);
      expect(outcome.functionPages).toEqual([
        {
          TopicArn: TOPIC_ARN,
          Subject: 'Security Hub config audit could not run: BAD_INPUT',
          Message: expect.stringMatching(
            /^audit could not run: BAD_INPUT: BASELINE_KEY: s3:\/\/[\w-]+\/config\/missing\.json does not exist\n/,
          ) as unknown,
        },
      ]);
    });

    it('with the real function: a schedule time with a line break and a link is refused and paged once, escaped', async () => {
      const outcome = await paths.realHostileTime();
      expect(outcome.terminal).toBe('RunRefused');
      expect(outcome.machinePages).toEqual([]);
      expect(outcome.functionPages).toHaveLength(1);
      const [first, ...rest] = outcome.functionPages[0].Message!.split('\n');
      // The time is quoted on the error's own line, its line break shown as \x0a: no line of its own.
      expect(first).toContain('\\x0ahttps://evil.example/login');
      expect(rest.some((line) => line.includes('evil.example'))).toBe(false);
    });
  });

  describe('RunFailed: the state machine pages once', () => {
    it.each([
      ['a function that fails every attempt', 'functionErrors', 3],
      ['a function that times out every attempt', 'functionTimeouts', 3],
      ['Lambda throttling on every attempt', 'serviceErrorsForGood', 7],
      ['a task that never answers (States.Timeout, retried as a failed round)', 'taskTimeouts', 3],
    ] as const)('%s: counted, paged, failed', async (_name, path, attempts) => {
      const outcome = await paths[path]();
      expect(outcome.invocations).toHaveLength(attempts);
      expect(outcome.entered.slice(-4)).toEqual(['RoundFailed', 'CountIncompleteRun', 'Page', 'RunFailed']);
      expect(outcome.error).toBe('AuditRunFailed');
      expect(outcome.countAttempts).toBe(1);
      expect(outcome.machinePages).toEqual([machinePage(ROUND_FAILED)]);
    });

    it('rounds exhausted: still work left after the last round', async () => {
      const outcome = await paths.roundsExhausted();
      expect(outcome.invocations.map((p) => p.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(outcome.entered.slice(-5)).toEqual([
        'WorkLeft',
        'RoundsExhausted',
        'CountIncompleteRun',
        'Page',
        'RunFailed',
      ]);
      expect(outcome.machinePages).toEqual([machinePage('the run still had work left after round 8 of 8')]);
    });

    it.each([
      ['an unknown status', 'MAYBE'],
      ['no status', {}],
      ['a status that is not a string', { status: 7 }],
      ['nothing', null],
      ['a bare string', 'DONE'],
    ])('a result with %s: counted and paged, no States.Runtime', async (_name, answer) => {
      const outcome =
        answer === 'MAYBE' ? await paths.unknownStatus() : await execute({ time: TIME }, { round: () => answer });
      expect(outcome.entered.slice(-5)).toEqual([
        'WorkLeft',
        'UnexpectedResult',
        'CountIncompleteRun',
        'Page',
        'RunFailed',
      ]);
      expect(outcome.machinePages).toEqual([machinePage('round 1 returned no status the state machine knows')]);
    });

    it.each([
      ['paged: false', false],
      ['no paged field (an older function)', undefined],
      ['a paged field that is not a boolean', 'yes'],
    ])('a refusal the function did not page (%s): paged by the state machine, not counted twice', async (_n, paged) => {
      const outcome =
        paged === false
          ? await paths.refusedNotPaged()
          : await execute({ time: TIME }, { round: () => ({ ...refusal(true), paged }) });
      expect(outcome.entered.slice(-4)).toEqual(['RefusalPaged', 'RefusalNotPaged', 'Page', 'RunFailed']);
      // The function counted IncompleteRun when it refused.
      expect(outcome.countAttempts).toBe(0);
      expect(outcome.machinePages).toEqual([machinePage(NOT_PAGED)]);
    });

    it('with the real function: a refusal whose own page SNS refused is paged once, by the state machine', async () => {
      const outcome = await paths.realRefusalNotPaged();
      expect(outcome.functionPagesRefused).toHaveLength(1);
      expect(outcome.functionPages).toEqual([]);
      expect(outcome.terminal).toBe('RunFailed');
      expect(outcome.machinePages).toEqual([machinePage(NOT_PAGED)]);
    });

    it('an input without a time: the run is not started, counted and paged without echoing the input', async () => {
      const outcome = await paths.noTime();
      expect(outcome.entered).toEqual(['HasScheduleTime', 'NoScheduleTime', 'CountIncompleteRun', 'Page', 'RunFailed']);
      expect(outcome.invocations).toEqual([]);
      expect(outcome.machinePages).toEqual([
        machinePage('the execution input has no "time" (the schedule time the run is named after)'),
      ]);
    });

    it.each([
      ['not an object', 'run now'],
      ['null', null],
      ['an array', [TIME]],
    ])('an input that is %s: counted and paged like an input without a time', async (_name, input) => {
      const outcome = await execute(input, { round: () => done });
      expect(outcome.entered).toEqual(['HasScheduleTime', 'NoScheduleTime', 'CountIncompleteRun', 'Page', 'RunFailed']);
      expect(outcome.machinePages).toHaveLength(1);
    });

    it('the page shows nothing of a hostile time: no line break, no link', async () => {
      const outcome = await paths.hostileTimeFunctionFails();
      expect(outcome.invocations[0]).toEqual({ time: HOSTILE_TIME, round: 1, maxRounds: 8, execution: EXECUTION_ID });
      expect(outcome.machinePages).toEqual([machinePage(ROUND_FAILED)]);
      expect(outcome.machinePages[0].Message).not.toMatch(/\n|evil|https?:/);
    });

    it('a CountIncompleteRun that fails every attempt still pages', async () => {
      const outcome = await paths.countFails();
      expect(outcome.countAttempts).toBe(4);
      expect(outcome.entered.slice(-4)).toEqual(['RoundFailed', 'CountIncompleteRun', 'Page', 'RunFailed']);
      expect(outcome.machinePages).toEqual([machinePage(ROUND_FAILED)]);
    });

    it('a Page that fails every attempt still ends in RunFailed (the ExecutionsFailed alarm is left)', async () => {
      const outcome = await paths.pageFails();
      expect(outcome.pageAttempts).toBe(4);
      expect(outcome.terminal).toBe('RunFailed');
      expect(outcome.error).toBe('AuditRunFailed');
      expect(outcome.machinePages).toEqual([]);
    });
  });

  it('enters every state of the synthesized definition on some path, and ends only in its three terminals', async () => {
    const outcomes: Outcome[] = [];
    for (const path of Object.values(paths)) outcomes.push(await path());
    const entered = new Set(outcomes.flatMap((o) => o.entered));
    expect([...entered].sort()).toEqual(Object.keys(definition.States).sort());
    expect(new Set(outcomes.map((o) => o.terminal))).toEqual(new Set(['ReportWritten', 'RunRefused', 'RunFailed']));
    // No execution ended anywhere else, e.g. in a States.Runtime error.
    for (const outcome of outcomes) {
      expect(['ReportWritten', 'RunRefused', 'RunFailed']).toContain(outcome.terminal);
      expect([undefined, 'AuditRefused', 'AuditRunFailed']).toContain(outcome.error);
    }
  });
});
