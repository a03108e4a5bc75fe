/**
 * A run that spans several invocations, resumed from its checkpoints, writes the same
 * report as one uninterrupted run: same rows, same counts. Real SDK clients over HTTP to
 * the emulator and s3rver; virtual time, so a deadline of half a virtual second per
 * invocation splits the fan-out into several rounds without waiting.
 */
import { runResumableAudit, type ResumableOutcome } from '../../lambdas/audit/checkpoint/resumable-audit';
import { checkpointKeys } from '../../lambdas/audit/checkpoint/checkpoint-store';
import type { EmulatorFaults } from '../emulator';
import {
  allTargetIds,
  startEmulatedAudit,
  TEST_TUNING,
  type EmulatedAudit,
  type WrittenRow,
  withoutJudgedTimes,
} from '../support/emulated-audit';
import type { AuditOutcome } from '../../lambdas/audit/types/audit';

jest.setTimeout(120_000);

const SCHEDULED = '2026-11-26T02:00:00Z';
const RUN_ID = '20261126T020000Z';
/**
 * 10 batch-gets per virtual second, one token of burst: the fan-out takes virtual time.
 * Re-drive backoff shorter than the half-second rounds, so a round can always make progress
 * (in production the rounds are minutes long and the backoff at most 20 s).
 */
const SLOW_FETCH = {
  securityHubRequestsPerSecond: 10,
  securityHubBurst: 1,
  redriveBaseDelayMs: 100,
  redriveMaxDelayMs: 400,
};

let audit: EmulatedAudit | undefined;

afterEach(async () => {
  await audit?.close();
  audit = undefined;
});

/** Re-arms the faults, so each run meets them afresh: some targets unprocessed twice, some for good. */
function faults(a: EmulatedAudit): EmulatorFaults {
  const accounts = a.org.accounts.map((x) => x.id);
  return {
    securityHub: {
      unprocessed: [
        { targetIds: accounts.slice(0, 30), attempts: 2, errorCode: '429' },
        { targetIds: accounts.slice(30, 33), attempts: 'forever', errorCode: '403' },
      ],
    },
  };
}

/**
 * 20 list pages per virtual second, one token of burst: a walk of about 400 pages takes
 * about 20 virtual seconds, so rounds of a few virtual seconds split the walk itself.
 */
const SLOW_WALK = { organizationsRequestsPerSecond: 20, organizationsBurst: 1 };

interface RoundOptions {
  readonly prefix: string;
  readonly deadlineInMs: number;
  readonly mayContinue: boolean;
  readonly tuning?: Partial<typeof TEST_TUNING>;
}

function round(a: EmulatedAudit, options: RoundOptions): Promise<ResumableOutcome> {
  return runResumableAudit(
    {
      organizations: a.organizations,
      securityHub: a.securityHub,
      organizationsCounter: a.organizationsCounter,
      securityHubCounter: a.securityHubCounter,
      store: a.store,
      mac: a.mac,
      clock: a.clock,
      sleep: a.clock.sleep,
      random: () => 0.5,
    },
    {
      reportPrefix: options.prefix,
      scheduledTime: SCHEDULED,
      deadline: a.clock.now() + options.deadlineInMs,
      tuning: { ...TEST_TUNING, ...SLOW_FETCH, ...options.tuning },
    },
    { mayContinue: options.mayContinue, intervalMs: 0 },
  );
}

/** Runs rounds until one is DONE, as the state machine does; returns the outcome and the rounds. */
async function runToTheEnd(
  a: EmulatedAudit,
  prefix: string,
  options: Partial<RoundOptions> = {},
): Promise<{ outcome: AuditOutcome; rounds: number }> {
  for (let rounds = 1; rounds <= 30; rounds += 1) {
    const result = await round(a, { prefix, deadlineInMs: 500, mayContinue: true, ...options });
    if (result.status === 'DONE') return { outcome: result.outcome, rounds };
  }
  throw new Error('the run did not finish in 30 rounds');
}

