/**
 * The fault matrix: what the services (and S3) can do to a run, one case each, and the
 * invariants every case must keep (`expectRunInvariants`): each enumerated target reported
 * exactly once, a truthful run status, summary counts and metrics equal to the rows, and
 * only whole reports in S3. Real SDK clients over HTTP against the emulator and s3rver;
 * the audit runs on a virtual clock, so only the SDK's own retry delays take real time.
 */
import { MALFORMED_RESPONSE } from '../../lambdas/audit/securityhub/unprocessed-errors';
import type { GeneratedOrg } from '../emulator';
import {
  allTargetIds,
  startEmulatedAudit,
  TEST_TUNING,
  type EmulatedAudit,
  type EmulatedAuditOptions,
} from '../support/emulated-audit';
import { expectRunInvariants } from '../support/run-invariants';
import { ReportStoreError } from '../../lambdas/audit/errors';

jest.setTimeout(90_000);

const SCHEDULED = '2026-11-26T02:00:00Z';
const RUN_ID = '20261126T020000Z';
const SMALL_ORG = { seed: 'matrix', accounts: 40, ous: 8, maxDepth: 3 } as const;
/** Ten groups for a 49-target organization, so faults land on some groups and not others. */
const GROUPS_OF_FIVE = { batchGroupSize: 5 } as const;

let audit: EmulatedAudit | undefined;

afterEach(async () => {
  await audit?.close();
  audit = undefined;
});

async function start(options: Partial<EmulatedAuditOptions> = {}): Promise<EmulatedAudit> {
  audit = await startEmulatedAudit({ org: SMALL_ORG, ...options });
  return audit;
}

/** ACTIVE accounts with no seeded anomaly, in generation order. */
function plainAccounts(org: GeneratedOrg): string[] {
  const seeded = new Set(Object.values(org.anomalies).flat());
  return org.accounts.filter((a) => a.status === 'ACTIVE' && !seeded.has(a.id)).map((a) => a.id);
}

