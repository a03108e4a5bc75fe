/**
 * Builds the organization structure (root, OUs, accounts) from resolved options. Policy
 * associations are assigned separately (see assign-associations.ts) so that changing how
 * policies are spread never changes the ids of the tree.
 */
import type { AccountStatus } from '../../lambdas/audit/model';
import { arns, newAccountId, newOrganizationId, newOuId, newRootId } from './aws-ids';
import type { GeneratedAccount, GeneratedOrganizationInfo, GeneratedOu, GeneratedRoot } from './generated-org';
import { GenerateOrganizationError, type ResolvedGenerateOptions } from './generator-options';
import { createRandom } from './seeded-random';

/** The structural part of a generated organization. */
export interface OrgTree {
  readonly organization: GeneratedOrganizationInfo;
  readonly roots: readonly GeneratedRoot[];
  readonly ous: readonly GeneratedOu[];
  readonly accounts: readonly GeneratedAccount[];
}

const OU_NAMES = [
  'Security',
  'Infrastructure',
  'Workloads',
  'Sandbox',
  'Production',
  'NonProduction',
  'Shared',
  'Deployments',
  'Exceptions',
  'PolicyStaging',
  'Data',
  'Platform',
];
const TEAMS = [
  'payments',
  'search',
  'identity',
  'analytics',
  'checkout',
  'ledger',
  'mobile',
  'edge',
  'ml',
  'logistics',
];
const STAGES = ['dev', 'test', 'staging', 'prod', 'sandbox'];
const DAY_MS = 24 * 60 * 60 * 1000;

/** Builds root, OUs and accounts. Pure: the same options give the same tree. */
export function buildOrgTree(options: ResolvedGenerateOptions): OrgTree {
  const idRandom = createRandom(options.seed, 'ids');
  const shapeRandom = createRandom(options.seed, 'shape');

  const usedAccountIds = new Set<string>();
  const uniqueAccountId = (): string => {
    for (;;) {
      const id = newAccountId(idRandom);
      if (!usedAccountIds.has(id)) {
        usedAccountIds.add(id);
        return id;
      }
    }
  };

  const orgId = newOrganizationId(idRandom);
  const managementAccountId = uniqueAccountId();
  const rootId = newRootId(idRandom);
  const root: GeneratedRoot = { id: rootId, arn: arns.root(managementAccountId, orgId, rootId), name: 'Root' };

  // OUs: each picks a parent among the containers that still have room below them.
  const ous: GeneratedOu[] = [];
  const usedOuIds = new Set<string>();
  const openParents: { id: string; depth: number }[] = [{ id: rootId, depth: 0 }];
  for (let i = 0; i < options.ous; i++) {
    const parent = shapeRandom.pick(openParents);
    let id = newOuId(idRandom, rootId);
    while (usedOuIds.has(id)) id = newOuId(idRandom, rootId);
    usedOuIds.add(id);
    const depth = parent.depth + 1;
    const name = `${shapeRandom.pick(OU_NAMES)}-${i + 1}`;
    ous.push({ id, arn: arns.ou(managementAccountId, orgId, id), name, parentId: parent.id, depth });
    if (depth < options.maxDepth) openParents.push({ id, depth });
  }

  const containers = [rootId, ...ous.map((ou) => ou.id)];
  const statuses = accountStatuses(options);
  const accounts: GeneratedAccount[] = [];
  for (let i = 0; i < options.accounts; i++) {
    // The management account sits in the root, as in every real organization.
    const isManagement = i === 0;
    const id = isManagement ? managementAccountId : uniqueAccountId();
    const name = isManagement
      ? 'management'
      : `${shapeRandom.pick(TEAMS)}-${shapeRandom.pick(STAGES)}-${String(i).padStart(4, '0')}`;
    accounts.push({
      id,
      arn: arns.account(managementAccountId, orgId, id),
      name,
      email: `aws+${name}-${id}@example.com`,
      parentId: isManagement ? rootId : shapeRandom.pick(containers),
      status: statuses[i] ?? 'ACTIVE',
      joinedMethod: isManagement || shapeRandom.next() < 0.2 ? 'INVITED' : 'CREATED',
      joinedTimestamp: options.now - shapeRandom.int(30, 1500) * DAY_MS - shapeRandom.int(0, DAY_MS - 1),
    });
  }

  const management = accounts[0];
  return {
    organization: {
      id: orgId,
      arn: arns.organization(managementAccountId, orgId),
      managementAccountId,
      managementAccountArn: management.arn,
      managementAccountEmail: management.email,
    },
    roots: [root],
    ous,
    accounts,
  };
}

/**
 * State per account index. Exact counts (rounded fractions) so tests can assert them;
 * the management account (index 0) is always ACTIVE.
 */
function accountStatuses(options: ResolvedGenerateOptions): AccountStatus[] {
  const shares: readonly (readonly [AccountStatus, number])[] = [
    ['SUSPENDED', options.suspendedFraction],
    ['PENDING_CLOSURE', options.pendingClosureFraction],
    ['CLOSED', options.closedFraction],
    ['PENDING_ACTIVATION', options.pendingActivationFraction],
  ];
  const counts = shares.map(([state, share]) => [state, Math.round(share * options.accounts)] as const);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  if (total > options.accounts - 1) {
    throw new GenerateOrganizationError(
      `${counts.map(([state, n]) => `${n} ${state}`).join(' + ')} accounts do not fit among ${options.accounts - 1} member accounts`,
    );
  }
  const memberIndexes = Array.from({ length: options.accounts - 1 }, (_, i) => i + 1);
  const chosen = createRandom(options.seed, 'status').shuffle(memberIndexes);
  const statuses: AccountStatus[] = new Array<AccountStatus>(options.accounts).fill('ACTIVE');
  // Same draw order as before the newer states existed, so SUSPENDED and PENDING_CLOSURE
  // accounts of a seed stay the same accounts.
  let next = 0;
  for (const [state, n] of counts) {
    chosen.slice(next, next + n).forEach((i) => (statuses[i] = state));
    next += n;
  }
  return statuses;
}
