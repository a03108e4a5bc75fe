import { TEST_MAC } from '../../../support/local-mac';
/**
 * Policy ids are compared case-insensitively: Security Hub answering a policy UUID in upper
 * case where the baseline names it in lower case (or the other way round) is no drift.
 */
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { runAudit } from '../../../../lambdas/audit/core/run-audit';
import { MemoryStore } from '../../../support/memory-store';
import {
  ACCOUNT_AT_ROOT,
  ACCOUNT_IN_OU,
  OU,
  ROOT,
  fakeTime,
  serveAssociations,
  serveOrganization,
  type Answer,
} from './mock-aws-org';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new SecurityHubClient({ region: 'us-east-1', credentials });

const POLICY = 'abcdef01-2345-4678-89ab-cdef01234567';

it.each([
  ['upper case from Security Hub, lower case in the baseline', POLICY.toUpperCase(), POLICY],
  ['lower case from Security Hub, upper case in the baseline', POLICY, POLICY.toUpperCase()],
])('finds no drift with the policy UUID in %s', async (_, answered, inBaseline) => {
  orgMock.reset();
  shMock.reset();
  serveOrganization(orgMock);
  const ok = (type: 'APPLIED' | 'INHERITED'): Answer => ({
    kind: 'association',
    policyId: answered,
    type,
    status: 'SUCCESS',
  });
  serveAssociations(
    shMock,
    new Map<string, Answer>([
      [ROOT, ok('APPLIED')],
      [OU, ok('INHERITED')],
      [ACCOUNT_IN_OU, ok('INHERITED')],
      [ACCOUNT_AT_ROOT, ok('INHERITED')],
    ]),
  );
  const time = fakeTime();
  const { summary, rows } = await runAudit(
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
      tuning: DEFAULT_TUNING,
      reportPrefix: '',
      scheduledTime: '2026-11-26T02:00:00Z',
      deadline: time.clock.now() + 600_000,
      baseline: { text: JSON.stringify({ version: 1, targets: { [ROOT]: inBaseline } }), source: 'baseline.json' },
    },
  );
  expect(rows.flatMap((r) => r.drift_reasons)).toEqual([]);
  expect(summary).toMatchObject({ drifted: 0, run_status: 'COMPLETE' });
  expect(new Set(rows.map((r) => r.configuration_policy_id))).toEqual(new Set([POLICY]));
});
