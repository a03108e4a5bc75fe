import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { BatchGetConfigurationPolicyAssociationsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { type AuditTuning } from '../../../../lambdas/audit/config';
import { runAudit } from '../../../../lambdas/audit/core/run-audit';
import { parseRows } from '../../../../lambdas/audit/report/rows';
import { parseRunSummary } from '../../../../lambdas/audit/report/summary';
import {
  errorKindOf,
  BaselineError,
  ExclusionsError,
  ReportStoreError,
  RunIdError,
  UnknownTargetsError,
} from '../../../../lambdas/audit/errors';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DEADLINE_EXCEEDED } from '../../../../lambdas/audit/securityhub/unprocessed-errors';
import {
  ACCOUNT_AT_ROOT,
  ACCOUNT_IN_OU,
  ALL_TARGETS,
  P1,
  P2,
  ROOT,
  fakeTime,
  healthyAnswers,
  serveAssociations,
  serveOrganization,
  type Answer,
} from './mock-aws-org';
import { MemoryStore } from '../../../support/memory-store';
import type { AuditDeps, AuditProgress, AuditRequest } from '../../../../lambdas/audit/types/audit';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { localMac, TEST_MAC } from '../../../support/local-mac';
import { signedSummaryBody } from '../../../support/signed-objects';

/** A ReportStore in memory that records the order of writes. */

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new SecurityHubClient({ region: 'us-east-1', credentials });

let answers: Map<string, Answer>;
let batches: string[][];
let time: ReturnType<typeof fakeTime>;
let store: MemoryStore;

beforeEach(() => {
  orgMock.reset();
  shMock.reset();
  serveOrganization(orgMock);
  answers = healthyAnswers();
  batches = serveAssociations(shMock, answers);
  time = fakeTime();
  store = new MemoryStore();
});

function deps(extra: Partial<AuditDeps> = {}): AuditDeps {
  return {
    organizations,
    securityHub,
    store,
    mac: TEST_MAC,
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0.5,
    ...extra,
  };
}

function request(extra: Partial<AuditRequest> = {}, tuning: Partial<AuditTuning> = {}): AuditRequest {
  const scheduledTime = 'scheduledTime' in extra ? extra.scheduledTime : '2026-11-26T02:00:00Z';
  // A scheduled run starts at its schedule time: the clock moves there (never back), since
  // a schedule time ahead of the clock is refused.
  const at = scheduledTime === undefined ? Number.NaN : Date.parse(scheduledTime);
  if (at > time.clock.now()) time.advance(at - time.clock.now());
  return {
    tuning: { ...DEFAULT_TUNING, ...tuning },
    reportPrefix: 'audit/',
    scheduledTime,
    deadline: time.clock.now() + 600_000,
    ...extra,
  };
}

const baselineDoc = (targets: Record<string, string>) => ({
  text: JSON.stringify({ version: 1, targets }),
  source: 's3://b/baseline.json',
});
const exclusionsDoc = (exclusions: object[]) => ({
  text: JSON.stringify({ version: 1, exclusions }),
  source: 's3://b/exclusions.json',
});

