/**
 * A target's Security Hub finding across runs, with the real SecurityHubClient against
 * the emulator's BatchImportFindings: new drift creates the finding, a change updates it,
 * resolution archives it, a retried run adds nothing, and what the customer set on the
 * finding survives every import.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchImportFindingsCommand, InvalidInputException, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { gzipSync } from 'node:zlib';
import { RETRY_SETTINGS } from '../../lambdas/audit/aws/clients';
import { driftFinding, findingId, productArn, type FindingContext } from '../../lambdas/audit/findings/asff-finding';
import {
  publishFindings,
  type PublishFindingsDeps,
  type PublishFindingsInput,
} from '../../lambdas/audit/findings/publish-findings';
import { publishRunFindings } from '../../lambdas/audit/findings/run-findings';
import type { AssociationRow } from '../../lambdas/audit/report/rows';
import { TokenBucket } from '../../lambdas/audit/util/token-bucket';
import { emulatorClientConfig, startEmulator, type RunningEmulator } from '../emulator';
import { row } from '../lambdas/audit/report/row-fixtures';
import { startEmulatedAudit, type EmulatedAudit } from '../support/emulated-audit';

const ADMIN = '999988887777';
const TARGET = '111122223333';
const P1 = '11111111-1111-4111-8111-111111111111';
const P2 = '22222222-2222-4222-8222-222222222222';
const PRODUCT = productArn({ accountId: ADMIN, region: 'us-east-1', partition: 'aws' });
const CTX: FindingContext = {
  accountId: ADMIN,
  region: 'us-east-1',
  partition: 'aws',
  runId: '20261125T020000Z',
  auditedAt: '2026-11-25T02:00:00.000Z',
  reportKey: 'associations/dt=2026-11-25/20261125T020000Z.jsonl.gz',
};

let emu: RunningEmulator;
let client: SecurityHubClient;

beforeAll(async () => {
  emu = await startEmulator({ org: { seed: 3, accounts: 5, ous: 1 } });
  client = new SecurityHubClient({ ...emulatorClientConfig(emu), ...RETRY_SETTINGS.securityHub });
});

afterAll(async () => {
  client?.destroy();
  await emu?.close();
});

function deps(): PublishFindingsDeps {
  let now = 0;
  const clock = { now: () => now };
  const sleep = (ms: number) => {
    now += ms;
    return Promise.resolve();
  };
  return {
    client,
    clock,
    sleep,
    random: () => 0.5,
    bucket: new TokenBucket({ ratePerSecond: 8, burst: 10, clock, sleep }),
    readBucket: new TokenBucket({ ratePerSecond: 2, burst: 4, clock, sleep }),
  };
}

interface Night {
  readonly rows: AssociationRow[];
  publish(): ReturnType<typeof publishFindings>;
}

/** A scheduled run on 2026-11-`day` at `hour`:00 UTC; `previous` is its trusted history (`null`: none or untrusted). */
function run(
  day: number,
  rows: AssociationRow[],
  previous: AssociationRow[] | null,
  options: { hour?: number; walkComplete?: boolean; account?: string } = {},
): Night {
  const dd = String(day).padStart(2, '0');
  const hh = String(options.hour ?? 2).padStart(2, '0');
  const runId = `202611${dd}T${hh}0000Z`;
  const auditedAt = `2026-11-${dd}T${hh}:00:00.000Z`;
  const stamped = rows.map((r) => ({ ...r, run_id: runId, audited_at: auditedAt }));
  const input: PublishFindingsInput = {
    rows: stamped,
    previous,
    walkComplete: options.walkComplete,
    // Another administrator account has a product, and findings, of its own.
    accountId: options.account ?? ADMIN,
    region: 'us-east-1',
    partition: 'aws',
    runId,
    auditedAt,
    reportKey: `associations/dt=2026-11-${dd}/${runId}.jsonl.gz`,
  };
  return { rows: stamped, publish: () => publishFindings(deps(), input) };
}

const stored = (target: string) => {
  const hit = emu.findings().find((f) => f.finding.Id === findingId(target));
  if (!hit) throw new Error(`no finding for ${target}`);
  return hit;
};

