import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  BatchImportFindingsCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type GetFindingsResponse,
} from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { findingId, GENERATOR_ID, productArn } from '../../../../lambdas/audit/findings/asff-finding';
import type { PublishFindingsDeps } from '../../../../lambdas/audit/findings/publish-findings';
import { MAX_FILTER_VALUES } from '../../../../lambdas/audit/findings/read-active-findings';
import { RECHECK_METRIC_NAMES } from '../../../../lambdas/audit/metrics/audit-metrics';
import {
  buildRecheckDigest,
  publishRecheck,
  type RecheckPublishInput,
} from '../../../../lambdas/audit/recheck/publish-recheck';
import { compareWithKnown } from '../../../../lambdas/audit/recheck/recheck-changes';
import { writeRecheckRecord } from '../../../../lambdas/audit/recheck/recheck-record';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { MemoryStore } from '../../../support/memory-store';
import { TEST_MAC } from '../../../support/local-mac';
import { row } from '../report/row-fixtures';
import { FULL_RUN_ID, RECHECK_ID, RECHECK_TIME, recheckRow } from './recheck-fixtures';

const DESTINATION = { accountId: '999988887777', region: 'us-east-1', partition: 'aws' };
const TOPIC = 'arn:aws:sns:us-east-1:999988887777:audit-alerts';
const [RESOLVED, NEW_FAILED, NEW_MISSING, UNTOUCHED, GONE] = [
  '111111111111',
  '222222222222',
  '333333333333',
  '444444444444',
  '555555555555',
];

const drifted = (id: string): AssociationRow =>
  row({
    target_id: id,
    drift: true,
    drift_reasons: ['FAILED'],
    audit_result: 'DRIFT',
    first_drift_seen: '2026-11-20T02:00:00.000Z',
  });
/** The full run: RESOLVED, UNTOUCHED and GONE drifted. */
const KNOWN = new Map([RESOLVED, UNTOUCHED, GONE].map((id) => [id, drifted(id)] as const));

const stored = (id: string): AwsSecurityFinding => ({
  SchemaVersion: '2018-10-08',
  Id: findingId(id),
  ProductArn: productArn(DESTINATION),
  GeneratorId: GENERATOR_ID,
  AwsAccountId: DESTINATION.accountId,
  CreatedAt: '2026-11-20T02:00:00.000Z',
  UpdatedAt: '2026-11-26T02:00:00.000Z',
  Title: 't',
  Description: 'd',
  Resources: [],
  RecordState: 'ACTIVE',
});
const ALL_ACTIVE: GetFindingsResponse = { Findings: [RESOLVED, UNTOUCHED, GONE].map(stored) };

function findingsDeps(read: () => GetFindingsResponse | Error) {
  const sent: AwsSecurityFinding[] = [];
  const reads: GetFindingsCommand['input'][] = [];
  const bucket = () => ({ take: jest.fn(() => Promise.resolve()), backOff: jest.fn(), recover: jest.fn() });
  const deps: PublishFindingsDeps = {
    client: {
      send: (command: BatchImportFindingsCommand | GetFindingsCommand) => {
        if (command instanceof GetFindingsCommand) {
          reads.push(command.input);
          const out = read();
          return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
        }
        sent.push(...command.input.Findings!);
        return Promise.resolve({ FailedCount: 0, SuccessCount: command.input.Findings!.length, FailedFindings: [] });
      },
    },
    clock: { now: () => Date.parse('2026-11-27T10:17:00.000Z') },
    sleep: () => Promise.resolve(),
    random: () => 0.5,
    bucket: bucket(),
    readBucket: bucket(),
  };
  return { deps, sent, reads };
}

const sns = mockClient(SNSClient);
const snsClient = new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

