/**
 * Response-shape faults: extra children with invalid ids and damaged account objects in
 * Organizations listings, damaged batch-get answers from Security Hub. Built once per
 * `setFaults` into look-up tables, so the handlers pay one map look-up per item.
 */
import { arns } from './aws-ids';
import {
  EmulatorConfigError,
  type LegacyAccountStatusMode,
  type MalformedAccountKind,
  type MalformedKind,
  type OrganizationsFaults,
  type SecurityHubFaults,
} from './emulator-faults';
import type { GeneratedAccount, GeneratedOu } from './generated-org';
import type { OrgIndex } from './org-index';

/** A parent's extra (invalid) children, in the order the faults list them. */
export interface ExtraChildren {
  readonly accounts: readonly GeneratedAccount[];
  readonly ous: readonly GeneratedOu[];
}

/** What the Organizations handlers consult. */
export interface OrganizationsResponseFaults {
  /** Parent id to the children appended to its listings. */
  readonly extraChildren: ReadonlyMap<string, ExtraChildren>;
  /** Every extra account, for ListAccounts. */
  readonly extraAccounts: readonly GeneratedAccount[];
  /** Every extra child object, to count them as served. */
  readonly extras: ReadonlySet<GeneratedAccount | GeneratedOu>;
  readonly malformedAccounts: ReadonlyMap<string, ReadonlySet<MalformedAccountKind>>;
  /** Whether and how the retired `Status` member is served; `undefined`: `State` only. */
  readonly legacyAccountStatus: LegacyAccountStatusMode | undefined;
}

/** When an invalid child claims to have joined; any fixed instant would do. */
const INVALID_CHILD_JOINED = Date.UTC(2020, 0, 1);

/** Builds the look-ups; throws EmulatorConfigError for parents or accounts not in the org. */
export function organizationsResponseFaults(
  faults: OrganizationsFaults | undefined,
  index: OrgIndex,
): OrganizationsResponseFaults {
  const { organization: o } = index.org;
  const extraChildren = new Map<string, { accounts: GeneratedAccount[]; ous: GeneratedOu[] }>();
  const extraAccounts: GeneratedAccount[] = [];
  const extras = new Set<GeneratedAccount | GeneratedOu>();
  (faults?.invalidChildren ?? []).forEach((child, i) => {
    if (!index.children.has(child.parentId)) {
      throw new EmulatorConfigError(
        `organizations.invalidChildren[${i}].parentId ${child.parentId} is not a root or OU of the organization`,
      );
    }
    let extra = extraChildren.get(child.parentId);
    if (!extra) extraChildren.set(child.parentId, (extra = { accounts: [], ous: [] }));
    const name = child.name ?? `invalid child ${i}`;
    if (child.type === 'ORGANIZATIONAL_UNIT') {
      // Depth is not served; 1 keeps the object well-formed for the type.
      const ou: GeneratedOu = {
        id: child.id,
        arn: arns.ou(o.managementAccountId, o.id, child.id),
        name,
        parentId: child.parentId,
        depth: 1,
      };
      extra.ous.push(ou);
      extras.add(ou);
      return;
    }
    const account: GeneratedAccount = {
      id: child.id,
      arn: arns.account(o.managementAccountId, o.id, child.id),
      name,
      email: `invalid-child-${i}@example.com`,
      parentId: child.parentId,
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      joinedTimestamp: INVALID_CHILD_JOINED,
    };
    extra.accounts.push(account);
    extraAccounts.push(account);
    extras.add(account);
  });

  const malformedAccounts = new Map<string, Set<MalformedAccountKind>>();
  (faults?.malformedAccounts ?? []).forEach((rule, i) => {
    if (index.targetTypes.get(rule.accountId) !== 'ACCOUNT') {
      throw new EmulatorConfigError(
        `organizations.malformedAccounts[${i}].accountId ${rule.accountId} is not an account of the organization`,
      );
    }
    addTo(malformedAccounts, rule.accountId, rule.kind);
  });
  return {
    extraChildren,
    extraAccounts,
    extras,
    malformedAccounts,
    legacyAccountStatus: faults?.legacyAccountStatus,
  };
}

/** Target id to the ways its batch-get answer is damaged; throws for targets not in the org. */
export function securityHubMalformed(
  faults: SecurityHubFaults | undefined,
  index: OrgIndex,
): ReadonlyMap<string, ReadonlySet<MalformedKind>> {
  const out = new Map<string, Set<MalformedKind>>();
  (faults?.malformed ?? []).forEach((rule, i) => {
    for (const id of rule.targetIds) {
      if (!index.targetTypes.has(id))
        throw new EmulatorConfigError(
          `securityHub.malformed[${i}] names ${id}, which is not a target of the organization`,
        );
      addTo(out, id, rule.kind);
    }
  });
  return out;
}

/** Applies the kinds to an account object as served (mutates and returns it). */
export function malformAccount(
  json: Record<string, unknown>,
  kinds: ReadonlySet<MalformedAccountKind>,
): Record<string, unknown> {
  if (kinds.has('missingId')) delete json.Id;
  if (kinds.has('missingName')) delete json.Name;
  if (kinds.has('missingStatus')) {
    delete json.Status;
    delete json.State;
  }
  if (kinds.has('unknownState')) {
    delete json.Status;
    json.State = 'SUSPENDING';
  }
  return json;
}

/**
 * Applies the kinds, except `unknownTargetMember` (an unprocessed entry, not a summary),
 * to a ConfigurationPolicyAssociationSummary as served (mutates and returns it).
 */
export function malformSummary(
  json: Record<string, unknown>,
  kinds: ReadonlySet<MalformedKind>,
): Record<string, unknown> {
  const id = json.TargetId;
  if (kinds.has('missingStatus')) delete json.AssociationStatus;
  if (kinds.has('unknownStatus')) json.AssociationStatus = 'DELETING';
  if (kinds.has('unknownAssociationType')) json.AssociationType = 'DELEGATED';
  if (kinds.has('missingPolicyId')) delete json.ConfigurationPolicyId;
  if (kinds.has('unknownTargetType')) json.TargetType = 'ORGANIZATION';
  if (kinds.has('foreignTargetId')) json.TargetId = `../../${String(id)}`;
  if (kinds.has('missingTargetId')) delete json.TargetId;
  if (kinds.has('nonUuidPolicyId')) json.ConfigurationPolicyId = 'policy-1';
  if (kinds.has('unparsableUpdatedAt')) json.UpdatedAt = 'yesterday';
  return json;
}

function addTo<K>(map: Map<string, Set<K>>, key: string, value: K): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}
