/**
 * A target's Security Hub finding across runs, with the real SecurityHubClient against
 * the emulator's BatchImportFindings: new drift creates the finding, a change updates it,
 * resolution archives it, a retried run adds nothing, and what the customer set on the
 * finding survives every import.
 */
import { BatchImportFindingsCommand, InvalidInputException, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { RETRY_SETTINGS } from '../../lambdas/audit/aws/clients';
import { driftFinding, findingId, productArn, type FindingContext } from '../../lambdas/audit/findings/asff-finding';
import {
  publishFindings,
  type PublishFindingsDeps,
  type PublishFindingsInput,
} from '../../lambdas/audit/findings/publish-findings';
import type { AssociationRow } from '../../lambdas/audit/report/rows';
import { TokenBucket } from '../../lambdas/audit/util/token-bucket';
import { emulatorClientConfig, startEmulator, type RunningEmulator } from '../emulator';
import { row } from '../lambdas/audit/report/row-fixtures';
import { startEmulatedAudit, type EmulatedAudit } from '../support/emulated-audit';

const ADMIN = '999988887777';
const TARGET = '111122223333';
const OTHER = '444455556666';
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

function run(day: number, rows: AssociationRow[], previous: AssociationRow[] | null) {
  const runId = `202611${String(day).padStart(2, '0')}T020000Z`;
  const auditedAt = `2026-11-${String(day).padStart(2, '0')}T02:00:00.000Z`;
  const stamped = rows.map((r) => ({ ...r, run_id: runId, audited_at: auditedAt }));
  const input: PublishFindingsInput = {
    rows: stamped,
    previous,
    accountId: ADMIN,
    region: 'us-east-1',
    partition: 'aws',
    runId,
    auditedAt,
    reportKey: `associations/dt=2026-11-${String(day).padStart(2, '0')}/${runId}.jsonl.gz`,
  };
  return { rows: stamped, publish: () => publishFindings(deps(), input) };
}

const stored = (target: string) => {
  const hit = emu.findings().find((f) => f.finding.Id === findingId(target));
  if (!hit) throw new Error(`no finding for ${target}`);
  return hit;
};

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

describe('a drifted target across runs', () => {
  it('is created, updated, archived, and never duplicated', async () => {
    // Night 1: new drift creates the finding.
    const night1 = run(20, [failed(), row({ target_id: OTHER })], null);
    expect(await night1.publish()).toMatchObject({ published: 1, failed: 0, active: 1, archived: 0 });
    expect(emu.findings()).toHaveLength(1);
    expect(stored(TARGET).finding).toMatchObject({
      ProductArn: PRODUCT,
      AwsAccountId: ADMIN,
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      Workflow: { Status: 'NEW' },
      Severity: { Label: 'HIGH' },
      FindingProviderFields: { Severity: { Label: 'HIGH' } },
      Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${TARGET}` }],
    });

    // The security team takes it on; no import may undo that.
    emu.updateFindingAsCustomer(PRODUCT, findingId(TARGET), {
      Workflow: { Status: 'NOTIFIED' },
      Note: { Text: 'Ticket SEC-42', UpdatedBy: 'alice', UpdatedAt: '2026-11-20T09:00:00.000Z' },
    });

    // Night 2: the drift changes (now a baseline mismatch too): the same finding is updated.
    const night2 = run(
      21,
      [failed({ baseline_policy_id: P2, drift_reasons: ['FAILED', 'BASELINE_MISMATCH'] })],
      night1.rows,
    );
    expect(await night2.publish()).toMatchObject({ published: 1, failed: 0 });
    expect(emu.findings()).toHaveLength(1);
    const updated = stored(TARGET);
    expect(updated.imports).toBe(2);
    expect(updated.finding.Title).toContain('FAILED, BASELINE_MISMATCH');
    expect(updated.finding.UpdatedAt).toBe('2026-11-21T02:00:00.000Z');
    expect(updated.finding.CreatedAt).toBe('2026-11-20T02:00:00.000Z');
    expect(updated.finding.Workflow).toEqual({ Status: 'NOTIFIED' });
    expect(updated.finding.Note).toMatchObject({ Text: 'Ticket SEC-42' });
    expect(emu.findingsStats().customerFieldsIgnored).toBe(0);

    // A retried invocation of night 2 sends the same findings again: still one finding.
    expect(await night2.publish()).toMatchObject({ published: 1, failed: 0 });
    expect(emu.findings()).toHaveLength(1);
    expect(stored(TARGET).finding).toEqual(updated.finding);

    // Night 3: resolved. The finding is archived and passes, in the same run.
    const night3 = run(
      22,
      [row({ target_id: TARGET, configuration_policy_id: P1, association_status: 'SUCCESS' })],
      night2.rows,
    );
    expect(await night3.publish()).toMatchObject({ published: 1, active: 0, archived: 1 });
    expect(emu.findings()).toHaveLength(1);
    expect(stored(TARGET).finding).toMatchObject({
      RecordState: 'ARCHIVED',
      Compliance: { Status: 'PASSED' },
      Workflow: { Status: 'NOTIFIED' },
    });

    // Night 4: it drifts again: the archived finding comes back as NEW work.
    const night4 = run(23, [failed({ first_drift_seen: '2026-11-23T02:00:00.000Z' })], night3.rows);
    expect(await night4.publish()).toMatchObject({ published: 1 });
    expect(stored(TARGET).finding).toMatchObject({ RecordState: 'ACTIVE', Workflow: { Status: 'NEW' } });
    expect(emu.findings()).toHaveLength(1);
  });

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
      const out = await run(24, drifted, null).publish();
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
    const out = await client.send(new BatchImportFindingsCommand({ Findings: [good, foreign, untitled] }));
    expect(out).toMatchObject({ SuccessCount: 1, FailedCount: 2 });
    expect(out.FailedFindings!.map((f) => [f.Id, f.ErrorCode])).toEqual([
      [foreign.Id, 'InvalidInput'],
      [untitled.Id, 'InvalidInput'],
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
  });
});
