/**
 * A retried invocation of the same schedule (same EventBridge event time) overwrites its
 * own objects, and its history still compares against the run before it, not against the
 * first attempt of itself.
 */
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { reportKeys } from '../../lambdas/audit/store/report-store';
import { sha256Hex } from '../../lambdas/audit/report/rows';
import { parseRunSummary, serializeRunSummary } from '../../lambdas/audit/report/summary';
import { signedSummaryBody } from '../support/signed-objects';
import type { GeneratedOrg } from '../emulator';
import { duplicates, startEmulatedAudit, type EmulatedAudit, type WrittenRow } from '../support/emulated-audit';

jest.setTimeout(60_000);

const T1 = '2026-11-25T02:00:00Z';
const T2 = '2026-11-26T02:00:00Z';
const T3 = '2026-11-27T02:00:00Z';
const RUN_A = '20261125T020000Z';
const RUN_B = '20261126T020000Z';
const RUN_C = '20261127T020000Z';
const KEYS_A = reportKeys('', RUN_A, '2026-11-25');
const KEYS_B = reportKeys('', RUN_B, '2026-11-26');
const ORGANIZATIONS_OPERATIONS = ['ListRoots', 'ListOrganizationalUnitsForParent', 'ListAccountsForParent'];
const BATCH_GET = 'BatchGetConfigurationPolicyAssociations';

let audit: EmulatedAudit | undefined;

afterEach(async () => {
  await audit?.close();
  audit = undefined;
});

/** Three plain ACTIVE accounts that become unreadable in run B: new drift. */
function newlyBroken(org: GeneratedOrg): string[] {
  const seeded = new Set(Object.values(org.anomalies).flat());
  return org.accounts
    .filter((a) => a.status === 'ACTIVE' && !seeded.has(a.id))
    .slice(0, 3)
    .map((a) => a.id);
}

/** Runs one scheduled audit with fresh emulator counters and checks the run's own call counts. */
async function scheduledRun(env: EmulatedAudit, time: string) {
  env.emulator.resetStats();
  const outcome = await env.run({ scheduledTime: time });
  const stats = env.emulator.stats();
  // Each run reports its own calls, not the client's lifetime totals (the Lambda keeps its
  // clients across warm invocations, and a retry is usually a warm invocation).
  expect({
    organizations_api_calls: outcome.summary.organizations_api_calls,
    securityhub_api_calls: outcome.summary.securityhub_api_calls,
    throttled_requests: outcome.summary.throttled_requests,
  }).toEqual({
    organizations_api_calls: ORGANIZATIONS_OPERATIONS.reduce((n, op) => n + (stats.requests[op] ?? 0), 0),
    securityhub_api_calls: stats.requests[BATCH_GET] ?? 0,
    throttled_requests: stats.totalThrottles,
  });
  return outcome;
}

function byId(rows: readonly WrittenRow[]): Map<string, WrittenRow> {
  return new Map(rows.map((r) => [r.target_id, r]));
}

