/**
 * The continuation scenario: an organization whose audit cannot finish in one invocation
 * at the assumed quotas, run as the state machine runs it (rounds of `runResumableAudit`
 * with a per-round deadline, resuming from the S3 checkpoint), against the same
 * organization audited in one uninterrupted `runAudit`, each against a fresh emulator.
 *
 * The organization's Organizations quota is far lower than the audit assumes (2 requests/s
 * instead of 10, and the walk is paced to it), so the walk alone needs several rounds; every
 * round walks and fetches as one pipeline and resumes the walk from its frontier. Prints
 * rounds, wall time, the ratio to the floor, the bytes checkpointed and the overhead
 * against the uninterrupted run (target <= 2 %).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAwsClients } from '../../lambdas/audit/aws/clients';
import { runResumableAudit } from '../../lambdas/audit/checkpoint/resumable-audit';
import { liveDeps } from '../../lambdas/audit/core/live-deps';
import { runAudit } from '../../lambdas/audit/core/run-audit';
import { DirReportStore } from '../../lambdas/audit/store/dir-report-store';
import { emulatorEnvironment } from '../emulator';
import { sum, byService } from './audit-scenario';
import { EmulatorProcess } from './emulator-process';
import { auditFloor, round3, serviceFloor } from './floor';
import { BENCH_QUOTAS } from './quotas';
import { benchFaults, BENCH_TUNING, orgOptions, type Scenario } from './scenarios';
import type { AuditRequest } from '../../lambdas/audit/types/audit';
import { TEST_MAC } from '../support/local-mac';

/** What the continuation scenario assumes; `--accounts` and `--round-seconds` scale it down for a quick look. */
export interface ContinuationOptions {
  readonly accounts: number;
  readonly ous: number;
  /** Each round's deadline, as the Lambda's remaining time minus the margin would give it. */
  readonly roundSeconds: number;
}

export const CONTINUATION_DEFAULTS: ContinuationOptions = { accounts: 1_000, ous: 200, roundSeconds: 45 };

/** Organizations far below the assumed quota, so the walk spans rounds. */
const SLOW_ORGANIZATIONS = { ratePerSecond: 2, burst: 2 };
const TUNING = {
  ...BENCH_TUNING,
  organizationsRequestsPerSecond: SLOW_ORGANIZATIONS.ratePerSecond,
  organizationsBurst: SLOW_ORGANIZATIONS.burst / 2,
};
/** Production checkpoint settings. */
const POLICY = { intervalMs: 60_000 };
const TIME = '2026-11-26T02:00:00Z';
const MAX_ROUNDS = 50;

const log = (line: string): void => void process.stderr.write(`${line}\n`);

function faults() {
  const base = benchFaults();
  return { ...base, organizations: { ...base.organizations, quota: SLOW_ORGANIZATIONS } };
}

/** Runs `fn` with clients routed to a fresh emulator of `scenario` and a temporary report directory. */
async function withEmulator<T>(
  scenario: Scenario,
  fn: (deps: Parameters<typeof runAudit>[0], emulator: EmulatorProcess) => Promise<T>,
): Promise<T> {
  const emulator = await EmulatorProcess.start({ org: orgOptions(scenario), faults: faults() });
  Object.assign(process.env, emulatorEnvironment({ endpoint: emulator.ready.endpoint }));
  delete process.env.AWS_PROFILE;
  const clients = createAwsClients();
  const dir = await mkdtemp(join(tmpdir(), 'audit-continuation-'));
  try {
    return await fn({ ...liveDeps(clients), store: new DirReportStore(dir), mac: TEST_MAC }, emulator);
  } finally {
    clients.destroy();
    await rm(dir, { recursive: true, force: true });
    await emulator.close().catch(() => emulator.kill());
  }
}

const request = (deadline: number): AuditRequest => ({
  tuning: TUNING,
  reportPrefix: '',
  scheduledTime: TIME,
  // A fixed schedule time on the real clock: an explicit re-run, judged at the clock.
  rerun: true,
  deadline,
});

/** Runs the scenario and returns its JSON line. */
export async function runContinuationScenario(options: ContinuationOptions): Promise<Record<string, unknown>> {
  const scenario: Scenario = {
    name: '1k',
    accounts: options.accounts,
    ous: options.ous,
    byDefault: true,
    withinQuotas: true,
  };
  log(`[continuation] uninterrupted run: ${options.accounts} accounts, ${options.ous} OUs, Organizations at 2/s`);
  const whole = await withEmulator(scenario, async (deps) => {
    const started = performance.now();
    const outcome = await runAudit(deps, request(Date.now() + 4 * 3_600_000));
    return { seconds: (performance.now() - started) / 1000, summary: outcome.summary };
  });

  log(`[continuation] the same run in rounds of ${options.roundSeconds} s`);
  return withEmulator(scenario, async (deps, emulator) => {
    const started = performance.now();
    let rounds = 0;
    let bytes = 0;
    let written = 0;
    for (;;) {
      rounds += 1;
      const last = rounds === MAX_ROUNDS;
      const result = await runResumableAudit(deps, request(Date.now() + options.roundSeconds * 1000), {
        ...POLICY,
        mayContinue: !last,
      });
      bytes += result.checkpoint.bytes;
      written += result.checkpoint.written;
      log(`  [continuation] round ${rounds}: ${result.status}`);
      if (result.status === 'DONE') {
        const wall = (performance.now() - started) / 1000;
        const stats = await emulator.stats();
        const minimum = await emulator.minimum(TUNING.batchGroupSize, TUNING.redriveMaxAttempts);
        const serverErrors = byService(stats.serverErrors);
        const floor = auditFloor(
          serviceFloor(minimum.organizations.total, sum(serverErrors.organizations), SLOW_ORGANIZATIONS),
          serviceFloor(minimum.securityHub.total, sum(serverErrors.securityhub), BENCH_QUOTAS.securityHub),
        );
        const overhead = (wall - whole.seconds) / whole.seconds;
        const summary = result.outcome.summary;
        return {
          scenario: 'continuation',
          accounts: options.accounts,
          ous: options.ous,
          targets: summary.targets_enumerated,
          quotas: { organizations: SLOW_ORGANIZATIONS, securityHub: BENCH_QUOTAS.securityHub },
          round_seconds: options.roundSeconds,
          rounds,
          wall_seconds: round3(wall),
          uninterrupted_wall_seconds: round3(whole.seconds),
          floor_seconds: floor.seconds,
          floor_seconds_sum: floor.sumSeconds,
          ratio_to_floor: round3(wall / floor.seconds),
          uninterrupted_ratio_to_floor: round3(whole.seconds / floor.seconds),
          checkpoints_written: written,
          checkpoint_bytes: bytes,
          checkpoint_overhead: round3(overhead),
          same_counts_as_uninterrupted:
            summary.targets_reported === whole.summary.targets_reported &&
            summary.drifted === whole.summary.drifted &&
            summary.drift_unprocessed === whole.summary.drift_unprocessed &&
            summary.run_status === whole.summary.run_status,
          run_status: summary.run_status,
          targets_met: { checkpoint_overhead_le_2_percent: overhead <= 0.02 },
          node: process.version,
        };
      }
    }
  });
}
