/**
 * The detection scenario: how soon the event-driven re-check reports a change made while a
 * nightly run is in progress, and whether it slows that run down.
 *
 * One organization (the 10k scenario's by default) served by an IN-PROCESS emulator (the
 * child-process one cannot hand its CloudTrail-shaped events to this process) with the
 * quotas and faults of every scenario. First a nightly run alone: the "last full run" the
 * re-check compares with, and the reference ratio to the floor. Then a second nightly run,
 * and while it runs a stream of changes through real SDK v3 write calls: single moves, an OU
 * move (CreateOrganizationalUnit, then MoveAccount of many accounts into it), a policy edit
 * (UpdateConfigurationPolicy) and associations started on accounts set to settle FAILED.
 * Every event goes through the catalog's patterns into a stand-in of the queue and its Lambda
 * event source (detection-queue.ts) and from there to `runRecheck` with the production
 * clients, real clock and sleep, the default re-check settings, findings published to the
 * emulator and the digest to a local SNS endpoint (test/support/sns-server.ts).
 *
 * Both nightly runs use the production tuning (DEFAULT_TUNING), which leaves Security Hub
 * the re-check's share (8/s + 2/s = the documented 10/s); the administrator's write calls are
 * served outside the quota buckets (`writesOutsideQuota`), so only the audit's and the
 * re-check's reads compete for them.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateOrganizationalUnitCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  SecurityHubClient,
  StartConfigurationPolicyAssociationCommand,
  UpdateConfigurationPolicyCommand,
} from '@aws-sdk/client-securityhub';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAwsClients, type AwsClients } from '../../lambdas/audit/aws/clients';
import { liveDeps } from '../../lambdas/audit/core/live-deps';
import { runAudit } from '../../lambdas/audit/core/run-audit';
import { findingId } from '../../lambdas/audit/findings/asff-finding';
import type { PublishFindingsResult } from '../../lambdas/audit/findings/publish-findings';
import { parseChangeMessage } from '../../lambdas/audit/recheck/parse-change';
import { organizationsChangePattern, securityHubChangePattern } from '../../lambdas/audit/recheck/change-events';
import { runRecheck } from '../../lambdas/audit/recheck/run-recheck';
import type { AssociationRow } from '../../lambdas/audit/report/rows';
import { FUNCTION_SETTINGS, RECHECK_SETTINGS, settingDefaults } from '../../lambdas/audit/settings';
import { DirReportStore } from '../../lambdas/audit/store/dir-report-store';
import type { Change, ExpectedSenders, RecheckDeps } from '../../lambdas/audit/types/recheck';
import { systemClock, systemSleep } from '../../lambdas/audit/util/system-clock';
import { DEFAULTS } from '../../infra/config/defaults';
import {
  emulatorClientConfig,
  emulatorEnvironment,
  generateOrganization,
  startEmulator,
  type EmulatorStats,
  type RunningEmulator,
} from '../emulator';
import { DEFAULT_TUNING } from '../support/default-tuning';
import { TEST_MAC } from '../support/local-mac';
import { startLocalSns, type LocalSns } from '../support/sns-server';
import { isThrottleCode, sum } from './audit-scenario';
import { RecheckQueue, type QueuedMessage } from './detection-queue';
import { auditFloor, containerShapes, organizationsMinimum, round3, securityHubMinimum, serviceFloor } from './floor';
import { BENCH_QUOTAS, ORGANIZATIONS_OBJECT_QUOTAS } from './quotas';
import { benchFaults, orgOptions, SCENARIOS } from './scenarios';

/** What the scenario assumes; `--accounts` scales it down for a quick look. */
interface DetectionOptions {
  readonly accounts: number;
  readonly ous: number;
  /** How long an association stays PENDING after a change (a realistic 20–30 s). */
  readonly associationSettleMs: number;
}

export const DETECTION_DEFAULTS: DetectionOptions = {
  accounts: SCENARIOS['10k'].accounts,
  ous: SCENARIOS['10k'].ous,
  associationSettleMs: 25_000,
};

