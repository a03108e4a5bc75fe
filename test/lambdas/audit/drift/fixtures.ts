/** Small builders for drift and report tests. Not a test file itself. */
import type {
  AccountStatus,
  Association,
  AssociationStatus,
  AssociationType,
  OrgSnapshot,
  OrgTarget,
  TargetType,
  UnprocessedTarget,
} from '../../../../lambdas/audit/model';

export const P1 = '11111111-1111-4111-8111-111111111111';
export const P2 = '22222222-2222-4222-8222-222222222222';
export const P3 = '33333333-3333-4333-8333-333333333333';

export const ROOT = 'r-ab12';
export const L1 = 'ou-ab12-11111111';
export const L2 = 'ou-ab12-22222222';
export const L3 = 'ou-ab12-33333333';
export const L4 = 'ou-ab12-44444444';
/** Account at the fifth level below the root. */
export const DEEP = '111111111111';
/** Account directly under the root. */
export const TOP = '222222222222';

type Spec = readonly [id: string, parentId: string | null, status?: AccountStatus];

function typeOf(id: string): TargetType {
  if (id.startsWith('r-')) return 'ROOT';
  if (id.startsWith('ou-')) return 'ORGANIZATIONAL_UNIT';
  return 'ACCOUNT';
}

/** Builds a snapshot from `[id, parentId]` pairs given parents first; types come from the id shape. */
export function orgOf(specs: readonly Spec[]): OrgSnapshot {
  const paths = new Map<string, string>();
  const targets: OrgTarget[] = specs.map(([id, parentId, status]) => {
    const type = typeOf(id);
    const parentPath = parentId === null ? '' : (paths.get(parentId) ?? parentId);
    const ouPath = type === 'ACCOUNT' ? parentPath : parentId === null ? id : `${parentPath}/${id}`;
    if (type !== 'ACCOUNT') paths.set(id, ouPath);
    return {
      id,
      type,
      name: `name-${id}`,
      parentId,
      ouPath,
      accountStatus: type === 'ACCOUNT' ? (status ?? 'ACTIVE') : null,
    };
  });
  return { rootIds: targets.filter((t) => t.type === 'ROOT').map((t) => t.id), targets, rejected: [] };
}

/** root → L1 → L2 → L3 → L4 → DEEP, plus TOP under the root. */
export function deepOrg(): OrgSnapshot {
  return orgOf([
    [ROOT, null],
    [L1, ROOT],
    [L2, L1],
    [L3, L2],
    [L4, L3],
    [DEEP, L4],
    [TOP, ROOT],
  ]);
}

export function assoc(
  targetId: string,
  policyId: string | null,
  type: AssociationType | null = 'INHERITED',
  status: AssociationStatus | null = 'SUCCESS',
  updatedAt: string | null = '2026-11-25T00:00:00.000Z',
  message: string | null = null,
): Association {
  return {
    targetId,
    configurationPolicyId: policyId,
    associationType: type,
    associationStatus: status,
    associationStatusMessage: message,
    updatedAt,
  };
}

export function unprocessedOf(
  targetId: string,
  errorCode = 'ThrottlingException',
  errorReason = 'Rate exceeded',
): UnprocessedTarget {
  return { targetId, errorCode, errorReason, attempts: 6 };
}

export function mapOf<T extends { targetId: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [i.targetId, i]));
}

/** Every target INHERITED P1 below a root that APPLIES P1: a clean organization. */
export function cleanAssociations(): Association[] {
  return [
    assoc(ROOT, P1, 'APPLIED'),
    assoc(L1, P1),
    assoc(L2, P1),
    assoc(L3, P1),
    assoc(L4, P1),
    assoc(DEEP, P1),
    assoc(TOP, P1),
  ];
}