describe('throttling storms', () => {
  it('Organizations throttling every call for the first second: the SDK retries ride it out, COMPLETE', async () => {
    const { org, emulator } = await start();
    emulator.setFaults({ organizations: { throttleStorm: { durationMs: 1000 } } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    expect(emulator.stats().totalThrottles).toBeGreaterThan(0);
    expect(outcome.summary.throttled_requests).toBeGreaterThan(0);
  });

  it('Security Hub throttling every call for 3 s of the run: re-drive backs off past it, COMPLETE', async () => {
    // The storm runs on the audit's (virtual) clock: it is the audit's own backoff that has to outlast it.
    const { org, emulator, clock } = await start({ emulatorOnAuditClock: true });
    emulator.setFaults({ securityHub: { throttleStorm: { durationMs: 3000 } } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    expect(outcome.summary.throttled_requests).toBeGreaterThan(0);
    expect(outcome.summary.redrive_attempts).toBeGreaterThan(0);
    // The client-side limiter backed off: it paced calls at least four times further apart
    // than at the configured rate (the test tuning's 50/s: 20 ms). Re-drive backoffs are
    // 500 ms and up, so anything below that is pacing.
    const interval = 1000 / TEST_TUNING.securityHubRequestsPerSecond;
    expect(clock.sleeps.some((ms) => ms >= 4 * interval && ms < 500)).toBe(true);
  });
});

describe('transient failures on the wire', () => {
  it('5xx answers, dropped connections and stalled responses on both services: retried, COMPLETE', async () => {
    const { org, emulator } = await start({ requestTimeoutMs: 300 });
    const wire = { serverErrorFraction: 0.1, dropConnectionFraction: 0.05, stall: { fraction: 0.05, ms: 2000 } };
    emulator.setFaults({ organizations: wire, securityHub: wire });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    const stats = emulator.stats();
    const injected = (m: Readonly<Record<string, number>>) => Object.values(m).reduce((a, b) => a + b, 0);
    expect(
      injected(stats.serverErrors) + injected(stats.droppedConnections) + injected(stats.stalledRequests),
    ).toBeGreaterThan(0);
  });
});

describe('pagination', () => {
  it('a NextToken on every page, empty pages and an empty last page: every target is found', async () => {
    const { org, emulator } = await start({ org: { ...SMALL_ORG, accounts: 90 } });
    emulator.setFaults({ organizations: { emptyPageFraction: 1 } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    expect(emulator.stats().emptyPagesServed).toBeGreaterThan(0);
  });
});

describe('unprocessed entries', () => {
  it('clearing on attempt k: COMPLETE; never clearing: INCOMPLETE with the last error on each row', async () => {
    const { org, emulator } = await start();
    const plain = plainAccounts(org);
    const clears = plain.slice(0, 4);
    const never = plain.slice(4, 6);
    emulator.setFaults({
      securityHub: {
        unprocessed: [
          { targetIds: clears, attempts: 3, errorCode: '429' },
          { targetIds: never, attempts: 'forever', errorCode: '503', errorReason: 'Still unavailable' },
        ],
      },
    });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: { redriveMaxAttempts: 4 } });
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'INCOMPLETE' });
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    for (const id of clears) expect(byId.get(id)?.association_status).not.toBeNull();
    for (const id of never) {
      expect(byId.get(id)).toMatchObject({
        error_code: '503',
        error_reason: 'Still unavailable',
        drift_reasons: ['UNPROCESSED'],
      });
    }
    expect(outcome.summary.redrive_attempts).toBe(4);
  });

  it('entries that clear within the rounds leave the run COMPLETE', async () => {
    const { org, emulator } = await start();
    emulator.setFaults({ securityHub: { unprocessed: [{ fraction: 0.3, attempts: 2, errorCode: '500' }] } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    expect(outcome.summary.redrive_attempts).toBe(2);
  });
});

describe('a group rejected as too large', () => {
  it('is split until the service accepts it: COMPLETE, and later groups are cut to the learned size', async () => {
    const { org, emulator } = await start();
    emulator.setFaults({ securityHub: { maxBatchSize: 7 } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: { batchGroupSize: 20, maxConcurrency: 1 } });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    const rejected = emulator.stats().clientErrors.BatchGetConfigurationPolicyAssociations ?? 0;
    // 20 -> 10 -> 5 once; after that every group is sent at the learned size.
    expect(rejected).toBe(2);
  });
});

describe('the deadline', () => {
  it('reached mid-run: the report and summary are still written, INCOMPLETE', async () => {
    const { org, emulator, clock } = await start();
    emulator.setFaults({ securityHub: { unprocessed: [{ fraction: 0.4, attempts: 'forever', errorCode: '429' }] } });
    // The first re-drive sleep stalls the process past the deadline.
    clock.onSleep = (ms, c) => {
      if (ms >= 500) c.advance(20 * 60_000);
    };
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'INCOMPLETE' });
    expect(outcome.summary.deadline_reached).toBe(true);
  });
});

describe('S3', () => {
  it('a PUT failing transiently is retried and each object is written once', async () => {
    const { org } = await start({ s3Faults: true });
    const proxy = audit!.s3.faultProxy!;
    proxy.setRules([{ method: 'PUT', keyPattern: /./, failures: 1, status: 503 }]);
    const outcome = await audit!.run({ scheduledTime: SCHEDULED });
    await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    const stats = proxy.stats();
    for (const key of [
      outcome.report.associationsKey,
      outcome.report.runKey,
      outcome.report.htmlKey,
      outcome.report.latestRunKey,
    ]) {
      expect([key, stats[key]?.putsSucceeded]).toEqual([key, 1]);
    }
  });

  it('a PUT failing for good fails the run loudly; latest/ is not advanced and the previous snapshot is intact', async () => {
    const { org } = await start({ s3Faults: true });
    const previous = await audit!.run({ scheduledTime: '2026-11-25T02:00:00Z' });
    const previousRows = await audit!.readRows(previous.report.associationsKey);
    const latestBefore = await audit!.s3.getObject(previous.report.latestRunKey);

    audit!.s3.faultProxy!.setRules([{ method: 'PUT', keyPattern: /^runs\//, failures: 'forever', status: 500 }]);
    await expect(audit!.run({ scheduledTime: SCHEDULED })).rejects.toThrow(ReportStoreError);

    expect(await audit!.s3.getObject(previous.report.latestRunKey)).toEqual(latestBefore);
    expect(await audit!.readRows(previous.report.associationsKey)).toEqual(previousRows);
    const keys = await audit!.s3.listKeys();
    // The failed run has no runs/ object: every shipped query keys off the runs table, so
    // its associations object (written first) is invisible, and a retry overwrites it.
    expect(keys.filter((k) => k.includes(RUN_ID))).toEqual([`associations/dt=2026-11-26/${RUN_ID}.jsonl.gz`]);
    expect(previousRows).toHaveLength(allTargetIds(org).length);

    // Once S3 recovers, a retry of the same schedule completes and advances latest/.
    audit!.s3.faultProxy!.setRules([]);
    const retried = await audit!.run({ scheduledTime: SCHEDULED });
    await expectRunInvariants(audit!, retried, {
      targetIds: allTargetIds(org),
      runStatus: 'COMPLETE',
      earlierRunIds: [previous.summary.run_id],
    });
    expect(retried.summary.previous_run_id).toBe(previous.summary.run_id);
  });
});

describe('malformed answers', () => {
  it('from Security Hub: recorded as UNPROCESSED or MISSING with the reason, never crashed on', async () => {
    const { org, emulator } = await start();
    const [a, b, c, d, e, f, g, h] = plainAccounts(org);
    emulator.setFaults({
      securityHub: {
        malformed: [
          { targetIds: [a], kind: 'missingStatus' },
          { targetIds: [b], kind: 'unknownStatus' },
          { targetIds: [c], kind: 'unknownAssociationType' },
          { targetIds: [d], kind: 'missingPolicyId' },
          { targetIds: [e], kind: 'unknownTargetType' },
          { targetIds: [f], kind: 'missingTargetId' },
          { targetIds: [g], kind: 'unknownTargetMember' },
          { targetIds: [h], kind: 'foreignTargetId' },
        ],
      },
    });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'INCOMPLETE' });
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    for (const id of [a, b, c, d, e]) {
      expect(byId.get(id)).toMatchObject({
        error_code: MALFORMED_RESPONSE,
        drift_reasons: ['UNPROCESSED'],
        association_status: null,
      });
      expect(byId.get(id)?.error_reason).toMatch(/^Unreadable association: /);
    }
    // Answers that cannot be attributed to the target asked for leave it without an answer.
    for (const id of [f, g, h])
      expect(byId.get(id)).toMatchObject({ drift_reasons: ['MISSING'], association_status: null });
    expect(JSON.stringify(rows)).not.toContain('../');
  });

  it('a policy id that is neither a UUID nor self-managed: MALFORMED_RESPONSE for that target only', async () => {
    const { org, emulator } = await start();
    const [a] = plainAccounts(org);
    emulator.setFaults({ securityHub: { malformed: [{ targetIds: [a], kind: 'nonUuidPolicyId' }] } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'INCOMPLETE' });
    expect(rows.find((r) => r.target_id === a)).toMatchObject({
      error_code: MALFORMED_RESPONSE,
      error_reason: 'Unreadable association: ConfigurationPolicyId "policy-1"',
      drift_reasons: ['UNPROCESSED'],
    });
    expect(outcome.summary.drift_unprocessed).toBe(1);
  });

  it('one answer the SDK cannot deserialize: the group is split, only that target is MALFORMED_RESPONSE, not re-driven', async () => {
    const { org, emulator } = await start();
    const [a] = plainAccounts(org);
    emulator.setFaults({ securityHub: { malformed: [{ targetIds: [a], kind: 'unparsableUpdatedAt' }] } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, tuning: GROUPS_OF_FIVE });
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'INCOMPLETE' });
    const row = rows.find((r) => r.target_id === a)!;
    expect(row).toMatchObject({ error_code: MALFORMED_RESPONSE, drift_reasons: ['UNPROCESSED'] });
    expect(row.error_reason).toMatch(/^Unreadable answer: /);
    expect(outcome.summary.drift_unprocessed).toBe(1);
    expect(outcome.summary.redrive_attempts).toBe(0);
  });

  it('ResourceNotFoundException for a whole call: split until the vanished target is alone; its group-mates are read', async () => {
    const { org, emulator } = await start();
    const [a] = plainAccounts(org);
    emulator.setFaults({ securityHub: { malformed: [{ targetIds: [a], kind: 'notFoundForCall' }] } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED });
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'INCOMPLETE' });
    expect(rows.find((r) => r.target_id === a)).toMatchObject({
      error_code: 'ResourceNotFoundException',
      drift_reasons: ['UNPROCESSED'],
    });
    expect(outcome.summary.drift_unprocessed).toBe(1);
    expect(outcome.summary.redrive_attempts).toBe(0);
  });

  it('from Organizations: unknown or missing account fields are recorded as unknown; the run goes on', async () => {
    const { org, emulator } = await start();
    const [a, b, c] = plainAccounts(org);
    emulator.setFaults({
      organizations: {
        malformedAccounts: [
          { accountId: a, kind: 'missingStatus' },
          { accountId: b, kind: 'unknownState' },
          { accountId: c, kind: 'missingName' },
        ],
      },
    });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED });
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: allTargetIds(org), runStatus: 'COMPLETE' });
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    expect(byId.get(a)?.account_status).toBeNull();
    expect(byId.get(b)?.account_status).toBeNull();
    expect(byId.get(c)?.target_name).toBe('');
  });
});