/** The goal: p95 latency after the association settles. */
const MAX_P95_AFTER_SETTLE_S = 120;
/** "Unchanged": the nightly run's ratio with re-checks within this share of its ratio alone. */
const RATIO_TOLERANCE = 0.05;
/** The changes, after the second nightly run started. */
const PLAN = {
  startAfterMs: 20_000,
  singleMoves: 3,
  betweenSingleMovesMs: 5_000,
  ouMoveAccounts: 500,
  /** The administrator's script: MoveAccount calls per second. */
  ouMoveRate: 10,
  failedAssociations: 3,
} as const;
/** How long to wait after the nightly run for the last re-checks. */
const DRAIN_LIMIT_MS = 15 * 60_000;
const HOME_REGION = 'us-east-1';
const NIGHTLY_DEADLINE_MS = 4 * 3_600_000;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (ms: number): number => round3(ms / 1000);

/** One change made, and when the re-check that covered it finished. */
interface TrackedChange {
  readonly kind: 'single-move' | 'ou-create' | 'ou-move' | 'policy-edit' | 'failed-association';
  readonly eventId: string;
  readonly callAt: number;
  /** When the associations the call made PENDING settle; the call time when it made none. */
  readonly settleAt: number;
}

/** What the re-checks did, gathered by the consumer. */
interface RecheckLog {
  readonly doneAt: Map<string, number>;
  readonly runs: {
    seconds: number;
    events: number;
    targets: number;
    newDrift: number;
    stillPending: number;
    deferred: number;
    digest: string;
    /** Findings imported and failed (a re-check that reaches its deadline sends none); null when none were to publish. */
    findings: { published: number; failed: number; firstFailure: string | null } | null;
    stillPendingIds: string[];
  }[];
  /** The last re-checked row of each target. */
  readonly rechecked: Map<string, AssociationRow>;
  readonly newFailedDrift: Set<string>;
  throttlingFailed: number;
  ignoredEvents: number;
  badEvents: number;
}

/** Nearest-rank percentile of seconds. */
function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return round3(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

const spread = (values: readonly number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  max: percentile(values, 100),
  count: values.length,
});

/** Security Hub's operations have "ConfigurationPolic" or "Finding" in their names; the rest are Organizations'. */
function splitByService(counts: Readonly<Record<string, number>>) {
  const organizations: Record<string, number> = {};
  const securityhub: Record<string, number> = {};
  for (const [op, n] of Object.entries(counts))
    (/ConfigurationPolic|Finding/.test(op) ? securityhub : organizations)[op] = n;
  return {
    organizations: { ...organizations, total: sum(organizations) },
    securityhub: { ...securityhub, total: sum(securityhub) },
  };
}

const throttlingFailures = (rows: readonly AssociationRow[]): number =>
  rows.filter((r) => r.association_status === null && isThrottleCode(r.error_code)).length;

/** One nightly run with fresh clients; its wall time, floor and throttles. */
async function nightly(emulator: RunningEmulator, dir: string, scheduledTime: string, label: string) {
  // Quotas full and unprocessed draws from zero, so both runs meet the same service.
  emulator.setFaults(benchFaults());
  const before = emulator.stats();
  const clients = createAwsClients();
  try {
    const started = performance.now();
    const outcome = await runAudit(
      {
        ...liveDeps(clients),
        store: new DirReportStore(dir),
        mac: TEST_MAC,
        logger: { info: () => undefined, warn: (message) => log(`  [detection] ${label} warning: ${message}`) },
      },
      {
        tuning: DEFAULT_TUNING,
        reportPrefix: '',
        scheduledTime,
        rerun: true,
        deadline: Date.now() + NIGHTLY_DEADLINE_MS,
      },
    );
    const wall = (performance.now() - started) / 1000;
    const after = emulator.stats();
    const serverErrors = (service: 'organizations' | 'securityhub') =>
      splitByService(after.serverErrors)[service].total - splitByService(before.serverErrors)[service].total;
    const { org } = emulator;
    const attempts = [...emulator.unprocessedAttempts().values()].map((a) => (a === 'forever' ? Infinity : a));
    const orgFloor = serviceFloor(
      organizationsMinimum(containerShapes(org)).total,
      serverErrors('organizations'),
      BENCH_QUOTAS.organizations,
    );
    const shFloor = serviceFloor(
      securityHubMinimum(
        org.roots.length + org.ous.length + org.accounts.length,
        attempts,
        DEFAULT_TUNING.batchGroupSize,
        DEFAULT_TUNING.redriveMaxAttempts,
      ).total,
      serverErrors('securityhub'),
      BENCH_QUOTAS.securityHub,
    );
    const floor = auditFloor(orgFloor, shFloor);
    return {
      wall_seconds: round3(wall),
      floor_seconds: floor.seconds,
      ratio: round3(wall / floor.seconds),
      run_status: outcome.summary.run_status,
      targets_reported: outcome.summary.targets_reported,
      throttles_seen_by_client: {
        organizations: clients.organizationsCounter.throttledRequests,
        securityhub: clients.securityHubCounter.throttledRequests,
      },
      throttling_failed_targets: throttlingFailures(outcome.rows),
    };
  } finally {
    clients.destroy();
  }
}