describe('runAudit', () => {
  it('audits every target and writes the dated objects before latest/', async () => {
    const progress: AuditProgress['phase'][] = [];
    const outcome = await runAudit(deps({ onProgress: (p) => progress.push(p.phase) }), request());

    expect(new Set(outcome.rows.map((r) => r.target_id))).toEqual(new Set(ALL_TARGETS));
    expect(outcome.summary).toMatchObject({
      run_id: '20261126T020000Z',
      run_status: 'COMPLETE',
      drifted: 0,
      targets_reported: 4,
      trigger: 'SCHEDULED',
    });
    expect(store.putKeys()).toEqual([
      'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz',
      'audit/runs/dt=2026-11-26/20261126T020000Z.json',
      'audit/html/dt=2026-11-26/20261126T020000Z.html',
      'audit/latest/run.json',
    ]);
    expect(outcome.report.associationsKey).toBe(store.putKeys()[0]);
    // The run summary names its HTML report, which was written before latest/.
    expect(outcome.summary.html_key).toBe(outcome.report.htmlKey);
    expect(store.putKeys()).toContain(outcome.summary.html_key);
    expect(parseRows(store.objects.get(store.putKeys()[0])!)).toHaveLength(4);
    expect(parseRunSummary(store.objects.get('audit/latest/run.json')!).run_id).toBe('20261126T020000Z');
    // Progress: walk first, then fetch, then write, once.
    expect(progress[0]).toBe('walk');
    expect(progress.indexOf('fetch')).toBeGreaterThan(progress.lastIndexOf('walk'));
    expect(progress.filter((p) => p === 'write')).toHaveLength(1);
    expect(progress.at(-1)).toBe('write');
  });

  it("counts this run's Organizations requests only, though the counter lives as long as the client", async () => {
    // A warm Lambda reuses its clients, so the counter starts where the last run left it.
    const organizationsCounter = { requests: 100, throttledRequests: 7 };
    orgMock.on(ListRootsCommand).callsFake(() => {
      organizationsCounter.requests += 3; // e.g. two throttled attempts, then success
      organizationsCounter.throttledRequests += 2;
      return Promise.resolve({ Roots: [{ Id: ROOT, Name: 'Root' }] });
    });
    const outcome = await runAudit(deps({ organizationsCounter }), request());
    expect(outcome.summary.organizations_api_calls).toBe(3);
    expect(outcome.summary.throttled_requests).toBe(2);
  });

  it('compares with the previous run: new drift, then resolved drift', async () => {
    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
    const first = await runAudit(deps(), request({ scheduledTime: '2026-11-26T02:00:00Z' }));
    expect(first.summary).toMatchObject({ new_drift: 1, resolved_drift: 0, drifted: 1, previous_run_id: null });

    answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'SUCCESS' });
    const second = await runAudit(deps(), request({ scheduledTime: '2026-11-27T02:00:00Z' }));
    expect(second.summary).toMatchObject({
      new_drift: 0,
      resolved_drift: 1,
      drifted: 0,
      previous_run_id: '20261126T020000Z',
    });
    expect(second.rows.find((r) => r.target_id === ACCOUNT_IN_OU)!.changes).toEqual(['RESOLVED', 'CHANGED']);
  });

  it('applies baseline and exclusions', async () => {
    const outcome = await runAudit(
      deps(),
      request({
        baseline: baselineDoc({ [ROOT]: P2 }),
        exclusions: exclusionsDoc([{ targetId: ACCOUNT_AT_ROOT, reason: 'Migrating, CHG-1', expires: '2099-12-31' }]),
      }),
    );
    const byId = new Map(outcome.rows.map((r) => [r.target_id, r]));
    expect(byId.get(ROOT)!.drift_reasons).toEqual(['BASELINE_MISMATCH']);
    expect(byId.get(ACCOUNT_AT_ROOT)!.audit_result).toBe('EXCLUDED');
    expect(outcome.summary).toMatchObject({ drifted: 3, excluded: 1, drift_baseline_mismatch: 4 });
  });

  describe('fails before writing anything', () => {
    it('on a malformed baseline, before even walking the organization', async () => {
      const error = await runAudit(
        deps(),
        request({
          baseline: { text: '{"version": 1, "targets": {"r-ab12": "nope"}}', source: 's3://b/baseline.json' },
        }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BaselineError);
      expect((error as Error).message).toContain('s3://b/baseline.json');
      expect(orgMock.calls()).toHaveLength(0);
      expect(store.putKeys()).toEqual([]);
    });

    it('on malformed exclusions', async () => {
      await expect(
        runAudit(deps(), request({ exclusions: { text: 'not json', source: 'x.json' } })),
      ).rejects.toBeInstanceOf(ExclusionsError);
      expect(store.putKeys()).toEqual([]);
    });

    it('on baseline ids the organization does not have (known once the walk is done)', async () => {
      const error = (await runAudit(
        deps(),
        request({ baseline: baselineDoc({ [ROOT]: P1, '999999999999': P2, 'ou-ab12-99999999': P2 }) }),
      ).catch((e: unknown) => e)) as UnknownTargetsError;
      expect(error).toBeInstanceOf(UnknownTargetsError);
      expect(error.unknownIds).toEqual(['999999999999', 'ou-ab12-99999999']);
      expect(error.source).toBe('s3://b/baseline.json');
      expect(orgMock.commandCalls(ListRootsCommand)).toHaveLength(1);
      // Security Hub reads start while the walk goes on, so some were made; nothing was written.
      expect(store.putKeys()).toEqual([]);
    });

    it('on exclusion ids the organization does not have', async () => {
      const error = await runAudit(
        deps(),
        request({ exclusions: exclusionsDoc([{ targetId: '999999999999', reason: 'gone', expires: '2099-12-31' }]) }),
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownTargetsError);
      expect((error as UnknownTargetsError).source).toBe('s3://b/exclusions.json');
      expect(store.putKeys()).toEqual([]);
    });
  });

  describe('passes the tuning to the fan-out and the drift rules', () => {
    it('batchGroupSize sets the targets per batch-get call', async () => {
      await runAudit(deps(), request({}, { batchGroupSize: 3 }));
      expect(batches.map((b) => b.length)).toEqual([3, 1]);
      batches.length = 0;
      await runAudit(deps(), request({ scheduledTime: '2026-11-27T02:00:00Z' }, { batchGroupSize: 1 }));
      expect(batches.map((b) => b.length)).toEqual([1, 1, 1, 1]);
    });

    it('securityHubRequestsPerSecond and securityHubBurst pace the calls', async () => {
      await runAudit(
        deps(),
        request({}, { batchGroupSize: 1, securityHubRequestsPerSecond: 2, securityHubBurst: 1, maxConcurrency: 1 }),
      );
      // Burst 1 at 2/s: the first call is free, each later one waits 500 ms.
      expect(time.sleeps).toEqual([500, 500, 500]);
    });

    it('redriveMaxAttempts bounds the re-drive rounds of a retryable unprocessed target', async () => {
      answers.set(ACCOUNT_IN_OU, { kind: 'unprocessed', errorCode: '503' });
      const outcome = await runAudit(
        deps(),
        request({}, { redriveMaxAttempts: 2, redriveBaseDelayMs: 100, redriveMaxDelayMs: 100 }),
      );
      expect(batches.filter((b) => b.includes(ACCOUNT_IN_OU))).toHaveLength(3);
      expect(outcome.summary).toMatchObject({ redrive_attempts: 2, run_status: 'INCOMPLETE', drift_unprocessed: 1 });
      // Full jitter with random 0.5 and a 100 ms ceiling.
      expect(time.sleeps).toEqual([50, 50]);
    });

    it('pendingStaleHours decides PENDING_STALE', async () => {
      const updatedAt = new Date(time.clock.now() - 2 * 3_600_000);
      answers.set(ACCOUNT_IN_OU, {
        kind: 'association',
        policyId: P1,
        type: 'INHERITED',
        status: 'PENDING',
        updatedAt,
      });
      const lenient = await runAudit(deps(), request({}, { pendingStaleHours: 3 }));
      expect(lenient.summary.drift_pending_stale).toBe(0);
      const strict = await runAudit(
        deps(),
        request({ scheduledTime: '2026-11-27T02:00:00Z' }, { pendingStaleHours: 1 }),
      );
      expect(strict.summary.drift_pending_stale).toBe(1);
    });
  });

  describe('honours the deadline', () => {
    it('sends nothing once it has passed, and still writes an INCOMPLETE report with every target', async () => {
      const outcome = await runAudit(deps(), request({ deadline: time.clock.now() }));
      expect(shMock.commandCalls(BatchGetConfigurationPolicyAssociationsCommand)).toHaveLength(0);
      expect(outcome.summary).toMatchObject({
        run_status: 'INCOMPLETE',
        deadline_reached: true,
        targets_reported: 4,
        status_unknown: 4,
      });
      expect(outcome.rows.every((r) => r.error_code === DEADLINE_EXCEEDED)).toBe(true);
      expect(store.putKeys()).toHaveLength(4); // dated associations, dated run, HTML, latest/run.json
    });

    it('starts no re-drive round whose backoff would end past it', async () => {
      answers.set(ACCOUNT_IN_OU, { kind: 'unprocessed', errorCode: '429' });
      const warnings: string[] = [];
      const logger = { info: () => undefined, warn: (message: string) => void warnings.push(message) };
      const outcome = await runAudit(
        deps({ logger }),
        request(
          { deadline: time.clock.now() + 1_000 },
          { redriveMaxAttempts: 5, redriveBaseDelayMs: 10_000, redriveMaxDelayMs: 10_000 },
        ),
      );
      expect(batches).toHaveLength(1);
      expect(time.sleeps).toEqual([]);
      expect(outcome.summary).toMatchObject({ deadline_reached: true, redrive_attempts: 0 });
      expect(warnings).toEqual(['Deadline reached while re-driving; the run is written as it stands']);
    });
  });

  it('lists each container once and reports the walk to the logger', async () => {
    const infos: [string, Record<string, unknown>][] = [];
    const logger = {
      info: (m: string, a: Record<string, string | number | boolean>) => void infos.push([m, a]),
      warn: () => undefined,
    };
    await runAudit(deps({ logger }), request());
    expect(infos).toContainEqual(['Organization walked', { runId: '20261126T020000Z', targets: 4, roots: 1 }]);
    expect(orgMock.commandCalls(ListOrganizationalUnitsForParentCommand)).toHaveLength(2);
    expect(orgMock.commandCalls(ListAccountsForParentCommand)).toHaveLength(2);
  });

  describe('treats the previous run as untrusted input', () => {
    const LATEST = 'audit/latest/run.json';
    const FIRST_ROWS = 'audit/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';

    /** A first run with ACCOUNT_IN_OU and ACCOUNT_AT_ROOT drifted. */
    async function firstRun() {
      answers.set(ACCOUNT_IN_OU, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
      answers.set(ACCOUNT_AT_ROOT, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
      return runAudit(deps(), request({ scheduledTime: '2026-11-26T02:00:00Z' }));
    }

    it('costs one GenerateMac per summary written and one VerifyMac per summary read', async () => {
      const mac = localMac();
      await runAudit(deps({ mac }), request({ scheduledTime: '2026-11-26T02:00:00Z' }));
      expect(mac.calls).toEqual([
        'sign run-summary audit/runs/dt=2026-11-26/20261126T020000Z.json',
        'sign latest-run audit/latest/run.json',
      ]);
      mac.calls.length = 0;
      const second = await runAudit(deps({ mac }), request({ scheduledTime: '2026-11-27T02:00:00Z' }));
      expect(second.summary.previous_run_status).toBe('OK');
      // latest/ read for history and again just before it is moved; each read verified once.
      expect(mac.calls).toEqual([
        'verify latest-run audit/latest/run.json',
        'sign run-summary audit/runs/dt=2026-11-27/20261127T020000Z.json',
        'verify latest-run audit/latest/run.json',
        'sign latest-run audit/latest/run.json',
      ]);
    });

    it('without tampering, ongoing drift is not new', async () => {
      await firstRun();
      const second = await runAudit(deps(), request({ scheduledTime: '2026-11-27T02:00:00Z' }));
      expect(second.summary).toMatchObject({
        previous_run_status: 'OK',
        previous_run_id: '20261126T020000Z',
        new_drift: 0,
        drifted: 2,
      });
    });

    it('a flipped drift flag in the previous object: UNTRUSTED, every drifted target new, a warning', async () => {
      await firstRun();
      // Flip one drifted row to "not drifted", as someone silencing tonight's digest would.
      const lines = gunzipSync(store.objects.get(FIRST_ROWS)!).toString().split('\n').filter(Boolean);
      const flipped = lines.map((line) => {
        const row = JSON.parse(line) as Record<string, unknown>;
        return row.target_id === ACCOUNT_IN_OU
          ? JSON.stringify({ ...row, drift: false, audit_result: 'OK', drift_reasons: [], first_drift_seen: null })
          : line;
      });
      store.objects.set(FIRST_ROWS, gzipSync(Buffer.from(`${flipped.join('\n')}\n`)));
      const warnings: [string, Record<string, unknown>][] = [];
      const logger = {
        info: () => undefined,
        warn: (m: string, a: Record<string, unknown>) => void warnings.push([m, a]),
      };

      const second = await runAudit(deps({ logger }), request({ scheduledTime: '2026-11-27T02:00:00Z' }));
      expect(second.summary).toMatchObject({
        previous_run_status: 'UNTRUSTED',
        previous_run_id: null,
        drifted: 2,
        new_drift: 2, // every drifted target, so the digest fires
        resolved_drift: 0,
        departed_targets: [],
      });
      expect(second.summary.previous_run_reason).toMatch(/does not match the associations_sha256/);
      for (const row of second.rows.filter((r) => r.drift)) {
        expect(row).toMatchObject({ changes: ['NEW_DRIFT'], first_drift_seen: '2026-11-27T02:00:00.000Z' });
      }
      expect(warnings.map(([m]) => m)).toContain(
        'Previous run snapshot not trusted; comparing with nothing, so every drifted target is new drift',
      );
      // The written summary says so too, for Athena.
      expect(parseRunSummary(store.objects.get(LATEST)!)).toMatchObject({ previous_run_status: 'UNTRUSTED' });
      // The next night trusts the new snapshot again.
      const third = await runAudit(deps(), request({ scheduledTime: '2026-11-28T02:00:00Z' }));
      expect(third.summary).toMatchObject({ previous_run_status: 'OK', new_drift: 0 });
    });

    it('a latest/run.json from the future is not trusted and is replaced', async () => {
      await firstRun();
      const latest = parseRunSummary(store.objects.get(LATEST)!);
      store.objects.set(
        LATEST,
        await signedSummaryBody(
          {
            ...latest,
            run_id: '20301126T020000Z',
            audited_at: '2030-11-26T02:00:00.000Z',
            report_key: 'audit/associations/dt=2030-11-26/20301126T020000Z.jsonl.gz',
          },
          LATEST,
        ),
      );
      const second = await runAudit(deps(), request({ scheduledTime: '2026-11-27T02:00:00Z' }));
      expect(second.summary).toMatchObject({ previous_run_status: 'UNTRUSTED', new_drift: 2 });
      expect(second.report).toMatchObject({ latestAdvanced: true, latestRunId: '20261127T020000Z' });
      expect(second.report.replacedUntrustedLatest).toMatch(/in the future/);
      expect(parseRunSummary(store.objects.get(LATEST)!).run_id).toBe('20261127T020000Z');
    });

    it('refuses a schedule time more than an hour ahead of the clock, before reading or calling anything', async () => {
      const error = await runAudit(deps(), { ...request(), scheduledTime: '2026-11-26T03:00:01Z' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RunIdError);
      expect(errorKindOf(error)).toBe('BAD_INPUT');
      expect((error as Error).message).toMatch(/more than 60 minutes after the current time/);
      expect(orgMock.calls()).toHaveLength(0);
      expect(store.putKeys()).toEqual([]);
      // Within the hour is a normal run.
      await expect(runAudit(deps(), { ...request(), scheduledTime: '2026-11-26T03:00:00Z' })).resolves.toBeDefined();
    });

    it('reads history before the walk: a store that cannot be read fails before any Organizations call', async () => {
      store.failReads = true;
      await expect(runAudit(deps(), request())).rejects.toThrow(ReportStoreError);
      expect(orgMock.calls()).toHaveLength(0);
      expect(shMock.calls()).toHaveLength(0);
    });

    it('reads history before the walk: a poisoned store degrades before any Organizations call', async () => {
      await firstRun();
      store.objects.set(LATEST, Buffer.from('{"not": "a run"'));
      const events: string[] = [];
      const logger = { info: () => undefined, warn: (m: string) => void events.push(`warn: ${m}`) };
      orgMock.on(ListRootsCommand).callsFake(() => {
        events.push('ListRoots');
        return Promise.resolve({ Roots: [{ Id: ROOT, Name: 'Root' }] });
      });
      const second = await runAudit(deps({ logger }), request({ scheduledTime: '2026-11-27T02:00:00Z' }));
      expect(second.summary.previous_run_status).toBe('UNTRUSTED');
      expect(events[0]).toMatch(/^warn: Previous run snapshot not trusted/);
      expect(events.indexOf('ListRoots')).toBeGreaterThan(0);
    });
  });
});
