/**
 * Targets that never clear, and runs that reach their deadline: the report is written
 * anyway, INCOMPLETE, with one row per enumerated target and the reason each one lacks a
 * state. Real SDK clients over HTTP; virtual time, so no test waits for a backoff.
 */
import { DEADLINE_EXCEEDED } from '../../lambdas/audit/securityhub/unprocessed-errors';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import type { GeneratedOrg } from '../emulator';
import {
  allTargetIds,
  duplicates,
  idsWithReason,
  startEmulatedAudit,
  type EmulatedAudit,
  type EmulatedAuditOptions,
  type WrittenRow,
} from '../support/emulated-audit';

jest.setTimeout(60_000);

const SCHEDULED = '2026-11-26T02:00:00Z';
const RUN_ID = '20261126T020000Z';
const KEYS = reportKeys('', RUN_ID, '2026-11-26');
const BATCH_GET = 'BatchGetConfigurationPolicyAssociations';
const ORGANIZATIONS_OPERATIONS = ['ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent'];

let audit: EmulatedAudit | undefined;

afterEach(async () => {
  await audit?.close();
  audit = undefined;
});

async function start(options: EmulatedAuditOptions): Promise<EmulatedAudit> {
  audit = await startEmulatedAudit(options);
  return audit;
}

/** ACTIVE accounts with no seeded anomaly, in generation order. */
function plainAccounts(org: GeneratedOrg): string[] {
  const seeded = new Set(Object.values(org.anomalies).flat());
  return org.accounts.filter((a) => a.status === 'ACTIVE' && !seeded.has(a.id)).map((a) => a.id);
}

/** Asserts the invariant: one row per enumerated target, no duplicates, nothing else. */
function expectOneRowPerTarget(rows: readonly WrittenRow[], org: GeneratedOrg): void {
  expect(duplicates(rows.map((r) => r.target_id))).toEqual([]);
  expect(rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(org).sort());
}

/** Every row is exactly one of: a known state, UNPROCESSED (with an error code) or MISSING. */
function expectEachRowExplained(rows: readonly WrittenRow[]): void {
  for (const row of rows) {
    const reasons = row.drift_reasons as string[];
    const known = row.association_status !== null;
    const unprocessed = reasons.includes('UNPROCESSED');
    const missing = reasons.includes('MISSING');
    expect([row.target_id, [known, unprocessed, missing].filter(Boolean).length]).toEqual([row.target_id, 1]);
    expect([row.target_id, row.error_code !== null]).toEqual([row.target_id, unprocessed]);
  }
}

describe('targets that stay unprocessed for ever', () => {
  it('reports them with their last error, re-drives only the retryable ones, and still accounts for every target', async () => {
    const { org } = await start({ org: { seed: 'forever', accounts: 120, ous: 15, maxDepth: 3 } });
    const plain = plainAccounts(org);
    const retryable = [org.ous[0].id, ...plain.slice(0, 6)];
    const terminal = [org.ous[1].id, ...plain.slice(6, 8)];
    audit!.emulator.setFaults({
      securityHub: {
        unprocessed: [
          { targetIds: retryable, attempts: 'forever', errorCode: '500', errorReason: 'Internal failure (test)' },
          { targetIds: terminal, attempts: 'forever', errorCode: '403', errorReason: 'Access denied (test)' },
        ],
      },
    });

    const outcome = await audit!.run({
      scheduledTime: SCHEDULED,
      tuning: { redriveMaxAttempts: 4, redriveBaseDelayMs: 1000, redriveMaxDelayMs: 20_000 },
    });
    const rows = await audit!.readRows(outcome.report.associationsKey);
    const total = allTargetIds(org).length;

    expect(outcome.summary).toMatchObject({
      run_status: 'INCOMPLETE',
      targets_enumerated: total,
      targets_reported: total,
      drift_unprocessed: 10,
      status_unknown: 10,
      drifted: 10,
      redrive_attempts: 4,
      deadline_reached: false,
    });
    expect(rows).toHaveLength(total);
    expectOneRowPerTarget(rows, org);
    expectEachRowExplained(rows);
    expect(idsWithReason(rows, 'UNPROCESSED')).toEqual([...retryable, ...terminal].sort());

    const byId = new Map(rows.map((r) => [r.target_id, r]));
    for (const id of retryable) {
      expect(byId.get(id)).toMatchObject({
        error_code: '500',
        error_reason: 'Internal failure (test)',
        association_status: null,
        drift: true,
        audit_result: 'DRIFT',
      });
    }
    for (const id of terminal) {
      expect(byId.get(id)).toMatchObject({
        error_code: '403',
        error_reason: 'Access denied (test)',
        association_status: null,
        drift: true,
        audit_result: 'DRIFT',
      });
    }

    // Terminal codes are asked for once; retryable ones once plus once per re-drive round;
    // every other target exactly once.
    const asks = audit!.batchGetAsks;
    for (const id of allTargetIds(org)) {
      const expected = retryable.includes(id) ? 1 + 4 : 1;
      expect([id, asks.get(id)]).toEqual([id, expected]);
    }
    expect(audit!.emulator.stats().unprocessedServed).toBe(10 + 4 * retryable.length);
    // Re-drive backoff: full jitter with random() = 0.5 over 1 s, 2 s, 4 s, 8 s ceilings;
    // no pacing sleeps (a handful of calls stays within the burst).
    expect(audit!.clock.sleeps).toEqual([500, 1000, 2000, 4000]);
  });
});