/** The write calls of the change stream, each tracked by the events it emitted. */
class ChangeDriver {
  readonly tracked: TrackedChange[] = [];
  private current: string[] | null = null;
  private readonly organizations: OrganizationsClient;
  private readonly securityHub: SecurityHubClient;

  constructor(private readonly emulator: RunningEmulator) {
    this.organizations = new OrganizationsClient(emulatorClientConfig(emulator));
    this.securityHub = new SecurityHubClient(emulatorClientConfig(emulator));
  }

  /** Called for every emitted event: it belongs to the call in progress (calls are sequential). */
  onEvent(eventId: string): void {
    this.current?.push(eventId);
  }

  private async track(kind: TrackedChange['kind'], call: () => Promise<unknown>): Promise<void> {
    const before = this.emulator.pendingAssociations();
    const events: string[] = [];
    this.current = events;
    const callAt = Date.now();
    try {
      await call();
    } finally {
      this.current = null;
    }
    let settleAt = callAt;
    for (const [target, at] of this.emulator.pendingAssociations())
      if (before.get(target) !== at) settleAt = Math.max(settleAt, at);
    for (const eventId of events) this.tracked.push({ kind, eventId, callAt, settleAt });
  }

  move(kind: 'single-move' | 'ou-move', accountId: string, from: string, to: string): Promise<void> {
    return this.track(kind, () =>
      this.organizations.send(
        new MoveAccountCommand({ AccountId: accountId, SourceParentId: from, DestinationParentId: to }),
      ),
    );
  }

  async createOu(parentId: string, name: string): Promise<string> {
    let id = '';
    await this.track('ou-create', async () => {
      const out = await this.organizations.send(
        new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }),
      );
      id = out.OrganizationalUnit?.Id ?? '';
    });
    return id;
  }

  editPolicy(policyId: string): Promise<void> {
    return this.track('policy-edit', () =>
      this.securityHub.send(
        new UpdateConfigurationPolicyCommand({ Identifier: policyId, Description: 'bench: policy edit' }),
      ),
    );
  }

  associate(policyId: string, accountId: string): Promise<void> {
    return this.track('failed-association', () =>
      this.securityHub.send(
        new StartConfigurationPolicyAssociationCommand({
          ConfigurationPolicyIdentifier: policyId,
          Target: { AccountId: accountId },
        }),
      ),
    );
  }

  destroy(): void {
    this.organizations.destroy();
    this.securityHub.destroy();
  }
}

/** Which accounts and policy the changes touch: distinct member accounts, none of them the management or audit account. */
function pickTargets(emulator: RunningEmulator, auditAccountId: string) {
  const { org } = emulator;
  const members = org.accounts.filter(
    (a) => a.id !== org.organization.managementAccountId && a.id !== auditAccountId && a.status === 'ACTIVE',
  );
  // Every 7th account: spread over the tree rather than one OU's.
  const spreadOut = members.filter((_, i) => i % 7 === 3);
  const ouMove = Math.min(PLAN.ouMoveAccounts, Math.floor(spreadOut.length / 2));
  const single = spreadOut.slice(0, PLAN.singleMoves);
  // Accounts without a seeded anomaly: their FAILED association is new drift, not drift that continues.
  const failing = spreadOut
    .slice(PLAN.singleMoves)
    .filter((a) => org.associations.get(a.id)?.anomaly == null)
    .slice(0, PLAN.failedAssociations);
  const failingIds = new Set(failing.map((a) => a.id));
  const moved = spreadOut
    .slice(PLAN.singleMoves)
    .filter((a) => !failingIds.has(a.id))
    .slice(0, ouMove);
  // The policy applied or inherited by the fewest targets (at least one): a policy edit redeploys all of them.
  const uses = new Map<string, number>();
  for (const a of org.associations.values())
    if (org.policies.some((p) => p.id === a.configurationPolicyId))
      uses.set(a.configurationPolicyId, (uses.get(a.configurationPolicyId) ?? 0) + 1);
  const [policyId, policyTargets] = [...uses].sort((a, b) => a[1] - b[1])[0];
  const destinations = org.ous.filter((o) => o.depth <= 2);
  return { single, failing, moved, policyId, policyTargets, destinations, rootId: org.roots[0].id };
}