/** A re-check that read RESOLVED (fixed), two new drifts (the MISSING one first) and a hostile name, and found GONE gone. */
async function scenario(fresh: AssociationRow[] = defaultFresh()) {
  const comparison = compareWithKnown(fresh, (id) => KNOWN.get(id));
  const { record } = await writeRecheckRecord(new MemoryStore(), 'audit/', TEST_MAC, {
    recheckId: RECHECK_ID,
    fullRunId: FULL_RUN_ID,
    stateStatus: 'OK',
    startedAt: RECHECK_TIME,
    finishedAt: '2026-11-27T10:16:00.000Z',
    events: [
      { eventId: 'e1', eventName: 'MoveAccount', eventTime: Date.parse('2026-11-27T10:14:00Z') },
      {
        eventId: 'e2',
        eventName: 'StartConfigurationPolicyAssociation',
        eventTime: Date.parse('2026-11-27T10:14:30Z'),
      },
    ],
    rows: comparison.rows,
    deferred: 3,
    badEvents: 1,
  });
  const input: RecheckPublishInput = {
    destination: DESTINATION,
    record,
    comparison,
    gone: [KNOWN.get(GONE)!],
    known: (id) => KNOWN.get(id),
    knownState: { status: 'OK', reason: null },
    topicArn: TOPIC,
    digestOptions: { maxTargets: 20, reportLocation: `s3://bucket/${record.associations_key}` },
  };
  return input;
}

function defaultFresh(): AssociationRow[] {
  return [
    recheckRow(RESOLVED),
    recheckRow(NEW_MISSING, ['MISSING'], {
      association_status: null,
      configuration_policy_id: null,
      association_type: null,
      severity: 'MEDIUM',
    }),
    recheckRow(NEW_FAILED, ['FAILED'], { target_name: 'evil\n @here <!channel> http://x.example' }),
  ];
}

const newMetrics = () => new Metrics({ namespace: 'RecheckTest', serviceName: 'recheck-test', defaultDimensions: {} });