/** The uninterrupted run's report, under its own prefix (so neither run sees the other as its previous). */
async function uninterrupted(
  a: EmulatedAudit,
  tuning: Partial<typeof TEST_TUNING> = {},
): Promise<{ rows: WrittenRow[]; summary: Record<string, unknown> }> {
  a.emulator.setFaults(faults(a));
  const outcome = await a.run({
    reportPrefix: 'whole/',
    scheduledTime: SCHEDULED,
    tuning: { ...SLOW_FETCH, ...tuning },
  });
  return report(a, outcome);
}

async function report(a: EmulatedAudit, outcome: AuditOutcome) {
  return { rows: await a.readRows(outcome.report.associationsKey), summary: await a.readRun(outcome.report.runKey) };
}

/** Listings cut by a round's end or a crash are redone: the only count a resumed walk may change. */
const anyNumber: unknown = expect.any(Number);

/** A summary without what legitimately differs: timing, where it was written, and the calls it took. */
function counts(summary: Record<string, unknown>): Record<string, unknown> {
  // The rows' hash follows first_drift_seen, the clock when each run started.
  const differ = new Set([
    'mac',
    'duration_seconds',
    'report_key',
    'html_key',
    'securityhub_api_calls',
    'throttled_requests',
    'associations_sha256',
  ]);
  return Object.fromEntries(Object.entries(summary).filter(([key]) => !differ.has(key)));
}

