/**
 * The scale case: 1,000 accounts, 150 OUs five levels deep, Security Hub's
 * documented rate (10 requests/s, with a burst of 5) enforced in real time by the emulator, and
 * 5% of the targets unprocessed twice before they clear. The audit runs with real SDK
 * clients over HTTP and virtual time, so its own pacing never holds it back: throttling
 * really happens and the SDK retries it.
 */
import { reportKeys } from '../../lambdas/audit/store/report-store';
import type { GeneratedOrg } from '../emulator';
import {
  AUDIT_EPOCH,
  allTargetIds,
  duplicates,
  idsWithReason,
  startEmulatedAudit,
  type EmulatedAudit,
  type WrittenRow,
} from '../support/emulated-audit';

jest.setTimeout(90_000);

// No MISSING here: a target the service never answers for has no definite state, which
// makes a run INCOMPLETE by definition (covered in audit-redrive-and-deadline).
const ANOMALIES = { failed: 7, stalePending: 5, freshPending: 4, inheritanceMismatch: 6, missing: 0 } as const;
const SCHEDULED = '2026-11-26T02:00:00Z';
const RUN_ID = '20261126T020000Z';
const ORGANIZATIONS_OPERATIONS = ['ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent'];
const BATCH_GET = 'BatchGetConfigurationPolicyAssociations';

let audit: EmulatedAudit;
let org: GeneratedOrg;
let summary: Awaited<ReturnType<EmulatedAudit['run']>>['summary'];
let rows: WrittenRow[];
/** Targets the emulator's 5% rule selects (ground truth, fixed by the seed). */
let redriven: string[];

beforeAll(async () => {
  audit = await startEmulatedAudit({
    org: { seed: 'scale-1000', accounts: 1000, ous: 150, maxDepth: 5, anomalies: ANOMALIES },
    faults: {
      // Organizations stays unthrottled here: its SDK client uses `adaptive` retries, whose
      // client-side rate limiter slows the whole walk down for seconds after one throttle.
      // Organizations throttling is covered in audit-redrive-and-deadline.int.test.ts.
      organizations: { emptyPageFraction: 0.05 },
      securityHub: {
        // Burst 5, not the documented 30: the fan-out now runs while the walk feeds it, which
        // spreads the calls out enough for a burst of 30 to absorb them, and this case is
        // about throttling that really happens.
        quota: { ratePerSecond: 10, burst: 5 },
        unprocessed: [{ fraction: 0.05, attempts: 2, errorCode: '429', errorReason: 'Rate exceeded' }],
      },
    },
  });
  org = audit.org;
  redriven = [...audit.emulator.unprocessedTargets().keys()];
  // Groups of 25: ~47 batch-get calls in the first pass, well over the burst of 30.
  const outcome = await audit.run({ scheduledTime: SCHEDULED, tuning: { batchGroupSize: 25, maxConcurrency: 4 } });
  summary = outcome.summary;
  rows = await audit.readRows(outcome.report.associationsKey);
});

afterAll(async () => {
  await audit?.close();
});