describe('a retried scheduled run', () => {
  it('overwrites its own objects and compares against the run before it', async () => {
    audit = await startEmulatedAudit({
      org: { seed: 'history', accounts: 60, ous: 8, maxDepth: 3, anomalies: { failed: 2, missing: 1 } },
      // Night A runs at its schedule time: drift is first seen at the clock, not at the event's time.
      start: Date.parse(T1),
    });
    const env = audit;
    const { org } = env;
    const broken = newlyBroken(org);
    const seededDrift = [...org.anomalies.failed, ...org.anomalies.missing];

    const a = await scheduledRun(env, T1);
    expect(a.summary).toMatchObject({ run_id: RUN_A, previous_run_id: null, new_drift: seededDrift.length });

    env.emulator.setFaults({
      securityHub: {
        unprocessed: [
          { targetIds: broken, attempts: 'forever', errorCode: '403', errorReason: 'Access denied (test)' },
        ],
      },
    });
    const b = await scheduledRun(env, T2);
    const keysAfterB = await env.s3.listKeys();
    expect(keysAfterB).toEqual(
      [
        KEYS_A.associations,
        KEYS_A.run,
        KEYS_A.html,
        KEYS_B.associations,
        KEYS_B.run,
        KEYS_B.html,
        KEYS_B.latestRun,
      ].sort(),
    );

    const retry = await scheduledRun(env, T2);
    expect(retry.report).toEqual(b.report);
    // Same keys, nothing added.
    expect(await env.s3.listKeys()).toEqual(keysAfterB);

    for (const outcome of [b, retry]) {
      expect(outcome.summary).toMatchObject({
        run_id: RUN_B,
        previous_run_id: RUN_A,
        new_drift: broken.length,
        resolved_drift: 0,
        drifted: seededDrift.length + broken.length,
      });
    }
    const rows = await env.readRows(KEYS_B.associations);
    expect(rows).toHaveLength(retry.summary.targets_enumerated);
    expect(duplicates(rows.map((r) => r.target_id))).toEqual([]);
    const rowsById = byId(rows);
    for (const id of broken) {
      // Compared against A (not drifted there), so still new; first seen at B's time.
      expect(rowsById.get(id)).toMatchObject({
        changes: ['NEW_DRIFT'],
        first_drift_seen: '2026-11-26T02:00:00.000Z',
        error_code: '403',
      });
    }
    for (const id of seededDrift) {
      // Drifted since A: carried forward from A, not restarted.
      expect(rowsById.get(id)).toMatchObject({ changes: [], first_drift_seen: '2026-11-25T02:00:00.000Z' });
    }
    expect(await env.readRun(KEYS_B.latestRun)).toMatchObject({
      run_id: RUN_B,
      previous_run_id: RUN_A,
      new_drift: broken.length,
      report_key: KEYS_B.associations,
    });
    expect(retry.report).toMatchObject({ latestAdvanced: true, latestRunId: RUN_B });

    // The next schedule compares against B: the drift is no longer new.
    const c = await scheduledRun(env, T3);
    expect(c.summary).toMatchObject({
      run_id: RUN_C,
      previous_run_id: RUN_B,
      new_drift: 0,
      drifted: seededDrift.length + broken.length,
    });
  });

  it('compares against the run before when the first attempt died before writing latest/run.json', async () => {
    audit = await startEmulatedAudit({
      org: { seed: 'history', accounts: 60, ous: 8, maxDepth: 3, anomalies: { failed: 2, missing: 1 } },
    });
    const env = audit;
    const broken = newlyBroken(env.org);

    await scheduledRun(env, T1);
    const runA = await env.s3.getObject(KEYS_A.latestRun);
    env.emulator.setFaults({
      securityHub: { unprocessed: [{ targetIds: broken, attempts: 'forever', errorCode: '403' }] },
    });
    await scheduledRun(env, T2);
    // Put latest/run.json back to A: as if the first attempt of B failed on its last write.
    await env.s3.client.send(
      new PutObjectCommand({
        Bucket: env.s3.bucket,
        Key: KEYS_A.latestRun,
        Body: runA,
        ContentType: 'application/json',
      }),
    );

    const retry = await scheduledRun(env, T2);
    expect(retry.summary).toMatchObject({ run_id: RUN_B, previous_run_id: RUN_A, new_drift: broken.length });
    const rowsById = byId(await env.readRows(KEYS_B.associations));
    for (const id of broken) expect(rowsById.get(id)).toMatchObject({ changes: ['NEW_DRIFT'] });
    expect(await env.readRun(KEYS_B.latestRun)).toMatchObject({ run_id: RUN_B, previous_run_id: RUN_A });
  });

  it('does not move latest/ back when a retry of an older schedule finishes after a newer manual run', async () => {
    audit = await startEmulatedAudit({ org: { seed: 'history', accounts: 30, ous: 4, maxDepth: 2 } });
    const env = audit;

    await scheduledRun(env, T1);
    const b = await scheduledRun(env, T2);
    // A manual run on the virtual clock, which starts at T2: its id sorts after RUN_B.
    const manual = await env.run();
    expect(manual.summary.trigger).toBe('MANUAL');
    expect(manual.summary.run_id > RUN_B).toBe(true);
    expect(manual.report).toMatchObject({ latestAdvanced: true, latestRunId: manual.summary.run_id });
    const latestBefore = await env.s3.getObject(KEYS_B.latestRun);

    // Lambda's async retry of the T2 schedule arrives late.
    const retry = await scheduledRun(env, T2);
    expect(retry.report).toEqual({ ...b.report, latestAdvanced: false, latestRunId: manual.summary.run_id });
    // Its history is still against the run before it, as its first attempt's was, not the newer one.
    expect(retry.summary.previous_run_id).toBe(b.summary.previous_run_id);
    expect(await env.s3.getObject(KEYS_B.latestRun)).toEqual(latestBefore);
    expect(await env.readRun(KEYS_B.latestRun)).toMatchObject({
      run_id: manual.summary.run_id,
      report_key: manual.report.associationsKey,
    });
    // The retry's own dated objects are still (re)written: Athena sees it in the runs table.
    expect(await env.readRun(KEYS_B.run)).toMatchObject({ run_id: RUN_B });
    expect(await env.s3.listKeys()).toContain(manual.report.associationsKey);

    // The next schedule compares against the manual run, the newest.
    const c = await scheduledRun(env, T3);
    expect(c.summary.previous_run_id).toBe(manual.summary.run_id);
    expect(c.report.latestAdvanced).toBe(true);
  });
});

