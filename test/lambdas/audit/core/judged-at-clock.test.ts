import { TEST_MAC } from '../../../support/local-mac';
/**
 * A run judges staleness, exclusion expiry and first-seen times at the clock, not at the
 * schedule time its event names; an event time more than 24 hours old needs an explicit re-run.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { runAudit } from '../../../../lambdas/audit/core/run-audit';
import { errorKindOf, RunIdError } from '../../../../lambdas/audit/errors';
import type { AuditRequest } from '../../../../lambdas/audit/types/audit';
import { MemoryStore } from '../../../support/memory-store';
import {
  ACCOUNT_AT_ROOT,
  ACCOUNT_IN_OU,
  P1,
  fakeTime,
  healthyAnswers,
  serveAssociations,
  serveOrganization,
} from './mock-aws-org';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new SecurityHubClient({ region: 'us-east-1', credentials });

const SCHEDULED = '2026-11-26T02:00:00Z';
/** The clock: 23.5 hours after the schedule time, within the 24 hours a run may lag. */
const CLOCK = '2026-11-27T01:30:00.000Z';

/**
 * ACCOUNT_AT_ROOT: FAILED, excluded up to 2026-11-26 (valid at the schedule time, expired at
 * the clock). ACCOUNT_IN_OU: PENDING since 2026-11-25T12:00Z (14 h old at the schedule time,
 * 37.5 h at the clock; stale after 24 h).
 */
function serveNight(): void {
  orgMock.reset();
  shMock.reset();
  serveOrganization(orgMock);
  const answers = healthyAnswers();
  answers.set(ACCOUNT_AT_ROOT, { kind: 'association', policyId: P1, type: 'INHERITED', status: 'FAILED' });
  answers.set(ACCOUNT_IN_OU, {
    kind: 'association',
    policyId: P1,
    type: 'INHERITED',
    status: 'PENDING',
    updatedAt: new Date('2026-11-25T12:00:00Z'),
  });
  serveAssociations(shMock, answers);
}

function run(clock: string, extra: Partial<AuditRequest>, expires = '2026-11-26') {
  const time = fakeTime(Date.parse(clock));
  const exclusions = [{ targetId: ACCOUNT_AT_ROOT, reason: 'Sandbox, CHG-1', expires }];
  return runAudit(
    {
      organizations,
      securityHub,
      store: new MemoryStore(),
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0.5,
      mac: TEST_MAC,
    },
    {
      tuning: { ...DEFAULT_TUNING, pendingStaleHours: 24 },
      reportPrefix: '',
      scheduledTime: SCHEDULED,
      deadline: time.clock.now() + 600_000,
      exclusions: { text: JSON.stringify({ version: 1, exclusions }), source: 'exclusions.json' },
      ...extra,
    },
  );
}

beforeEach(serveNight);

describe('a run judged at the clock', () => {
  it('sees an exclusion that expired after the schedule time, and a PENDING gone stale since', async () => {
    const { rows, summary } = await run(CLOCK, {});
    const row = (id: string) => rows.find((r) => r.target_id === id)!;
    expect(row(ACCOUNT_AT_ROOT)).toMatchObject({ audit_result: 'DRIFT', exclusion_expired: true });
    expect(row(ACCOUNT_IN_OU)).toMatchObject({ audit_result: 'DRIFT', drift_reasons: ['PENDING_STALE'] });
    // Filed under the schedule time, first seen at the clock.
    expect(summary.audited_at).toBe('2026-11-26T02:00:00.000Z');
    expect(row(ACCOUNT_AT_ROOT).first_drift_seen).toBe(CLOCK);
    expect(summary.excluded).toBe(0);
  });

  it('at the schedule time itself, the same exclusion still applies and the PENDING is fresh', async () => {
    const { rows } = await run(SCHEDULED, {});
    expect(rows.find((r) => r.target_id === ACCOUNT_AT_ROOT)?.audit_result).toBe('EXCLUDED');
    expect(rows.find((r) => r.target_id === ACCOUNT_IN_OU)?.audit_result).toBe('OK');
  });

  it('refuses an event time more than 24 hours old (BAD_INPUT) unless the invocation is an explicit re-run', async () => {
    const old = { scheduledTime: '2024-11-26T02:00:00Z' };
    const refused = await run(CLOCK, old).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RunIdError);
    expect(errorKindOf(refused)).toBe('BAD_INPUT');

    // A 2025 expiry is in the future of the 2024 event, but past at the clock.
    const { rows, summary } = await run(CLOCK, { ...old, rerun: true }, '2025-06-30');
    expect(summary.run_id).toBe('20241126T020000Z');
    expect(rows.find((r) => r.target_id === ACCOUNT_AT_ROOT)).toMatchObject({
      audit_result: 'DRIFT',
      exclusion_expired: true,
    });
    expect(summary.drift_pending_stale).toBe(1);
  });
});
