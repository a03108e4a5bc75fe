import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { InvariantError } from '../../lambdas/audit/errors';
import type { OrgSnapshot } from '../../lambdas/audit/model';
import { OrganizationWalk, type WalkOptions } from '../../lambdas/audit/organizations/walk-organization';

/**
 * Walks the whole organization in one go (see {@link OrganizationWalk}) and returns its tree.
 *
 * @throws OrganizationWalkError when any List* call fails; WalkDeadlineError when the
 *   deadline passes first; OrgTreeError when the listings do not form a tree; whatever
 *   `onTargets` throws (the walk then stops); Error when `options.onDeadline` is `'pause'`
 *   (a caller that can resume uses {@link OrganizationWalk}).
 */
export async function walkOrganization(client: OrganizationsClient, options: WalkOptions = {}): Promise<OrgSnapshot> {
  if (options.onDeadline === 'pause') {
    throw new InvariantError("walkOrganization cannot pause: use OrganizationWalk for onDeadline: 'pause'");
  }
  const outcome = await new OrganizationWalk(client, options).run();
  // Unreachable in 'fail' mode; checked so a change there cannot return half a tree.
  if (outcome.status !== 'DONE') throw new InvariantError('walkOrganization: the walk paused although it may not');
  return outcome.org;
}
