/**
 * Property: whatever Organizations and Security Hub answer (hostile names, ids that are not
 * ids, policy ids that are not policy ids, unknown enum values, odd timestamps, free-form
 * error codes), the run does not crash, reports every enumerated target exactly once,
 * says INCOMPLETE whenever a target has no definite state or an entry was rejected, and
 * nothing it prints to a terminal carries a raw control or bidi character.
 */
import * as organizationsSdk from '@aws-sdk/client-organizations';
import * as securityHubSdk from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { formatSummary } from '../../../../lambdas/audit/cli/summary-table';
import { runAudit } from '../../../../lambdas/audit/core/run-audit';
import { isTargetId } from '../../../../lambdas/audit/target-ids';
import { fakeTime } from './mock-aws-org';
import { MemoryStore } from '../../../support/memory-store';
import { DEFAULT_TUNING } from '../../../support/default-tuning';
import { isDisplaySafe } from '../../../support/is-display-safe';
import { TEST_MAC } from '../../../support/local-mac';

const ROOT = 'r-ab12';
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
const organizations = new organizationsSdk.OrganizationsClient({ region: 'us-east-1', credentials });
const securityHub = new securityHubSdk.SecurityHubClient({ region: 'us-east-1', credentials });
const orgMock = mockClient(organizations);
const shMock = mockClient(securityHub);

/** Text an attacker controls: control characters, bidi overrides, markup, very long values. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u001b[2J\u001b[H', 'a\r\nFAKE LINE', '\u202eevil', '<script>alert(1)</script>', 'x'.repeat(5000)),
);
const validAccountId = fc.stringMatching(/^\d{12}$/);
const accountId = fc.oneof({ weight: 4, arbitrary: validAccountId }, { weight: 1, arbitrary: hostileText });
const policyId = fc.oneof(
  fc.uuid(),
  fc.constant('SELF_MANAGED_SECURITY_HUB'),
  hostileText,
  fc.constant('11111111-1111-4111-8111-111111111111'),
);
const enumOr = <T extends string>(values: readonly T[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: hostileText });

const answer = fc.oneof(
  fc.record({
    kind: fc.constant('association' as const),
    policyId,
    type: enumOr(['APPLIED', 'INHERITED']),
    status: enumOr(['SUCCESS', 'PENDING', 'FAILED']),
    message: fc.option(hostileText, { nil: undefined }),
    updatedAt: fc.option(fc.date({ noInvalidDate: false }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('unprocessed' as const), errorCode: hostileText, errorReason: hostileText }),
  fc.constant({ kind: 'missing' as const }),
);

const account = fc.record({
  id: accountId,
  name: hostileText,
  state: enumOr(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED', 'PENDING_ACTIVATION']),
  answer,
});

type Account = typeof account extends fc.Arbitrary<infer A> ? A : never;
type Answer = Account['answer'];

function serve(accounts: readonly Account[], rootAnswer: Answer): void {
  orgMock.reset();
  shMock.reset();
  orgMock.on(organizationsSdk.ListRootsCommand).resolves({ Roots: [{ Id: ROOT, Name: 'Root' }] });
  orgMock.on(organizationsSdk.ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
  orgMock
    .on(organizationsSdk.ListAccountsForParentCommand)
    .resolves({ Accounts: accounts.map((a) => ({ Id: a.id, Name: a.name, State: a.state as 'ACTIVE' })) });
  const answers = new Map<string, Answer>([[ROOT, rootAnswer], ...accounts.map((a) => [a.id, a.answer] as const)]);
  shMock
    .on(securityHubSdk.BatchGetConfigurationPolicyAssociationsCommand)
    .callsFake(
      (input: {
        ConfigurationPolicyAssociationIdentifiers: { Target?: { AccountId?: string; RootId?: string } }[];
      }) => {
        const found: object[] = [];
        const unprocessed: object[] = [];
        for (const identifier of input.ConfigurationPolicyAssociationIdentifiers) {
          const id = identifier.Target?.AccountId ?? identifier.Target?.RootId ?? '';
          const a = answers.get(id) ?? { kind: 'missing' as const };
          if (a.kind === 'association') {
            found.push({
              TargetId: id,
              TargetType: id === ROOT ? 'ROOT' : 'ACCOUNT',
              ConfigurationPolicyId: a.policyId,
              AssociationType: a.type,
              AssociationStatus: a.status,
              AssociationStatusMessage: a.message,
              UpdatedAt: a.updatedAt,
            });
          } else if (a.kind === 'unprocessed') {
            unprocessed.push({
              ConfigurationPolicyAssociationIdentifiers: identifier,
              ErrorCode: a.errorCode,
              ErrorReason: a.errorReason,
            });
          }
        }
        return Promise.resolve({
          ConfigurationPolicyAssociations: found,
          UnprocessedConfigurationPolicyAssociations: unprocessed,
        });
      },
    );
}

describe('hostile service answers', () => {
  it('never crash the run, lose a target or reach the terminal raw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(account, { selector: (a) => a.id, maxLength: 12 }),
        answer,
        async (accounts, rootAnswer) => {
          serve(accounts, rootAnswer);
          const time = fakeTime(Date.parse('2026-11-27T02:00:00Z'));
          const outcome = await runAudit(
            {
              organizations,
              securityHub,
              store: new MemoryStore(),
              mac: TEST_MAC,
              clock: time.clock,
              sleep: time.sleep,
              random: () => 0.5,
            },
            {
              tuning: { ...DEFAULT_TUNING, redriveMaxAttempts: 1 },
              reportPrefix: '',
              scheduledTime: '2026-11-27T02:00:00Z',
              deadline: time.clock.now() + 600_000,
            },
          );
          const enumerated = [ROOT, ...accounts.map((a) => a.id).filter((id) => isTargetId(id))];
          const reported = outcome.rows.map((r) => r.target_id);
          expect([...reported].sort()).toEqual([...enumerated].sort());

          const rejected = accounts.length + 1 - enumerated.length;
          const unknown = outcome.rows.filter((r) => r.association_status === null);
          if (rejected > 0 || unknown.length > 0) expect(outcome.summary.run_status).toBe('INCOMPLETE');

          const printed = formatSummary(outcome.summary, outcome.rows, { listLimit: 50, location: 'reports/' });
          expect(isDisplaySafe(printed.replace(/\n/g, ''))).toBe(true);
        },
      ),
      { numRuns: 120 },
    );
  });
});