describe('the deadline', () => {
  it('stops re-driving when the next backoff would end past it, and the report is still written', async () => {
    const { org } = await start({ org: { seed: 'deadline', accounts: 120, ous: 15, maxDepth: 3 } });
    const plain = plainAccounts(org);
    const slow = plain.slice(0, 5); // needs 3 unprocessed answers before it clears
    const quick = plain.slice(5, 9); // clears on the first re-drive
    audit!.emulator.setFaults({
      securityHub: {
        unprocessed: [
          { targetIds: slow, attempts: 3, errorCode: '429', errorReason: 'Rate exceeded' },
          { targetIds: quick, attempts: 1, errorCode: '503', errorReason: 'Service unavailable' },
        ],
      },
    });

    // Backoffs (random 0.5): 500 ms before round 1, then 1,000 ms: 500 + 1,000 passes 1,200.
    const outcome = await audit!.run({
      scheduledTime: SCHEDULED,
      deadlineInMs: 1200,
      tuning: { redriveMaxAttempts: 5, redriveBaseDelayMs: 1000, redriveMaxDelayMs: 20_000 },
    });
    const total = allTargetIds(org).length;
    expect(outcome.summary).toMatchObject({
      run_status: 'INCOMPLETE',
      deadline_reached: true,
      redrive_attempts: 1,
      targets_enumerated: total,
      targets_reported: total,
      drift_unprocessed: slow.length,
      status_unknown: slow.length,
    });
    expect(audit!.clock.sleeps).toEqual([500]);

    expect(await audit!.s3.listKeys()).toEqual([KEYS.associations, KEYS.html, KEYS.latestRun, KEYS.run].sort());
    const rows = await audit!.readRows(KEYS.associations);
    expect(await audit!.readRun(KEYS.latestRun)).toMatchObject({
      run_id: RUN_ID,
      run_status: 'INCOMPLETE',
      deadline_reached: true,
      report_key: KEYS.associations,
    });
    expectOneRowPerTarget(rows, org);
    expectEachRowExplained(rows);

    const byId = new Map(rows.map((r) => [r.target_id, r]));
    // A target re-driven before the deadline keeps its last real error, not DEADLINE_EXCEEDED.
    for (const id of slow)
      expect(byId.get(id)).toMatchObject({
        error_code: '429',
        error_reason: 'Rate exceeded',
        drift_reasons: ['UNPROCESSED'],
      });
    for (const id of quick)
      expect(byId.get(id)).toMatchObject({ error_code: null, association_status: 'SUCCESS', drift: false });
    for (const id of [...slow, ...quick]) expect([id, audit!.batchGetAsks.get(id)]).toEqual([id, 2]);
  });

  it('sends nothing more when the clock jumps past it during a re-drive backoff', async () => {
    const { org } = await start({ org: { seed: 'deadline', accounts: 60, ous: 8, maxDepth: 3 } });
    const stuck = plainAccounts(org).slice(0, 3);
    audit!.emulator.setFaults({
      securityHub: { unprocessed: [{ targetIds: stuck, attempts: 2, errorCode: '429', errorReason: 'Rate exceeded' }] },
    });
    // As if the process were frozen for ten minutes while it waited for round 1.
    audit!.clock.onSleep = (ms, clock) => {
      if (ms === 500) clock.advance(10 * 60_000);
    };
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, deadlineInMs: 5 * 60_000 });
    expect(outcome.summary).toMatchObject({
      run_status: 'INCOMPLETE',
      deadline_reached: true,
      drift_unprocessed: stuck.length,
      targets_reported: allTargetIds(org).length,
      // The backoff slept past the deadline, so the round sent nothing and does not count.
      redrive_attempts: 0,
    });
    const rows = await audit!.readRows(KEYS.associations);
    expectOneRowPerTarget(rows, org);
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    for (const id of stuck) {
      // Asked once, before the jump; the row keeps that real answer rather than DEADLINE_EXCEEDED.
      expect([id, audit!.batchGetAsks.get(id)]).toEqual([id, 1]);
      expect(byId.get(id)).toMatchObject({ error_code: '429', error_reason: 'Rate exceeded' });
    }
    expect(audit!.clock.sleeps).toEqual([500]);
  });

  it('sends nothing when it has come by the end of the walk, and still writes a full INCOMPLETE report', async () => {
    const { org } = await start({ org: { seed: 'deadline', accounts: 60, ous: 8, maxDepth: 3 } });
    const outcome = await audit!.run({ scheduledTime: SCHEDULED, deadlineInMs: 0 });
    const total = allTargetIds(org).length;
    expect(outcome.summary).toMatchObject({
      run_status: 'INCOMPLETE',
      deadline_reached: true,
      redrive_attempts: 0,
      targets_enumerated: total,
      targets_reported: total,
      drift_unprocessed: total,
      status_unknown: total,
      securityhub_api_calls: 0,
    });
    expect(audit!.emulator.stats().requests[BATCH_GET]).toBeUndefined();
    const rows = await audit!.readRows(KEYS.associations);
    expectOneRowPerTarget(rows, org);
    expect(rows.every((r) => r.error_code === DEADLINE_EXCEEDED)).toBe(true);
    expect(await audit!.s3.listKeys()).toEqual([KEYS.associations, KEYS.html, KEYS.latestRun, KEYS.run].sort());
  });
});

