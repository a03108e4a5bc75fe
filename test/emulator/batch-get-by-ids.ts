/**
 * Test helper for the emulator's own tests: a batch-get by bare target ids, with the Target
 * member chosen from each id's shape (as a client that knows the organization would).
 */
import {
  BatchGetConfigurationPolicyAssociationsCommand,
  type BatchGetConfigurationPolicyAssociationsCommandOutput,
  type ConfigurationPolicyAssociation,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';

/** `{ Target: { RootId | OrganizationalUnitId | AccountId } }` for an id of that shape. */
export function targetOf(id: string): ConfigurationPolicyAssociation {
  return {
    Target: id.startsWith('r-')
      ? { RootId: id }
      : id.startsWith('ou-')
        ? { OrganizationalUnitId: id }
        : { AccountId: id },
  };
}

/** BatchGetConfigurationPolicyAssociations for these ids, in order. */
export function batchGetByIds(
  client: SecurityHubClient,
  ids: readonly string[],
): Promise<BatchGetConfigurationPolicyAssociationsCommandOutput> {
  return client.send(
    new BatchGetConfigurationPolicyAssociationsCommand({
      ConfigurationPolicyAssociationIdentifiers: ids.map(targetOf),
    }),
  );
}