/** What Security Hub holds of the given targets' findings: record state and compliance, by target. */
const held = (...targets: string[]) =>
  Object.fromEntries(
    targets.map((t) => {
      const f = emu.findings().find((x) => x.finding.Id === findingId(t))?.finding;
      return [t, f ? `${f.RecordState as string} ${(f.Compliance as { Status: string }).Status}` : 'none'];
    }),
  );

const failed = (overrides: Partial<AssociationRow> = {}) =>
  row({
    target_id: TARGET,
    configuration_policy_id: P1,
    association_type: 'APPLIED',
    association_status: 'FAILED',
    association_status_message: 'Security Hub is not enabled in the account',
    expected_policy_id: P1,
    drift: true,
    drift_reasons: ['FAILED'],
    audit_result: 'DRIFT',
    first_drift_seen: '2026-11-20T02:00:00.000Z',
    ...overrides,
  });
const fine = (target: string) =>
  row({ target_id: target, configuration_policy_id: P1, association_status: 'SUCCESS', expected_policy_id: P1 });

describe('targets across nights: Security Hub holds what the organization is', () => {
  const RESOLVES = '121212121212';
  const CLI_FIXED = '131313131313';
  const LEAVES = '141414141414';
  const ALL = [TARGET, RESOLVES, CLI_FIXED, LEAVES];
  const drifting = (target: string) => failed({ target_id: target });

  afterEach(() => emu.setFaults({}));

  it('drift, failed archive, a retry, a CLI run, untrusted history, departure, recovery and relapse', async () => {
    // Night 1 (20th): four targets drift; each finding is created with CreatedAt = UpdatedAt.
    const night1 = run(20, ALL.map(drifting), null);
    expect(await night1.publish()).toMatchObject({ published: 4, failed: 0, active: 4, archived: 0 });
    expect(held(...ALL)).toEqual(Object.fromEntries(ALL.map((t) => [t, 'ACTIVE FAILED'])));
    expect(stored(TARGET).finding).toMatchObject({
      CreatedAt: '2026-11-20T02:00:00.000Z',
      UpdatedAt: '2026-11-20T02:00:00.000Z',
      FirstObservedAt: '2026-11-20T02:00:00.000Z',
      LastObservedAt: '2026-11-20T02:00:00.000Z',
      Severity: { Label: 'HIGH' },
      Workflow: { Status: 'NEW' },
    });

    // The security team takes TARGET on and lowers its severity; no import may undo that.
    emu.updateFindingAsCustomer(PRODUCT, findingId(TARGET), {
      Workflow: { Status: 'NOTIFIED' },
      Severity: { Label: 'LOW' },
      Note: { Text: 'Ticket SEC-42', UpdatedBy: 'alice', UpdatedAt: '2026-11-20T09:00:00.000Z' },
    });

    // Night 2 (21st): RESOLVES is fixed, but Security Hub refuses its archive on every attempt.
    emu.setFaults({ securityHub: { importFailures: [{ findingIds: [findingId(RESOLVES)], attempts: 'forever' }] } });
    const rows2 = [drifting(TARGET), fine(RESOLVES), drifting(CLI_FIXED), drifting(LEAVES)];
    const night2 = run(21, rows2, night1.rows);
    expect(await night2.publish()).toMatchObject({ published: 3, failed: 1, active: 3, archived: 1 });
    expect(held(RESOLVES)).toEqual({ [RESOLVES]: 'ACTIVE FAILED' });
    expect(stored(TARGET).finding).toMatchObject({
      UpdatedAt: '2026-11-21T02:00:00.000Z',
      CreatedAt: '2026-11-20T02:00:00.000Z',
      FirstObservedAt: '2026-11-20T02:00:00.000Z',
      LastObservedAt: '2026-11-21T02:00:00.000Z',
      Severity: { Label: 'LOW' },
      FindingProviderFields: { Severity: { Label: 'HIGH' } },
      Workflow: { Status: 'NOTIFIED' },
      Note: { Text: 'Ticket SEC-42' },
    });

    // Night 2 again, retried with changed content (TARGET's drift grew): not dropped, though
    // the run time is the same, and RESOLVES is archived now that Security Hub takes it.
    emu.setFaults({});
    const retry = run(
      21,
      [failed({ baseline_policy_id: P2, drift_reasons: ['FAILED', 'BASELINE_MISMATCH'] }), ...rows2.slice(1)],
      night1.rows,
    );
    expect(await retry.publish()).toMatchObject({ published: 4, failed: 0, archived: 1 });
    expect(stored(TARGET).finding.Title).toContain('FAILED, BASELINE_MISMATCH');
    expect(stored(TARGET).finding.UpdatedAt).toBe('2026-11-21T02:00:00.001Z');
    expect(held(RESOLVES)).toEqual({ [RESOLVES]: 'ARCHIVED PASSED' });
    expect(emu.findingsStats().staleUpdatesIgnored).toBe(0);

    // A CLI run on the 22nd finds CLI_FIXED fixed; the CLI publishes no findings.
    const cli = run(22, [drifting(TARGET), fine(RESOLVES), fine(CLI_FIXED), drifting(LEAVES)], retry.rows, {
      hour: 10,
    });
    expect(held(CLI_FIXED)).toEqual({ [CLI_FIXED]: 'ACTIVE FAILED' });

    // Night 3 (23rd): its history is the CLI run's, which says CLI_FIXED was not drifted, and
    // it is not trusted anyway (null); LEAVES has left the organization. Security Hub's
    // ACTIVE findings decide: both are archived.
    expect(cli.rows).toHaveLength(4);
    const night3 = run(23, [drifting(TARGET), fine(RESOLVES), fine(CLI_FIXED)], null);
    expect(await night3.publish()).toMatchObject({ published: 3, active: 1, archived: 2 });
    expect(held(...ALL)).toEqual({
      [TARGET]: 'ACTIVE FAILED',
      [RESOLVES]: 'ARCHIVED PASSED',
      [CLI_FIXED]: 'ARCHIVED PASSED',
      [LEAVES]: 'ARCHIVED NOT_AVAILABLE',
    });

    // Night 4 (24th): TARGET recovers; archived and passed, the team's workflow kept.
    const night4 = run(24, [fine(TARGET), fine(RESOLVES), fine(CLI_FIXED)], night3.rows);
    expect(await night4.publish()).toMatchObject({ published: 1, active: 0, archived: 1 });
    expect(held(...ALL)).toEqual({
      [TARGET]: 'ARCHIVED PASSED',
      [RESOLVES]: 'ARCHIVED PASSED',
      [CLI_FIXED]: 'ARCHIVED PASSED',
      [LEAVES]: 'ARCHIVED NOT_AVAILABLE',
    });
    expect(stored(TARGET).finding).toMatchObject({ Workflow: { Status: 'NOTIFIED' }, Severity: { Label: 'LOW' } });

    // Night 5 (25th): nothing drifted, nothing ACTIVE: nothing is sent.
    expect(await run(25, [fine(TARGET)], night4.rows).publish()).toMatchObject({ published: 0, apiCalls: 0 });

    // Night 6 (26th): TARGET drifts again: the archived finding comes back as NEW work.
    const night6 = run(26, [failed({ first_drift_seen: '2026-11-26T02:00:00.000Z' })], null);
    expect(await night6.publish()).toMatchObject({ published: 1 });
    expect(stored(TARGET).finding).toMatchObject({
      RecordState: 'ACTIVE',
      Workflow: { Status: 'NEW' },
      CreatedAt: '2026-11-20T02:00:00.000Z',
      FirstObservedAt: '2026-11-26T02:00:00.000Z',
    });
    expect(emu.findings().filter((f) => ALL.includes((f.finding.Id as string).split('/').pop()!))).toHaveLength(4);
  });

  it('keeps the finding of a target missing from a partial walk', async () => {
    const gone = '151515151515';
    const account = '999988886666';
    await run(20, [drifting(gone)], null, { account }).publish();
    const partial = run(21, [], null, { walkComplete: false, account });
    expect(await partial.publish()).toMatchObject({ published: 0, archived: 0 });
    expect(held(gone)).toEqual({ [gone]: 'ACTIVE FAILED' });
  });

  it("reads 800 ACTIVE findings without being throttled at GetFindings' documented 3/s, burst 6", async () => {
    const account = '999988884444';
    const targets = Array.from({ length: 800 }, (_, i) => String(200000000000 + i));
    const ctx = { ...CTX, accountId: account };
    for (let i = 0; i < targets.length; i += 100) {
      const findings = targets.slice(i, i + 100).map((t) => driftFinding(failed({ target_id: t }), ctx));
      await client.send(new BatchImportFindingsCommand({ Findings: findings }));
    }
    emu.setFaults({ securityHub: { getFindingsQuota: { ratePerSecond: 3, burst: 6 } } });
    emu.resetStats();
    const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const out = await publishRunFindings(
      { securityHub: client, clock: { now: () => Date.now() }, sleep: realSleep, random: () => 0.5 },
      {
        destination: { accountId: account, region: 'us-east-1', partition: 'aws' },
        rows: targets.map(fine),
        previous: null,
        walkComplete: true,
        runId: '20261126T020000Z',
        auditedAt: '2026-11-26T02:00:00.000Z',
        reportKey: 'associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
        requestsPerSecond: 8,
        burst: 10,
        deadline: Date.now() + 60_000,
      },
    );
    expect(out.read).toMatchObject({ status: 'COMPLETE', found: 800, apiCalls: 8 });
    expect(out).toMatchObject({ archived: 800, published: 800, failed: 0 });
    expect(emu.stats().requests.GetFindings).toBe(8);
    expect(emu.stats().throttles?.GetFindings).toBeUndefined();
  }, 30_000);

  it('re-sends findings Security Hub failed, and counts those that never pass', async () => {
    const flaky = '777788889999';
    const stuck = '123412341234';
    emu.setFaults({
      securityHub: {
        importFailures: [
          { findingIds: [findingId(flaky)], attempts: 2 },
          { findingIds: [findingId(stuck)], attempts: 'forever', errorCode: 'LimitExceeded' },
        ],
      },
    });
    try {
      const drifted = [flaky, stuck].map((id) => failed({ target_id: id }));
      const out = await run(24, drifted, null, { account: '999988885555' }).publish();
      expect(out).toMatchObject({ published: 1, failed: 1 });
      expect(out.failures).toEqual([
        { id: findingId(stuck), errorCode: 'LimitExceeded', errorMessage: 'Rate exceeded' },
      ]);
      expect(stored(flaky).imports).toBe(1);
      expect(emu.findings().some((f) => f.finding.Id === findingId(stuck))).toBe(false);
    } finally {
      emu.setFaults({});
    }
  });

  it('is validated by the emulator as Security Hub would: per finding, and the request as a whole', async () => {
    const good = driftFinding(failed({ target_id: '555566667777' }), CTX);
    const foreign = { ...driftFinding(failed({ target_id: '555566667778' }), CTX), AwsAccountId: '000011112222' };
    const untitled = { ...driftFinding(failed({ target_id: '555566667779' }), CTX), Title: undefined };
    const badState = { ...driftFinding(failed({ target_id: '555566667770' }), CTX), RecordState: 'DELETED' as never };
    const badType = {
      ...driftFinding(failed({ target_id: '555566667771' }), CTX),
      FindingProviderFields: { Severity: { Label: 'HIGH' as const }, Types: ['Configuration Drift/Policy'] },
    };
    const out = await client.send(
      new BatchImportFindingsCommand({ Findings: [good, foreign, untitled, badState, badType] }),
    );
    expect(out).toMatchObject({ SuccessCount: 1, FailedCount: 4 });
    expect(out.FailedFindings!.map((f) => [f.Id, f.ErrorCode])).toEqual([
      [foreign.Id, 'InvalidInput'],
      [untitled.Id, 'InvalidInput'],
      [badState.Id, 'InvalidInput'],
      [badType.Id, 'InvalidInput'],
    ]);
    const tooMany = Array.from({ length: 101 }, () => good);
    await expect(client.send(new BatchImportFindingsCommand({ Findings: tooMany }))).rejects.toBeInstanceOf(
      InvalidInputException,
    );
  });
});