describe('history read back from S3 is untrusted input', () => {
  async function put(env: EmulatedAudit, key: string, body: Buffer): Promise<void> {
    await env.s3.client.send(new PutObjectCommand({ Bucket: env.s3.bucket, Key: key, Body: body }));
  }

  it('a flipped drift flag or a gzip bomb in the previous object: UNTRUSTED, every drifted target new', async () => {
    audit = await startEmulatedAudit({
      org: { seed: 'history', accounts: 30, ous: 4, maxDepth: 2, anomalies: { failed: 2, missing: 1 } },
    });
    const env = audit;
    const a = await scheduledRun(env, T1);
    expect(a.summary).toMatchObject({ previous_run_status: 'NONE', new_drift: 3 });

    // Flip the drift flag of one drifted row, as someone silencing the next digest would.
    const rows = await env.readRows(KEYS_A.associations);
    const flipped = rows.map((r) =>
      r.drift === true && r.target_id === rows.find((x) => x.drift === true)!.target_id
        ? { ...r, drift: false, audit_result: 'OK', drift_reasons: [], first_drift_seen: null }
        : r,
    );
    await put(env, KEYS_A.associations, gzipSync(flipped.map((r) => `${JSON.stringify(r)}\n`).join('')));
    const b = await scheduledRun(env, T2);
    expect(b.summary).toMatchObject({
      previous_run_status: 'UNTRUSTED',
      previous_run_id: null,
      drifted: 3,
      new_drift: 3,
    });
    expect(b.summary.previous_run_reason).toMatch(/does not match the associations_sha256/);
    expect(await env.readRun(KEYS_B.latestRun)).toMatchObject({ previous_run_status: 'UNTRUSTED' });

    // A gzip bomb in place of B's rows: refused as too large, not an out-of-memory crash.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    await put(env, KEYS_B.associations, Buffer.concat(Array.from({ length: 300 }, () => member)));
    const latest = parseRunSummary(await env.s3.getObject(KEYS_B.latestRun));
    const bomb = await env.s3.getObject(KEYS_B.associations);
    const forged = { ...latest, associations_sha256: sha256Hex(bomb) };
    // Without the key the recomputed hash is not enough: the summary is not authenticated.
    await put(env, KEYS_B.latestRun, serializeRunSummary(forged));
    const unsigned = await scheduledRun(env, T3);
    expect(unsigned.summary.previous_run_reason).toMatch(/latest\/run\.json is not authenticated/);
    // Signed with the key (defence in depth): the bomb is still refused by size.
    await put(env, KEYS_B.latestRun, await signedSummaryBody(forged, KEYS_B.latestRun, 'latest-run', env.mac));
    const c = await scheduledRun(env, T3);
    expect(c.summary).toMatchObject({ previous_run_status: 'UNTRUSTED', new_drift: 3 });
    expect(c.summary.previous_run_reason).toMatch(/inflated content is too large/);
  });

  it('a latest/run.json from the future is replaced, so latest/ is not frozen on it', async () => {
    audit = await startEmulatedAudit({ org: { seed: 'history', accounts: 20, ous: 3, maxDepth: 2 } });
    const env = audit;
    await scheduledRun(env, T1);
    const latest = await env.readRun(KEYS_A.latestRun);
    await put(
      env,
      KEYS_A.latestRun,
      await signedSummaryBody(
        parseRunSummary(
          Buffer.from(
            `${JSON.stringify({
              ...latest,
              run_id: '20301125T020000Z',
              audited_at: '2030-11-25T02:00:00.000Z',
              report_key: 'associations/dt=2030-11-25/20301125T020000Z.jsonl.gz',
            })}\n`,
          ),
        ),
        KEYS_A.latestRun,
        'latest-run',
        env.mac,
      ),
    );
    const b = await scheduledRun(env, T2);
    expect(b.summary.previous_run_status).toBe('UNTRUSTED');
    expect(b.report).toMatchObject({ latestAdvanced: true, latestRunId: RUN_B });
    const c = await scheduledRun(env, T3);
    expect(c.summary).toMatchObject({ previous_run_status: 'OK', previous_run_id: RUN_B });
  });
});