/** Applies the stream of changes. */
async function applyChanges(
  driver: ChangeDriver,
  emulator: RunningEmulator,
  picked: ReturnType<typeof pickTargets>,
): Promise<void> {
  await sleep(PLAN.startAfterMs);
  log('  [detection] changes: single moves');
  for (const [i, account] of picked.single.entries()) {
    const destination = picked.destinations.find((o) => o.id !== account.parentId) ?? picked.destinations[0];
    await driver.move('single-move', account.id, account.parentId, destination.id);
    if (i < picked.single.length - 1) await sleep(PLAN.betweenSingleMovesMs);
  }
  log(`  [detection] changes: OU move of ${picked.moved.length} accounts`);
  const ouId = await driver.createOu(picked.rootId, 'bench-detection-moved');
  for (const account of picked.moved) {
    const started = Date.now();
    await driver.move('ou-move', account.id, account.parentId, ouId);
    await sleep(Math.max(0, 1000 / PLAN.ouMoveRate - (Date.now() - started)));
  }
  log(`  [detection] changes: policy edit (${picked.policyTargets} targets)`);
  await driver.editPolicy(picked.policyId);
  log(`  [detection] changes: ${picked.failing.length} associations that settle FAILED`);
  emulator.setAssociationFailures(new Set(picked.failing.map((a) => a.id)));
  for (const account of picked.failing) await driver.associate(picked.policyId, account.id);
}

interface Consumer {
  readonly deps: RecheckDeps;
  readonly expected: ExpectedSenders;
  readonly dir: string;
  readonly destination: { accountId: string; region: string; partition: string };
  readonly topicArn: string;
}

function findingsOf(result: PublishFindingsResult | null): RecheckLog['runs'][number]['findings'] {
  if (result === null) return null;
  const first = result.failures[0];
  return {
    published: result.published,
    failed: result.failed,
    firstFailure: first === undefined ? null : JSON.stringify(first).slice(0, 200),
  };
}

/** The function's side: one batch, one re-check, as recheck-handler.ts does it. */
async function recheckBatch(consumer: Consumer, batch: readonly QueuedMessage[], out: RecheckLog): Promise<void> {
  const changes: Change[] = [];
  let bad = 0;
  for (const message of batch) {
    const parsed = parseChangeMessage(message.body, consumer.expected);
    if (parsed.status === 'CHANGE') changes.push(parsed.change);
    else if (parsed.status === 'BAD') bad += 1;
    else out.ignoredEvents += 1;
  }
  out.badEvents += bad;
  if (changes.length === 0) return;
  const started = Date.now();
  const outcome = await runRecheck(consumer.deps, {
    changes,
    badEvents: bad,
    tuning: DEFAULT_TUNING,
    recheck: settingDefaults(RECHECK_SETTINGS),
    reportPrefix: '',
    deadline: started + DEFAULTS.recheckFunctionTimeoutMinutes * 60_000 - DEFAULT_TUNING.deadlineMarginSeconds * 1000,
    findings: consumer.destination,
    topicArn: consumer.topicArn,
    digestOptions: (key) => ({
      maxTargets: settingDefaults(FUNCTION_SETTINGS).digestMaxTargets,
      reportLocation: `file://${join(consumer.dir, key)}`,
    }),
  });
  const done = Date.now();
  for (const change of changes) if (!out.doneAt.has(change.eventId)) out.doneAt.set(change.eventId, done);
  const { record } = outcome.written;
  for (const row of outcome.comparison.rows) {
    out.rechecked.set(row.target_id, row);
    if (row.association_status === 'FAILED' && row.changes.includes('NEW_DRIFT')) out.newFailedDrift.add(row.target_id);
  }
  out.throttlingFailed += throttlingFailures(outcome.comparison.rows);
  out.runs.push({
    seconds: seconds(done - started),
    events: changes.length,
    targets: record.targets,
    newDrift: record.new_drift,
    stillPending: record.still_pending,
    deferred: record.deferred,
    digest: outcome.published?.digest.status ?? 'NOT_PUBLISHED',
    findings: findingsOf(outcome.published?.findings ?? null),
    stillPendingIds: outcome.read.settled.stillPending.slice(0, 5),
  });
  log(
    `  [detection] re-check: ${changes.length} events, ${record.targets} targets, ${record.new_drift} new drift, ` +
      `${record.still_pending} still pending, ${seconds(done - started)} s`,
  );
}