describe('findings from a whole audit run', () => {
  const DESTINATION = { accountId: ADMIN, region: 'us-east-1', partition: 'aws' };
  let audit: EmulatedAudit;

  beforeAll(async () => {
    audit = await startEmulatedAudit({ org: { seed: 8, accounts: 40, ous: 4, anomalies: { failed: 2, missing: 1 } } });
  });
  afterAll(() => audit?.close());

  it('publishes after the report, and a publishing failure neither fails the run nor touches its report', async () => {
    const first = await audit.run({ scheduledTime: '2026-11-26T02:00:00Z', findings: DESTINATION });
    expect(first.summary.drifted).toBe(3);
    expect(first.findings).toMatchObject({ published: 3, failed: 0, active: 3, archived: 0 });
    const ids = audit.emulator.findings().map((f) => f.finding.Id);
    expect(ids.sort()).toEqual([...audit.org.anomalies.failed, ...audit.org.anomalies.missing].map(findingId).sort());

    // Security Hub now refuses every finding: the next run still writes its report and says so.
    audit.emulator.setFaults({
      securityHub: {
        importFailures: [{ findingIds: ids as string[], attempts: 'forever', errorCode: 'InvalidAccess' }],
      },
    });
    const second = await audit.run({ scheduledTime: '2026-11-27T02:00:00Z', findings: DESTINATION });
    expect(second.findings).toMatchObject({ published: 0, failed: 3 });
    expect(second.report.latestAdvanced).toBe(true);
    expect(await audit.readRows(second.report.associationsKey)).toHaveLength(second.summary.targets_reported);

    // Turned off (no destination): nothing is sent at all.
    audit.emulator.setFaults({});
    audit.emulator.resetStats();
    const third = await audit.run({ scheduledTime: '2026-11-28T02:00:00Z' });
    expect(third.findings).toBeUndefined();
    expect(audit.emulator.stats().requests.BatchImportFindings).toBeUndefined();
    expect(audit.emulator.stats().requests.GetFindings).toBeUndefined();
  });
});