describe('ids that are not Organizations ids', () => {
  it('are rejected before any request, key, row or query sees them; the run says INCOMPLETE', async () => {
    const { org, emulator } = await start();
    const root = org.roots[0].id;
    const ou = org.ous[0].id;
    const bad = ['12345', '../../etc/passwd', "1'; DROP TABLE runs; --", 'ou-evil/../../x'];
    emulator.setFaults({
      organizations: {
        invalidChildren: [
          { parentId: root, type: 'ACCOUNT', id: bad[0] },
          { parentId: ou, type: 'ACCOUNT', id: bad[1] },
          { parentId: ou, type: 'ACCOUNT', id: bad[2] },
          { parentId: root, type: 'ORGANIZATIONAL_UNIT', id: bad[3] },
        ],
        malformedAccounts: [{ accountId: plainAccounts(org)[0], kind: 'missingId' }],
      },
    });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED });
    const expected = allTargetIds(org).filter((id) => id !== plainAccounts(org)[0]);
    const rows = await expectRunInvariants(audit!, outcome, { targetIds: expected, runStatus: 'INCOMPLETE' });
    expect(outcome.summary.targets_rejected).toBe(5);
    const written = JSON.stringify(rows) + JSON.stringify(outcome.summary) + (await audit!.s3.listKeys()).join('\n');
    for (const id of bad) {
      expect(written).not.toContain(id);
      expect(audit!.batchGetAsks.has(id)).toBe(false);
    }
    // The rejected OU was never listed (its id never went back to Organizations as a ParentId).
    expect(emulator.stats().clientErrors.ListAccountsForParent ?? 0).toBe(0);
  });
});