describe('enumerated = reported, always', () => {
  it('holds with unprocessed-for-ever, missing and never-sent targets together, under Organizations throttling', async () => {
    const { org } = await start({
      org: { seed: 'invariant-7', accounts: 150, ous: 20, maxDepth: 4, anomalies: { missing: 6, failed: 2 } },
    });
    // Depth-first walk order: the root, its own accounts, then the first OU's subtree. These
    // come early, so they are asked before the deadline stops the first pass.
    const early = [org.ous[0].id, org.organization.managementAccountId];
    const late = plainAccounts(org).slice(-3);
    const forever = [...early, ...late];
    audit!.emulator.setFaults({
      organizations: { quota: { ratePerSecond: 100, burst: 15 } },
      securityHub: {
        unprocessed: [
          { targetIds: forever, attempts: 'forever', errorCode: '500', errorReason: 'Internal failure (test)' },
        ],
      },
    });

    // Paced at 2 calls/s of virtual time: the deadline comes after ~8 of the ~18 groups.
    const outcome = await audit!.run({
      scheduledTime: SCHEDULED,
      deadlineInMs: 4000,
      tuning: { batchGroupSize: 10, maxConcurrency: 2, securityHubRequestsPerSecond: 2, securityHubBurst: 1 },
    });
    const rows = await audit!.readRows(outcome.report.associationsKey);
    const total = allTargetIds(org).length;
    expect(outcome.summary).toMatchObject({
      run_status: 'INCOMPLETE',
      deadline_reached: true,
      targets_enumerated: total,
      targets_reported: total,
    });
    expect(rows).toHaveLength(total);
    expectOneRowPerTarget(rows, org);
    expectEachRowExplained(rows);

    const asked = audit!.batchGetAsks;
    const missing = new Set(org.anomalies.missing);
    const neverSent = rows.filter((r) => r.error_code === DEADLINE_EXCEEDED).map((r) => r.target_id);
    for (const row of rows) {
      const id = row.target_id;
      const reasons = row.drift_reasons as string[];
      if (!asked.has(id)) {
        expect([id, row.error_code]).toEqual([id, DEADLINE_EXCEEDED]);
      } else if (forever.includes(id)) {
        expect([id, row.error_code, reasons]).toEqual([id, '500', ['UNPROCESSED']]);
      } else if (missing.has(id)) {
        expect([id, reasons]).toEqual([id, ['MISSING']]);
      } else {
        expect([id, row.association_status]).toEqual([id, org.associations.get(id)!.associationStatus]);
      }
    }
    // The case is only meaningful if each kind actually occurred.
    const askedForever = forever.filter((id) => asked.has(id));
    const reportedMissing = idsWithReason(rows, 'MISSING');
    expect(askedForever.length).toBeGreaterThan(0);
    expect(reportedMissing.length).toBeGreaterThan(0);
    expect(neverSent.length).toBeGreaterThan(0);
    expect(asked.size + neverSent.length).toBe(total);
    expect(outcome.summary).toMatchObject({
      drift_missing: reportedMissing.length,
      drift_unprocessed: neverSent.length + askedForever.length,
      status_unknown: neverSent.length + askedForever.length + reportedMissing.length,
    });

    // Organizations throttles are part of throttled_requests, and match what was served.
    const stats = audit!.emulator.stats();
    const orgThrottles = ORGANIZATIONS_OPERATIONS.reduce((n, op) => n + (stats.throttles[op] ?? 0), 0);
    expect(orgThrottles).toBeGreaterThan(0);
    expect(outcome.summary.throttled_requests).toBe(stats.totalThrottles);
    expect(outcome.summary.organizations_api_calls).toBe(
      ORGANIZATIONS_OPERATIONS.reduce((n, op) => n + (stats.requests[op] ?? 0), 0),
    );
  });
});