describe('findings from whole audit runs with untrusted history', () => {
  const DESTINATION = { accountId: ADMIN, region: 'us-east-1', partition: 'aws' };
  let audit: EmulatedAudit;

  beforeAll(async () => {
    audit = await startEmulatedAudit({ org: { seed: 9, accounts: 30, ous: 3, anomalies: { failed: 2 } } });
  });
  afterAll(() => audit?.close());

  it("archives a finding whose target is excluded now, though the previous run's report cannot be trusted", async () => {
    const first = await audit.run({ scheduledTime: '2026-11-26T02:00:00Z', findings: DESTINATION });
    expect(first.findings).toMatchObject({ published: 2, active: 2, archived: 0 });
    const [excluded, still] = audit.org.anomalies.failed;

    // Someone overwrites the rows the next run would compare with: history is UNTRUSTED.
    const key = first.report.associationsKey;
    await audit.s3.client.send(
      new PutObjectCommand({ Bucket: audit.s3.bucket, Key: key, Body: gzipSync('{"tampered":true}\n') }),
    );
    const exclusions = JSON.stringify({
      version: 1,
      exclusions: [{ targetId: excluded, reason: 'Migration CHG-7', expires: '2026-12-31' }],
    });
    const second = await audit.run({
      scheduledTime: '2026-11-27T02:00:00Z',
      findings: DESTINATION,
      exclusions: { text: exclusions, source: 's3://audit-reports-test/config/exclusions.json' },
    });
    expect(second.summary.previous_run_status).toBe('UNTRUSTED');
    expect(second.findings).toMatchObject({ published: 2, failed: 0, active: 1, archived: 1 });
    expect(second.findings?.read).toMatchObject({ status: 'COMPLETE', found: 2 });
    const byTarget = new Map(audit.emulator.findings().map((f) => [f.finding.Id, f.finding]));
    expect(byTarget.get(findingId(excluded))).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'WARNING' },
    });
    expect(byTarget.get(findingId(still))).toMatchObject({
      RecordState: 'ACTIVE',
      UpdatedAt: '2026-11-27T02:00:00.000Z',
      CreatedAt: '2026-11-26T02:00:00.000Z',
    });
  });
});