/** Waits until every tracked change was re-checked and the queue is idle, or the limit passes. */
async function drain(queue: RecheckQueue, driver: ChangeDriver, out: RecheckLog): Promise<boolean> {
  const limit = Date.now() + DRAIN_LIMIT_MS;
  while (Date.now() < limit) {
    if (queue.idle() && driver.tracked.every((c) => out.doneAt.has(c.eventId))) return true;
    await sleep(500);
  }
  return false;
}

/** Latency figures of the tracked changes. */
function latencies(tracked: readonly TrackedChange[], doneAt: ReadonlyMap<string, number>) {
  const fromChange: number[] = [];
  const fromSettle: number[] = [];
  const byKind: Record<string, { fromChange: number[]; fromSettle: number[] }> = {};
  for (const change of tracked) {
    const done = doneAt.get(change.eventId);
    if (done === undefined) continue;
    const kind = (byKind[change.kind] ??= { fromChange: [], fromSettle: [] });
    const a = (done - change.callAt) / 1000;
    const b = (done - change.settleAt) / 1000;
    fromChange.push(a);
    fromSettle.push(b);
    kind.fromChange.push(a);
    kind.fromSettle.push(b);
  }
  return {
    from_change_seconds: spread(fromChange),
    after_settle_seconds: spread(fromSettle),
    by_kind: Object.fromEntries(
      Object.entries(byKind).map(([k, v]) => [
        k,
        { from_change_seconds: spread(v.fromChange), after_settle_seconds: spread(v.fromSettle) },
      ]),
    ),
    not_rechecked: tracked.filter((c) => !doneAt.has(c.eventId)).length,
  };
}

function windowStats(stats: EmulatorStats) {
  return {
    requests: splitByService(stats.requests),
    throttles: splitByService(stats.throttles),
    server_errors: splitByService(stats.serverErrors),
  };
}

interface Setup {
  readonly emulator: RunningEmulator;
  readonly sns: LocalSns;
  readonly dir: string;
  readonly auditAccountId: string;
  readonly managementAccountId: string;
}

async function setUp(options: DetectionOptions): Promise<Setup> {
  const org = generateOrganization({
    ...orgOptions({ ...SCENARIOS['10k'], accounts: options.accounts, ous: options.ous }),
  });
  const managementAccountId = org.organization.managementAccountId;
  // The delegated administrator: a member account, not the management account.
  const auditAccountId = org.accounts.find((a) => a.id !== managementAccountId)?.id ?? managementAccountId;
  const emulator = await startEmulator({
    org,
    faults: benchFaults(),
    writes: {
      associationSettleMs: options.associationSettleMs,
      managementAccountId,
      auditAccountId,
      homeRegion: HOME_REGION,
      // The 10k organization has the 2,000 OUs AWS allows; the OU move's new OU is one more (said in the output).
      ouQuota: Math.max(ORGANIZATIONS_OBJECT_QUOTAS.maxOus, org.ous.length + 1),
    },
    writesOutsideQuota: true,
  });
  const sns = await startLocalSns();
  Object.assign(process.env, emulatorEnvironment(emulator), { AWS_ENDPOINT_URL_SNS: sns.endpoint });
  delete process.env.AWS_PROFILE;
  // Powertools would print each re-check's metrics (EMF) on stdout, where the JSON line goes.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const dir = await mkdtemp(join(tmpdir(), 'audit-detection-'));
  return { emulator, sns, dir, auditAccountId, managementAccountId };
}