describe('a run resumed from checkpoints', () => {
  it('spans several rounds and writes the same report as an uninterrupted run', async () => {
    const a = (audit = await startEmulatedAudit({ org: { seed: 'resume', accounts: 1_000, ous: 200, maxDepth: 5 } }));
    const whole = await uninterrupted(a);

    a.emulator.setFaults(faults(a));
    const { outcome, rounds } = await runToTheEnd(a, 'rounds/');
    const resumed = await report(a, outcome);

    expect(rounds).toBeGreaterThanOrEqual(3);
    expect(withoutJudgedTimes(resumed.rows)).toEqual(withoutJudgedTimes(whole.rows));
    expect(counts(resumed.summary)).toEqual(counts(whole.summary));
    expect(resumed.rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(a.org).sort());
    expect(resumed.summary).toMatchObject({ run_status: 'INCOMPLETE', drift_unprocessed: 3, deadline_reached: false });
  });

  it('walks across rounds from the saved frontier, fetching as it goes, and writes the same report', async () => {
    const a = (audit = await startEmulatedAudit({ org: { seed: 'walk', accounts: 1_000, ous: 200, maxDepth: 5 } }));
    const whole = await uninterrupted(a, SLOW_WALK);
    const wholeListings = a.emulator.stats().requests;

    a.emulator.resetStats();
    a.batchGetAsks.clear();
    a.emulator.setFaults(faults(a));
    const first = await round(a, { prefix: 'rounds/', deadlineInMs: 3_000, mayContinue: true, tuning: SLOW_WALK });
    expect(first.status).toBe('CONTINUE');
    // The first round fetched while it walked: answers before the walk was done.
    expect(a.batchGetAsks.size).toBeGreaterThan(0);
    const { outcome, rounds } = await runToTheEnd(a, 'rounds/', { deadlineInMs: 3_000, tuning: SLOW_WALK });
    const resumed = await report(a, outcome);

    expect(rounds).toBeGreaterThanOrEqual(3);
    expect(withoutJudgedTimes(resumed.rows)).toEqual(withoutJudgedTimes(whole.rows));
    expect(counts(resumed.summary)).toEqual({ ...counts(whole.summary), organizations_api_calls: anyNumber });
    const listings = a.emulator.stats().requests;
    // Roots are listed once; a container is listed again only if its listing was cut by a
    // round's end (at most MAX_CONCURRENCY per round).
    expect(listings.ListRoots).toBe(1);
    const redone = (listings.ListAccountsForParent ?? 0) - (wholeListings.ListAccountsForParent ?? 0);
    expect(redone).toBeGreaterThanOrEqual(0);
    expect(redone).toBeLessThanOrEqual(TEST_TUNING.maxConcurrency * 2 * (rounds + 1));
  });

  it('resumes from the last checkpoint after an invocation died between two checkpoints', async () => {
    const a = (audit = await startEmulatedAudit({ org: { seed: 'crash', accounts: 600, ous: 100, maxDepth: 5 } }));
    const whole = await uninterrupted(a);

    a.emulator.setFaults(faults(a));
    // The invocation dies (as on a timeout or OOM) after 7 slow batch-gets: past the
    // checkpoint after the first slice, before the next one is written.
    let sleeps = 0;
    a.clock.onSleep = () => {
      sleeps += 1;
      if (sleeps === 7) throw new Error('invocation died');
    };
    await expect(round(a, { prefix: 'rounds/', deadlineInMs: 60_000, mayContinue: true })).rejects.toThrow(
      'invocation died',
    );
    a.clock.onSleep = undefined;
    const manifest = await a.s3.getObject(checkpointKeys('rounds/', RUN_ID).manifest);
    // Checkpoints were written during the pipelined walk and fetch before it died.
    expect((JSON.parse(manifest.toString()) as { sequence: number }).sequence).toBeGreaterThanOrEqual(2);

    a.emulator.resetStats();
    const { outcome } = await runToTheEnd(a, 'rounds/');
    const resumed = await report(a, outcome);
    expect(withoutJudgedTimes(resumed.rows)).toEqual(withoutJudgedTimes(whole.rows));
    // Listings in flight when the invocation died are redone: only the call count may differ.
    expect(counts(resumed.summary)).toEqual({ ...counts(whole.summary), organizations_api_calls: anyNumber });
    // The walk was not started over: the roots were listed before the crash, and not again.
    expect(a.emulator.stats().requests.ListRoots ?? 0).toBe(0);
  });

  it('starts over when the checkpoint has been tampered with, and still reports every target once', async () => {
    const a = (audit = await startEmulatedAudit({ org: { seed: 'tamper', accounts: 300, ous: 40, maxDepth: 5 } }));
    const whole = await uninterrupted(a);

    a.emulator.setFaults(faults(a));
    const first = await round(a, { prefix: 'rounds/', deadlineInMs: 200, mayContinue: true });
    expect(first.status).toBe('CONTINUE');
    const keys = checkpointKeys('rounds/', RUN_ID);
    const manifest = JSON.parse((await a.s3.getObject(keys.manifest)).toString()) as { slot: 0 | 1 };
    const body = await a.s3.getObject(keys.slots[manifest.slot]);
    body[body.length - 10] ^= 0xff;
    await a.store.put(keys.slots[manifest.slot], body, 'application/gzip');

    a.emulator.setFaults(faults(a));
    const { outcome } = await runToTheEnd(a, 'rounds/');
    const resumed = await report(a, outcome);
    expect(withoutJudgedTimes(resumed.rows)).toEqual(withoutJudgedTimes(whole.rows));
  });

  it('writes the report as it stands at the deadline when it may not continue (a direct invocation)', async () => {
    const a = (audit = await startEmulatedAudit({ org: { seed: 'direct', accounts: 300, ous: 40, maxDepth: 5 } }));
    const result = await round(a, { prefix: '', deadlineInMs: 300, mayContinue: false });
    expect(result.status).toBe('DONE');
    const { rows, summary } = await report(a, (result as Extract<ResumableOutcome, { status: 'DONE' }>).outcome);
    expect(summary).toMatchObject({ run_status: 'INCOMPLETE', deadline_reached: true });
    expect(rows.map((r) => r.target_id).sort()).toEqual(allTargetIds(a.org).sort());
    expect(rows.some((r) => r.error_code === 'DEADLINE_EXCEEDED')).toBe(true);
  });
});
