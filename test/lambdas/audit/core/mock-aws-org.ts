/**
 * A small organization served through aws-sdk-client-mock, for the tests of the audit
 * core, the CLI and the handler. Not a test file itself.
 *
 *   r-ab12 (root, APPLIED P1)
 *   ├── ou-ab12-11111111 (OU)
 *   │   └── 111111111111 (account)
 *   └── 222222222222 (account)
 *
 * Every target answers INHERITED P1 / SUCCESS unless the test changes its answer. The SDK
 * modules are parameters so a test that reloads modules (handler tests) can mock the
 * copies the code under test actually uses.
 */
import * as organizationsSdk from '@aws-sdk/client-organizations';
import * as securityHubSdk from '@aws-sdk/client-securityhub';
import type { AwsStub } from 'aws-sdk-client-mock';

export const P1 = '11111111-1111-4111-8111-111111111111';
export const P2 = '22222222-2222-4222-8222-222222222222';

export const ROOT = 'r-ab12';
export const OU = 'ou-ab12-11111111';
export const ACCOUNT_IN_OU = '111111111111';
export const ACCOUNT_AT_ROOT = '222222222222';
export const ALL_TARGETS = [ROOT, OU, ACCOUNT_IN_OU, ACCOUNT_AT_ROOT] as const;

/** What the mocked Security Hub says about one target. */
export type Answer =
  | {
      readonly kind: 'association';
      readonly policyId: string;
      readonly type: 'APPLIED' | 'INHERITED';
      readonly status: 'SUCCESS' | 'PENDING' | 'FAILED';
      readonly updatedAt?: Date;
      /** AssociationStatusMessage, when the answer has one. */
      readonly message?: string;
    }
  | { readonly kind: 'unprocessed'; readonly errorCode: string }
  | { readonly kind: 'missing' };

export const ok = (policyId = P1, type: 'APPLIED' | 'INHERITED' = 'INHERITED'): Answer => ({
  kind: 'association',
  policyId,
  type,
  status: 'SUCCESS',
});

/** The healthy organization: the root applies P1, everything below inherits it. */
export function healthyAnswers(): Map<string, Answer> {
  return new Map<string, Answer>([
    [ROOT, ok(P1, 'APPLIED')],
    [OU, ok()],
    [ACCOUNT_IN_OU, ok()],
    [ACCOUNT_AT_ROOT, ok()],
  ]);
}

type OrganizationsSdk = typeof organizationsSdk;
type SecurityHubSdk = typeof securityHubSdk;

// `any` because AwsStub's type parameters differ per client; the helpers only call on/callsFake.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStub = AwsStub<any, any, any>;

/** Serves ListRoots / ListOrganizationalUnitsForParent / ListAccountsForParent for the tree above. */
export function serveOrganization(orgMock: AnyStub, sdk: OrganizationsSdk = organizationsSdk): void {
  const ous: Record<string, string[]> = { [ROOT]: [OU], [OU]: [] };
  const accounts: Record<string, string[]> = { [ROOT]: [ACCOUNT_AT_ROOT], [OU]: [ACCOUNT_IN_OU] };
  orgMock
    .on(sdk.ListRootsCommand)
    .resolves({ Roots: [{ Id: ROOT, Name: 'Root', Arn: `arn:aws:organizations::000000000000:root/o-x/${ROOT}` }] });
  orgMock.on(sdk.ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string }) =>
    Promise.resolve({
      OrganizationalUnits: (ous[input.ParentId] ?? []).map((id) => ({ Id: id, Name: `name-${id}` })),
    }),
  );
  orgMock.on(sdk.ListAccountsForParentCommand).callsFake((input: { ParentId: string }) =>
    Promise.resolve({
      Accounts: (accounts[input.ParentId] ?? []).map((id) => ({
        Id: id,
        Name: `name-${id}`,
        Status: 'ACTIVE',
        Email: `${id}@example.com`,
      })),
    }),
  );
}

interface Identifier {
  readonly Target?: { readonly AccountId?: string; readonly OrganizationalUnitId?: string; readonly RootId?: string };
}

const idOf = (identifier: Identifier): string =>
  identifier.Target?.AccountId ?? identifier.Target?.OrganizationalUnitId ?? identifier.Target?.RootId ?? '';

const typeOf = (id: string): string =>
  id.startsWith('r-') ? 'ROOT' : id.startsWith('ou-') ? 'ORGANIZATIONAL_UNIT' : 'ACCOUNT';

/**
 * Serves BatchGetConfigurationPolicyAssociations from `answers` (read at call time, so a
 * test may change it between runs) and returns the target ids of every call, in order.
 */
export function serveAssociations(
  shMock: AnyStub,
  answers: Map<string, Answer>,
  sdk: SecurityHubSdk = securityHubSdk,
): string[][] {
  const calls: string[][] = [];
  // The run lists policy names once; these tests are about associations, so no policy has a name.
  shMock.on(sdk.ListConfigurationPoliciesCommand).resolves({ ConfigurationPolicySummaries: [] });
  shMock
    .on(sdk.BatchGetConfigurationPolicyAssociationsCommand)
    .callsFake((input: { ConfigurationPolicyAssociationIdentifiers: Identifier[] }) => {
      const identifiers = input.ConfigurationPolicyAssociationIdentifiers;
      calls.push(identifiers.map(idOf));
      const found: object[] = [];
      const unprocessed: object[] = [];
      for (const identifier of identifiers) {
        const id = idOf(identifier);
        const answer = answers.get(id) ?? { kind: 'missing' };
        if (answer.kind === 'association') {
          found.push({
            TargetId: id,
            TargetType: typeOf(id),
            ConfigurationPolicyId: answer.policyId,
            AssociationType: answer.type,
            AssociationStatus: answer.status,
            AssociationStatusMessage: answer.message,
            UpdatedAt: answer.updatedAt ?? new Date('2026-11-25T00:00:00.000Z'),
          });
        } else if (answer.kind === 'unprocessed') {
          unprocessed.push({
            ConfigurationPolicyAssociationIdentifiers: identifier,
            ErrorCode: answer.errorCode,
            ErrorReason: 'test',
          });
        }
      }
      return Promise.resolve({
        ConfigurationPolicyAssociations: found,
        UnprocessedConfigurationPolicyAssociations: unprocessed,
      });
    });
  return calls;
}

export { fakeTime } from '../../../support/fake-time';