describe('an audit of 1,151 targets under Security Hub throttling', () => {
  it('generated the organization the case asks for', () => {
    expect(org.accounts).toHaveLength(1000);
    expect(org.ous).toHaveLength(150);
    expect(Math.max(...org.ous.map((o) => o.depth))).toBe(5);
    // About 5% of 1,151 targets come back unprocessed (a seeded draw, so not exactly 58).
    expect(redriven.length).toBeGreaterThan(35);
    expect(redriven.length).toBeLessThan(85);
  });

  it('reports every enumerated target exactly once', () => {
    expect(summary).toMatchObject({
      run_id: RUN_ID,
      trigger: 'SCHEDULED',
      targets_enumerated: 1151,
      targets_reported: 1151,
      roots: 1,
      organizational_units: 150,
      accounts: 1000,
      suspended_accounts: org.accounts.filter((a) => a.status !== 'ACTIVE').length,
    });
    expect(rows).toHaveLength(1151);
    expect(duplicates(rows.map((r) => r.target_id))).toEqual([]);
    expect(rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(org).sort());
    expect(rows.every((r) => r.run_id === RUN_ID)).toBe(true);
  });

  it('writes the dated objects and latest/, and nothing else', async () => {
    const keys = reportKeys('', RUN_ID, '2026-11-26');
    expect(summary.report_key).toBe(keys.associations);
    expect(await audit.s3.listKeys()).toEqual([keys.associations, keys.html, keys.latestRun, keys.run].sort());
    const run = await audit.readRun(keys.run);
    // The same summary, each object signed for its own key and kind.
    expect({ ...run, mac: null }).toEqual({ ...(await audit.readRun(keys.latestRun)), mac: null });
    expect(run).toMatchObject({
      run_id: RUN_ID,
      targets_reported: 1151,
      throttled_requests: summary.throttled_requests,
    });
  });

  it('clears every re-driven target after its two unprocessed answers', () => {
    expect(summary.redrive_attempts).toBeGreaterThanOrEqual(2);
    expect(summary.deadline_reached).toBe(false);
    expect(summary.drift_unprocessed).toBe(0);
    const byId = new Map(rows.map((r) => [r.target_id, r]));
    for (const id of redriven) {
      expect(byId.get(id)).toMatchObject({ error_code: null, error_reason: null });
      expect(byId.get(id)!.drift_reasons).not.toContain('UNPROCESSED');
    }
    const stats = audit.emulator.stats();
    // Each selected target was answered "unprocessed" exactly twice, and no target was asked
    // again by a call the service answered once it had its answer: every target once, plus
    // the two extra asks of each re-driven one (throttled calls never reach the service).
    expect(stats.unprocessedServed).toBe(2 * redriven.length);
    expect(stats.batchGetTargetsRequested).toBe(1151 + 2 * redriven.length);
  });

  it('reflects the seeded anomalies exactly, target by target', () => {
    const sorted = (ids: readonly string[]) => [...ids].sort();
    expect(idsWithReason(rows, 'FAILED')).toEqual(sorted(org.anomalies.failed));
    expect(idsWithReason(rows, 'PENDING_STALE')).toEqual(sorted(org.anomalies.stalePending));
    expect(idsWithReason(rows, 'MISSING')).toEqual(sorted(org.anomalies.missing));
    expect(idsWithReason(rows, 'INHERITANCE_MISMATCH')).toEqual(sorted(org.anomalies.inheritanceMismatch));
    expect(idsWithReason(rows, 'UNPROCESSED')).toEqual([]);
    expect(idsWithReason(rows, 'BASELINE_MISMATCH')).toEqual([]);
    const drifted = rows.filter((r) => r.drift === true).map((r) => r.target_id);
    const seededDrift = [
      ...org.anomalies.failed,
      ...org.anomalies.stalePending,
      ...org.anomalies.missing,
      ...org.anomalies.inheritanceMismatch,
    ];
    expect(drifted.sort()).toEqual(sorted(seededDrift));

    expect(summary).toMatchObject({
      drift_failed: ANOMALIES.failed,
      drift_pending_stale: ANOMALIES.stalePending,
      drift_missing: ANOMALIES.missing,
      drift_inheritance_mismatch: ANOMALIES.inheritanceMismatch,
      drift_unprocessed: 0,
      drift_baseline_mismatch: 0,
      drifted: seededDrift.length,
      excluded: 0,
      status_failed: ANOMALIES.failed,
      status_pending: ANOMALIES.stalePending + ANOMALIES.freshPending,
      status_unknown: ANOMALIES.missing,
      status_success: 1151 - ANOMALIES.failed - ANOMALIES.stalePending - ANOMALIES.freshPending - ANOMALIES.missing,
      // First run: every drifted target is new, there is nothing to compare against.
      new_drift: seededDrift.length,
      resolved_drift: 0,
      previous_run_id: null,
    });
  });

  it('is COMPLETE: throttling and transient unprocessed entries all cleared', () => {
    expect(summary.status_unknown).toBe(0);
    expect(summary.drift_unprocessed).toBe(0);
    expect(summary.run_status).toBe('COMPLETE');
  });

  it('copies the service state and the tree into every row', () => {
    const parentOf = new Map<string, string | null>([
      ...org.roots.map((r) => [r.id, null] as const),
      ...org.ous.map((o) => [o.id, o.parentId] as const),
      ...org.accounts.map((a) => [a.id, a.parentId] as const),
    ]);
    const pathOf = (id: string | null): string =>
      id === null ? '' : [pathOf(parentOf.get(id) ?? null), id].filter(Boolean).join('/');
    const statusOf = new Map(org.accounts.map((a) => [a.id, a.status]));
    for (const row of rows) {
      const id = row.target_id;
      const parentId = parentOf.get(id)!;
      expect(row.parent_id).toBe(parentId);
      // Roots and OUs end their own path; accounts end with their container.
      expect(row.ou_path).toBe(row.target_type === 'ACCOUNT' ? pathOf(parentId) : pathOf(id));
      expect(row.account_status).toBe(statusOf.get(id) ?? null);
      // Missing and mismatch anomalies are only ever seeded on accounts, so every container's
      // effective policy is the generator's expected one.
      expect(row.expected_policy_id).toBe(parentId === null ? null : org.expectedPolicyIds.get(parentId));
      const truth = org.associations.get(id);
      expect({
        configuration_policy_id: row.configuration_policy_id,
        association_type: row.association_type,
        association_status: row.association_status,
        association_status_message: row.association_status_message,
        updated_at: row.updated_at,
      }).toEqual({
        configuration_policy_id: truth?.configurationPolicyId ?? null,
        association_type: truth?.associationType ?? null,
        association_status: truth?.associationStatus ?? null,
        association_status_message: truth?.associationStatusMessage ?? null,
        updated_at: truth?.updatedAt ?? null,
      });
    }
  });

  it('counts the throttles and calls the emulator actually served', () => {
    const stats = audit.emulator.stats();
    const served = (operations: readonly string[]) => operations.reduce((n, op) => n + (stats.requests[op] ?? 0), 0);
    expect(stats.throttles[BATCH_GET] ?? 0).toBeGreaterThan(0);
    expect(summary.throttled_requests).toBe(stats.totalThrottles);
    expect(summary.securityhub_api_calls).toBe(stats.requests[BATCH_GET]);
    expect(summary.organizations_api_calls).toBe(served(ORGANIZATIONS_OPERATIONS));
    expect(stats.emptyPagesServed).toBeGreaterThan(0);
    // Time is virtual: the run took exactly the time the audit itself slept.
    expect(summary.duration_seconds).toBe(Math.round(audit.clock.sleeps.reduce((a, b) => a + b, 0)) / 1000);
    expect(summary.audited_at).toBe(new Date(AUDIT_EPOCH).toISOString());
  });
});