describe('publishRecheck', () => {
  const saved = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  beforeAll(() => {
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });
  afterAll(() => {
    if (saved.dev !== undefined) process.env.POWERTOOLS_DEV = saved.dev;
    if (saved.disabled !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
  });
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
  });

  it('imports findings of the changed and gone targets only, and archives nothing it did not re-check', async () => {
    const h = findingsDeps(() => ALL_ACTIVE);
    const out = await publishRecheck({ findings: h.deps, sns: snsClient, metrics: newMetrics() }, await scenario());
    const sent = h.sent.map((f) => [f.Id, f.RecordState, f.Compliance?.Status]);
    expect(sent).toEqual(
      expect.arrayContaining([
        [findingId(NEW_MISSING), 'ACTIVE', 'FAILED'],
        [findingId(NEW_FAILED), 'ACTIVE', 'FAILED'],
        [findingId(RESOLVED), 'ARCHIVED', 'PASSED'],
        [findingId(GONE), 'ARCHIVED', 'NOT_AVAILABLE'],
      ]),
    );
    expect(sent).toHaveLength(4);
    expect(h.sent.map((f) => f.Id)).not.toContain(findingId(UNTOUCHED));
    // Strictly later than what Security Hub holds, same lifecycle as the nightly run.
    expect(h.sent.every((f) => Date.parse(f.UpdatedAt!) > Date.parse('2026-11-26T02:00:00.000Z'))).toBe(true);
    expect(out.findings).toMatchObject({ published: 4, failed: 0, active: 2, archived: 2 });
    // A few targets: their findings are read by id, in one call, not every page of the organization's.
    expect(h.reads).toHaveLength(1);
    expect(h.reads[0].Filters?.Id?.map((f) => f.Value).sort()).toEqual(
      [RESOLVED, NEW_FAILED, NEW_MISSING, GONE].map(findingId).sort(),
    );
  });

  it('reads every page when it re-checked more targets than one GetFindings filter takes', async () => {
    const h = findingsDeps(() => ALL_ACTIVE);
    const many = Array.from({ length: MAX_FILTER_VALUES }, (_, i) => recheckRow(String(600000000000 + i), ['FAILED']));
    await publishRecheck({ findings: h.deps, sns: snsClient, metrics: newMetrics() }, await scenario(many));
    expect(h.reads[0].Filters?.Id).toBeUndefined();
    // Still nothing archived outside the re-checked set: GONE only.
    expect(h.sent.filter((f) => f.RecordState === 'ARCHIVED').map((f) => f.Id)).toEqual([findingId(GONE)]);
  });

  it('archives from its known rows only within what it re-checked when Security Hub cannot be read', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    const h = findingsDeps(() => denied);
    await publishRecheck({ findings: h.deps, sns: snsClient, metrics: newMetrics() }, await scenario());
    expect(
      h.sent
        .filter((f) => f.RecordState === 'ARCHIVED')
        .map((f) => f.Id)
        .sort(),
    ).toEqual([findingId(RESOLVED), findingId(GONE)].sort());
  });

  it('sends one digest for new drift: says re-check and what triggered it, worst first, values escaped', async () => {
    const h = findingsDeps(() => ALL_ACTIVE);
    const out = await publishRecheck({ findings: h.deps, sns: snsClient, metrics: newMetrics() }, await scenario());
    expect(out.digest).toEqual({ status: 'SENT' });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const { Subject, Message, MessageStructure } = calls[0].args[0].input;
    expect(MessageStructure).toBe('json');
    expect(Subject).toMatch(/^Re-check \(MoveAccount and 1 more\): /);
    expect(Subject!.length).toBeLessThan(100);
    const { default: email, https } = JSON.parse(Message!) as { default: string; https: string };
    expect(email).toContain('re-check triggered by MoveAccount, StartConfigurationPolicyAssociation');
    expect(email).toContain(`Re-check:   ${RECHECK_ID}`);
    // FAILED before MISSING, whatever the row order.
    expect(email.indexOf(NEW_FAILED)).toBeLessThan(email.indexOf(NEW_MISSING));
    // The hostile name forges no line, mentions no one, links nowhere.
    expect(email).toContain('evil\\x0a');
    expect(email).not.toContain('@here');
    expect(email).not.toContain('http://x.example');
    const chat = JSON.parse(https) as { content: { description: string } };
    expect(chat.content.description).toContain('Re-check triggered by MoveAccount');
    expect(chat.content.description).not.toContain('<!channel>');
  });

  it('sends no digest when nothing newly drifted (a resolution closes its finding and waits for the night)', async () => {
    const h = findingsDeps(() => ALL_ACTIVE);
    const out = await publishRecheck(
      { findings: h.deps, sns: snsClient, metrics: newMetrics() },
      await scenario([recheckRow(RESOLVED)]),
    );
    expect(out.digest).toEqual({ status: 'NONE' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(h.sent.map((f) => [f.Id, f.RecordState])).toEqual([
      [findingId(RESOLVED), 'ARCHIVED'],
      [findingId(GONE), 'ARCHIVED'],
    ]);
  });

  it('returns a failed digest instead of throwing, and sends none without a topic', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
    const h = findingsDeps(() => ALL_ACTIVE);
    const failed = await publishRecheck({ findings: h.deps, sns: snsClient, metrics: newMetrics() }, await scenario());
    expect(failed.digest.status).toBe('FAILED');
    expect(failed.digest).toHaveProperty('reason', expect.stringContaining(TOPIC) as unknown);
    const input = { ...(await scenario()), topicArn: null };
    const none = await publishRecheck(
      { findings: findingsDeps(() => ALL_ACTIVE).deps, sns: snsClient, metrics: newMetrics() },
      input,
    );
    expect(none.digest).toEqual({ status: 'NO_TOPIC' });
  });

  it('emits the re-check metrics, FAILED first, from the record', async () => {
    const metrics = newMetrics();
    const input = await scenario();
    await publishRecheck({ findings: findingsDeps(() => ALL_ACTIVE).deps, sns: snsClient, metrics }, input);
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      metrics.publishStoredMetrics();
    } finally {
      spy.mockRestore();
    }
    const doc = written
      .flatMap((w) => w.split('\n'))
      .filter((l) => l.includes('_aws'))
      .map(
        (l) =>
          JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } },
      )[0];
    expect(doc._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).toEqual([...RECHECK_METRIC_NAMES]);
    expect(RECHECK_METRIC_NAMES[0]).toBe('RecheckFailed');
    expect(doc).toMatchObject({
      RecheckFailedAssociations: 1,
      RecheckNewDrift: 2,
      RecheckStateUntrusted: 0,
      RecheckBadEvents: 1,
      RecheckStillPending: 0,
      RecheckDeferred: 3,
      RecheckResolved: 1,
      RecheckTargets: 3,
    });
  });
});

describe('buildRecheckDigest', () => {
  it('says the known state was not trusted, so the reader knows why it alerts more', async () => {
    const input = await scenario();
    const digest = buildRecheckDigest(
      input.record,
      input.comparison,
      { status: 'UNTRUSTED', reason: 'state MAC' },
      input.digestOptions,
    )!;
    expect(digest.subject).toContain('[HISTORY UNTRUSTED]');
    expect(digest.message).toContain('state MAC');
  });
});