/** Runs the scenario and returns its JSON line. */
export async function runDetectionScenario(options: DetectionOptions): Promise<Record<string, unknown>> {
  log(`[detection] ${options.accounts} accounts, ${options.ous} OUs, in-process emulator`);
  const setup = await setUp(options);
  const { emulator, sns, dir, auditAccountId, managementAccountId } = setup;
  const recheckClients: AwsClients = createAwsClients();
  const driver = new ChangeDriver(emulator);
  try {
    log('[detection] nightly run alone (the last full run)');
    const alone = await nightly(emulator, dir, '2026-11-26T02:00:00Z', 'nightly alone');
    log(`[detection] alone: ${alone.wall_seconds} s, ratio ${alone.ratio}`);

    const out: RecheckLog = {
      doneAt: new Map(),
      runs: [],
      rechecked: new Map(),
      newFailedDrift: new Set(),
      throttlingFailed: 0,
      ignoredEvents: 0,
      badEvents: 0,
    };
    const consumer: Consumer = {
      deps: {
        organizations: recheckClients.organizations,
        securityHub: recheckClients.securityHub,
        securityHubCounter: recheckClients.securityHubCounter,
        store: new DirReportStore(dir),
        mac: TEST_MAC,
        clock: systemClock,
        sleep: systemSleep,
        random: Math.random,
        logger: { info: () => undefined, warn: (message) => log(`  [detection] re-check warning: ${message}`) },
        sns: recheckClients.sns,
        metrics: new Metrics({ namespace: 'SecurityHubConfigAudit', serviceName: 'recheck-bench' }),
      },
      expected: { auditAccountId, homeRegion: HOME_REGION, managementAccountId },
      dir,
      destination: { accountId: auditAccountId, region: HOME_REGION, partition: 'aws' },
      topicArn: `arn:aws:sns:${HOME_REGION}:${auditAccountId}:audit-alerts`,
    };
    const queue = new RecheckQueue(
      [securityHubChangePattern(auditAccountId), organizationsChangePattern(managementAccountId)],
      {
        batchSize: DEFAULTS.recheckBatchSize,
        batchingWindowMs: DEFAULTS.recheckBatchingWindowSeconds * 1000,
        maxReceiveCount: DEFAULTS.recheckMaxReceiveCount,
      },
      (batch) => recheckBatch(consumer, batch, out),
      log,
    );
    emulator.onEvent((event) => {
      driver.onEvent(event.id);
      queue.route(event);
    });
    queue.start();

    const picked = pickTargets(emulator, auditAccountId);
    log('[detection] nightly run with changes and re-checks');
    emulator.resetStats();
    const windowStarted = Date.now();
    let changeError: string | null = null;
    const changing = applyChanges(driver, emulator, picked).catch((error: unknown) => {
      changeError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      log(`  [detection] the change stream stopped: ${changeError}`);
    });
    const withRechecks = await nightly(emulator, dir, '2026-11-27T02:00:00Z', 'nightly with re-checks');
    await changing;
    log(`[detection] with re-checks: ${withRechecks.wall_seconds} s, ratio ${withRechecks.ratio}; draining`);
    const drained = await drain(queue, driver, out);
    await queue.stop();
    const windowSeconds = seconds(Date.now() - windowStarted);
    const stats = emulator.stats();

    const lat = latencies(driver.tracked, out.doneAt);
    const movedIds = [...picked.single, ...picked.moved].map((a) => a.id);
    const failingIds = picked.failing.map((a) => a.id);
    const findingIds = new Set(emulator.findings().map((f) => String(f.finding.Id)));
    const ratioChange = withRechecks.ratio / alone.ratio - 1;
    const throttlingFailuresTotal =
      alone.throttling_failed_targets + withRechecks.throttling_failed_targets + out.throttlingFailed;
    const p95 = lat.after_settle_seconds.p95;
    return {
      scenario: 'detection',
      accounts: emulator.org.accounts.length,
      ous: emulator.org.ous.length,
      emulator: 'in-process (startEmulator in the bench process: its events reach the queue stand-in directly)',
      quotas: {
        organizations: BENCH_QUOTAS.organizations.ratePerSecond,
        securityhub: BENCH_QUOTAS.securityHub.ratePerSecond,
      },
      admin_writes: 'served outside the quota buckets (writesOutsideQuota); counted in calls',
      ou_quota_note:
        emulator.org.ous.length > ORGANIZATIONS_OBJECT_QUOTAS.maxOus
          ? `the organization had the ${ORGANIZATIONS_OBJECT_QUOTAS.maxOus} OUs AWS allows; the emulator allowed the OU move's new OU beyond that`
          : null,
      change_error: changeError,
      digest:
        'published to a local SNS endpoint (test/support/sns-server.ts); latency ends when runRecheck returned, after findings and digest were published',
      latency_from: 'the moment the write call was made (event times are whole seconds)',
      association_settle_ms: options.associationSettleMs,
      event_source: {
        batch_size: DEFAULTS.recheckBatchSize,
        batching_window_seconds: DEFAULTS.recheckBatchingWindowSeconds,
        reserved_concurrency: 1,
      },
      recheck_settings: settingDefaults(RECHECK_SETTINGS),
      nightly_tuning: 'DEFAULT_TUNING (production)',
      changes: {
        single_moves: picked.single.length,
        ou_move_accounts: picked.moved.length,
        policy_edit_targets: picked.policyTargets,
        failed_associations: picked.failing.length,
        tracked_events: driver.tracked.length,
      },
      latency: lat,
      rechecks: out.runs.length,
      recheck_runs: out.runs.map(({ stillPendingIds, ...run }) => ({
        ...run,
        // Why a re-check waited: the targets still PENDING at its end, with the anomaly the generator seeded on them.
        still_pending_sample: stillPendingIds.map((id) => ({
          id,
          seeded: emulator.org.associations.get(id)?.anomaly ?? null,
        })),
      })),
      events: {
        emitted: queue.counts.eventsEmitted,
        matched: queue.counts.eventsMatched,
        unmatched: queue.counts.eventsUnmatched,
        ignored: out.ignoredEvents,
        bad: out.badEvents,
        batches: queue.counts.batches,
        failed_batches: queue.counts.failedBatches,
        dead_lettered: queue.counts.deadLettered,
      },
      window_seconds: windowSeconds,
      drained,
      calls_in_window: windowStats(stats),
      recheck_client: {
        organizations_requests: recheckClients.organizationsCounter.requests,
        organizations_throttled: recheckClients.organizationsCounter.throttledRequests,
        securityhub_requests: recheckClients.securityHubCounter.requests,
        securityhub_throttled: recheckClients.securityHubCounter.throttledRequests,
      },
      verified: {
        moved_accounts: movedIds.length,
        moved_accounts_rechecked: movedIds.filter((id) => out.rechecked.has(id)).length,
        failed_associations: failingIds.length,
        failed_as_new_drift: failingIds.filter((id) => out.newFailedDrift.has(id)).length,
        failed_with_finding: failingIds.filter((id) => findingIds.has(findingId(id))).length,
        digests_published: sns.published.length,
        // Targets the emulator keeps PENDING for ever (seeded): a re-check reading one waits its whole PENDING budget.
        rechecked_with_seeded_pending: [...out.rechecked.keys()].filter((id) =>
          ['stalePending', 'freshPending'].includes(emulator.org.associations.get(id)?.anomaly ?? ''),
        ).length,
        failing_rows: failingIds.map((id) => {
          const row = out.rechecked.get(id);
          return {
            id,
            status: row?.association_status ?? null,
            changes: row?.changes ?? null,
            drift_reasons: row?.drift_reasons ?? null,
          };
        }),
      },
      nightly_alone: alone,
      nightly_with_rechecks: withRechecks,
      ratio_alone: alone.ratio,
      ratio: withRechecks.ratio,
      ratio_change: round3(ratioChange),
      throttling_failures: throttlingFailuresTotal,
      targets_met: {
        p95_after_settle_le_120_s: p95 !== null && p95 <= MAX_P95_AFTER_SETTLE_S && lat.not_rechecked === 0,
        zero_throttling_failures: throttlingFailuresTotal === 0 && queue.counts.deadLettered === 0,
        nightly_ratio_unchanged: Math.abs(ratioChange) <= RATIO_TOLERANCE,
      },
      node: process.version,
    };
  } finally {
    driver.destroy();
    recheckClients.destroy();
    await emulator.close();
    await sns.close();
    await rm(dir, { recursive: true, force: true });
  }
}
